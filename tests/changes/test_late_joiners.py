"""Clients that join a change late: created, or given a service, while the change is announced, a client is told of
it at once and has its own full notice period; the change does not apply to it before that period has passed, even
once it took effect for everyone else (issue 10, finding 7)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

from registry.changes.models import AffectedClient
from registry.db import utcnow
from registry.extensions import db
from registry.notices import emails
from tests.changes.conftest import EFFECTIVE, TODAY, apply_due, deadline_after, names_on, notices


def _rows(client, headers, change_id):
    return {r["name"]: r for r in client.get(f"/api/v1/changes/{change_id}/clients", headers=headers("viewer")).json}


def test_a_client_created_during_an_announced_change_is_told_and_waits_its_own_period(
    client, headers, runner, world, make_subprocessor, make_client, make_change, announce, link, answer
):
    make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    late = make_client("Tardiv", notice_period_days=45)
    assert _rows(client, headers, change["id"])["Tardiv"]["deadline"] is None  # until its notice reaches it
    world.deliver(change["id"], [late["id"]])
    row = _rows(client, headers, change["id"])["Tardiv"]
    assert row["deadline"] == deadline_after(45).isoformat()  # its own full period, past the effective date
    assert [n.recipient for n in notices(template="change.announced") if n.client_id == late["id"]] == [
        "dpo@tardiv.test"
    ]

    apply_due(runner, EFFECTIVE)
    assert names_on(client, headers, late["id"], EFFECTIVE) == []  # not before its deadline
    [told_late] = [n for n in notices(template="change.effective") if n.client_id == late["id"]]
    body = message_from_bytes(emails.render(told_late, now=utcnow()).data, policy=policy.default)
    text = " ".join(body.get_body(preferencelist=("plain",)).get_content().split())
    assert "vi se aplică numai după împlinirea lui" in text
    page = client.get(link(change["id"], late["id"]))
    assert page.status_code == 200 and "<form" in page.text  # it may still object

    apply_due(runner, deadline_after(45) + timedelta(days=1))  # its deadline passed without an objection
    assert names_on(client, headers, late["id"], TODAY + timedelta(days=400)) == ["Mailjet"]
    applied = [n for n in notices(template="change.effective") if n.client_id == late["id"]]
    last = message_from_bytes(emails.render(applied[-1], now=utcnow()).data, policy=policy.default)
    assert "de astăzi, modificarea de mai jos se aplică și datelor dumneavoastră" in " ".join(
        last.get_body(preferencelist=("plain",)).get_content().split()
    )
    assert [n.event for n in applied] == [
        f"change/{change['id']}/client/{late['id']}/effective",
        f"change/{change['id']}/client/{late['id']}/applied",
    ]


def test_a_late_client_that_objects_after_the_change_took_effect_is_held(
    client, headers, runner, legal_email, make_subprocessor, make_client, make_change, announce, link, answer
):
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    make_client("Alfa")
    announce(change["id"])
    late = make_client("Tardiv", notice_period_days=45)
    apply_due(runner, EFFECTIVE)
    posted = answer(link(change["id"], late["id"]), name="Ion", reason="Datele rămân la noi.")
    assert posted.status_code == 303
    apply_due(runner, deadline_after(45) + timedelta(days=1))
    assert names_on(client, headers, late["id"], TODAY + timedelta(days=400)) == []  # its objection holds it
    affected = db.session.query(AffectedClient).filter_by(change_id=change["id"], client_id=late["id"]).one()
    assert affected.held_at is not None
    assert any(n.client_id == late["id"] for n in notices(template="change.objection_held"))


def test_a_client_given_the_service_during_an_announced_change_joins_it(
    client, headers, world, make_subprocessor, make_client, make_change, announce
):
    sms_only = make_client("Beta", services=["sms"])
    mailjet = make_subprocessor("Mailjet")  # serves crm
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    assert "Beta" not in _rows(client, headers, change["id"])
    patched = world.patch(f"/clients/{sms_only['id']}", {"services": ["crm", "sms"]}, role="account_manager")
    assert patched.status_code == 200, patched.json
    world.deliver(change["id"], [sms_only["id"]])
    assert _rows(client, headers, change["id"])["Beta"]["deadline"] == deadline_after(30).isoformat()
