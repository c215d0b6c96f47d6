"""A client's saved states: the sub-processors that applied to it on any date follow the services it used then."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from registry.clients.models import ClientVersion
from registry.extensions import db
from registry.subprocessors.models import SubProcessorVersion

SUBPROCESSORS_SINCE = datetime(2024, 1, 1, tzinfo=UTC)
CREATED = datetime(2025, 1, 1, 9, tzinfo=UTC)
MOVED = datetime(2025, 6, 1, 10, tzinfo=UTC)
CRM_NAMES = ["Hetzner", "Mailgun"]
SMS_NAMES = ["Mailgun", "Twilio"]


def _names(client, headers, client_id, as_of=None):
    query = {"page_size": 100} | ({"as_of": as_of.isoformat()} if as_of else {})
    response = client.get(f"/api/v1/clients/{client_id}/subprocessors", query_string=query, headers=headers("viewer"))
    assert response.status_code == 200, response.json
    return [entry["name"] for entry in response.json]


def _history(client, headers, client_id, role="viewer", **query):
    return client.get(f"/api/v1/clients/{client_id}/history", query_string=query, headers=headers(role))


def _patch(client, headers, client_id, body, role="admin"):
    etag = client.get(f"/api/v1/clients/{client_id}", headers=headers(role)).headers["ETag"]
    response = client.patch(f"/api/v1/clients/{client_id}", json=body, headers=headers(role, If_Match=etag))
    assert response.status_code == 200, response.json
    return response.json


def _place_history(client_id, *bounds):
    """Pretend the client's versions (oldest first) were saved at `bounds`, each valid until the next one."""
    versions = db.session.scalars(
        select(ClientVersion).where(ClientVersion.client_id == client_id).order_by(ClientVersion.version)
    ).all()
    assert len(versions) == len(bounds)
    for version, start, end in zip(versions, bounds, [*bounds[1:], None], strict=True):
        version.valid_from, version.valid_to = start, end
    db.session.commit()


@pytest.fixture
def moved(client, headers, make_subprocessor, make_client):
    """A client created on CREATED using crm, moved to sms on MOVED; the sub-processors exist since 2024."""
    for name, services in (("Hetzner", ["crm"]), ("Mailgun", ["crm", "sms"]), ("Twilio", ["sms"])):
        make_subprocessor(name, services=services, status="active")
    db.session.execute(update(SubProcessorVersion).values(valid_from=SUBPROCESSORS_SINCE))
    db.session.commit()
    created = make_client(services=["crm"])
    assert _patch(client, headers, created["id"], {"services": ["sms"]})["services"] == ["sms"]
    _place_history(created["id"], CREATED, MOVED)
    return created


def test_list_as_of_a_date_follows_the_services_of_that_date(client, headers, moved):
    assert _names(client, headers, moved["id"], date(2025, 5, 31)) == CRM_NAMES
    assert _names(client, headers, moved["id"], date(2025, 1, 1)) == CRM_NAMES
    assert _names(client, headers, moved["id"], date(2025, 6, 1)) == SMS_NAMES  # as of the end of the day it moved
    assert _names(client, headers, moved["id"], date(2025, 6, 2)) == SMS_NAMES
    assert _names(client, headers, moved["id"], datetime.now(UTC).date()) == SMS_NAMES
    assert _names(client, headers, moved["id"]) == SMS_NAMES


def test_nothing_applies_before_the_client_existed(client, headers, moved):
    assert _names(client, headers, moved["id"], date(2024, 12, 31)) == []
    assert _names(client, headers, moved["id"], date(2024, 6, 1)) == []


def test_history_lists_every_saved_state_newest_first(client, headers, moved):
    response = _history(client, headers, moved["id"])
    assert response.status_code == 200, response.json
    entries = response.json
    assert [e["version"] for e in entries] == [2, 1]
    assert [e["actor"] for e in entries] == ["admin@example.test", "account_manager@example.test"]
    assert [e["state"]["services"] for e in entries] == [["sms"], ["crm"]]
    assert entries[0]["valid_from"] == entries[1]["valid_to"] == "2025-06-01T10:00:00+00:00"
    assert entries[1]["valid_from"] == "2025-01-01T09:00:00+00:00"
    assert entries[0]["valid_to"] is None
    state = entries[1]["state"]
    assert state["legal_name"] == moved["legal_name"]
    assert state["signatory"] == moved["signatory"]
    assert state["contacts"] == moved["contacts"]
    assert "feed_url" not in state and "feed_token_hash" not in state
    page = _history(client, headers, moved["id"], page=2, page_size=1)
    assert page.status_code == 200
    assert [e["version"] for e in page.json] == [1]
    assert '"total": 2' in page.headers["X-Pagination"]


def test_every_change_opens_a_version_and_nothing_else_does(client, headers, make_client, service_slugs):
    created = make_client(services=["crm"])
    _patch(client, headers, created["id"], {"services": ["crm"], "name": created["name"]})  # no change
    rotated = client.post(f"/api/v1/clients/{created['id']}/feed-token/rotate", headers=headers("account_manager"))
    assert rotated.status_code == 200
    assert len(_history(client, headers, created["id"]).json) == 1
    _patch(client, headers, created["id"], {"status": "inactive"}, role="account_manager")
    _patch(client, headers, created["id"], {"contacts": []}, role="account_manager")
    entries = _history(client, headers, created["id"]).json
    assert len(entries) == 3
    assert entries[0]["state"]["status"] == "inactive" and entries[0]["state"]["contacts"] == []
    assert entries[1]["state"]["status"] == "inactive" and len(entries[1]["state"]["contacts"]) == 1
    assert entries[2]["state"]["status"] == "active"
    assert [e["valid_to"] is None for e in entries] == [True, False, False]


def test_history_roles(client, headers, make_client, service_slugs):
    created = make_client()
    for role in ("viewer", "account_manager", "legal", "admin"):
        assert _history(client, headers, created["id"], role=role).status_code == 200, role
    assert client.get(f"/api/v1/clients/{created['id']}/history").status_code == 401
    assert (
        client.get(f"/api/v1/clients/{created['id']}/history", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    missing = _history(client, headers, created["id"] + 1000)
    assert missing.status_code == 404


def test_dpa_as_of_a_past_date_names_the_subprocessors_of_that_date(client, headers, moved):
    am = headers("account_manager")
    past = client.post(f"/api/v1/clients/{moved['id']}/dpas", json={"as_of": "2025-05-31"}, headers=am)
    assert past.status_code == 201, past.json
    now = client.post(f"/api/v1/clients/{moved['id']}/dpas", json={}, headers=am)
    assert now.status_code == 201, now.json
    for dpa, names in ((past.json, CRM_NAMES), (now.json, SMS_NAMES)):
        detail = client.get(f"/api/v1/dpas/{dpa['id']}", headers=headers("viewer"))
        assert detail.status_code == 200
        assert [s["name"] for s in detail.json["context"]["subprocessors"]] == names
