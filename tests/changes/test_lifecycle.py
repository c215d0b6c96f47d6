"""The whole life of a change for a general and a specific client, through the API, the respond pages and the CLI."""

from datetime import timedelta

from registry.changes.models import AffectedClient
from tests.changes.conftest import LEGAL_EMAIL, MAILJET, TODAY, count, deadline_after, earliest, notices


def _list(client, headers, client_id, as_of):
    response = client.get(
        f"/api/v1/clients/{client_id}/subprocessors?as_of={as_of.isoformat()}&page_size=100", headers=headers("viewer")
    )
    assert response.status_code == 200, response.json
    return [entry["name"] for entry in response.json]


def test_general_client_objects_and_specific_client_approves(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, link, answer, legal_email
):
    general = make_client("Alfa", notice_period_days=30, language="ro")
    specific = make_client("Beta", authorization="specific", notice_period_days=45, language="en")
    other = make_client("Gama", services=["livestream"])
    mailjet = make_subprocessor("Mailjet", **MAILJET)
    effective = earliest(45)
    change = make_change(mailjet["id"], effective_on=effective.isoformat())
    assert change["status"] == "draft"
    assert change["affected_clients"] is None

    announced = announce(change["id"])
    assert announced["status"] == "announced"
    assert announced["announced_at"]
    assert announced["affected_clients"] == 2

    rows = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"Alfa", "Beta"}
    assert by_name["Alfa"]["expectation"] == "objection_window"
    assert by_name["Alfa"]["deadline"] == deadline_after(30).isoformat()
    assert by_name["Beta"]["expectation"] == "approval"
    assert by_name["Beta"]["deadline"] == (effective - timedelta(days=1)).isoformat()  # the day before it applies
    assert all(row["answer"] is None and row["excluded"] is False for row in rows)

    sent = notices(template="change.announced")
    assert {(n.recipient, n.language, n.client_id) for n in sent} == {
        ("dpo@alfa.test", "ro", general["id"]),
        ("dpo@beta.test", "en", specific["id"]),
    }
    assert other["id"] not in {n.client_id for n in sent}

    # The general client objects, in Romanian.
    page = client.get(link(change["id"], general["id"]))
    assert page.status_code == 200
    assert "Formulați obiecții" in page.text
    assert "Mailjet SAS" in page.text
    assert "Clauze contractuale standard" in page.text
    posted = answer(link(change["id"], general["id"]), name="Ion Pop", reason="Nu dorim transfer în SUA.")
    assert posted.status_code == 303
    done = client.get(posted.headers["Location"])
    assert "răspunsul a fost înregistrat" in done.text
    assert "Ion Pop" in done.text

    # The specific client approves, in English.
    page = client.get(link(change["id"], specific["id"]))
    assert "I approve this change" in page.text
    assert "Standard contractual clauses (Decision (EU) 2021/914), module 3" in page.text
    posted = answer(link(change["id"], specific["id"]), answer="approve", name="Jane Doe")
    assert posted.status_code == 303

    responses = client.get(f"/api/v1/changes/{change['id']}/responses", headers=headers("legal")).json
    assert [(r["client_name"], r["answer"], r["channel"]) for r in responses] == [
        ("Alfa", "object", "web"),
        ("Beta", "approve", "web"),
    ]
    assert responses[0]["ip"] == "127.0.0.1"
    assert {n.recipient for n in notices(template="response.acknowledged")} == {"dpo@alfa.test", "dpo@beta.test"}
    assert len(notices(template="response.legal", recipient=LEGAL_EMAIL)) == 2

    # Before the date: nothing changed for anyone.
    assert "Mailjet" not in _list(client, headers, general["id"], TODAY)
    result = runner.invoke(args=["changes", "apply-due", "--today", (effective - timedelta(days=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "0 change(s) took effect" in result.output

    result = runner.invoke(args=["changes", "apply-due", "--today", effective.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 change(s) took effect" in result.output
    got = client.get(f"/api/v1/changes/{change['id']}", headers=headers("viewer")).json
    assert got["status"] == "effective"
    # The objection was never resolved: it holds the change for Alfa, and the legal team hears of it.
    assert "Mailjet" not in _list(client, headers, general["id"], effective)
    assert "Mailjet" in _list(client, headers, specific["id"], effective)
    assert count(AffectedClient, change_id=change["id"], excluded=True) == 1
    assert {n.recipient for n in notices(template="change.effective")} == {"dpo@alfa.test", "dpo@beta.test"}
    assert [n.client_id for n in notices(template="change.objection_held")] == [general["id"]]
