"""The public list, its history (change log, as of a date, compare) in English and Romanian, safely escaped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.demo.builders import us_support_location
from registry.extensions import db
from registry.i18n import long_date
from registry.public import services as public_services
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import SubProcessorVersion
from tests.conftest import TEST_ACTOR

TODAY = date.today()


def set_history(subprocessor_id: int, spans: list[tuple[int, int | None]]) -> None:
    """Move a sub-processor's saved versions (oldest first) to [days ago from, days ago to) intervals."""
    versions = list(
        db.session.scalars(
            select(SubProcessorVersion)
            .where(SubProcessorVersion.subprocessor_id == subprocessor_id)
            .order_by(SubProcessorVersion.version)
        )
    )
    assert len(versions) == len(spans)
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    for version, (start, end) in zip(versions, spans, strict=True):
        version.valid_from = noon - timedelta(days=start)
        version.valid_to = None if end is None else noon - timedelta(days=end)
    db.session.commit()


@pytest.fixture
def registry(world: Any) -> dict[str, Any]:
    world.service("crm")
    world.service("sms")
    aws = world.subprocessor(
        "AWS",
        status="active",
        legal_name="Amazon Web Services EMEA SARL",
        country="LU",
        address="38 Avenue John F. Kennedy, L-1855 Luxembourg",
        purpose="Encrypted static files and backups",
        data_categories=["backups"],
        locations=[
            {"country": "DE", "label": "EU (Frankfurt)", "role": "storage"},
            us_support_location(),
        ],
    )
    link = world.subprocessor(
        "LINK Mobility",
        services=["sms"],
        status="active",
        category="sms",
        country="RO",
        purpose="Sending SMS",
        locations=[{"country": "CH", "label": "Zürich", "role": "processing"}],
    )
    proposed = world.subprocessor("Upcoming Ltd")  # proposed: not on the public list
    change = world.announced_change(
        proposed["id"], reason="Cheaper hosting", effective_on=(TODAY + timedelta(days=45)).isoformat()
    )
    return {"aws": aws, "link": link, "proposed": proposed, "change": change}


def test_public_list_grouped_with_safeguards(client: FlaskClient, registry: dict[str, Any]) -> None:
    response = client.get("/subprocessors", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    assert "Accept-Language" in response.headers["Vary"]
    page = response.text
    assert "<script" not in page  # works without JavaScript
    assert page.index("<h2>Hosting</h2>") < page.index("<h2>SMS</h2>")
    assert "Amazon Web Services EMEA SARL" in page
    assert "38 Avenue John F. Kennedy, L-1855 Luxembourg" in page
    assert "Encrypted static files and backups" in page
    assert "EEA (no transfer)" in page
    assert "Standard contractual clauses (Decision (EU) 2021/914), module 3" in page
    assert re.search(r"Adequacy decision [^<]*2000/518/EC", page)  # Switzerland, with the decision reference
    assert "Upcoming Ltd" not in page.split('id="upcoming"')[0]
    changed = public_services.last_changed()  # the data's own day (not the test's: it may run across midnight)
    assert changed is not None
    assert f"Last change to the list: {long_date(changed.date(), 'en')}." in page  # a date in words, as every page
    for link in (
        "/subprocessors/changes?lang=en",
        "/feeds/subprocessors.atom",
        "/feeds/subprocessors.rss",
        "/subscribe?lang=en",
        "/subprocessors.json?lang=en",
        "/subprocessors.csv?lang=en",
    ):
        assert f'href="{link}"' in page, link
    # The announced change is shown, linked to its page.
    upcoming = page.split('id="upcoming"')[1]
    assert f"/subprocessors/changes/{registry['change']['id']}?lang=en" in upcoming
    assert "new sub-processor Upcoming Ltd" in upcoming


def test_language_from_query_or_accept_language_with_a_switch(client: FlaskClient, registry: dict[str, Any]) -> None:
    romanian = client.get("/subprocessors", headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.5"})
    assert romanian.headers["Content-Language"] == "ro"
    assert "<h1>Sub-împuterniciții noștri</h1>" in romanian.text
    assert '<html lang="ro">' in romanian.text
    assert "Clauze contractuale standard (Decizia (UE) 2021/914), modulul 3" in romanian.text
    assert "Elveția" in romanian.text
    assert 'href="/subprocessors?lang=en"' in romanian.text  # the visible switch

    english = client.get("/subprocessors?lang=en&category=sms", headers={"Accept-Language": "ro"})
    assert "<h1>Our sub-processors</h1>" in english.text
    assert 'href="/subprocessors?lang=ro&amp;category=sms"' in english.text  # the switch keeps the filters
    assert client.get("/subprocessors?lang=xx").headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("service=crm", ["AWS"], ["LINK Mobility"]),
        ("service=sms", ["LINK Mobility"], ["AWS"]),
        ("category=sms", ["LINK Mobility"], ["AWS"]),
        ("category=hosting", ["AWS"], ["LINK Mobility"]),
        ("country=US", ["AWS"], ["LINK Mobility"]),  # a location, not the seat
        ("country=CH", ["LINK Mobility"], ["AWS"]),
        ("country=RO", ["LINK Mobility"], ["AWS"]),  # the seat
    ],
)
def test_filters(
    client: FlaskClient, registry: dict[str, Any], query: str, shown: list[str], hidden: list[str]
) -> None:
    page = client.get(f"/subprocessors?{query}").text
    articles = re.findall(r"<h3>(.*?)</h3>", page)
    assert articles == shown
    for name in hidden:
        assert f"<h3>{name}</h3>" not in page


