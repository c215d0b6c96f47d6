"""What a notice tells a client so it can act: which of its services the change concerns, its agreement in force,
what it can do if it objects, and for an update the values before and after; the same facts in the webhook data."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

from babel.dates import format_date

from registry.db import utcnow
from registry.notices import emails, webhooks
from tests.changes.conftest import TODAY, notices


def _body(notice):
    message = message_from_bytes(emails.render(notice, now=utcnow()).data, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def _sent_dpa(client, headers, client_id):
    dpa = client.post(f"/api/v1/clients/{client_id}/dpas", json={}, headers=headers("account_manager"))
    assert dpa.status_code == 201, dpa.json
    sent = client.post(f"/api/v1/dpas/{dpa.json['id']}/send", headers=headers("account_manager"))
    assert sent.status_code == 200, sent.json
    return sent.json


def test_an_announcement_names_the_clients_services_its_agreement_and_its_remedies(
    app, monkeypatch, client, headers, world, make_subprocessor, make_client, make_change, announce
):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "hooks.example.com")
    smith = make_client("Smith", language="en", services=["crm", "livestream"])
    dpa = _sent_dpa(client, headers, smith["id"])
    hook = client.post(
        f"/api/v1/clients/{smith['id']}/webhooks",
        json={"url": "https://hooks.example.com/x"},
        headers=headers("account_manager"),
    )
    assert hook.status_code == 201, hook.json
    mailjet = make_subprocessor("Mailjet", services=["crm"])
    announce(make_change(mailjet["id"])["id"])

    [email] = notices(template="change.announced", channel="email")
    text = " ".join(_body(email).split())
    assert "Your services concerned: CRM." in text  # not livestream: Mailjet does not serve it
    assert f"Your data processing agreement: {dpa['number']}, version {dpa['version']}." in text
    assert "If you object, we will look for a solution with you" in text
    assert "stating your data protection grounds (Clause 5.3" in text
    assert "Until your objection is resolved, Mailjet will not process your data" in text
    assert "terminate the affected services or the main agreement without penalty by written notice" in text
    assert "refund any fees paid in advance" in text
    assert "You may also object in writing: by replying to this email." in text  # no address in this profile

    [hooked] = notices(template="change.announced", channel="webhook")
    data = webhooks.event_data(hooked)
    assert data["services"] == ["CRM"]
    assert data["dpa"] == {"number": dpa["number"], "version": dpa["version"], "status": "sent"}
    assert (data["excluded"], data["held"], data["expectation"]) == (False, False, "objection_window")


def test_an_update_shows_each_changed_value_before_and_after(
    client, headers, make_subprocessor, make_client, make_change, announce, world
):
    make_client("Alfa")
    hetzner = make_subprocessor("Hetzner", status="active", category="hosting")
    proposed = {"locations": [{"country": "CH", "label": "Zürich", "role": "storage"}]}
    change = make_change(
        hetzner["id"],
        kind="update",
        summary="Datele se mută la Zürich",
        proposed=proposed,
        effective_on=(TODAY + timedelta(days=45)).isoformat(),
    )
    announce(change["id"])
    [email] = notices(template="change.announced", channel="email")
    text = " ".join(_body(email).split())
    assert "Ce se schimbă:" in text
    assert "locațiile și garanțiile pentru transfer: înainte: Germania" in text
    assert "după modificare: Elveția (Zürich), stocare: Decizie de adecvare" in text


def test_a_signed_agreement_is_dated_in_words_in_the_clients_language(
    client, headers, make_subprocessor, make_client, make_change, announce
):
    signed_on = TODAY - timedelta(days=3)
    for name, language in (("Smith", "en"), ("Popescu", "ro")):
        customer = make_client(name, language=language)
        dpa = _sent_dpa(client, headers, customer["id"])
        signed = client.post(
            f"/api/v1/dpas/{dpa['id']}/sign",
            json={"signed_on": signed_on.isoformat(), "signatory": "Ana Pop"},
            headers=headers("account_manager"),
        )
        assert signed.status_code == 200, signed.json
    announce(make_change(make_subprocessor("Mailjet")["id"])["id"])

    by_language = {email.language: " ".join(_body(email).split()) for email in notices(channel="email")}
    assert f"signed on {format_date(signed_on, 'd MMMM y', locale='en')}." in by_language["en"]
    assert f"semnat la {format_date(signed_on, 'd MMMM y', locale='ro')}." in by_language["ro"]
    assert signed_on.isoformat() not in by_language["en"] + by_language["ro"]


def test_an_onward_subprocessor_is_announced_with_the_one_that_engages_it(
    make_subprocessor, make_client, make_change, announce
):
    make_client("Alfa", language="en")
    make_client("Beta")
    parent = make_subprocessor("Cloud EU", status="active")
    child = make_subprocessor("Cloud Support Inc", parent_id=parent["id"])
    announce(make_change(child["id"])["id"])
    bodies = {n.language: _body(n) for n in notices(template="change.announced", channel="email")}
    assert "Onward sub-processor of: Cloud EU (Cloud EU Ltd)" in bodies["en"]
    assert "Sub-împuternicit recrutat de: Cloud EU (Cloud EU Ltd)" in bodies["ro"]
