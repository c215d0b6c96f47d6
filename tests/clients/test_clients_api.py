import json

import pytest
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.extensions import db

READ_ROLES = ["viewer", "account_manager", "legal", "admin"]


def _etag(client, headers, client_id):
    response = client.get(f"/api/v1/clients/{client_id}", headers=headers("viewer"))
    assert response.status_code == 200
    return response.headers["ETag"]


def test_client_endpoints_need_a_token(client, make_client, client_body):
    created = make_client()
    assert client.get("/api/v1/clients").status_code == 401
    assert client.post("/api/v1/clients", json=client_body).status_code == 401
    assert client.get(f"/api/v1/clients/{created['id']}").status_code == 401
    assert client.patch(f"/api/v1/clients/{created['id']}", json={"name": "x"}).status_code == 401
    assert client.post(f"/api/v1/clients/{created['id']}/feed-token/rotate").status_code == 401
    assert client.get(f"/api/v1/clients/{created['id']}/subprocessors").status_code == 401


@pytest.mark.parametrize("role", READ_ROLES)
def test_every_role_reads_clients(client, headers, make_client, role):
    created = make_client()
    assert client.get("/api/v1/clients", headers=headers(role)).status_code == 200
    assert client.get(f"/api/v1/clients/{created['id']}", headers=headers(role)).status_code == 200
    assert client.get(f"/api/v1/clients/{created['id']}/subprocessors", headers=headers(role)).status_code == 200


@pytest.mark.parametrize("role", ["viewer", "legal"])
def test_viewer_and_legal_cannot_write_clients(client, headers, make_client, role, client_body):
    created = make_client()
    cid = created["id"]
    etag = _etag(client, headers, cid)
    assert client.post("/api/v1/clients", json=client_body, headers=headers(role)).status_code == 403
    assert (
        client.patch(f"/api/v1/clients/{cid}", json={"name": "x"}, headers=headers(role, If_Match=etag)).status_code
        == 403
    )
    assert client.post(f"/api/v1/clients/{cid}/feed-token/rotate", headers=headers(role)).status_code == 403


@pytest.mark.parametrize("role", ["account_manager", "admin"])
def test_account_manager_and_admin_write_clients(client, headers, service_slugs, role, client_body):
    created = client.post("/api/v1/clients", json=client_body, headers=headers(role))
    assert created.status_code == 201
    cid = created.json["id"]
    etag = _etag(client, headers, cid)
    patched = client.patch(f"/api/v1/clients/{cid}", json={"name": "Nou"}, headers=headers(role, If_Match=etag))
    assert patched.status_code == 200
    assert client.post(f"/api/v1/clients/{cid}/feed-token/rotate", headers=headers(role)).status_code == 200


def test_create_returns_the_full_client(make_client, app, client_body):
    created = make_client()
    for key in ("name", "legal_name", "registration_number", "vat_id", "address", "country", "language"):
        assert created[key] == client_body[key]
    assert created["services"] == ["crm"]
    assert created["authorization"] == "general"
    assert created["notice_period_days"] == 30  # the processor profile's default
    assert created["signatory"] == {"name": "Ana Ștefănescu", "title": "Administrator"}
    assert created["contacts"] == client_body["contacts"]
    assert created["status"] == "active"
    assert created["version"] == 1
    assert created["exclusions"] == []
    assert created["created_at"].endswith("+00:00")
    assert created["feed_url"].startswith("http://registry.test/feeds/clients/")
    assert created["feed_url"].endswith(".atom")


def test_defaults_for_optional_fields(client, headers, service_slugs):
    body = {"name": "Minimal", "legal_name": "Minimal GmbH", "country": "de"}
    response = client.post("/api/v1/clients", json=body, headers=headers("account_manager"))
    assert response.status_code == 201, response.json
    created = response.json
    assert created["country"] == "DE"
    assert created["language"] == "ro"
    assert created["services"] == []
    assert created["contacts"] == []
    assert created["signatory"] == {"name": None, "title": None}
    assert created["registration_number"] is None
    assert created["vat_id"] is None