def test_unknown_filters_are_ignored(client: FlaskClient, registry: dict[str, Any]) -> None:
    page = client.get("/subprocessors?service=nope&category=nope&country=ZZ")
    assert page.status_code == 200
    assert re.findall(r"<h3>(.*?)</h3>", page.text) == ["AWS", "LINK Mobility"]


def test_as_of_a_date(client: FlaskClient, world: Any, registry: dict[str, Any]) -> None:
    set_history(registry["aws"]["id"], [(10, None)])
    set_history(registry["link"]["id"], [(3, None)])
    page = client.get(f"/subprocessors?as_of={(TODAY - timedelta(days=5)).isoformat()}").text
    assert re.findall(r"<h3>(.*?)</h3>", page) == ["AWS"]
    assert f"Our sub-processors on {long_date(TODAY - timedelta(days=5), 'en')}" in page
    assert 'id="upcoming"' not in page
    earlier = client.get(f"/subprocessors?as_of={(TODAY - timedelta(days=20)).isoformat()}").text
    assert "No sub-processor matches these filters." in earlier
    bad = client.get("/subprocessors?as_of=yesterday")
    assert bad.status_code == 400
    assert "Use dates as YYYY-MM-DD" in bad.text


def test_compare_two_dates(client: FlaskClient, world: Any, headers: Any, registry: dict[str, Any]) -> None:
    aws = registry["aws"]
    # The purpose of an active sub-processor changes when an update change takes effect (id 1 stands for it).
    subprocessors.update_subprocessor(
        subprocessors.get_subprocessor(aws["id"]),
        {"purpose": "Hosting <everything>"},
        actor=TEST_ACTOR,
        through_change=1,
    )
    db.session.commit()
    set_history(aws["id"], [(10, 2), (2, None)])
    set_history(registry["link"]["id"], [(3, None)])
    start, end = TODAY - timedelta(days=5), TODAY
    response = client.get(f"/subprocessors/compare?from={start.isoformat()}&to={end.isoformat()}")
    assert response.status_code == 200
    page = response.text
    assert f"What changed between {long_date(start, 'en')} and {long_date(end, 'en')}" in page
    added = page.split('id="added"')[1].split("</ul>")[0]
    assert "<ins>LINK Mobility</ins>" in added
    changed = page.split('id="changed"')[1]
    assert "AWS" in changed
    assert "<del>Encrypted static files and backups</del>" in changed
    assert "<ins>Hosting &lt;everything&gt;</ins>" in changed
    assert 'id="removed"' not in page

    backwards = client.get(f"/subprocessors/compare?from={end.isoformat()}&to={start.isoformat()}")
    assert backwards.status_code == 400
    form = client.get("/subprocessors/compare?lang=ro")
    assert form.status_code == 200 and "Comparați două date" in form.text


def test_change_log_and_change_page(client: FlaskClient, world: Any, registry: dict[str, Any]) -> None:
    draft = world.change(registry["aws"]["id"], kind="remove")
    withdrawn_sp = world.subprocessor("Withdrawn Inc")
    withdrawn = world.announced_change(withdrawn_sp["id"])
    world.withdraw(withdrawn["id"], reason="Plans changed")
    page = client.get("/subprocessors/changes").text
    rows = re.findall(r'<tr id="change-(\d+)">', page)
    assert rows == [str(withdrawn["id"]), str(registry["change"]["id"])]  # newest first, never a draft
    assert str(draft["id"]) not in rows
    assert "Cheaper hosting" in page
    assert "withdrawn" in page and "announced" in page
    effective = long_date(TODAY + timedelta(days=45), "en")
    assert f'<td data-label="Effective">{effective}</td>' in page

    detail = client.get(f"/subprocessors/changes/{registry['change']['id']}?lang=ro")
    assert detail.status_code == 200
    assert "sub-împuternicit nou Upcoming Ltd" in detail.text
    assert "SEE (fără transfer)" in detail.text
    assert client.get(f"/subprocessors/changes/{draft['id']}").status_code == 404
    assert client.get("/subprocessors/changes/999999").status_code == 404


def test_hostile_names_appear_as_text(client: FlaskClient, world: Any) -> None:
    world.service("crm")
    hostile = world.subprocessor(
        "<script>alert(1)</script>",
        status="active",
        legal_name='"><img src=x onerror=alert(2)>',
        purpose="<b>bold</b>",
        locations=[{"country": "DE", "label": "<i>Frankfurt</i>", "role": "storage"}],
    )
    world.announced_change(hostile["id"], kind="update", reason="<script>reason()</script>", proposed={"purpose": "x"})
    for path in ("/subprocessors", "/subprocessors/changes", "/subprocessors?lang=ro"):
        page = client.get(path).text
        assert "<script>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
    page = client.get("/subprocessors").text
    assert "<img" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<b>bold</b>" not in page and "<i>Frankfurt</i>" not in page
