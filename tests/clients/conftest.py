"""Fixtures for the client tests: services, sub-processors and clients created through the API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import World, client_data, contact_data

STEFANESCU: dict[str, Any] = {
    # The client every test here starts from: its legal name, CUI, signatory and contact are read back.
    "name": "Ștefănescu",
    "legal_name": "Societatea Ștefănescu & Fiii SRL",
    "vat_id": "RO14399840",
    "signatory": {"name": "Ana Ștefănescu", "title": "Administrator"},
    "contacts": [contact_data("ana@stefanescu.ro", name="Ana")],
}


@pytest.fixture
def client_body() -> dict[str, Any]:
    """A valid client (POST /clients body) using the `crm` service."""
    return client_data(**copy.deepcopy(STEFANESCU))


@pytest.fixture
def service_slugs(world: World) -> list[str]:
    """Three services: crm, livestream, sms."""
    return world.services("crm", "livestream", "sms")


@pytest.fixture
def make_subprocessor(world: World, service_slugs: list[str]) -> Callable[..., dict[str, Any]]:
    """Create a sub-processor through the API (tests/factories.py defaults: proposed, for crm) and return its JSON."""
    return world.subprocessor


@pytest.fixture
def make_client(world: World, service_slugs: list[str]) -> Callable[..., dict[str, Any]]:
    """Create the Ștefănescu client through the API (as an account manager), with fields overridden by keyword; return
    its JSON."""

    def make(**overrides: Any) -> dict[str, Any]:
        return world.customer(**{**copy.deepcopy(STEFANESCU), **overrides})

    return make