def test_notice_period_default_follows_the_profile(client, headers, service_slugs, client_body):
    profile = client.get("/api/v1/profile", headers=headers())
    patched = client.patch(
        "/api/v1/profile",
        json={"default_notice_period_days": 60},
        headers=headers(If_Match=profile.headers["ETag"]),
    )
    assert patched.status_code == 200
    response = client.post("/api/v1/clients", json=client_body, headers=headers("account_manager"))
    assert response.json["notice_period_days"] == 60
    explicit = client.post(
        "/api/v1/clients", json={**client_body, "notice_period_days": 14}, headers=headers("account_manager")
    )
    assert explicit.json["notice_period_days"] == 14


def test_a_notice_period_below_14_days_needs_an_admin_and_a_reason(client, headers, service_slugs, client_body):
    short = {**client_body, "notice_period_days": 7}
    refused = client.post("/api/v1/clients", json=short, headers=headers("account_manager"))
    assert refused.status_code == 403
    assert "below 14 days (notice_period_days: 7) is set only by an admin" in refused.json["message"]
    unexplained = client.post("/api/v1/clients", json=short, headers=headers("admin"))
    assert unexplained.status_code == 422
    assert list(unexplained.json["errors"]["json"]) == ["notice_period_reason"]
    reason = "Event client: its contract (clause 9) gives 7 days for changes during the festival season."
    created = client.post("/api/v1/clients", json={**short, "notice_period_reason": reason}, headers=headers("admin"))
    assert created.status_code == 201, created.json
    assert (created.json["notice_period_days"], created.json["notice_period_reason"]) == (7, reason)
    path = f"/api/v1/clients/{created.json['id']}"

    def patch(body, role):
        etag = client.get(path, headers=headers("viewer")).headers["ETag"]
        return client.patch(path, json=body, headers=headers(role, If_Match=etag))

    # An account manager edits the client as before, but may not shorten the period further nor reword the reason.
    assert patch({"name": "Festival SRL", "notice_period_days": 7}, "account_manager").status_code == 200
    assert patch({"notice_period_days": 5}, "account_manager").status_code == 403
    assert patch({"notice_period_reason": "Because."}, "account_manager").status_code == 403
    lengthened = patch({"notice_period_days": 30}, "account_manager")
    assert lengthened.status_code == 200
    assert lengthened.json["notice_period_reason"] is None  # 14 days or more need no reason


@pytest.mark.parametrize(
    "name",
    ["Societatea Ștefănescu & Fiii SRL", "Szolgáltató és Tanácsadó Kft.", 'Smith & <Co> "Ltd"', "  spaced  "],
)
def test_names_are_stored_and_returned_verbatim(client, headers, make_client, name):
    created = make_client(name=name, legal_name=name, address=f"{name}\nline 2", signatory={"name": name})
    read = client.get(f"/api/v1/clients/{created['id']}", headers=headers("viewer"))
    assert read.json["name"] == name
    assert read.json["legal_name"] == name
    assert read.json["address"] == f"{name}\nline 2"
    assert read.json["signatory"] == {"name": name, "title": None}
    listed = client.get("/api/v1/clients", query_string={"q": name.strip()[:8]}, headers=headers("viewer"))
    assert [c["legal_name"] for c in listed.json] == [name]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "Romania"}, "country"),
        ({"language": "hu"}, "language"),
        ({"authorization": "implied"}, "authorization"),
        ({"status": "deleted"}, "status"),
        ({"notice_period_days": 0}, "notice_period_days"),
        ({"notice_period_days": 366}, "notice_period_days"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"legal_name": None}, "legal_name"),
        ({"contacts": [{"name": "A", "email": "not-an-email"}]}, "contacts"),
        ({"contacts": [{"name": "No email"}]}, "contacts"),
        ({"contacts": [{"email": "a@b.ro"}, {"email": "A@B.ro"}]}, "contacts"),
    ],
)
def test_invalid_client_is_422_naming_the_field(client, headers, service_slugs, overrides, field, client_body):
    response = client.post("/api/v1/clients", json={**client_body, **overrides}, headers=headers("account_manager"))
    assert response.status_code == 422, response.json
    assert response.json["code"] == 422
    assert field in response.json["errors"]["json"]


