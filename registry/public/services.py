"""The public side: the list as anyone may see it, and email subscriptions (double opt-in).

Subscriptions: the form asks for a confirmation email (an outbox notice, delivered by the worker) carrying a signed,
expiring link; the link confirms, with the language and services asked for. Unsubscribe links are signed without
expiry (they live in every email's List-Unsubscribe header). Whatever the address (new, pending, confirmed or
unsubscribed) the form answers the same, so it tells nobody who is subscribed; a confirmed subscriber stays confirmed
until a new confirmation is clicked, so a stranger cannot change someone else's settings.

Abuse: the form is rate-limited per IP and per address through `SubscribeAttempt` rows in the database (hashed,
kept a day), so the limits hold across gunicorn workers and instances and survive restarts.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes.models import Change, ChangeStatus
from registry.db import utcnow
from registry.errors import Invalid, NotFound, RegistryError
from registry.extensions import db
from registry.i18n import FALLBACK_LANGUAGE, LANGUAGES
from registry.notices import services as notices
from registry.public.models import SubscribeAttempt, Subscriber, SubscriberStatus
from registry.public.schemas import CSV_COLUMNS
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import Service, Status
from registry.transfers import rules

CONFIRM_MAX_AGE = timedelta(days=7)
RATE_WINDOW = timedelta(hours=1)
MAX_PER_IP = 10
"""Form submissions per IP address and `RATE_WINDOW`."""
MAX_PER_ADDRESS = 3
"""Form submissions (so confirmation emails) per email address and `RATE_WINDOW`."""
CONFIRM_TEMPLATE = "subscription.confirm"
PUBLIC_ACTOR = Actor("public")


# -- errors -----------------------------------------------------------------------------------------------------


class LinkInvalid(RegistryError):
    """A subscription link that is unknown, tampered with, or for a subscription that no longer exists."""

    status = 404


class LinkExpired(RegistryError):
    status = 410


class RateLimited(RegistryError):
    status = 429


# -- the list ---------------------------------------------------------------------------------------------------


def language_of(value: str | None) -> str:
    """One of LANGUAGES: the value's primary language if known, else English."""
    code = (value or "").replace("_", "-").split("-", 1)[0].lower()
    return code if code in LANGUAGES else FALLBACK_LANGUAGE


def safeguard_text(location: dict[str, Any], language: str) -> str:
    """A location's transfer safeguard in plain words, with the decision reference where there is one."""
    mechanism = location.get("mechanism")
    if not mechanism:
        return ""
    try:
        return rules.mechanism_text(
            rules.Mechanism(mechanism), location.get("mechanism_detail"), language, country=location.get("country")
        )
    except ValueError:
        return str(mechanism)


def country_label(code: str | None, language: str) -> str:
    if not code:
        return ""
    try:
        return rules.country_name(code, language)
    except ValueError:
        return code


def public_states(
    *,
    language: str,
    as_of: date | None = None,
    service: str | None = None,
    category: str | None = None,
    country: str | None = None,
) -> list[dict[str, Any]]:
    """The active sub-processors (as of a date, or now) with the filters, each location with its `safeguard` and
    `country_name` in `language`, and `country_name` for the headquarters.

    :raise Invalid: an unknown service.
    """
    states = subprocessors.list_subprocessors(
        as_of=as_of, status=Status.ACTIVE.value, service=service, category=category, country=country
    )
    return [localise(state, language) for state in states]


def localise(state: dict[str, Any], language: str) -> dict[str, Any]:
    """Add the words a reader needs to a state: country names and safeguards in `language`."""
    state = dict(state)
    state["country_name"] = country_label(state.get("country"), language)
    state["locations"] = [
        {
            **location,
            "country_name": country_label(location.get("country"), language),
            "safeguard": safeguard_text(location, language),
        }
        for location in state.get("locations") or []
    ]
    return state


def last_changed(as_of: date | None = None) -> datetime | None:
    """When the public list last changed (an entry added, edited or retired), up to the end of `as_of`."""
    states = subprocessors.list_as_of(as_of, statuses=[Status.ACTIVE, Status.RETIRED])
    stamps = [datetime.fromisoformat(state["updated_at"]) for state in states if state.get("updated_at")]
    return max(stamps, default=None)


def service_choices() -> list[Service]:
    return list(db.session.scalars(select(Service).order_by(Service.slug)))


