"""Objections that hold: an open objection keeps the change from a client until the legal team resolves it, the
team is alerted every day it stays open (never to nobody), every resolution is carried out and told to the client,
and answers received by email or letter are recorded as of the day they arrived."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import select, update

from registry.auth.models import User
from registry.changes.models import AffectedClient, Change
from registry.db import utcnow
from registry.extensions import db
from registry.notices import emails, webhooks
from registry.notices.context import notice_context as told  # what the notice says, as its renderer reads it
from tests.changes.conftest import DEADLINE, EFFECTIVE, LEGAL_EMAIL, TODAY, apply_due, count, names_on, notices


def _resolve(client, headers, response_id, resolution, note=""):
    path = f"/api/v1/responses/{response_id}"
    etag = client.get(path, headers=headers("viewer")).headers["ETag"]
    return client.patch(path, json={"resolution": resolution, "note": note}, headers=headers("legal", If_Match=etag))


def _read(notice):
    """(subject, plain-text body) of a notice, rendered as it is sent."""
    message = message_from_bytes(emails.render(notice, now=utcnow()).data, policy=policy.default)
    return str(message["Subject"]), message.get_body(preferencelist=("plain",)).get_content()


def _objection(client, headers, make_subprocessor, make_client, make_change, announce, link, answer, **client_fields):
    alfa = make_client("Alfa", **client_fields)
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    posted = answer(link(change["id"], alfa["id"]), name="Ion Pop", reason="Datele rămân în UE.")
    assert posted.status_code == 303
    [objection] = client.get(f"/api/v1/changes/{change['id']}/responses", headers=headers("legal")).json
    return alfa, change, objection


def test_an_open_objection_holds_the_change_and_is_alerted_every_day(
    client, headers, runner, legal_email, make_subprocessor, make_client, make_change, announce, link, answer
):
    alfa, change, objection = _objection(
        client, headers, make_subprocessor, make_client, make_change, announce, link, answer
    )
    apply_due(runner, EFFECTIVE)
    assert client.get(f"/api/v1/changes/{change['id']}", headers=headers("viewer")).json["status"] == "effective"
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == []  # its list did not change
    [row] = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert row["excluded"] is True
    held = db.session.scalars(select(AffectedClient).where(AffectedClient.change_id == change["id"])).one()
    assert held.held_at is not None

    page = client.get(link(change["id"], alfa["id"]))
    assert page.status_code == 410
    assert "dar nu și datelor dumneavoastră" in page.text  # the respond page says the objection holds it
    [effective] = notices(template="change.effective")
    assert "obiecția dumneavoastră nu este încă soluționată" in _read(effective)[1]
    assert _read(effective)[0].startswith("Se aplică altor clienți: ")  # not "in effect" for this client
    assert "Lista sub-împuterniciților care vi se aplică nu se modifică." in _read(effective)[1]
    assert told(effective)["affected"].held_at is not None
    [first] = notices(template="change.objection_held")
    assert (first.recipient, first.client_id) == (LEGAL_EMAIL, alfa["id"])
    subject, text = _read(first)
    assert subject.startswith("Objection holds: Alfa")
    assert "Datele rămân în UE." in text

    apply_due(runner, EFFECTIVE)  # the worker passes again the same day: one alert a day
    assert len(notices(template="change.objection_held")) == 1
    apply_due(runner, EFFECTIVE + timedelta(days=1))
    assert len(notices(template="change.objection_held")) == 2

    assert _resolve(client, headers, objection["id"], "alternative_offered", "Mailjet EU only.").status_code == 200
    apply_due(runner, EFFECTIVE + timedelta(days=2))  # an alternative offered keeps the objection open
    assert len(notices(template="change.objection_held")) == 3
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == []

    assert _resolve(client, headers, objection["id"], "accepted_by_client", "Agreed on 3 Feb.").status_code == 200
    apply_due(runner, EFFECTIVE + timedelta(days=3))
    assert len(notices(template="change.objection_held")) == 3
    assert names_on(client, headers, alfa["id"], TODAY + timedelta(days=400)) == ["Mailjet"]


def test_without_a_legal_mailbox_alerts_go_to_every_admin_and_legal_user(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer
):
    _objection(client, headers, make_subprocessor, make_client, make_change, announce, link, answer)
    headers("admin")  # an admin exists too
    apply_due(runner, EFFECTIVE)
    team = set(db.session.scalars(select(User.email).where(User.role.in_(["admin", "legal"]))))
    assert team == {"admin@example.test", "legal@example.test"}
    assert {n.recipient for n in notices(template="change.objection_held")} == team


def test_every_resolution_is_told_to_the_client_with_what_it_means(
    app, monkeypatch, client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer
):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "hooks.example.com")
    alfa, _, objection = _objection(
        client, headers, make_subprocessor, make_client, make_change, announce, link, answer, language="en"
    )
    hook = client.post(
        f"/api/v1/clients/{alfa['id']}/webhooks",
        json={"url": "https://hooks.example.com/x"},
        headers=headers("account_manager"),
    )
    apply_due(runner, EFFECTIVE)
    assert (
        _resolve(client, headers, objection["id"], "alternative_offered", "Mailjet EU region only.").status_code == 200
    )
    told_ = notices(template="response.resolved")
    assert {(n.channel, n.recipient) for n in told_} >= {("email", "dpo@alfa.test")}
    assert hook.status_code == 201, hook.json
    assert ("webhook", str(hook.json["id"])) in {(n.channel, n.recipient) for n in told_}
    subject, text = _read(next(n for n in told_ if n.recipient == "dpo@alfa.test"))
    assert subject.startswith("Your objection: we offer you an alternative")
    assert "We offer you an alternative" in text
    assert "Mailjet EU region only." in text
    assert "terminate the affected services or the main agreement without penalty" in text
    assert "refund any fees paid in advance" in text

    assert _resolve(client, headers, objection["id"], "contract_terminated", "Ends on 31 March.").status_code == 200
    assert client.get(f"/api/v1/clients/{alfa['id']}", headers=headers("viewer")).json["status"] == "terminated"
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == []
    last = [n for n in notices(template="response.resolved") if n.recipient == "dpo@alfa.test"][-1]
    subject, text = _read(last)
    assert "the affected services end" in subject
    assert "your contract ends" in text and "returned or deleted" in text


def test_a_romanian_client_reads_the_resolution_in_romanian(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer
):
    alfa, _, objection = _objection(
        client, headers, make_subprocessor, make_client, make_change, announce, link, answer
    )
    assert (
        _resolve(client, headers, objection["id"], "excluded_for_client", "Păstrați furnizorul actual.").status_code
        == 200
    )
    notice = next(n for n in notices(template="response.resolved") if n.recipient == "dpo@alfa.test")
    assert notice.language == "ro"
    apply_due(runner, EFFECTIVE)
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == []
    subject, body = _read(notice)
    assert "nu va prelucra datele dumneavoastră" in body
    assert "Păstrați furnizorul actual." in body
    assert subject.startswith("Răspuns la obiecția dumneavoastră")


def _offline(client, headers, change_id, role="legal", **fields):
    body = {
        "client_id": fields.pop("client_id"),
        "answer": "object",
        "channel": "letter",
        "received_on": TODAY.isoformat(),
        "respondent": "Maria Ionescu, administrator",
        "reason": "Scrisoarea din 1 decembrie: datele nu pleacă din UE.",
        **fields,
    }
    return client.post(f"/api/v1/changes/{change_id}/responses", json=body, headers=headers(role))


def test_an_answer_received_by_letter_is_recorded_as_of_the_day_it_arrived(
    client, headers, make_subprocessor, make_client, make_change, announce
):
    alfa = make_client("Alfa")
    beta = make_client("Beta")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    for role in ("account_manager", "viewer"):
        assert _offline(client, headers, change["id"], role=role, client_id=alfa["id"]).status_code == 403

    recorded = _offline(client, headers, change["id"], client_id=alfa["id"])
    assert recorded.status_code == 201, recorded.json
    assert (recorded.json["channel"], recorded.json["received_on"]) == ("letter", TODAY.isoformat())
    assert recorded.json["respondent_name"] == "Maria Ionescu, administrator"
    assert recorded.json["recorded_by"] == "legal@example.test"
    [row] = [
        r
        for r in client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
        if r["client_id"] == alfa["id"]
    ]
    assert row["answer"] == "object"
    # No address given: the receipt goes to the client's notice contacts.
    assert {n.recipient for n in notices(template="response.acknowledged")} == {"dpo@alfa.test"}

    deadline = row["deadline"]
    late = _offline(client, headers, change["id"], client_id=beta["id"], received_on=DEADLINE.isoformat())
    assert late.status_code == 422 and "received_on" in late.json["errors"]["json"]  # in the future
    assert deadline == DEADLINE.isoformat()
    for bad, field in (
        ({"channel": "fax"}, "channel"),
        ({"respondent": " "}, "respondent"),
        ({"answer": "approve"}, "answer"),  # a general-authorisation client objects or stays silent
        ({"reason": ""}, "reason"),
        ({"received_on": (TODAY - timedelta(days=3)).isoformat()}, "received_on"),  # before the announcement
        ({"respondent_email": "not an address"}, "respondent_email"),
    ):
        refused = _offline(client, headers, change["id"], client_id=beta["id"], **bad)
        assert refused.status_code == 422, (bad, refused.json)
        assert field in refused.json["errors"]["json"], (bad, refused.json)
    stranger = make_client("Gama", services=["sms"])
    refused = _offline(client, headers, change["id"], client_id=stranger["id"])
    assert refused.status_code == 422 and "client_id" in refused.json["errors"]["json"]
    assert count(AffectedClient, change_id=change["id"]) == 2


def test_an_objection_received_in_time_but_recorded_after_the_change_took_effect_holds_it(
    client, headers, runner, legal_email, make_subprocessor, make_client, make_change, announce
):
    alfa = make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    apply_due(runner, EFFECTIVE)
    assert names_on(client, headers, alfa["id"], TODAY + timedelta(days=400)) == ["Mailjet"]
    recorded = _offline(
        client, headers, change["id"], client_id=alfa["id"], channel="email", respondent_email="maria@alfa.test"
    )
    assert recorded.status_code == 201, recorded.json
    assert names_on(client, headers, alfa["id"], TODAY + timedelta(days=400)) == []
    assert {n.recipient for n in notices(template="response.acknowledged")} == {"maria@alfa.test"}
    [row] = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert row["excluded"] is True


def test_a_client_may_withdraw_its_objection_until_its_deadline(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer
):
    alfa, change, _ = _objection(client, headers, make_subprocessor, make_client, make_change, announce, link, answer)
    path = link(change["id"], alfa["id"])
    page = client.get(path)
    assert "Retrageți obiecția" in page.text  # offered once there is an objection to withdraw
    withdrawn = answer(path, answer="accept", name="Ion Pop")
    assert withdrawn.status_code == 303
    responses = client.get(f"/api/v1/changes/{change['id']}/responses", headers=headers("legal")).json
    assert [(r["answer"], r["current"]) for r in responses] == [("object", False), ("accept", True)]
    assert "Retrageți obiecția" not in client.get(path).text
    ack = [n for n in notices(template="response.acknowledged") if n.recipient == "dpo@alfa.test"][-1]
    subject, text = _read(ack)
    assert subject.startswith("Am primit retragerea obiecției dumneavoastră")
    assert "Obiecția dumneavoastră este retrasă" in text
    apply_due(runner, EFFECTIVE)
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == ["Mailjet"]  # nothing holds it any more


def test_a_new_answer_before_the_effective_date_undoes_the_decision_on_the_old_one(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer
):
    alfa, change, objection = _objection(
        client, headers, make_subprocessor, make_client, make_change, announce, link, answer
    )
    assert _resolve(client, headers, objection["id"], "excluded_for_client").status_code == 200
    assert answer(link(change["id"], alfa["id"]), answer="accept", name="Ion Pop").status_code == 303
    apply_due(runner, EFFECTIVE)
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == [
        "Mailjet"
    ]  # the withdrawal counts, not the old decision
    assert client.get(f"/api/v1/clients/{alfa['id']}", headers=headers("viewer")).json["exclusions"] == []


def test_an_ended_exclusion_is_no_longer_listed_on_the_client(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer
):
    alfa, _, objection = _objection(
        client, headers, make_subprocessor, make_client, make_change, announce, link, answer
    )
    apply_due(runner, EFFECTIVE)
    listed = client.get(f"/api/v1/clients/{alfa['id']}", headers=headers("viewer")).json["exclusions"]
    assert [e["subprocessor"]["name"] for e in listed] == ["Mailjet"]
    assert _resolve(client, headers, objection["id"], "accepted_by_client").status_code == 200
    assert client.get(f"/api/v1/clients/{alfa['id']}", headers=headers("viewer")).json["exclusions"] == []


def test_a_withdrawn_change_has_nothing_to_resolve(
    client, headers, world, make_subprocessor, make_client, make_change, announce, link, answer
):
    _, change, objection = _objection(
        client, headers, make_subprocessor, make_client, make_change, announce, link, answer
    )
    withdrawn = client.post(
        f"/api/v1/changes/{change['id']}/withdraw", json={"reason": "Not needed."}, headers=headers("legal")
    )
    assert withdrawn.status_code == 200, withdrawn.json
    refused = _resolve(client, headers, objection["id"], "accepted_by_client")
    assert refused.status_code == 409
    assert "was withdrawn" in refused.json["message"]


def test_a_refusal_received_in_time_but_recorded_after_the_change_took_effect_excludes(
    client, headers, runner, legal_email, make_subprocessor, make_client, make_change, announce
):
    beta = make_client("Beta", authorization="specific", language="en")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    approved = _offline(
        client, headers, change["id"], client_id=beta["id"], answer="approve", channel="email", reason=""
    )
    assert approved.status_code == 201, approved.json
    apply_due(runner, EFFECTIVE)
    assert names_on(client, headers, beta["id"], TODAY + timedelta(days=400)) == ["Mailjet"]
    refused = _offline(client, headers, change["id"], client_id=beta["id"], answer="refuse", channel="letter")
    assert refused.status_code == 201, refused.json
    assert names_on(client, headers, beta["id"], TODAY + timedelta(days=400)) == []
    assert [n.client_id for n in notices(template="change.excluded")] == [beta["id"]]


def test_an_approval_by_phone_is_not_recorded(client, headers, make_subprocessor, make_client, make_change, announce):
    beta = make_client("Beta", authorization="specific", language="en")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    refused = _offline(
        client, headers, change["id"], client_id=beta["id"], answer="approve", channel="phone", reason=""
    )
    assert refused.status_code == 422
    assert "in writing" in refused.json["errors"]["json"]["channel"][0]


def test_an_alternative_accepted_keeps_the_change_from_the_client_and_says_what_applies(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer
):
    alfa, _change, objection = _objection(
        client, headers, make_subprocessor, make_client, make_change, announce, link, answer
    )
    path = f"/api/v1/responses/{objection['id']}"

    def resolve(resolution, note):
        etag = client.get(path, headers=headers("viewer")).headers["ETag"]
        body = {"resolution": resolution, "note": note}
        return client.patch(path, json=body, headers=headers("legal", If_Match=etag))

    undescribed = resolve("alternative_accepted", " ")
    assert undescribed.status_code == 422
    assert list(undescribed.json["errors"]["json"]) == ["note"]
    apply_due(runner, EFFECTIVE)  # held by the open objection
    note = "Mailjet trimite doar din regiunea UE pentru contul dumneavoastră."
    assert resolve("alternative_accepted", note).status_code == 200
    assert names_on(client, headers, alfa["id"], EFFECTIVE) == []  # the change as announced stays out
    apply_due(runner, EFFECTIVE + timedelta(days=1))
    assert notices(template="change.objection_held", client_id=alfa["id"])[-1].event.endswith(EFFECTIVE.isoformat())
    [told_] = [n for n in notices(template="response.resolved") if n.channel == "email"]
    subject, text = _read(told_)
    assert "ați acceptat alternativa propusă" in subject
    assert "Ați acceptat alternativa propusă, descrisă în nota de mai jos" in text
    assert note in text


def test_the_clients_webhook_hears_when_it_is_excluded_and_included_again(
    app, client, headers, runner, monkeypatch, make_subprocessor, make_client, make_change, announce, link, answer
):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "hooks.example.com")
    alfa, change, objection = _objection(
        client, headers, make_subprocessor, make_client, make_change, announce, link, answer, language="en"
    )
    hook = client.post(
        f"/api/v1/clients/{alfa['id']}/webhooks",
        json={"url": "https://hooks.example.com/x"},
        headers=headers("account_manager"),
    )
    assert hook.status_code == 201, hook.json
    apply_due(runner, EFFECTIVE)
    [excluded] = notices(template="client.excluded")
    assert (excluded.channel, excluded.recipient) == ("webhook", str(hook.json["id"]))
    data = webhooks.event_data(excluded)
    assert (data["excluded"], data["change"]["id"]) == (True, change["id"])
    assert "held, the client's objection is not resolved" in data["reason"]
    assert _resolve(client, headers, objection["id"], "accepted_by_client").status_code == 200
    [included] = notices(template="client.included")
    assert webhooks.event_data(included)["excluded"] is False
    assert notices(template="client.excluded", channel="email") == []  # webhooks only


def test_a_letter_sent_before_a_later_web_answer_does_not_replace_it(
    client, headers, make_subprocessor, make_client, make_change, announce, link, answer
):
    """The last answer the client gave counts, not the last one recorded: a letter of Monday filed on Wednesday stays
    behind the approval given online on Tuesday."""
    beta = make_client("Beta", authorization="specific", language="en")
    change = make_change(make_subprocessor("Mailjet")["id"])
    announce(change["id"])
    db.session.execute(
        update(Change).where(Change.id == change["id"]).values(announced_at=utcnow() - timedelta(days=3))
    )
    db.session.commit()
    assert answer(link(change["id"], beta["id"]), answer="approve", name="Jane").status_code == 303
    letter = _offline(
        client,
        headers,
        change["id"],
        client_id=beta["id"],
        answer="refuse",
        received_on=(TODAY - timedelta(days=2)).isoformat(),
    )
    assert letter.status_code == 201, letter.json
    assert letter.json["current"] is False
    listed = client.get(f"/api/v1/changes/{change['id']}/responses", headers=headers("legal")).json
    assert [(r["answer"], r["current"]) for r in listed] == [("approve", True), ("refuse", False)]
    assert [n.payload["response_id"] for n in notices(template="response.acknowledged")] == [listed[0]["id"]]


def test_legal_hears_before_the_date_that_a_specific_client_would_be_left_without_either(
    client, headers, runner, legal_email, make_subprocessor, make_client, make_change, announce
):
    beta = make_client("Beta", authorization="specific", language="en")
    old = make_subprocessor("SendGrid", status="active")
    new = make_subprocessor("Mailjet")
    effective = EFFECTIVE + timedelta(days=10)
    change = make_change(
        new["id"],
        kind="replace",
        replaces_id=old["id"],
        summary="Mailjet replaces SendGrid",
        effective_on=str(effective),
    )
    announce(change["id"])
    apply_due(runner, DEADLINE)  # the client may still approve today
    assert notices(template="change.approval_missing") == []
    apply_due(runner, DEADLINE + timedelta(days=1))
    apply_due(runner, DEADLINE + timedelta(days=2))  # once, not every day
    [alert] = notices(template="change.approval_missing")
    assert (alert.recipient, alert.client_id) == (LEGAL_EMAIL, beta["id"])
    subject, text = _read(alert)
    assert subject.startswith("Approval missing before the change: Beta")
    assert "SendGrid stops for every client, and without this client's approval Mailjet may not process" in text
    assert "the client would have neither" in text


def test_legal_hears_the_day_before_of_a_specific_client_never_told(
    client, headers, runner, world, legal_email, make_subprocessor, make_client, make_change
):
    beta = make_client("Beta", authorization="specific", language="en")
    old = make_subprocessor("SendGrid", status="active")
    new = make_subprocessor("Mailjet")
    change = make_change(new["id"], kind="replace", replaces_id=old["id"], summary="Mailjet replaces SendGrid")
    world.announce(change["id"], delivered=False)  # its notice never arrives
    apply_due(runner, EFFECTIVE - timedelta(days=2))
    assert notices(template="change.approval_missing") == []
    apply_due(runner, EFFECTIVE - timedelta(days=1))
    [alert] = notices(template="change.approval_missing")
    assert alert.client_id == beta["id"]
