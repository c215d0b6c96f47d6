"""Taking effect: silence, approvals, resolutions, the kinds of change, reminders, and changes that cannot apply."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.audit.services import Actor
from registry.changes import services
from registry.changes.models import Change
from registry.extensions import db
from registry.notices.context import notice_context as told  # what the notice says, as its renderer reads it
from registry.subprocessors import services as subprocessors
from tests.changes.conftest import DEADLINE, EFFECTIVE, LEGAL_EMAIL, TODAY, apply_due, names_on, notices


def _apply(runner, day=EFFECTIVE):
    """apply-due on the scene's effective date unless told."""
    return apply_due(runner, day)


def _responses(client, headers, change_id):
    response = client.get(f"/api/v1/changes/{change_id}/responses", headers=headers("legal"))
    assert response.status_code == 200
    return response.json


def _resolve(client, headers, response_id, resolution, note="", role="legal"):
    path = f"/api/v1/responses/{response_id}"
    etag = client.get(path, headers=headers("viewer")).headers["ETag"]
    return client.patch(path, json={"resolution": resolution, "note": note}, headers=headers(role, If_Match=etag))


@pytest.fixture
def scene(make_subprocessor, make_client, make_change, announce):
    """Hetzner is active; Mailjet is proposed and announced to a general and a specific client."""
    general = make_client("Alfa")
    specific = make_client("Beta", authorization="specific", language="en")
    hetzner = make_subprocessor("Hetzner", status="active", category="hosting")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    return {"general": general, "specific": specific, "change": change, "hetzner": hetzner, "mailjet": mailjet}


def test_silence_is_acceptance_under_general_and_refusal_under_specific(client, headers, runner, scene, legal_email):
    general, specific, change = scene["general"], scene["specific"], scene["change"]
    assert names_on(client, headers, general["id"], TODAY) == ["Hetzner"]
    assert names_on(client, headers, specific["id"], TODAY) == ["Hetzner"]
    _apply(runner)
    assert names_on(client, headers, general["id"], EFFECTIVE) == ["Hetzner", "Mailjet"]
    assert names_on(client, headers, specific["id"], EFFECTIVE) == ["Hetzner"]

    rows = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert {row["name"]: row["excluded"] for row in rows} == {"Alfa": False, "Beta": True}
    beta = client.get(f"/api/v1/clients/{specific['id']}", headers=headers("viewer")).json
    assert [e["subprocessor"]["name"] for e in beta["exclusions"]] == ["Mailjet"]
    assert "not approved" in beta["exclusions"][0]["reason"]

    [alert] = notices(template="change.excluded")
    assert (alert.recipient, alert.client_id) == (LEGAL_EMAIL, specific["id"])
    assert alert.payload["reason"] == "no_approval"
    effective = notices(template="change.effective")
    assert {(n.recipient, told(n)["affected"].excluded) for n in effective} == {
        ("dpo@alfa.test", False),
        ("dpo@beta.test", True),
    }
    history = client.get(f"/api/v1/subprocessors/{scene['mailjet']['id']}", headers=headers("viewer")).json
    assert history["status"] == "active"
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "change.effective")).one()
    assert audit.after["excluded_clients"] == [specific["id"]]
    assert audit.actor.startswith("cli:")


def test_an_approval_lets_the_change_apply_and_a_refusal_excludes(
    client, headers, runner, make_client, scene, link, answer
):
    gamma = make_client("Gama", authorization="specific", language="en")
    change, specific = scene["change"], scene["specific"]
    # Gama was created after the announcement: it joins the change, with its own notice and its own deadline.
    assert answer(link(change["id"], specific["id"]), answer="approve", name="Jane").status_code == 303
    _apply(runner)
    assert names_on(client, headers, specific["id"], EFFECTIVE) == ["Hetzner", "Mailjet"]
    assert names_on(client, headers, gamma["id"], EFFECTIVE) == ["Hetzner"]  # not approved (and still within its time)


def test_a_refusal_excludes_the_specific_client(client, headers, runner, scene, link, answer):
    change, specific = scene["change"], scene["specific"]
    posted = answer(link(change["id"], specific["id"]), answer="refuse", name="J", reason="No.")
    assert posted.status_code == 303
    _apply(runner)
    assert names_on(client, headers, specific["id"], EFFECTIVE) == ["Hetzner"]