def service_slugs() -> set[str]:
    return {service.slug for service in service_choices()}


def diff(start: date, end: date, *, language: str) -> subprocessors.ListDiff:
    """What changed in the active list between the end of `start` and of `end`, states localised."""
    result = subprocessors.diff_lists(start, end)
    return subprocessors.ListDiff(
        start=result.start,
        end=result.end,
        added=[localise(state, language) for state in result.added],
        removed=[localise(state, language) for state in result.removed],
        changed=result.changed,
    )


# -- subscription links -----------------------------------------------------------------------------------------


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _address_hash(email: str) -> str:
    return hmac.new(_secret().encode(), email.casefold().encode(), hashlib.sha256).hexdigest()


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt="registry.subscription.confirm")


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(_secret(), salt="registry.subscription.unsubscribe")


def _base_url() -> str:
    return str(current_app.config["BASE_URL"])


def confirm_token(subscriber: Subscriber, language: str, services: Sequence[str]) -> str:
    """A signed link token that confirms `subscriber` with these settings (expires after CONFIRM_MAX_AGE)."""
    payload = {"s": subscriber.id, "a": _address_hash(subscriber.email_key)[:16], "l": language, "v": list(services)}
    return str(_confirm_serializer().dumps(payload))


def unsubscribe_token(subscriber: Subscriber) -> str:
    """A signed token that unsubscribes `subscriber`; it does not expire and never changes."""
    return str(_unsubscribe_serializer().dumps({"s": subscriber.id, "a": _address_hash(subscriber.email_key)[:16]}))


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The one-click unsubscribe URL (for the page and for the List-Unsubscribe / List-Unsubscribe-Post headers)."""
    return f"{_base_url()}/unsubscribe/{unsubscribe_token(subscriber)}"


def confirm_url(subscriber: Subscriber, language: str, services: Sequence[str]) -> str:
    return f"{_base_url()}/subscribe/confirm/{confirm_token(subscriber, language, services)}"


def _subscriber_of(payload: Any) -> Subscriber:
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise LinkInvalid("This link is not valid.")
    subscriber = db.session.get(Subscriber, payload["s"])
    if subscriber is None or not hmac.compare_digest(
        str(payload.get("a", "")), _address_hash(subscriber.email_key)[:16]
    ):
        raise LinkInvalid("This link is not valid.")
    return subscriber


def subscriber_for_confirm_token(token: str) -> tuple[Subscriber, str, list[str]]:
    """The subscriber and the settings a confirmation link carries.

    :raise LinkExpired: the link is older than CONFIRM_MAX_AGE. :raise LinkInvalid: anything else wrong with it.
    """
    try:
        payload = _confirm_serializer().loads(token, max_age=int(CONFIRM_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise LinkExpired("This confirmation link has expired: subscribe again to get a new one.") from None
    except BadSignature:
        raise LinkInvalid("This link is not valid.") from None
    subscriber = _subscriber_of(payload)
    services = payload.get("v")
    if not isinstance(services, list) or not all(isinstance(slug, str) for slug in services):
        raise LinkInvalid("This link is not valid.")
    return subscriber, language_of(payload.get("l")), services


def subscriber_for_unsubscribe_token(token: str) -> Subscriber:
    """:raise LinkInvalid: an unknown or tampered token."""
    try:
        payload = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise LinkInvalid("This link is not valid.") from None
    return _subscriber_of(payload)


# -- subscribing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscribeResult:
    subscriber: Subscriber
    created: bool


def normalise_email(email: str) -> str:
    return email.strip()


def get_subscriber_by_email(email: str) -> Subscriber | None:
    return db.session.scalar(select(Subscriber).where(Subscriber.email_key == normalise_email(email).casefold()))


def check_rate_limit(email: str, ip: str | None) -> None:
    """Record one form submission; :raise RateLimited: too many from this IP or for this address lately."""
    now = utcnow()
    db.session.execute(delete(SubscribeAttempt).where(SubscribeAttempt.created_at < now - timedelta(days=1)))
    since = now - RATE_WINDOW
    ip_hash = _address_hash(f"ip:{ip or 'unknown'}")
    email_hash = _address_hash(normalise_email(email))
    by_ip = db.session.scalar(
        select(func.count()).where(SubscribeAttempt.ip_hash == ip_hash, SubscribeAttempt.created_at >= since)
    )
    by_address = db.session.scalar(
        select(func.count()).where(SubscribeAttempt.email_hash == email_hash, SubscribeAttempt.created_at >= since)
    )
    if (by_ip or 0) >= MAX_PER_IP or (by_address or 0) >= MAX_PER_ADDRESS:
        raise RateLimited("Too many subscription requests: please try again in an hour.")
    db.session.add(SubscribeAttempt(ip_hash=ip_hash, email_hash=email_hash, created_at=now))
    db.session.flush()


def subscribe(email: str, language: str, services: Collection[str], *, ip: str | None) -> SubscribeResult:
    """Ask `email` to confirm a subscription with these settings (an outbox email), whatever its current state.

    :raise RateLimited: too many requests from this IP or for this address.
    :raise Invalid: an unknown service.
    """
    email = normalise_email(email)
    language = language_of(language)
    known = service_slugs()
    unknown = sorted(set(services) - known)
    if unknown:
        message = f"Unknown service {', '.join(unknown)}."
        raise Invalid(message, {"services": [message]})
    wanted = sorted(set(services))
    check_rate_limit(email, ip)
    subscriber = get_subscriber_by_email(email)
    created = False
    if subscriber is None:
        subscriber = Subscriber(
            email=email, email_key=email.casefold(), language=language, services=wanted, status=SubscriberStatus.PENDING
        )
        try:
            with db.session.begin_nested():
                db.session.add(subscriber)
        except IntegrityError:  # the same address submitted at the same moment
            existing = get_subscriber_by_email(email)
            if existing is None:
                raise
            subscriber = existing
        else:
            created = True
            audit.record(
                "subscriber.created",
                subscriber,
                actor=PUBLIC_ACTOR,
                after={"status": subscriber.status, "language": language, "services": wanted},
            )
    elif subscriber.status == SubscriberStatus.PENDING:
        subscriber.language, subscriber.services = language, wanted
    subscriber.confirmations_sent = subscriber.confirmations_sent + 1
    db.session.flush()
    notices.enqueue_one(
        event=f"subscriber/{subscriber.id}/confirm/{subscriber.confirmations_sent}",
        template=CONFIRM_TEMPLATE,
        recipient=subscriber.email,
        language=language,
        payload={
            "confirm_url": confirm_url(subscriber, language, wanted),
            "services": wanted,
            "expires_in_days": CONFIRM_MAX_AGE.days,
            "subscriptions_url": f"{_base_url()}/subscribe",
            "list_url": f"{_base_url()}/subprocessors?lang={language}",
        },
    )
    return SubscribeResult(subscriber, created)


def confirm(token: str) -> Subscriber:
    """Confirm the subscription a link was sent for, with the settings asked for then. Idempotent.

    :raise LinkExpired, LinkInvalid: see `subscriber_for_confirm_token`.
    """
    subscriber, language, services = subscriber_for_confirm_token(token)
    services = sorted(set(services) & service_slugs())
    before = {"status": subscriber.status, "language": subscriber.language, "services": subscriber.services}
    subscriber.language, subscriber.services = language, services
    if subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = utcnow()
        subscriber.unsubscribed_at = None
    after = {"status": subscriber.status, "language": subscriber.language, "services": subscriber.services}
    if after != before:
        db.session.flush()
        audit.record("subscriber.confirmed", subscriber, actor=PUBLIC_ACTOR, before=before, after=after)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> Subscriber:
    """Stop every email to this subscriber. Idempotent."""
    if subscriber.status != SubscriberStatus.UNSUBSCRIBED:
        before = {"status": subscriber.status}
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = utcnow()
        db.session.flush()
        audit.record(
            "subscriber.unsubscribed", subscriber, actor=PUBLIC_ACTOR, before=before, after={"status": "unsubscribed"}
        )
    return subscriber


# -- the fan-out of public notices ------------------------------------------------------------------------------


def subscribers_for(service_slugs: Collection[str] | None) -> list[Subscriber]:
    """Confirmed subscribers who want to hear about a change touching these services (None: any service).

    A subscriber without chosen services hears about everything.
    """
    stmt = select(Subscriber).where(Subscriber.status == SubscriberStatus.CONFIRMED).order_by(Subscriber.id)
    subscribers = list(db.session.scalars(stmt))
    if service_slugs is None:
        return subscribers
    wanted = set(service_slugs)
    return [s for s in subscribers if not s.services or wanted.intersection(s.services)]


def subscriber_notice_rows(
    *,
    event: str,
    template: str,
    payload: dict[str, Any],
    service_slugs: Collection[str] | None,
    change_id: int | None = None,
) -> list[dict[str, Any]]:
    """One outbox row per confirmed subscriber for a public event, in the subscriber's language, with its
    `unsubscribe_url` in the payload (for the body and the List-Unsubscribe header)."""
    return [
        notices.notice_row(
            event=event,
            template=template,
            recipient=subscriber.email,
            language=subscriber.language,
            change_id=change_id,
            payload={**payload, "unsubscribe_url": unsubscribe_url(subscriber), "subscriber": True},
        )
        for subscriber in subscribers_for(service_slugs)
    ]


CHANGE_TEMPLATE = "subscription.change"
"""The public notice of a change event to a subscriber: the change's facts, no client deadline, an unsubscribe link."""


