"""Drafting, announcing and withdrawing changes through the API."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.changes.models import AffectedClient
from registry.extensions import db
from registry.notices.context import notice_context as told  # what the notice says, as its renderer reads it
from tests.changes.conftest import DEADLINE, EFFECTIVE, TODAY, count, earliest, notices


def _etag(client, headers, path):
    response = client.get(path, headers=headers("viewer"))
    assert response.status_code == 200, response.json
    return response.headers["ETag"]


# -- drafts -----------------------------------------------------------------------------------------------------


def test_a_draft_is_created_read_and_edited_with_if_match(client, headers, make_subprocessor, make_change):
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], summary="Întâi", urgent=False)
    assert change["kind"] == "add"
    assert change["status"] == "draft"
    assert change["version"] == 1
    assert change["created_by"] == "legal@example.test"
    path = f"/api/v1/changes/{change['id']}"

    assert client.patch(path, json={"summary": "x"}, headers=headers("legal")).status_code == 428
    stale = client.patch(path, json={"summary": "x"}, headers=headers("legal", If_Match='"nope"'))
    assert stale.status_code == 412
    etag = _etag(client, headers, path)
    edited = client.patch(path, json={"summary": "Ș și ț: verbatim"}, headers=headers("legal", If_Match=etag))
    assert edited.status_code == 200, edited.json
    assert edited.json["summary"] == "Ș și ț: verbatim"
    assert edited.json["version"] == 2
    again = client.patch(path, json={"summary": "y"}, headers=headers("legal", If_Match=etag))
    assert again.status_code == 412
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "change").order_by(AuditEvent.id)
    ).all()
    assert actions == ["change.created", "change.updated"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "replace"}, "replaces_id"),
        ({"kind": "update"}, "proposed"),
        ({"proposed": {"purpose": "x"}}, "proposed"),
        ({"urgent": True, "urgent_reason": "Outage."}, "urgent"),  # only a replacement may be urgent
        ({"subprocessor_id": 999999}, "subprocessor_id"),
        ({"kind": "remove"}, "subprocessor_id"),  # a proposed sub-processor cannot be removed
        ({"effective_on": "tomorrow"}, "effective_on"),
        ({"kind": "rename"}, "kind"),
        ({"summary": " "}, "summary"),
    ],
)
def test_invalid_drafts_name_the_field(client, headers, make_subprocessor, overrides, field):
    mailjet = make_subprocessor("Mailjet")
    body = {
        "kind": "add",
        "subprocessor_id": mailjet["id"],
        "summary": "s",
        "effective_on": EFFECTIVE.isoformat(),
        **overrides,
    }
    response = client.post("/api/v1/changes", json=body, headers=headers("legal"))
    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    assert field in errors.get("json", errors), response.json


def test_update_changes_carry_valid_proposed_fields(client, headers, make_subprocessor):
    active = make_subprocessor("Mailjet", status="active")
    body = {
        "kind": "update",
        "subprocessor_id": active["id"],
        "summary": "New location",
        "effective_on": EFFECTIVE.isoformat(),
    }
    bad = client.post(
        "/api/v1/changes", json={**body, "proposed": {"locations": [{"country": "XX"}]}}, headers=headers("legal")
    )
    assert bad.status_code == 422
    assert "locations" in bad.json["errors"]["json"]["proposed"]
    status = client.post("/api/v1/changes", json={**body, "proposed": {"status": "retired"}}, headers=headers("legal"))
    assert status.status_code == 422
    assert "status" in status.json["errors"]["json"]["proposed"]
    good = client.post(
        "/api/v1/changes",
        json={**body, "proposed": {"purpose": "Emails and SMS", "dpa_date": "2026-01-31"}},
        headers=headers("legal"),
    )
    assert good.status_code == 201, good.json
    assert good.json["proposed"] == {"purpose": "Emails and SMS", "dpa_date": "2026-01-31"}


def test_list_filters_and_paginates(client, headers, make_subprocessor, make_change, make_client, announce):
    make_client("Alfa")
    first = make_subprocessor("Mailjet")
    second = make_subprocessor("Brevo")
    a = make_change(first["id"])
    b = make_change(second["id"])
    announce(b["id"])
    everything = client.get("/api/v1/changes", headers=headers("viewer"))
    assert [c["id"] for c in everything.json] == [b["id"], a["id"]]
    assert '"total": 2' in everything.headers["X-Pagination"]
    drafts = client.get("/api/v1/changes?status=draft", headers=headers("viewer")).json
    assert [c["id"] for c in drafts] == [a["id"]]
    of_second = client.get(f"/api/v1/changes?subprocessor_id={second['id']}", headers=headers("viewer")).json
    assert [c["id"] for c in of_second] == [b["id"]]
    page = client.get("/api/v1/changes?page=2&page_size=1", headers=headers("viewer")).json
    assert [c["id"] for c in page] == [a["id"]]
    assert client.get("/api/v1/changes?status=bogus", headers=headers("viewer")).status_code == 422
    assert client.get("/api/v1/changes/999999", headers=headers("viewer")).status_code == 404


# -- announcing -------------------------------------------------------------------------------------------------


def test_the_longest_notice_period_is_enforced_with_the_date(
    client, headers, make_subprocessor, make_client, make_change, post_announce
):
    make_client("Alfa", notice_period_days=30)
    make_client("Beta", authorization="specific", notice_period_days=60)
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=(TODAY + timedelta(days=59)).isoformat())
    response = post_announce(change["id"])
    assert response.status_code == 422
    first = earliest(60).isoformat()  # the day after a 60 days' deadline counted as Romanian law counts terms
    assert first in response.json["errors"]["json"]["effective_on"][0]
    assert first in response.json["message"]
    assert client.get(f"/api/v1/changes/{change['id']}", headers=headers("viewer")).json["status"] == "draft"
    assert notices() == []

    etag = _etag(client, headers, f"/api/v1/changes/{change['id']}")
    client.patch(
        f"/api/v1/changes/{change['id']}", json={"effective_on": first}, headers=headers("legal", If_Match=etag)
    )
    assert post_announce(change["id"]).status_code == 200


def test_announce_checks_the_transfer_rules_on_the_effective_date(
    client, headers, make_subprocessor, make_client, make_change, post_announce
):
    make_client("Alfa")
    recheck = TODAY + timedelta(days=10)
    zoom = make_subprocessor(
        "Zoom",
        country="US",
        dpf_certified=True,
        dpf_recheck_on=recheck.isoformat(),
        locations=[{"country": "US", "label": "San Jose", "role": "processing", "mechanism": "dpf"}],
    )
    change = make_change(zoom["id"], effective_on=EFFECTIVE.isoformat())
    response = post_announce(change["id"])
    assert response.status_code == 422, response.json
    assert "US" in response.json["message"]
    assert "San Jose" in response.json["errors"]["json"]["locations"][0]
    assert recheck.isoformat() in response.json["errors"]["json"]["locations"][0]
    assert count(AffectedClient) == 0


def test_a_change_is_announced_once_and_edited_only_as_a_draft(
    client, headers, make_subprocessor, make_client, make_change, announce, post_announce
):
    make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"])
    path = f"/api/v1/changes/{change['id']}"
    announce(change["id"])
    again = post_announce(change["id"])
    assert again.status_code == 409
    assert count(AffectedClient) == 1
    assert len(notices(template="change.announced")) == 1
    etag = _etag(client, headers, path)
    edit = client.patch(path, json={"summary": "late"}, headers=headers("legal", If_Match=etag))
    assert edit.status_code == 409


def test_affected_clients_and_their_notices(client, headers, make_subprocessor, make_client, make_change, announce):
    shared = {"name": "Cabinet DPO", "email": "Office@DPO-Firm.test", "role": "DPO", "receives_notices": True}
    alfa = make_client(
        "Alfa",
        contacts=[
            shared,
            {"name": "Billing", "email": "billing@alfa.test", "role": "billing", "receives_notices": False},
        ],
    )
    beta = make_client("Beta", services=["crm", "sms"], contacts=[shared], language="en")
    make_client("Gama", services=["livestream"])
    make_client("Delta", status="inactive")
    mailjet = make_subprocessor("Mailjet", services=["crm", "sms"])
    change = make_change(mailjet["id"])
    announced = announce(change["id"])
    assert announced["affected_clients"] == 2

    sent = notices(template="change.announced")
    # The same person is the notice contact of two clients: each client's notice (and link) reaches them.
    assert sorted((n.client_id, n.recipient, n.language) for n in sent) == [
        (alfa["id"], "Office@DPO-Firm.test", "ro"),
        (beta["id"], "Office@DPO-Firm.test", "en"),
    ]
    notice = next(n for n in sent if n.client_id == alfa["id"])
    assert notice.channel == "email"
    assert notice.status == "pending"
    assert notice.change_id == change["id"]
    assert notice.event == f"change/{change['id']}/client/{alfa['id']}/announced"
    assert (told(notice)["change"]["id"], told(notice)["client"].id) == (change["id"], alfa["id"])
    assert told(notice)["expectation"] == "objection_window"
    # 30 days' notice counted as Romanian law counts terms; effective on the first day after the deadline.
    assert told(notice)["deadline"] == DEADLINE
    assert told(notice)["change"]["subprocessor"]["name"] == "Mailjet"
    assert "/respond/" not in str(notice.payload)  # the link is computed when rendering, never stored
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "change.announced")).one()
    assert audit.after["affected_clients"] == 2
    assert audit.actor == "legal@example.test"


# -- withdrawing ------------------------------------------------------------------------------------------------


def test_withdrawal_notifies_everyone_notified(
    client, headers, make_subprocessor, make_client, make_change, announce, link
):
    alfa = make_client("Alfa")
    beta = make_client("Beta", authorization="specific", language="en")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"])
    announce(change["id"])
    path = f"/api/v1/changes/{change['id']}/withdraw"
    assert client.post(path, json={}, headers=headers("legal")).status_code == 422
    response = client.post(path, json={"reason": "We found a better option."}, headers=headers("legal"))
    assert response.status_code == 200, response.json
    assert response.json["status"] == "withdrawn"
    assert response.json["withdrawn_reason"] == "We found a better option."
    withdrawn = notices(template="change.withdrawn")
    assert sorted((n.client_id, n.recipient, n.language) for n in withdrawn) == [
        (alfa["id"], "dpo@alfa.test", "ro"),
        (beta["id"], "dpo@beta.test", "en"),
    ]
    assert told(withdrawn[0])["change"]["withdrawn_reason"] == "We found a better option."
    assert client.post(path, json={"reason": "again"}, headers=headers("legal")).status_code == 409

    page = client.get(link(change["id"], beta["id"]))
    assert page.status_code == 410
    assert "This change was withdrawn" in page.text


def test_a_draft_can_be_withdrawn_without_notices(client, headers, make_subprocessor, make_change, post_announce):
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"])
    response = client.post(f"/api/v1/changes/{change['id']}/withdraw", json={"reason": "x"}, headers=headers("legal"))
    assert response.status_code == 200
    assert notices() == []
    assert post_announce(change["id"]).status_code == 409


# -- roles ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "account_manager", "legal", "admin"])
def test_every_role_reads(client, headers, make_subprocessor, make_client, make_change, announce, role):
    make_client("Alfa")
    change = make_change(make_subprocessor("Mailjet")["id"])
    announce(change["id"])
    for path in ("", f"/{change['id']}", f"/{change['id']}/clients", f"/{change['id']}/responses"):
        assert client.get(f"/api/v1/changes{path}", headers=headers(role)).status_code == 200, path


@pytest.mark.parametrize("role", ["viewer", "account_manager"])
def test_only_legal_and_admin_write(client, headers, make_subprocessor, make_client, make_change, role):
    make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"])
    path = f"/api/v1/changes/{change['id']}"
    etag = _etag(client, headers, path)
    body = {"kind": "add", "subprocessor_id": mailjet["id"], "summary": "s", "effective_on": "2030-01-01"}
    assert client.post("/api/v1/changes", json=body, headers=headers(role)).status_code == 403
    assert client.patch(path, json={"summary": "x"}, headers=headers(role, If_Match=etag)).status_code == 403
    assert client.post(f"{path}/announce", headers=headers(role)).status_code == 403
    assert client.post(f"{path}/withdraw", json={"reason": "x"}, headers=headers(role)).status_code == 403
    assert (
        client.patch("/api/v1/responses/1", json={"resolution": "withdrawn"}, headers=headers(role)).status_code == 403
    )


def test_admin_writes(client, headers, make_subprocessor, make_client, post_announce):
    make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    body = {
        "kind": "add",
        "subprocessor_id": mailjet["id"],
        "summary": "s",
        "effective_on": EFFECTIVE.isoformat(),
    }
    created = client.post("/api/v1/changes", json=body, headers=headers("admin"))
    assert created.status_code == 201
    assert post_announce(created.json["id"], role="admin").status_code == 200


def test_anonymous_requests_are_refused(client, make_subprocessor, make_change):
    change = make_change(make_subprocessor("Mailjet")["id"])
    for method, path in [
        ("GET", "/api/v1/changes"),
        ("POST", "/api/v1/changes"),
        ("GET", f"/api/v1/changes/{change['id']}"),
        ("PATCH", f"/api/v1/changes/{change['id']}"),
        ("POST", f"/api/v1/changes/{change['id']}/announce"),
        ("POST", f"/api/v1/changes/{change['id']}/withdraw"),
        ("GET", f"/api/v1/changes/{change['id']}/clients"),
        ("GET", f"/api/v1/changes/{change['id']}/responses"),
        ("GET", "/api/v1/responses/1"),
        ("PATCH", "/api/v1/responses/1"),
    ]:
        assert client.open(path, method=method, json={}).status_code == 401, (method, path)