def test_an_objection_resolved_as_excluded_for_client(client, headers, runner, scene, link, answer):
    change, general = scene["change"], scene["general"]
    answer(link(change["id"], general["id"]), name="Ion", reason="Nu.")
    [objection] = _responses(client, headers, change["id"])
    path = f"/api/v1/responses/{objection['id']}"
    assert client.patch(path, json={"resolution": "excluded_for_client"}, headers=headers("legal")).status_code == 428
    stale = client.patch(path, json={"resolution": "excluded_for_client"}, headers=headers("legal", If_Match='"x"'))
    assert stale.status_code == 412
    resolved = _resolve(client, headers, objection["id"], "excluded_for_client", "Alfa keeps its current provider.")
    assert resolved.status_code == 200, resolved.json
    assert resolved.json["resolution"] == "excluded_for_client"
    assert resolved.json["resolution_note"] == "Alfa keeps its current provider."
    assert resolved.json["resolved_by"] == "legal@example.test"
    rows = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert {row["name"]: (row["resolution"], row["excluded"]) for row in rows}["Alfa"] == (
        "excluded_for_client",
        True,
    )
    _apply(runner)
    assert names_on(client, headers, general["id"], EFFECTIVE) == ["Hetzner"]
    exclusions = client.get(f"/api/v1/clients/{general['id']}", headers=headers("viewer")).json["exclusions"]
    assert [e["subprocessor"]["name"] for e in exclusions] == ["Mailjet"]


def test_an_open_objection_holds_the_change_for_the_client_until_it_is_resolved(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer
):
    alfa = make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    # The client objects in time; the legal team has not decided when the change takes effect.
    assert answer(link(change["id"], alfa["id"]), name="Ion", reason="Nu.").status_code == 303
    _apply(runner, EFFECTIVE)
    # The change took effect, but not for Alfa: its objection holds it until the legal team resolves it.
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == []
    [objection] = _responses(client, headers, change["id"])
    assert _resolve(client, headers, objection["id"], "excluded_for_client").status_code == 200
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == []
    # Agreed with the client after all: the change applies to it from now on.
    assert _resolve(client, headers, objection["id"], "accepted_by_client").status_code == 200
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == ["Mailjet"]


def test_accepted_by_client_overrides_a_refusal(client, headers, runner, scene, link, answer):
    change, specific = scene["change"], scene["specific"]
    answer(link(change["id"], specific["id"]), answer="refuse", name="J", reason="Price.")
    [refusal] = _responses(client, headers, change["id"])
    for role in ("viewer", "account_manager"):
        assert _resolve(client, headers, refusal["id"], "accepted_by_client", role=role).status_code == 403
    accepted = _resolve(client, headers, refusal["id"], "accepted_by_client", "Agreed by phone on 3 Dec.", role="admin")
    assert accepted.status_code == 200
    assert accepted.json["resolved_by"] == "admin@example.test"
    _apply(runner)
    assert names_on(client, headers, specific["id"], EFFECTIVE) == ["Hetzner", "Mailjet"]


@pytest.mark.parametrize(
    ("resolution", "applies"),
    [
        ("alternative_offered", False),  # the objection stays open until the client takes the alternative
        ("contract_terminated", False),
        ("accepted_by_client", True),
    ],
)
def test_other_resolutions_are_recorded_with_their_note(
    client, headers, runner, scene, link, answer, resolution, applies
):
    change, general = scene["change"], scene["general"]
    answer(link(change["id"], general["id"]), name="Ion", reason="Nu.")
    [objection] = _responses(client, headers, change["id"])
    resolved = _resolve(client, headers, objection["id"], resolution, "Note: «ș»")
    assert resolved.status_code == 200
    assert (resolved.json["resolution"], resolved.json["resolution_note"]) == (resolution, "Note: «ș»")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "change.response_resolved")).one()
    assert event.after["resolution"] == resolution
    assert event.before["resolution"] is None
    _apply(runner)
    assert names_on(client, headers, general["id"], EFFECTIVE) == (["Hetzner", "Mailjet"] if applies else ["Hetzner"])


def test_resolution_withdrawn_withdraws_the_change_for_everyone(client, headers, runner, scene, link, answer):
    change, general = scene["change"], scene["general"]
    answer(link(change["id"], general["id"]), name="Ion", reason="Nu.")
    [objection] = _responses(client, headers, change["id"])
    assert _resolve(client, headers, objection["id"], "withdrawn", "We keep the current provider.").status_code == 200
    got = client.get(f"/api/v1/changes/{change['id']}", headers=headers("viewer")).json
    assert got["status"] == "withdrawn"
    assert got["withdrawn_reason"] == "We keep the current provider."
    assert {n.recipient for n in notices(template="change.withdrawn")} == {"dpo@alfa.test", "dpo@beta.test"}
    assert "0 change(s) took effect" in _apply(runner)
    assert names_on(client, headers, scene["specific"]["id"], EFFECTIVE) == ["Hetzner"]
    assert (
        client.get(f"/api/v1/subprocessors/{scene['mailjet']['id']}", headers=headers("viewer")).json["status"]
        == "proposed"
    )


