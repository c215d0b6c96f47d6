"""Public and private change feeds: valid Atom (RFC 4287 RELAX NG) and RSS, stable ids, conditional GETs, privacy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select, update

from registry import deadlines
from registry.audit.services import Actor
from registry.changes import services as changes_services
from registry.changes.models import AffectedClient, Change
from registry.db import utcnow
from registry.extensions import db
from registry.feeds import services as feeds
from tests.fixtures.clock import Clock

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).with_name("atom.rng"))))


def parse(body: bytes) -> Any:
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def assert_valid_atom(body: bytes) -> etree._Element:
    """RFC 4287: the RELAX NG grammar, plus the appendix's two Schematron rules, plus one alternate link each."""
    root = etree.fromstring(body)
    assert SCHEMA.validate(root), SCHEMA.error_log
    has_feed_author = root.find(f"{ATOM}author") is not None
    for entry in root.iter(f"{ATOM}entry"):
        assert has_feed_author or entry.find(f"{ATOM}author") is not None
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == 1  # duplicates are invalid Atom (feedgen #135)
    return root


@pytest.fixture
def history(world: Any) -> dict[str, Any]:
    """crm: Alpha added (effective), Beta added then withdrawn, Gamma announced; sms: Delta announced."""
    for slug in ("crm", "sms"):
        world.service(slug)
    acme = world.customer("Acme", language="en")
    other = world.customer("Other", services=["sms"], language="en")
    alpha = world.subprocessor("Alpha")
    beta = world.subprocessor("Beta")
    gamma = world.subprocessor("Gamma")
    delta = world.subprocessor("Delta", services=["sms"])
    first = world.announced_change(alpha["id"])
    world.take_effect(first["id"])
    second = world.announced_change(beta["id"])
    world.withdraw(second["id"])
    third = world.announced_change(gamma["id"])
    fourth = world.announced_change(delta["id"])
    return {"acme": acme, "other": other, "changes": [first, second, third, fourth]}


def test_public_atom_feed_is_valid_and_newest_first(client: FlaskClient, history: dict[str, Any]) -> None:
    response = client.get("/feeds/subprocessors.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    root = assert_valid_atom(response.data)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"

    feed = parse(response.data)
    first, second, _third, fourth = history["changes"]
    # One entry per event: announced x4, effective x1, withdrawn x1.
    assert len(feed.entries) == 6
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == 6
    assert all(entry_id.startswith("tag:registry.test,") for entry_id in ids)
    assert ids[0].endswith(f":change/{fourth['id']}/announced")
    assert f"change/{first['id']}/effective" in " ".join(ids)
    assert f"change/{second['id']}/withdrawn" in " ".join(ids)
    stamps = [entry.updated_parsed for entry in feed.entries]
    assert stamps == sorted(stamps, reverse=True)
    assert feed.feed.updated_parsed == stamps[0]  # the feed's updated comes from the data
    assert all(entry.published_parsed for entry in feed.entries)
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [
        "http://registry.test/feeds/subprocessors.atom"
    ]
    assert feed.feed.language == "en"
    for entry in feed.entries:
        assert entry.link.startswith("http://registry.test/subprocessors/changes/")
        assert entry.content[0].type == "text/html"
    titles = [entry.title for entry in feed.entries]
    assert "Announced: new sub-processor Delta" in titles
    assert "Withdrawn: new sub-processor Beta" in titles
    assert "In effect: new sub-processor Alpha" in titles
    effective = next(entry for entry in feed.entries if entry.id.endswith("/effective"))
    assert "EEA (no transfer)" in effective.content[0].value
    assert "Frankfurt" in effective.content[0].value


def test_public_rss_feed(client: FlaskClient, history: dict[str, Any]) -> None:
    response = client.get("/feeds/subprocessors.rss?lang=ro")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    feed = parse(response.data)
    assert feed.version == "rss20"
    assert feed.feed.language == "ro"
    assert feed.feed.link == "http://registry.test/subprocessors/changes?lang=ro"
    assert len(feed.entries) == 6
    for entry in feed.entries:
        assert entry.id.startswith("tag:registry.test,")
        assert entry.guidislink is False
        assert entry.link.startswith("http://registry.test/subprocessors/changes/")
        assert entry.published_parsed
        assert entry.description
    assert feed.entries[0].title.startswith("Anunțată: sub-împuternicit nou")
    root = etree.fromstring(response.data)
    last_build = root.findtext("channel/lastBuildDate")
    assert last_build == format_datetime(datetime(*feed.entries[0].published_parsed[:6], tzinfo=UTC))


def test_ids_and_bodies_are_stable_across_rebuilds(client: FlaskClient, history: dict[str, Any]) -> None:
    first = client.get("/feeds/subprocessors.atom")
    feeds.cache().clear()
    second = client.get("/feeds/subprocessors.atom")
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]
    # A new event adds an entry; the earlier entries keep their ids.
    before = [entry.id for entry in parse(first.data).entries]
    gamma = history["changes"][2]
    changes_services.withdraw(changes_services.get_change(gamma["id"]), reason="No longer needed", actor=Actor("test"))
    db.session.commit()  # as the request (or the worker) does
    third = client.get("/feeds/subprocessors.atom")
    after = [entry.id for entry in parse(third.data).entries]
    assert after[1:] == before
    assert after[0].endswith(f"change/{gamma['id']}/withdrawn")
    assert third.headers["ETag"] != first.headers["ETag"]