def change_notice_rows(change: Change, what: str) -> list[dict[str, Any]]:
    """The outbox rows telling every interested confirmed subscriber that `change` was `what` ("announced",
    "effective", "withdrawn"): event `change/<id>/subscribers/<what>`, one row per subscriber.

    Interested: no services chosen, or one of the services of the sub-processor (or of the one it replaces).
    """
    slugs = {service.slug for service in change.subprocessor.services}
    if change.replaces is not None:
        slugs.update(service.slug for service in change.replaces.services)
    return subscriber_notice_rows(
        event=f"change/{change.id}/subscribers/{what}",
        template=CHANGE_TEMPLATE,
        payload={
            "what": what,
            "change_id": change.id,
            "subprocessor": change.subprocessor.name,
            "change_url": f"{_base_url()}/subprocessors/changes/{change.id}",
        },
        service_slugs=sorted(slugs),
        change_id=change.id,
    )


def unsubscribe_url_for(email: str) -> str | None:
    """The unsubscribe URL of the subscriber with this address, or None if it is not a subscriber."""
    subscriber = get_subscriber_by_email(email)
    return None if subscriber is None else unsubscribe_url(subscriber)


# -- the change log ---------------------------------------------------------------------------------------------


def published_changes(*, status: ChangeStatus | None = None) -> list[Change]:
    """Announced, effective and withdrawn changes (never drafts), newest announcement first."""
    stmt = (
        select(Change)
        .where(Change.status != ChangeStatus.DRAFT.value, Change.announced_at.is_not(None))
        .options(selectinload(Change.subprocessor), selectinload(Change.replaces))
        .order_by(Change.announced_at.desc(), Change.id.desc())
    )
    if status is not None:
        stmt = stmt.where(Change.status == status.value)
    return list(db.session.scalars(stmt))