def test_a_superseded_answer_is_not_resolved(client, headers, scene, link, answer):
    change, specific = scene["change"], scene["specific"]
    path = link(change["id"], specific["id"])
    answer(path, answer="refuse", name="J", reason="No.")
    answer(path, answer="approve", name="J")
    first, _ = _responses(client, headers, change["id"])
    assert _resolve(client, headers, first["id"], "accepted_by_client").status_code == 409
    assert (
        client.patch(
            "/api/v1/responses/999999", json={"resolution": "withdrawn"}, headers=headers("legal", If_Match='"x"')
        ).status_code
        == 404
    )


def test_replace_retires_the_old_and_activates_the_new(
    client, headers, runner, make_subprocessor, make_client, make_change, announce
):
    alfa = make_client("Alfa")
    beta = make_client("Beta", authorization="specific")
    sms = make_client("Gama", services=["sms"])
    old = make_subprocessor("SendGrid", status="active")
    new = make_subprocessor("Mailjet", services=["crm", "sms"])
    change = make_change(new["id"], kind="replace", replaces_id=old["id"], summary="Mailjet replaces SendGrid")
    announced = announce(change["id"])
    assert announced["affected_clients"] == 3  # SendGrid's clients, plus Mailjet's new (sms) one
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == ["SendGrid"]
    assert names_on(client, headers, sms["id"], EFFECTIVE) == []
    _apply(runner)
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == ["Mailjet"]
    assert names_on(client, headers, beta["id"], EFFECTIVE) == []  # did not approve: excluded from Mailjet
    assert names_on(client, headers, sms["id"], EFFECTIVE) == ["Mailjet"]
    assert client.get(f"/api/v1/subprocessors/{old['id']}", headers=headers("viewer")).json["status"] == "retired"


def test_remove_retires_and_excludes_no_one(
    client, headers, runner, make_subprocessor, make_client, make_change, announce
):
    alfa = make_client("Alfa")
    beta = make_client("Beta", authorization="specific")
    old = make_subprocessor("SendGrid", status="active")
    change = make_change(old["id"], kind="remove", summary="We stop using SendGrid")
    assert announce(change["id"])["affected_clients"] == 2
    _apply(runner)
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == []
    assert names_on(client, headers, beta["id"], EFFECTIVE) == []
    assert client.get(f"/api/v1/clients/{beta['id']}", headers=headers("viewer")).json["exclusions"] == []


def test_update_applies_the_proposed_fields_on_the_date(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link
):
    alfa = make_client("Alfa", language="en")
    make_client("Omega", services=["livestream"])
    hetzner = make_subprocessor("Hetzner", status="active")
    proposed = {
        "locations": [{"country": "CH", "label": "Zürich", "role": "storage"}],
        "purpose": "Hosting, now in Switzerland",
    }
    change = make_change(hetzner["id"], kind="update", summary="Data moves to Zürich", proposed=proposed)
    assert announce(change["id"])["affected_clients"] == 1
    page = client.get(link(change["id"], alfa["id"]))
    assert "Change to a sub-processor" in page.text
    assert "Switzerland" in page.text
    assert "Adequacy decision" in page.text  # the safeguard that will apply
    assert "Hosting, now in Switzerland" in page.text
    _apply(runner)
    after = client.get(f"/api/v1/subprocessors/{hetzner['id']}", headers=headers("viewer")).json
    assert after["purpose"] == "Hosting, now in Switzerland"
    assert [loc["country"] for loc in after["locations"]] == ["CH"]
    entries = client.get(f"/api/v1/clients/{alfa['id']}/subprocessors?as_of={TODAY}", headers=headers("viewer")).json
    assert entries[0]["purpose"] == "Hosting, now in Switzerland"