def test_conditional_gets_return_304(client: FlaskClient, history: dict[str, Any]) -> None:
    response = client.get("/feeds/subprocessors.atom")
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]

    again = client.get("/feeds/subprocessors.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag

    since = client.get("/feeds/subprocessors.atom", headers={"If-Modified-Since": modified})
    assert since.status_code == 304

    other = client.get("/feeds/subprocessors.atom", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.data == response.data

    token = history["acme"]["feed_url"].rsplit("/", 1)[1]
    private = client.get(f"/feeds/clients/{token}")
    assert private.status_code == 200
    private_again = client.get(f"/feeds/clients/{token}", headers={"If-None-Match": private.headers["ETag"]})
    assert private_again.status_code == 304


def test_the_body_is_built_once_per_change_event(client: FlaskClient, world: Any, history: dict[str, Any]) -> None:
    cache = feeds.cache()
    cache.clear()
    builds = cache.builds
    for _ in range(3):
        assert client.get("/feeds/subprocessors.atom").status_code == 200
    assert cache.builds == builds + 1
    epsilon = world.subprocessor("Epsilon")
    world.announced_change(epsilon["id"])
    feed = parse(client.get("/feeds/subprocessors.atom").data)
    assert cache.builds == builds + 2
    assert feed.entries[0].title == "Announced: new sub-processor Epsilon"  # the feed shows it at once


def test_private_feed_shows_only_the_clients_changes(client: FlaskClient, history: dict[str, Any]) -> None:
    acme_url = history["acme"]["feed_url"]
    assert acme_url.startswith("http://registry.test/feeds/clients/") and acme_url.endswith(".atom")
    path = acme_url.removeprefix("http://registry.test")
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert_valid_atom(response.data)
    feed = parse(response.data)
    text = response.data.decode()
    assert "Delta" not in text  # the sms change is Other's
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "Announced: new sub-processor Gamma",
        "Withdrawn: new sub-processor Beta",
        "Announced: new sub-processor Beta",
        "In effect: new sub-processor Alpha",
        "Announced: new sub-processor Alpha",
    ]
    gamma = feed.entries[0]
    assert gamma.link.startswith("http://registry.test/respond/")  # the open change links to the answer page
    assert "Your deadline:" in gamma.content[0].value
    assert "You may object until the deadline." in gamma.content[0].value
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [acme_url]
    # Closed changes link to their public page, never to an answer.
    assert all(entry.link.startswith("http://registry.test/subprocessors/changes/") for entry in feed.entries[1:])

    other = parse(client.get(history["other"]["feed_url"].removeprefix("http://registry.test")).data)
    assert [entry.title for entry in other.entries] == ["Announced: new sub-processor Delta"]
    assert not {entry.id for entry in other.entries} & {entry.id for entry in feed.entries}

    rss = client.get(path.removesuffix(".atom") + ".rss")
    assert rss.status_code == 200
    assert rss.headers["Cache-Control"].startswith("private")
    assert len(parse(rss.data).entries) == 5


def test_unknown_or_rotated_tokens_are_404(client: FlaskClient, history: dict[str, Any]) -> None:
    assert client.get("/feeds/clients/not-a-token.atom").status_code == 404
    assert client.get("/feeds/clients/not-a-token.rss").status_code == 404
    token = history["acme"]["feed_url"].rsplit("/", 1)[1].removesuffix(".atom")
    assert client.get(f"/feeds/clients/{token}.json").status_code == 404
    assert client.get("/feeds/subprocessors.xml").status_code == 404


def test_hostile_names_are_escaped(client: FlaskClient, world: Any) -> None:
    world.service("crm")
    hostile = world.subprocessor('<script>alert("x")</script> & Co', purpose="<img src=x onerror=alert(1)>")
    world.announced_change(hostile["id"], summary="<b>bold</b> & ]]> end")
    for fmt in ("atom", "rss"):
        response = client.get(f"/feeds/subprocessors.{fmt}")
        feed = parse(response.data)
        assert feed.entries[0].title == 'Announced: new sub-processor <script>alert("x")</script> & Co'
        assert b"<script>" not in response.data
    assert_valid_atom(client.get("/feeds/subprocessors.atom").data)
    content = parse(client.get("/feeds/subprocessors.atom").data).entries[0].content[0].value
    assert "&lt;script&gt;" in content and "<script>" not in content
    assert "&lt;img" in content and "<img" not in content


def test_empty_feed_is_valid(client: FlaskClient, world: Any) -> None:
    response = client.get("/feeds/subprocessors.atom")
    assert response.status_code == 200
    assert_valid_atom(response.data)
    assert parse(response.data).entries == []
    assert parse(client.get("/feeds/subprocessors.rss").data).entries == []


def test_other_processes_events_show_within_the_version_ttl(
    client: FlaskClient, history: dict[str, Any], freeze_clock: Callable[..., Clock[float]]
) -> None:
    cache = feeds.cache()
    cache.clear()
    now = freeze_clock(cache, "clock", 1000.0)
    before = client.get("/feeds/subprocessors.atom")
    # Another process (the worker) withdraws a change: a Core UPDATE, which this process's session hooks do not see.
    gamma = history["changes"][2]["id"]
    db.session.execute(update(Change).where(Change.id == gamma).values(status="withdrawn", withdrawn_at=utcnow()))
    db.session.commit()
    assert client.get("/feeds/subprocessors.atom").headers["ETag"] == before.headers["ETag"]  # version still trusted
    now.advance(feeds.VERSION_TTL)
    after = client.get("/feeds/subprocessors.atom")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parse(after.data).entries[0].id.endswith(f"change/{gamma}/withdrawn")


@pytest.mark.parametrize("header", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_forms(client: FlaskClient, history: dict[str, Any], header: str) -> None:
    etag = client.get("/feeds/subprocessors.rss").headers["ETag"]
    response = client.get("/feeds/subprocessors.rss", headers={"If-None-Match": header.format(etag=etag)})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/feeds/subprocessors.rss", headers={"If-None-Match": '"nope"'}).status_code == 200


def test_a_clients_feed_gives_its_deadline_once_its_notice_has_reached_it(client: FlaskClient, world: Any) -> None:
    world.service("crm")
    acme = world.customer("Acme", language="en")
    change = world.change(world.subprocessor("Gamma")["id"])
    world.announce(change["id"], delivered=False)
    path = acme["feed_url"].removeprefix("http://registry.test")
    before = parse(client.get(path).data).entries[0].content[0].value
    assert "Your deadline: it starts when our notice is first delivered to you (that day is not counted)" in before

    world.deliver(change["id"])
    deadline = db.session.scalar(select(AffectedClient.deadline).where(AffectedClient.change_id == change["id"]))
    after = parse(client.get(path).data).entries[0].content[0].value  # not the body cached before the delivery
    assert f"Your deadline: {deadlines.deadline_text(deadline, 'en')}." in after
