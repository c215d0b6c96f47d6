"""Fixtures for the DPA tests: a small Word template, and a registry (profile, services, sub-processors, clients)
created through the API with names that break careless escaping."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from flask.testing import FlaskClient

from tests.dpas.dpa_data import CLIENT_EN, CLIENT_RO, PROFILE, SUBPROCESSORS
from tests.factories import World


@pytest.fixture
def make_template() -> Callable[..., bytes]:
    """Build a .docx template with python-docx: one paragraph per string, plus (by default) an annex table."""

    def make(paragraphs: list[str], *, table: bool = True) -> bytes:
        document = Document()
        for text in paragraphs:
            document.add_paragraph(text)
        if table:
            rows = document.add_table(rows=3, cols=3)
            rows.rows[0].cells[0].text = "{%tr for sp in subprocessors %}"
            rows.rows[1].cells[0].text = "{{ sp.name }} ({{ sp.legal_name }})"
            rows.rows[1].cells[1].text = "{{ sp.locations_text }}"
            rows.rows[1].cells[2].text = "{{ sp.contact }}"
            rows.rows[2].cells[0].text = "{%tr endfor %}"
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    return make


SMALL_TEMPLATE = [
    "Agreement {{ agreement.number }} version {{ agreement.version }} of {{ agreement.date }}",
    "Between {{ client.legal_name }} ({{ client.name }}) and {{ processor.legal_name }}",
    "{%p if agreement.authorization == 'general' %}",
    "General authorisation, {{ agreement.notice_period_days }} days notice",
    "{%p else %}",
    "Specific authorisation",
    "{%p endif %}",
    "{{ processor.toms }}",
]


@pytest.fixture
def small_template(make_template: Callable[..., bytes]) -> bytes:
    return make_template(SMALL_TEMPLATE)


@pytest.fixture
def world(world: World) -> dict[str, Any]:
    """Profile, services crm and sms, five sub-processors (three apply to crm clients) and two clients."""
    patched = world.patch("/profile", PROFILE, role="admin")
    assert patched.status_code == 200, patched.json
    for slug in ("crm", "sms"):
        world.service(slug, name=f"{slug.upper()} & Co", description=f"The {slug} product")
    subprocessors = {body["name"]: world.post("/subprocessors", body) for body in SUBPROCESSORS}
    clients = {
        body["language"]: world.post("/clients", body, role="account_manager") for body in (CLIENT_RO, CLIENT_EN)
    }
    return {"subprocessors": subprocessors, "clients": clients}


@pytest.fixture
def generate(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> Callable[..., dict[str, Any]]:
    """POST /clients/{id}/dpas as an account manager; return the new version's JSON."""

    def make(client_id: int, **body: Any) -> dict[str, Any]:
        response = client.post(f"/api/v1/clients/{client_id}/dpas", json=body, headers=headers("account_manager"))
        assert response.status_code == 201, response.json
        result: dict[str, Any] = response.json
        return result

    return make


@pytest.fixture
def download(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> Callable[[int], bytes]:
    def get(dpa_id: int) -> bytes:
        response = client.get(f"/api/v1/dpas/{dpa_id}/document", headers=headers("viewer"))
        assert response.status_code == 200, response.json
        return response.data

    return get
