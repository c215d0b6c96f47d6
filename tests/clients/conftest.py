"""Fixtures for the client tests: services, sub-processors and clients created through the API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

CLIENT_BODY: dict[str, Any] = {
    "name": "Ștefănescu",
    "legal_name": "Societatea Ștefănescu & Fiii SRL",
    "registration_number": "J40/14190/2013",
    "vat_id": "RO14399840",
    "address": "Str. Dacia 12, București",
    "country": "RO",
    "language": "ro",
    "services": ["crm"],
    "authorization": "general",
    "signatory": {"name": "Ana Ștefănescu", "title": "Administrator"},
    "contacts": [{"name": "Ana", "email": "ana@stefanescu.ro", "role": "DPO", "receives_notices": True}],
}


@pytest.fixture
def client_body() -> dict[str, Any]:
    """A valid client (POST /clients body) using the `crm` service."""
    return copy.deepcopy(CLIENT_BODY)


@pytest.fixture
def service_slugs(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> list[str]:
    """Three services: crm, livestream, sms."""
    slugs = ["crm", "livestream", "sms"]
    for slug in slugs:
        body = {"slug": slug, "name": slug.upper(), "description": f"The {slug} product"}
        response = client.post("/api/v1/services", json=body, headers=headers("legal"))
        assert response.status_code == 201, response.json
    return slugs


@pytest.fixture
def make_subprocessor(
    client: FlaskClient, headers: Callable[..., dict[str, str]], service_slugs: list[str]
) -> Callable[..., dict[str, Any]]:
    """Create a sub-processor through the API (active unless told) and return its JSON."""

    def make(name: str, services: list[str], status: str = "active", **extra: Any) -> dict[str, Any]:
        body = {
            "name": name,
            "legal_name": f"{name} Ltd",
            "country": "DE",
            "address": "Hauptstraße 1, 10115 Berlin",
            "category": "hosting",
            "purpose": "Hosting",
            "data_categories": ["contact data"],
            "data_subjects": ["client users"],
            "services": services,
            "locations": [{"country": "DE", "label": "EU (Frankfurt)", "role": "storage"}],
            "status": status,
            **extra,
        }
        response = client.post("/api/v1/subprocessors", json=body, headers=headers("legal"))
        assert response.status_code == 201, response.json
        result: dict[str, Any] = response.json
        return result

    return make


@pytest.fixture
def make_client(
    client: FlaskClient, headers: Callable[..., dict[str, str]], service_slugs: list[str]
) -> Callable[..., dict[str, Any]]:
    """Create a client through the API (as an account manager) and return its JSON."""

    def make(**overrides: Any) -> dict[str, Any]:
        response = client.post("/api/v1/clients", json={**CLIENT_BODY, **overrides}, headers=headers("account_manager"))
        assert response.status_code == 201, response.json
        result: dict[str, Any] = response.json
        return result

    return make
