"""Fixtures for the registry tests: a settable clock, services and sub-processors created through the API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from registry.audit.services import Actor
from registry.extensions import db
from registry.subprocessors import services
from registry.subprocessors.schemas import SubProcessorPatchSchema

START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

AWS: dict[str, Any] = {
    "name": "AWS",
    "legal_name": "Amazon Web Services EMEA SARL",
    "country": "LU",
    "address": "38 Avenue John F. Kennedy, L-1855 Luxembourg",
    "website": "https://aws.amazon.com/",
    "contact": {"name": None, "position": None, "email": None, "phone": None},
    "category": "hosting",
    "purpose": "Encrypted static files and backups",
    "data_categories": ["backups"],
    "data_subjects": ["client users"],
    "services": ["crm"],
    "locations": [
        {"country": "DE", "label": "EU (Frankfurt)", "role": "storage", "mechanism": "eea"},
        {"country": "US", "role": "support", "mechanism": "scc", "mechanism_detail": "module 3"},
    ],
    "dpf_certified": False,
    "status": "proposed",
}


class Clock:
    """The registry's clock in a test: fixed, moved on by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Every save and every "today" of the registry services reads this clock (history timestamps, rule checks)."""
    fixed = Clock(START)
    monkeypatch.setattr(services, "utcnow", fixed)
    return fixed


@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    """A valid POST /subprocessors body (the AWS example of API.md), with fields overridden by keyword."""

    def make(**overrides: Any) -> dict[str, Any]:
        return {**copy.deepcopy(AWS), **overrides}

    return make


@pytest.fixture
def catalog(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> list[str]:
    """Two services: crm and livestream."""
    for slug, name in (("crm", "CRM"), ("livestream", "Livestream")):
        response = client.post(
            "/api/v1/services", json={"slug": slug, "name": name, "description": ""}, headers=headers("legal")
        )
        assert response.status_code == 201, response.json
    return ["crm", "livestream"]


@pytest.fixture
def create(
    client: FlaskClient,
    headers: Callable[..., dict[str, str]],
    body: Callable[..., dict[str, Any]],
    catalog: list[str],
) -> Callable[..., dict[str, Any]]:
    """POST a sub-processor (the AWS example with overrides) as legal; return its JSON."""

    def make(**overrides: Any) -> dict[str, Any]:
        response = client.post("/api/v1/subprocessors", json=body(**overrides), headers=headers("legal"))
        assert response.status_code == 201, response.json
        result: dict[str, Any] = response.json
        return result

    return make


@pytest.fixture
def patch(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> Callable[..., Any]:
    """PATCH a sub-processor with the ETag of a fresh GET; return the response."""

    def make(subprocessor_id: int, changes: dict[str, Any], role: str = "legal") -> Any:
        url = f"/api/v1/subprocessors/{subprocessor_id}"
        etag = client.get(url, headers=headers("legal")).headers["ETag"]
        return client.patch(url, json=changes, headers=headers(role, If_Match=etag))

    return make


@pytest.fixture
def apply_change() -> Callable[..., dict[str, Any]]:
    """Change fields as an announced change does when it takes effect: `update_subprocessor(..., through_change=)`
    (what the changes feature calls), by `actor`; committed as `apply-due` does. Returns the saved state."""

    def apply(
        subprocessor_id: int, changes: dict[str, Any], change_id: int = 41, actor: str = "legal@example.test"
    ) -> dict[str, Any]:
        subprocessor = services.get_subprocessor(subprocessor_id)
        loaded = SubProcessorPatchSchema().load(changes)
        services.update_subprocessor(subprocessor, loaded, actor=Actor(actor), through_change=change_id)
        db.session.commit()
        return services.state_of(subprocessor)

    return apply
