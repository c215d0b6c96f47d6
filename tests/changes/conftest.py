"""Fixtures for the change tests: services, sub-processors, clients and changes created through the HTTP API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from registry import deadlines
from registry.changes import links
from registry.clients.models import ClientContact
from registry.db import utcnow
from registry.extensions import db
from registry.outbox.models import Notice
from tests.factories import World

TODAY = date.today()
EFFECTIVE = deadlines.earliest_effective(utcnow(), 30)
"""The first day a change may take effect with 30 days' notice given today (the builders' default)."""
DEADLINE = EFFECTIVE - timedelta(days=1)
"""The deadline of a client with 30 days' notice told today: the day before EFFECTIVE."""


def earliest(days: int) -> date:
    """The first day a change may take effect for clients with `days` of notice told now."""
    return deadlines.earliest_effective(utcnow(), days)


def deadline_after(days: int) -> date:
    """The deadline of a client with `days` of notice told now, as Romanian law counts it."""
    return deadlines.answer_deadline(utcnow(), days)


LEGAL_EMAIL = "legal@processor.test"

MAILJET: dict[str, Any] = {
    # Mailjet as its clients are told of it: the tests that read the respond page or the notices pass these.
    "legal_name": "Mailjet SAS",
    "country": "FR",
    "address": "13-13 bis, rue de l'Aubrac, 75012 Paris",
    "website": "https://www.mailjet.com/",
    "contact": {"name": "Jeanne Martin", "position": "DPO", "email": "dpo@mailjet.test", "phone": "+33 1 23 45"},
    "category": "email",
    "purpose": "Sending transactional emails",
    "data_categories": ["email address", "name"],
    "locations": [
        {"country": "FR", "label": "EU (Paris)", "role": "processing"},
        {
            "country": "US",
            "label": "Support desk",
            "role": "support",
            "mechanism": "scc",
            "mechanism_detail": "3",
            "tia_reference": "TIA-2024-011",
            "tia_date": "2024-11-15",
        },
    ],
}


@pytest.fixture
def legal_email(app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    """Configure REGISTRY_LEGAL_EMAIL for this test."""
    monkeypatch.setitem(app.config, "LEGAL_EMAIL", LEGAL_EMAIL)
    return LEGAL_EMAIL


@pytest.fixture
def catalog(world: World) -> list[str]:
    """Services crm, sms and livestream."""
    return world.services("crm", "sms", "livestream")


@pytest.fixture
def make_subprocessor(world: World, catalog: list[str]) -> Callable[..., dict[str, Any]]:
    """POST a sub-processor (tests/factories.py defaults: proposed, for crm) and return its JSON."""
    return world.subprocessor


@pytest.fixture
def make_client(world: World, catalog: list[str]) -> Callable[..., dict[str, Any]]:
    """POST a client (as an account manager) and return its JSON."""
    return world.customer


@pytest.fixture
def make_change(world: World) -> Callable[..., dict[str, Any]]:
    """POST a draft change (kind add, effective in 30 days unless told) and return its JSON."""
    return world.change


@pytest.fixture
def post_announce(world: World) -> Callable[..., Any]:
    """POST /changes/{id}/announce with If-Match: the ETag of a fresh GET of the change (as a user would); return the
    response, whatever it is."""
    return world.post_announce


@pytest.fixture
def announce(world: World) -> Callable[[int], dict[str, Any]]:
    """POST /changes/{id}/announce as legal (with If-Match), expecting success; return the change's JSON."""
    return world.announce


@pytest.fixture
def link() -> Callable[..., str]:
    """The respond page path for (change id, client id), as emailed to the client's first notice contact (`to`: as
    emailed to that address; None: a link sent to no one person, as in a webhook)."""

    def make(change_id: int, client_id: int, to: str | None = "") -> str:
        if to == "":
            to = db.session.scalar(
                select(ClientContact.email)
                .where(ClientContact.client_id == client_id, ClientContact.receives_notices.is_(True))
                .order_by(ClientContact.id)
                .limit(1)
            )
        return f"/respond/{links.respond_token(change_id, client_id, to)}"

    return make


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


@pytest.fixture
def answer(client: FlaskClient) -> Callable[..., Any]:
    """GET the respond page, then POST the form with its anti-forgery value; return the POST response."""

    def post(path: str, **fields: str) -> Any:
        """The form as the page fills it in (the email: the notice contact's the link was sent to), with `fields`."""
        page = client.get(path)
        assert page.status_code == 200, page.text
        email = re.search(r'id="email" name="email" value="([^"]*)"', page.text)
        return client.post(path, data={"csrf": csrf_of(page.text), "email": email.group(1) if email else "", **fields})

    return post


def notices(**where: Any) -> list[Notice]:
    stmt = select(Notice).order_by(Notice.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Notice, name) == value)
    return list(db.session.scalars(stmt))


def count(model: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt) or 0


def names_on(client: FlaskClient, headers: Callable[..., dict[str, str]], client_id: int, as_of: date) -> list[str]:
    """The names of the sub-processors that apply to a client at the end of `as_of`, sorted."""
    response = client.get(
        f"/api/v1/clients/{client_id}/subprocessors?as_of={as_of.isoformat()}&page_size=100", headers=headers("viewer")
    )
    assert response.status_code == 200, response.json
    return sorted(entry["name"] for entry in response.json)


def apply_due(runner: FlaskCliRunner, day: date) -> str:
    """`flask changes apply-due --today DAY`, as the worker runs it; its output."""
    result = runner.invoke(args=["changes", "apply-due", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return str(result.output)