def published_change(change_id: int) -> Change:
    """:raise NotFound: no such change, or still a draft."""
    change = db.session.get(Change, change_id)
    if change is None or change.status == ChangeStatus.DRAFT or change.announced_at is None:
        raise NotFound(f"No published change {change_id}.")
    return change


def replaced_state(change: Change, language: str) -> dict[str, Any] | None:
    """The sub-processor a replacement replaces, localised (None for other kinds)."""
    return None if change.replaces is None else localise(subprocessors.state_of(change.replaces), language)


def change_state(change: Change, language: str) -> dict[str, Any]:
    """The change's sub-processor as the change describes it (with an update's proposed fields), localised."""
    state = subprocessors.state_of(change.subprocessor)
    if change.proposed:
        state = {**state, **change.proposed}
    return localise(state, language)


# -- exports ----------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe (OWASP)."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(_cell(item) for item in value)
    return str(value)


def _location_cell(location: dict[str, Any]) -> str:
    label = f" ({location['label']})" if location.get("label") else ""
    return f"{location.get('country', '')}{label}, {location.get('role', '')}: {location.get('safeguard', '')}"


def export_csv(states: Sequence[dict[str, Any]]) -> bytes:
    """The localised states as CSV (UTF-8 with BOM, for Excel), one row per sub-processor, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for state in states:
        row = []
        for column in CSV_COLUMNS:
            if column == "locations":
                value = "; ".join(_location_cell(location) for location in state.get("locations") or [])
            else:
                value = _cell(state.get(column))
            row.append(neutralise(value))
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")
