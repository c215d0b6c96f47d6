"""Atom 1.0 and RSS 2.0 feeds of the change events (announced, effective, withdrawn), public and per client.

What the feeds are made of is summed up by `data_version`, one aggregate query (how many changes are published,
the newest event, the newest edit of a change or sub-processor). A body is built (feedgen) only for a version not
seen before and kept in a small per-app, per-process LRU, with its ETag and Last-Modified taken from the data, so any
HTTP cache can answer conditional requests too. Each process re-reads the version at most every `VERSION_TTL`
seconds (and at once after a commit in that process that touched a change or a sub-processor), so serving a feed
usually costs no query at all, and every gunicorn worker and instance shows a new event within that second.

Entry ids are tag: URIs naming the change and the event, so they never change when the feed is rebuilt.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Literal
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import current_app, has_app_context, render_template
from sqlalchemy import event as orm_events
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.http import http_date, quote_etag

from registry import links
from registry.changes import messages
from registry.changes.links import respond_url
from registry.changes.models import AffectedClient, Change, ChangeStatus, Expectation
from registry.clients.models import Client
from registry.extensions import db
from registry.i18n import CATEGORY_LABELS, ROLE_LABELS, language_of
from registry.profile import services as profile
from registry.public import i18n
from registry.public import services as public
from registry.subprocessors.models import SubProcessor

Format = Literal["atom", "rss"]
EventName = Literal["announced", "effective", "withdrawn"]

FORMAT_VERSION = "1"
"""Part of every ETag: bump it when the rendering changes, so caches drop bodies built by older code."""
CACHE_SIZE = 256
VERSION_TTL = 1.0
"""Seconds a process trusts the data version it read last."""
TAG_DATE = "2026"
"""The date part of the feeds' tag: URIs (RFC 4151): any date the BASE_URL's host was ours; never change it."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIMETYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


@dataclass(frozen=True)
class Event:
    change: Change
    name: EventName
    at: datetime
    affected: AffectedClient | None = None


@dataclass
class Feed:
    body: bytes
    etag: str
    last_modified: datetime
    mimetype: str

    @cached_property
    def validators(self) -> list[tuple[str, str]]:
        """ETag and Last-Modified as response headers, formatted once per built feed."""
        return [("ETag", quote_etag(self.etag)), ("Last-Modified", http_date(self.last_modified))]

    @cached_property
    def headers(self) -> list[tuple[str, str]]:
        return [("Content-Type", f"{self.mimetype}; charset=utf-8"), *self.validators]


# -- what the feeds are made of ---------------------------------------------------------------------------------

_PUBLISHED = Change.status != ChangeStatus.DRAFT.value


def data_version() -> tuple[Any, ...]:
    """One row that changes whenever any feed's content may: counts and the newest timestamps."""
    row = db.session.execute(
        select(
            func.count(Change.id),
            func.max(Change.id),
            func.max(Change.updated_at),
            func.max(Change.announced_at),
            func.max(Change.effective_at),
            func.max(Change.withdrawn_at),
            select(func.max(SubProcessor.updated_at)).scalar_subquery(),
        ).where(_PUBLISHED)
    ).one()
    return tuple(_aware(value) if isinstance(value, datetime) else value for value in row)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _latest(version: Sequence[Any], *more: datetime | None) -> datetime:
    stamps = [value for value in (*version, *more) if isinstance(value, datetime)]
    return max(stamps, default=EPOCH).replace(microsecond=0)


def events_of(changes: Sequence[Change], affected: dict[int, AffectedClient] | None = None) -> list[Event]:
    """Every event of these changes, newest first (ties: the later change, then the later event, first)."""
    order = {"announced": 0, "effective": 1, "withdrawn": 2}
    events: list[Event] = []
    for change in changes:
        extra = affected.get(change.id) if affected is not None else None
        stamps: tuple[tuple[EventName, datetime | None], ...] = (
            ("announced", change.announced_at),
            ("effective", change.effective_at),
            ("withdrawn", change.withdrawn_at),
        )
        for name, at in stamps:
            if at is not None:
                events.append(Event(change, name, _aware(at), extra))
    events.sort(key=lambda event: (event.at, event.change.id, order[event.name]), reverse=True)
    return events