def test_reminders_go_once_to_specific_clients_without_an_answer(
    client, headers, runner, make_client, scene, link, answer, app, monkeypatch
):
    monkeypatch.setitem(app.config, "REMINDER_DAYS", 7)
    answered = make_client("Delta", authorization="specific", language="en")
    change = scene["change"]
    # Delta was created after the announcement: it joins the change with its own deadline, and approves at once.
    answer(link(change["id"], answered["id"]), answer="approve", name="Dan")
    deadline = EFFECTIVE - timedelta(days=1)  # 30 days' notice, effective on day 30: answers until day 29
    early = runner.invoke(args=["changes", "remind", "--today", (deadline - timedelta(days=8)).isoformat()])
    assert "0 client(s) reminded" in early.output
    result = runner.invoke(args=["changes", "remind", "--today", (deadline - timedelta(days=7)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 client(s) reminded" in result.output
    [reminder] = notices(template="reminder")
    assert reminder.client_id == scene["specific"]["id"]
    assert told(reminder)["deadline"] == deadline
    assert (told(reminder)["change"]["id"], told(reminder)["client"].id) == (change["id"], scene["specific"]["id"])
    assert "respond" not in str(reminder.payload)  # links are never stored
    again = runner.invoke(args=["changes", "remind", "--today", (deadline - timedelta(days=2)).isoformat()])
    assert "0 client(s) reminded" in again.output
    assert len(notices(template="reminder")) == 1
    rows = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    reminded = {row["name"]: row["reminded_at"] is not None for row in rows}
    assert reminded == {"Alfa": False, "Beta": True, "Delta": False}
    assert answered["id"] not in {n.client_id for n in notices(template="reminder")}


def test_no_reminder_after_an_answer(client, runner, scene, link, answer):
    change, specific = scene["change"], scene["specific"]
    answer(link(change["id"], specific["id"]), answer="refuse", name="J", reason="No.")
    result = runner.invoke(args=["changes", "remind", "--today", DEADLINE.isoformat()])
    assert "0 client(s) reminded" in result.output


def test_apply_due_sends_the_due_reminders_too(runner, scene):
    _apply(runner, DEADLINE - timedelta(days=5))
    assert [n.client_id for n in notices(template="reminder")] == [scene["specific"]["id"]]


def test_a_change_that_cannot_apply_stays_announced_and_legal_is_alerted(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, scene, legal_email, freeze_clock
):
    blocked = make_subprocessor("Brevo", locations=[{"country": "GB", "label": "London", "role": "storage"}])
    change = make_change(blocked["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    # By the date, the UK adequacy decision no longer holds (as if the transfer-rules file had been updated): Brevo
    # cannot become active as announced.
    freeze_clock(subprocessors, "today", date(2032, 1, 1))
    output = _apply(runner)
    assert "1 change(s) took effect" in output
    assert client.get(f"/api/v1/changes/{change['id']}", headers=headers("viewer")).json["status"] == "announced"
    assert client.get(f"/api/v1/changes/{scene['change']['id']}", headers=headers("viewer")).json["status"] == (
        "effective"
    )
    [alert] = notices(template="change.apply_failed")
    assert alert.recipient == LEGAL_EMAIL
    assert "GB" in alert.payload["error"]
    _apply(runner)  # the same day again: one alert per day
    assert len(notices(template="change.apply_failed")) == 1


def test_apply_due_is_idempotent(runner, scene):
    assert "1 change(s) took effect" in _apply(runner)
    assert "0 change(s) took effect" in _apply(runner)
    assert db.session.get(Change, scene["change"]["id"]).status == "effective"


def test_the_worker_calls_the_same_service(scene):
    applied = services.apply_due(EFFECTIVE, actor=Actor("worker"))
    assert [c.id for c in applied] == [scene["change"]["id"]]


def test_a_removal_informs_and_asks_nothing(
    client, headers, make_subprocessor, make_client, make_change, announce, link
):
    alfa = make_client("Alfa")
    old = make_subprocessor("SendGrid", status="active")
    change = make_change(old["id"], kind="remove", summary="We stop using SendGrid")
    announce(change["id"])
    [row] = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert row["expectation"] == "information"
    [notice] = notices(template="change.announced")
    assert told(notice)["respond_url"] is None  # no link to object to a sub-processor that is no longer used
    page = client.get(link(change["id"], alfa["id"]))
    assert page.status_code == 200
    assert "nu este nevoie să faceți nimic" in page.text
    assert "<form" not in page.text
    offline = client.post(
        f"/api/v1/changes/{change['id']}/responses",
        json={
            "client_id": alfa["id"],
            "answer": "object",
            "channel": "letter",
            "received_on": TODAY.isoformat(),
            "respondent": "Ion",
            "reason": "Keep it.",
        },
        headers=headers("legal"),
    )
    assert offline.status_code == 422 and "answer" in offline.json["errors"]["json"]
