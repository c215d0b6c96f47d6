"""Urgent means an emergency replacement (security or continuity) only: it needs a reason, may take effect at once,
and clients keep their full notice period to object afterwards; under specific authorisation it changes nothing
(no approval, no use)."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from registry.db import utcnow
from registry.notices import emails
from tests.changes.conftest import (
    LEGAL_EMAIL,
    TODAY,
    apply_due,
    deadline_after,
    names_on,
    notices,
)

BREACH = "SendGrid reported a breach of its systems; we stop using it today."


def _text(notice) -> str:
    message = message_from_bytes(emails.render(notice, now=utcnow()).data, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def replacement(make_subprocessor, make_client, make_change, announce):
    """Mailjet replaces SendGrid urgently, today, for a general (ro) and a specific (en) client with 30 days."""
    alfa = make_client("Alfa", language="ro")
    beta = make_client("Beta", language="en", authorization="specific")
    old = make_subprocessor("SendGrid", status="active")
    new = make_subprocessor("Mailjet")
    change = make_change(
        new["id"],
        kind="replace",
        replaces_id=old["id"],
        summary="Mailjet replaces SendGrid",
        effective_on=TODAY.isoformat(),
        urgent=True,
        urgent_reason=BREACH,
    )
    announce(change["id"])
    return {"change": change, "alfa": alfa, "beta": beta}


@pytest.mark.parametrize("kind", ["add", "update", "remove"])
def test_only_a_replacement_may_be_urgent(client, headers, make_subprocessor, kind):
    status = "active" if kind in ("update", "remove") else "proposed"
    mailjet = make_subprocessor("Mailjet", status=status)
    body = {
        "kind": kind,
        "subprocessor_id": mailjet["id"],
        "summary": "s",
        "effective_on": TODAY.isoformat(),
        "urgent": True,
        "urgent_reason": "Outage.",
    }
    if kind == "update":
        body["proposed"] = {"purpose": "Sending emails"}
    response = client.post("/api/v1/changes", json=body, headers=headers("legal"))
    assert response.status_code == 422
    assert "Only an emergency replacement" in response.json["errors"]["json"]["urgent"][0]


@pytest.mark.parametrize("reason", [None, "   "])
def test_an_urgent_replacement_says_why(client, headers, make_subprocessor, reason):
    old = make_subprocessor("SendGrid", status="active")
    new = make_subprocessor("Mailjet")
    body = {
        "kind": "replace",
        "subprocessor_id": new["id"],
        "replaces_id": old["id"],
        "summary": "s",
        "effective_on": TODAY.isoformat(),
        "urgent": True,
        "urgent_reason": reason,
    }
    response = client.post("/api/v1/changes", json=body, headers=headers("legal"))
    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["urgent_reason"]


def test_an_urgent_replacement_applies_at_once_and_clients_keep_their_full_period(
    client, headers, runner, replacement, link, answer, legal_email
):
    change, alfa, beta = replacement["change"], replacement["alfa"], replacement["beta"]
    rows = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert {row["deadline"] for row in rows} == {deadline_after(30).isoformat()}  # not cut short by the urgency
    [told_alfa] = [n for n in notices(template="change.announced") if n.client_id == alfa["id"]]
    assert "Întrucât este o înlocuire urgentă (art. 5.3 din Acordul de prelucrare a datelor)" in _text(told_alfa)
    assert f"Înlocuire urgentă (securitate sau continuitate): {BREACH}" in _text(told_alfa)

    apply_due(runner, TODAY)
    assert names_on(client, headers, alfa["id"], TODAY) == ["Mailjet"]  # general: at once
    assert names_on(client, headers, beta["id"], TODAY) == []  # specific: no approval, no use
    assert [n.recipient for n in notices(template="change.excluded")] == [LEGAL_EMAIL]

    # Alfa may still object within its own period: from then Mailjet does not process its data.
    page = client.get(link(change["id"], alfa["id"]))
    assert page.status_code == 200
    assert "Păstrați întregul termen pentru a formula obiecții." in page.text
    objected = answer(link(change["id"], alfa["id"]), name="Ion", reason="Date în UE.")
    assert objected.status_code == 303
    assert names_on(client, headers, alfa["id"], TODAY) == []
    apply_due(runner, TODAY)
    assert [n.recipient for n in notices(template="change.objection_held")] == [LEGAL_EMAIL]

    # Beta approves within its period: the change applies to it from then.
    approved = answer(link(change["id"], beta["id"]), answer="approve", name="Jane")
    assert approved.status_code == 303
    assert names_on(client, headers, beta["id"], TODAY) == ["Mailjet"]


def test_a_refusal_after_the_urgent_change_excluded_the_client_is_taken(
    client, runner, replacement, link, answer, legal_email
):
    change, beta = replacement["change"], replacement["beta"]
    apply_due(runner, TODAY)  # no approval yet: excluded, and the legal team told
    refused = answer(link(change["id"], beta["id"]), answer="refuse", name="Jane", reason="")
    assert refused.status_code == 303  # not an error for telling the legal team twice
    apply_due(runner, TODAY)
    assert len(notices(template="change.excluded")) == 1
