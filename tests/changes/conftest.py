"""Fixtures for the change tests: services, sub-processors, clients and changes created through the HTTP API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from registry.changes import links
from registry.extensions import db
from registry.outbox.models import Notice

TODAY = date.today()
LEGAL_EMAIL = "legal@processor.test"

SUBPROCESSOR_BODY: dict[str, Any] = {
    "legal_name": "Mailjet SAS",
    "country": "FR",
    "address": "13-13 bis, rue de l'Aubrac, 75012 Paris",
    "website": "https://www.mailjet.com/",
    "contact": {"name": "Jeanne Martin", "position": "DPO", "email": "dpo@mailjet.test", "phone": "+33 1 23 45"},
    "category": "email",
    "purpose": "Sending transactional emails",
    "data_categories": ["email address", "name"],
    "data_subjects": ["client users"],
    "services": ["crm"],
    "locations": [
        {"country": "FR", "label": "EU (Paris)", "role": "processing"},
        {"country": "US", "label": "Support desk", "role": "support", "mechanism": "scc", "mechanism_detail": "3"},
    ],
}


def client_body(name: str, **overrides: Any) -> dict[str, Any]:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "client"
    return {
        "name": name,
        "legal_name": f"{name} SRL",
        "registration_number": "J40/14190/2013",
        "address": "Str. Dacia 12, București",
        "country": "RO",
        "language": "ro",
        "services": ["crm"],
        "authorization": "general",
        "notice_period_days": 30,
        "signatory": {"name": "Ana Pop", "title": "Administrator"},
        "contacts": [{"name": "Ana Pop", "email": f"dpo@{slug}.test", "role": "DPO", "receives_notices": True}],
        **overrides,
    }


@pytest.fixture
def legal_email(app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    """Configure REGISTRY_LEGAL_EMAIL for this test."""
    monkeypatch.setitem(app.config, "LEGAL_EMAIL", LEGAL_EMAIL)
    return LEGAL_EMAIL


@pytest.fixture
def catalog(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> list[str]:
    """Services crm, sms and livestream."""
    slugs = ["crm", "sms", "livestream"]
    for slug in slugs:
        response = client.post(
            "/api/v1/services", json={"slug": slug, "name": slug.upper(), "description": ""}, headers=headers("legal")
        )
        assert response.status_code == 201, response.json
    return slugs


@pytest.fixture
def make_subprocessor(
    client: FlaskClient, headers: Callable[..., dict[str, str]], catalog: list[str]
) -> Callable[..., dict[str, Any]]:
    """POST a sub-processor (proposed unless told) and return its JSON."""

    def make(name: str, **overrides: Any) -> dict[str, Any]:
        body = {**SUBPROCESSOR_BODY, "name": name, "status": "proposed", **overrides}
        response = client.post("/api/v1/subprocessors", json=body, headers=headers("legal"))
        assert response.status_code == 201, response.json
        result: dict[str, Any] = response.json
        return result

    return make


@pytest.fixture
def make_client(
    client: FlaskClient, headers: Callable[..., dict[str, str]], catalog: list[str]
) -> Callable[..., dict[str, Any]]:
    """POST a client (as an account manager) and return its JSON."""

    def make(name: str, **overrides: Any) -> dict[str, Any]:
        response = client.post(
            "/api/v1/clients", json=client_body(name, **overrides), headers=headers("account_manager")
        )
        assert response.status_code == 201, response.json
        result: dict[str, Any] = response.json
        return result

    return make


@pytest.fixture
def make_change(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> Callable[..., dict[str, Any]]:
    """POST a draft change (kind add, effective in 30 days unless told) and return its JSON."""

    def make(subprocessor_id: int, **overrides: Any) -> dict[str, Any]:
        body = {
            "kind": "add",
            "subprocessor_id": subprocessor_id,
            "summary": "We add a transactional email provider.",
            "reason": "Better deliverability.",
            "effective_on": (TODAY + timedelta(days=30)).isoformat(),
            **overrides,
        }
        response = client.post("/api/v1/changes", json=body, headers=headers("legal"))
        assert response.status_code == 201, response.json
        result: dict[str, Any] = response.json
        return result

    return make


@pytest.fixture
def post_announce(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> Callable[..., Any]:
    """POST /changes/{id}/announce with If-Match: the ETag of a fresh GET of the change (as a user would); return the
    response, whatever it is."""

    def do(change_id: int, role: str = "legal") -> Any:
        path = f"/api/v1/changes/{change_id}"
        etag = client.get(path, headers=headers("viewer")).headers["ETag"]
        return client.post(f"{path}/announce", headers=headers(role, If_Match=etag))

    return do


@pytest.fixture
def announce(post_announce: Callable[..., Any]) -> Callable[[int], dict[str, Any]]:
    """POST /changes/{id}/announce as legal (with If-Match), expecting success; return the change's JSON."""

    def do(change_id: int) -> dict[str, Any]:
        response = post_announce(change_id)
        assert response.status_code == 200, response.json
        result: dict[str, Any] = response.json
        return result

    return do


@pytest.fixture
def link() -> Callable[[int, int], str]:
    """The respond page path for (change id, client id)."""

    def make(change_id: int, client_id: int) -> str:
        return f"/respond/{links.respond_token(change_id, client_id)}"

    return make


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


@pytest.fixture
def answer(client: FlaskClient) -> Callable[..., Any]:
    """GET the respond page, then POST the form with its anti-forgery value; return the POST response."""

    def post(path: str, **fields: str) -> Any:
        page = client.get(path)
        assert page.status_code == 200, page.text
        return client.post(path, data={"csrf": csrf_of(page.text), **fields})

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