def _published_changes() -> list[Change]:
    stmt = (
        select(Change)
        .where(_PUBLISHED, Change.announced_at.is_not(None))
        .options(selectinload(Change.subprocessor), selectinload(Change.replaces))
        .order_by(Change.id)
    )
    return list(db.session.scalars(stmt))


def _client_changes(client: Client) -> dict[int, AffectedClient]:
    stmt = (
        select(AffectedClient)
        .join(Change, AffectedClient.change_id == Change.id)
        .where(AffectedClient.client_id == client.id, _PUBLISHED, Change.announced_at.is_not(None))
        .options(selectinload(AffectedClient.change).selectinload(Change.subprocessor))
        .order_by(AffectedClient.change_id)
    )
    return {affected.change_id: affected for affected in db.session.scalars(stmt)}


# -- building ---------------------------------------------------------------------------------------------------


def _authority() -> str:
    return urlsplit(links.base_url()).hostname or "localhost"


def entry_id(event: Event) -> str:
    """`tag:<host>,<announcement date>:change/<id>/<event>`: fixed once the change is announced."""
    announced = _aware(event.change.announced_at or event.at).date().isoformat()
    return f"tag:{_authority()},{announced}:change/{event.change.id}/{event.name}"


def change_url(change_id: int, language: str) -> str:
    return f"{links.base_url()}/subprocessors/changes/{change_id}?lang={language}"


def _entry_html(event: Event, language: str, *, respond: str | None) -> str:
    change = event.change
    replaced = public.replaced_state(change, language)
    return render_template(
        "public/feed_entry.html",
        t=i18n.translator(language),
        lang=language,
        event=event,
        change=change,
        sp=public.change_state(change, language),
        replaced=replaced,
        categories=CATEGORY_LABELS[language],
        roles=ROLE_LABELS[language],
        affected=event.affected,
        respond_url=respond,
        change_url=change_url(change.id, language),
    )


def _build(
    *,
    fmt: Format,
    language: str,
    feed_id: str,
    title: str,
    subtitle: str,
    self_url: str,
    alternate_url: str,
    updated: datetime,
    events: Sequence[Event],
    respond_for: Callable[[Event], str | None],
) -> bytes:
    t = i18n.translator(language)
    processor = profile.get_profile()
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)  # also the RSS description
    fg.author({"name": processor.legal_name or _authority(), **({"email": processor.email} if processor.email else {})})
    fg.link(href=self_url, rel="self", type=MIMETYPES[fmt])
    fg.link(href=alternate_url, rel="alternate", type="text/html")  # last: RSS uses it as <link>
    fg.language(language)
    fg.updated(updated)  # from the data: also rss lastBuildDate
    for event in events:  # newest first
        entry = fg.add_entry(order="append")
        entry.id(entry_id(event))  # also the RSS guid (isPermaLink="false")
        entry.title(f"{t('event_' + event.name)}: {messages.headline(event.change, language)}")
        entry.updated(event.at)
        entry.published(event.at)
        respond = respond_for(event)
        # Exactly one link per entry: feedgen 1.0 writes no rel/type on entry links (#135), so a second link
        # would be another alternate one (invalid Atom); a lone link without rel is the alternate.
        entry.link(href=respond or change_url(event.change.id, language))
        entry.content(_entry_html(event, language, respond=respond), type="html")
    body: bytes = fg.atom_str(pretty=False) if fmt == "atom" else fg.rss_str(pretty=False)
    return body


# -- the cache --------------------------------------------------------------------------------------------------