def test_missing_required_fields_are_named(client, headers, service_slugs):
    response = client.post("/api/v1/clients", json={}, headers=headers("account_manager"))
    assert response.status_code == 422
    assert {"name", "legal_name", "country"} <= set(response.json["errors"]["json"])


def test_unknown_service_is_422_naming_the_slug(client, headers, service_slugs, client_body):
    body = {**client_body, "services": ["crm", "teleportation"]}
    response = client.post("/api/v1/clients", json=body, headers=headers("account_manager"))
    assert response.status_code == 422
    assert "teleportation" in response.json["errors"]["json"]["services"][0]
    assert "teleportation" in response.json["message"]


@pytest.mark.parametrize("vat_id", ["RO14399840", "14399840", "ro 14399840", "RO18547290"])
def test_valid_romanian_cui_is_accepted(client, headers, service_slugs, vat_id, client_body):
    response = client.post(
        "/api/v1/clients", json={**client_body, "vat_id": vat_id}, headers=headers("account_manager")
    )
    assert response.status_code == 201, response.json
    assert response.json["vat_id"] == vat_id


@pytest.mark.parametrize("vat_id", ["RO14399841", "14399841", "RO12A45", "1", "RO12345678901"])
def test_bad_romanian_cui_is_422(client, headers, service_slugs, vat_id, client_body):
    response = client.post(
        "/api/v1/clients", json={**client_body, "vat_id": vat_id}, headers=headers("account_manager")
    )
    assert response.status_code == 422
    assert vat_id in response.json["errors"]["json"]["vat_id"][0]


def test_cui_is_not_checked_outside_romania(client, headers, service_slugs, client_body):
    body = {**client_body, "country": "HU", "vat_id": "HU12345678"}
    assert client.post("/api/v1/clients", json=body, headers=headers("account_manager")).status_code == 201


def test_changing_country_to_ro_checks_the_existing_vat_id(client, headers, make_client):
    created = make_client(country="HU", vat_id="HU12345678")
    etag = _etag(client, headers, created["id"])
    response = client.patch(
        f"/api/v1/clients/{created['id']}", json={"country": "RO"}, headers=headers("account_manager", If_Match=etag)
    )
    assert response.status_code == 422
    assert "vat_id" in response.json["errors"]["json"]


def test_patch_changes_only_given_fields_and_bumps_version(client, headers, make_client):
    created = make_client()
    cid = created["id"]
    etag = _etag(client, headers, cid)
    body = {
        "services": ["crm", "sms"],
        "contacts": [{"email": "nou@stefanescu.ro", "receives_notices": False}],
        "notice_period_days": 60,
    }
    response = client.patch(f"/api/v1/clients/{cid}", json=body, headers=headers("account_manager", If_Match=etag))
    assert response.status_code == 200, response.json
    updated = response.json
    assert updated["services"] == ["crm", "sms"]
    assert updated["contacts"] == [{"name": "", "email": "nou@stefanescu.ro", "role": "", "receives_notices": False}]
    assert updated["notice_period_days"] == 60
    assert updated["name"] == created["name"]
    assert updated["signatory"] == created["signatory"]
    assert updated["version"] == 2
    assert response.headers["ETag"] != etag
    assert response.headers["ETag"] == _etag(client, headers, cid)


