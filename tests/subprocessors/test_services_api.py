import json

import pytest

from registry.audit.models import AuditEvent
from registry.extensions import db


def test_legal_creates_and_everyone_reads_services(client, headers, catalog):
    for role in ("viewer", "account_manager", "legal", "admin"):
        response = client.get("/api/v1/services", headers=headers(role))
        assert response.status_code == 200
        assert [s["slug"] for s in response.json] == ["crm", "livestream"]
    response = client.get("/api/v1/services/crm", headers=headers("viewer"))
    assert response.json == {"slug": "crm", "name": "CRM", "description": "", "processing": {}}
    assert response.headers["ETag"]


def test_services_need_a_token(client, catalog):
    assert client.get("/api/v1/services").status_code == 401
    assert client.get("/api/v1/services/crm").status_code == 401
    assert client.post("/api/v1/services", json={"slug": "x", "name": "X"}).status_code == 401
    assert client.patch("/api/v1/services/crm", json={"name": "X"}).status_code == 401


@pytest.mark.parametrize("role", ["viewer", "account_manager"])
def test_readers_may_not_write_services(client, headers, catalog, role):
    assert client.post("/api/v1/services", json={"slug": "x", "name": "X"}, headers=headers(role)).status_code == 403
    etag = client.get("/api/v1/services/crm", headers=headers(role)).headers["ETag"]
    response = client.patch("/api/v1/services/crm", json={"name": "X"}, headers=headers(role, If_Match=etag))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["legal", "admin"])
def test_legal_and_admin_write_services(client, headers, role):
    response = client.post("/api/v1/services", json={"slug": "sms-2", "name": "SMS"}, headers=headers(role))
    assert response.status_code == 201
    assert response.json == {"slug": "sms-2", "name": "SMS", "description": "", "processing": {}}
    etag = client.get("/api/v1/services/sms-2", headers=headers(role)).headers["ETag"]
    response = client.patch(
        "/api/v1/services/sms-2", json={"description": "Mesaje SMS către clienți"}, headers=headers(role, If_Match=etag)
    )
    assert response.status_code == 200
    assert response.json["description"] == "Mesaje SMS către clienți"
    event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "service.updated"
    assert event.before["description"] == "" and event.after["description"] == "Mesaje SMS către clienți"


def test_duplicate_slug_is_a_conflict(client, headers, catalog):
    response = client.post("/api/v1/services", json={"slug": "crm", "name": "Other"}, headers=headers("legal"))
    assert response.status_code == 409
    assert "crm" in response.json["message"]


@pytest.mark.parametrize("slug", ["CRM", "crm app", "crm_app", "", "ș"])
def test_slug_is_lower_case_letters_digits_and_dashes(client, headers, slug):
    response = client.post("/api/v1/services", json={"slug": slug, "name": "X"}, headers=headers("legal"))
    assert response.status_code == 422
    assert "slug" in response.json["errors"]["json"]


def test_service_patch_needs_the_current_etag(client, headers, catalog):
    url = "/api/v1/services/crm"
    assert client.patch(url, json={"name": "CRM 2"}, headers=headers("legal")).status_code == 428
    etag = client.get(url, headers=headers("legal")).headers["ETag"]
    assert client.patch(url, json={"name": "CRM 2"}, headers=headers("legal", If_Match=etag)).status_code == 200
    response = client.patch(url, json={"name": "CRM 3"}, headers=headers("legal", If_Match=etag))
    assert response.status_code == 412
    assert client.get(url, headers=headers("legal")).json["name"] == "CRM 2"


def test_service_slug_cannot_be_patched(client, headers, catalog):
    etag = client.get("/api/v1/services/crm", headers=headers("legal")).headers["ETag"]
    response = client.patch("/api/v1/services/crm", json={"slug": "crm2"}, headers=headers("legal", If_Match=etag))
    assert response.status_code == 422
    assert "slug" in response.json["errors"]["json"]


def test_unknown_service_is_404(client, headers):
    assert client.get("/api/v1/services/nope", headers=headers("viewer")).status_code == 404


def test_services_are_paginated(client, headers, catalog):
    response = client.get("/api/v1/services?page_size=1&page=2", headers=headers("viewer"))
    assert [s["slug"] for s in response.json] == ["livestream"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 2