class FeedCache:
    """A small thread-safe LRU of built feeds, keyed by the feed variant and the data version, and the data version
    last read (trusted for `VERSION_TTL` seconds)."""

    def __init__(self, size: int = CACHE_SIZE, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self._items: OrderedDict[tuple[Any, ...], Feed] = OrderedDict()
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._version_read_at = 0.0
        self.builds = 0

    def version(self, read: Callable[[], tuple[Any, ...]]) -> tuple[Any, ...]:
        now = self.clock()
        with self._lock:
            if self._version is not None and now - self._version_read_at < VERSION_TTL:
                return self._version
        version = read()
        with self._lock:
            self._version, self._version_read_at = version, now
        return version

    def forget_version(self) -> None:
        """Read the data version again on the next request (after a change in this process)."""
        with self._lock:
            self._version = None

    def get_or_build(self, key: tuple[Any, ...], build: Callable[[], Feed]) -> Feed:
        with self._lock:
            feed = self._items.get(key)
            if feed is not None:
                self._items.move_to_end(key)
                return feed
        feed = build()
        with self._lock:
            self.builds += 1
            self._items[key] = feed
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return feed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._version = None


def cache() -> FeedCache:
    """This app's feed cache (one per app and process)."""
    existing = current_app.extensions.get("registry.feeds")
    if isinstance(existing, FeedCache):
        return existing
    created = FeedCache()
    current_app.extensions["registry.feeds"] = created
    return created


def _etag(key: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr((FORMAT_VERSION, *key)).encode()).hexdigest()[:32]


# -- the feeds --------------------------------------------------------------------------------------------------


def public_feed(fmt: Format, language: str) -> Feed:
    """Every published change's events."""
    language = language_of(language)
    version = cache().version(data_version)
    key = ("public", fmt, language, version)

    def build() -> Feed:
        t = i18n.translator(language)
        updated = _latest(version)
        processor = profile.get_profile()
        body = _build(
            fmt=fmt,
            language=language,
            feed_id=f"tag:{_authority()},{TAG_DATE}:feeds/subprocessors",
            title=t("feed_public_title", name=processor.legal_name or _authority()),
            subtitle=t("feed_public_subtitle"),
            self_url=f"{links.base_url()}/feeds/subprocessors.{fmt}" + ("?lang=ro" if language == "ro" else ""),
            alternate_url=f"{links.base_url()}/subprocessors/changes?lang={language}",
            updated=updated,
            events=events_of(_published_changes()),
            respond_for=lambda event: None,
        )
        return Feed(body, _etag(key), updated, MIMETYPES[fmt])

    return cache().get_or_build(key, build)


def client_feed(client: Client, token: str, fmt: Format) -> Feed:
    """The events of the changes announced to this client, with its deadline and its respond link."""
    language = language_of(client.language)
    version = cache().version(data_version)
    client_stamp = _aware(client.updated_at) if client.updated_at else None
    told = db.session.scalar(  # a deadline starts when a notice reaches the client: its entries change then
        select(func.max(AffectedClient.delivered_at)).where(AffectedClient.client_id == client.id)
    )
    key = ("client", client.id, client.version, client_stamp, told, token, fmt, language, version)

    def build() -> Feed:
        t = i18n.translator(language)
        affected = _client_changes(client)
        updated = _latest(version, client_stamp)

        def respond_for(event: Event) -> str | None:
            if event.name != "announced" or event.change.status != ChangeStatus.ANNOUNCED:
                return None
            if event.affected is not None and event.affected.expectation == Expectation.INFORMATION:
                return None  # a removal: nothing to answer
            return respond_url(event.change.id, client.id)

        body = _build(
            fmt=fmt,
            language=language,
            feed_id=f"tag:{_authority()},{TAG_DATE}:feeds/clients/{client.id}",
            title=t("feed_client_title", client=client.legal_name or client.name),
            subtitle=t("feed_client_subtitle"),
            self_url=f"{links.base_url()}/feeds/clients/{token}.{fmt}",
            alternate_url=f"{links.base_url()}/subprocessors/changes?lang={language}",
            updated=updated,
            events=events_of([a.change for a in affected.values()], affected),
            respond_for=respond_for,
        )
        return Feed(body, _etag(key), updated, MIMETYPES[fmt])

    return cache().get_or_build(key, build)


# -- noticing this process's own changes at once ----------------------------------------------------------------

_TOUCHED = "registry.feeds.touched"


def _after_flush(session: Session, flush_context: Any) -> None:
    if any(isinstance(obj, Change | SubProcessor) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_TOUCHED] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_TOUCHED, False) and has_app_context():
        cache().forget_version()


def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def watch_changes() -> None:
    """Make a commit in this process that touched a change or a sub-processor refresh the feeds at once (other
    processes notice within `VERSION_TTL`). Idempotent; called when the feeds blueprint is registered."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not orm_events.contains(db.session, name, listener):
            orm_events.listen(db.session, name, listener)