def test_patch_validates_like_create(client, headers, make_client):
    created = make_client()
    etag = _etag(client, headers, created["id"])
    for body, field in (
        ({"country": "ZZ"}, "country"),
        ({"notice_period_days": 400}, "notice_period_days"),
        ({"contacts": [{"email": "bad"}]}, "contacts"),
        ({"name": ""}, "name"),
    ):
        response = client.patch(
            f"/api/v1/clients/{created['id']}", json=body, headers=headers("account_manager", If_Match=etag)
        )
        assert response.status_code == 422
        assert field in response.json["errors"]["json"]
    response = client.patch(
        f"/api/v1/clients/{created['id']}",
        json={"services": ["nope"]},
        headers=headers("account_manager", If_Match=etag),
    )
    assert response.status_code == 422
    assert "nope" in response.json["errors"]["json"]["services"][0]
    assert client.get(f"/api/v1/clients/{created['id']}", headers=headers()).json["version"] == 1


def test_patch_needs_if_match_and_rejects_a_stale_one(client, headers, make_client):
    cid = make_client()["id"]
    url = f"/api/v1/clients/{cid}"
    etag = _etag(client, headers, cid)
    assert client.patch(url, json={"name": "A"}, headers=headers("account_manager")).status_code == 428
    assert client.patch(url, json={"name": "A"}, headers=headers("account_manager", If_Match=etag)).status_code == 200
    stale = client.patch(url, json={"name": "B"}, headers=headers("account_manager", If_Match=etag))
    assert stale.status_code == 412
    assert client.get(url, headers=headers()).json["name"] == "A"


def test_get_unknown_client_is_404(client, headers):
    response = client.get("/api/v1/clients/999999", headers=headers("viewer"))
    assert response.status_code == 404
    assert response.json["code"] == 404


def test_list_is_paginated_and_filtered(client, headers, make_client):
    make_client(name="Alfa", services=["crm"], authorization="specific")
    make_client(name="Beta", services=["sms"], status="inactive")
    make_client(name="Gama", services=["crm", "livestream"])

    def names(**query):
        response = client.get("/api/v1/clients", query_string=query, headers=headers("legal"))
        assert response.status_code == 200, response.json
        return [c["name"] for c in response.json]

    assert names() == ["Alfa", "Beta", "Gama"]
    assert names(service="crm") == ["Alfa", "Gama"]
    assert names(service="livestream") == ["Gama"]
    assert names(status="inactive") == ["Beta"]
    assert names(authorization="specific") == ["Alfa"]
    assert names(q="am") == ["Gama"]
    assert names(q="STEFANESCU") == []
    assert names(q="Ștefănescu") == ["Alfa", "Beta", "Gama"]  # the legal name matches
    assert names(q="%") == []
    page = client.get("/api/v1/clients", query_string={"page": 2, "page_size": 2}, headers=headers())
    assert [c["name"] for c in page.json] == ["Gama"]
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    bad = client.get("/api/v1/clients", query_string={"status": "gone"}, headers=headers())
    assert bad.status_code == 422
    assert "status" in bad.json["errors"]["query"]


def test_writes_are_audited_without_the_feed_token(client, headers, make_client):
    created = make_client()
    cid = created["id"]
    etag = _etag(client, headers, cid)
    client.patch(f"/api/v1/clients/{cid}", json={"language": "en"}, headers=headers("account_manager", If_Match=etag))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "client", AuditEvent.entity_id == str(cid))
    ).all()
    assert [e.action for e in events] == ["client.created", "client.updated"]
    assert events[0].actor == "account_manager@example.test"
    assert events[0].after["legal_name"] == "Societatea Ștefănescu & Fiii SRL"
    assert events[0].after["services"] == ["crm"]
    assert events[1].before == {"language": "ro"}
    assert events[1].after == {"language": "en"}
    token = created["feed_url"].rsplit("/", 1)[1].removesuffix(".atom")
    assert all(token not in json.dumps([e.before, e.after], ensure_ascii=False) for e in events)


def test_patch_without_changes_keeps_the_version(client, headers, make_client, client_body):
    created = make_client()
    etag = _etag(client, headers, created["id"])
    response = client.patch(
        f"/api/v1/clients/{created['id']}",
        json={"name": created["name"], "contacts": client_body["contacts"]},
        headers=headers("account_manager", If_Match=etag),
    )
    assert response.status_code == 200
    assert response.json["version"] == 1
    assert response.headers["ETag"] == etag
