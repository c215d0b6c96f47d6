"""Fixtures for the registry tests: a settable clock, services and sub-processors created through the API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from registry.audit.services import Actor
from registry.demo.builders import us_support_location
from registry.extensions import db
from registry.subprocessors import services
from registry.subprocessors.schemas import SubProcessorPatchSchema
from tests.factories import World, subprocessor_data
from tests.fixtures.clock import Clock

START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

AWS: dict[str, Any] = subprocessor_data(  # the AWS example of API.md
    "AWS",
    legal_name="Amazon Web Services EMEA SARL",
    country="LU",
    address="38 Avenue John F. Kennedy, L-1855 Luxembourg",
    website="https://aws.amazon.com/",
    contact={
        "name": "AWS EMEA Privacy",
        "position": "Data protection",
        "email": "aws-eu-privacy@amazon.com",
        "phone": None,
    },
    purpose="Encrypted static files and backups",
    data_categories=["backups"],
    locations=[
        {"country": "DE", "label": "EU (Frankfurt)", "role": "storage", "mechanism": "eea"},
        us_support_location(),
    ],
    dpf_certified=False,
)


@pytest.fixture(autouse=True)
def clock(freeze_clock: Callable[..., Clock[datetime]]) -> Clock[datetime]:
    """Every save and every "today" of the registry services reads this clock (history timestamps, rule checks)."""
    return freeze_clock(services, "utcnow", START)


@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    """A valid POST /subprocessors body (the AWS example of API.md), with fields overridden by keyword."""

    def make(**overrides: Any) -> dict[str, Any]:
        return {**copy.deepcopy(AWS), **overrides}

    return make


@pytest.fixture
def catalog(world: World) -> list[str]:
    """Two services: crm and livestream."""
    return world.services("crm", "livestream")


@pytest.fixture
def create(world: World, body: Callable[..., dict[str, Any]], catalog: list[str]) -> Callable[..., dict[str, Any]]:
    """POST a sub-processor (the AWS example with overrides) as legal; return its JSON."""

    def make(**overrides: Any) -> dict[str, Any]:
        return world.post("/subprocessors", body(**overrides))

    return make


@pytest.fixture
def patch(world: World) -> Callable[..., Any]:
    """PATCH a sub-processor with the ETag of a fresh GET; return the response."""

    def make(subprocessor_id: int, changes: dict[str, Any], role: str = "legal") -> Any:
        return world.patch(f"/subprocessors/{subprocessor_id}", changes, role=role)

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
