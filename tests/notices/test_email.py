"""Email notices: what clients receive (headers, localised bodies, links) and how failures are retried."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlalchemy import select

from registry.extensions import db
from registry.notices.worker import Worker
from registry.outbox.models import Notice, NoticeStatus
from tests.notices.conftest import LEGAL, announce_change


def bodies(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def by_recipient(messages):
    return {str(message["To"]): message for message in messages}


def test_announcement_reaches_each_client_in_its_language(app, client, headers, runner, make_world, mail_config):
    world = make_world()
    change = client.get(f"/api/v1/changes/{world.change_id}", headers=headers("viewer")).json
    assert change["deliveries"] == {"delivered": 0, "pending": 2, "failed": 0, "dead": 0}

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    change = client.get(f"/api/v1/changes/{world.change_id}", headers=headers("viewer")).json
    assert change["deliveries"] == {"delivered": 2, "pending": 0, "failed": 0, "dead": 0}
    received = by_recipient(mail_config.messages)
    assert set(received) == {"ana@stefanescu.ro", "privacy@acme.example"}
    notices = {n.recipient: n for n in db.session.scalars(select(Notice).where(Notice.change_id == world.change_id))}

    ro = received["ana@stefanescu.ro"]
    assert ro["Message-ID"] == f"<notice-{notices['ana@stefanescu.ro'].id}@registry.test>"
    assert ro["Message-ID"] == notices["ana@stefanescu.ro"].message_id
    assert ro["Date"] is not None
    assert ro["Reply-To"] == LEGAL
    assert ro["From"] == "registry@processor.test"
    assert ro["Content-Language"] == "ro"
    assert "Nimbus & Co <Cloud>" in ro["Subject"]
    assert ro["Subject"].startswith("Notificare sub-împuterniciți: sub-împuternicit nou")
    text, html = bodies(ro)
    assert "Formulați obiecții" in text
    assert "cu privire la o modificare preconizată a listei sub-împuterniciților (persoane împuternicite" in text
    assert "Nimbus Cloud Services GmbH" in text
    assert "Hauptstraße 1, 10115 Berlin, Germania" in text
    assert "Categorii de date cu caracter personal: contact data, call recordings" in text
    assert "Statele Unite ale Americii, suport tehnic: " in text  # the US support location and its safeguard
    assert "Hosting of the CRM database" in text
    assert "Jana Weber, DPO, dpo@nimbus.example" in text
    ro_client_feed = client.get(f"/api/v1/clients/{world.ro_client['id']}", headers=headers("legal")).json["feed_url"]
    assert ro_client_feed in text
    assert "http://registry.test/respond/" in text
    assert "Nimbus &amp; Co &lt;Cloud&gt;" in html  # HTML is escaped
    assert "<Cloud>" not in html

    en = received["privacy@acme.example"]
    assert en["Subject"].startswith("Sub-processor notice: new sub-processor \u2013 Nimbus & Co <Cloud>, effective ")
    text, html = bodies(en)
    assert "needs your prior approval" in text
    assert "Approve or refuse: http://registry.test/respond/" in text
    assert "United States, support: Standard contractual clauses (Decision (EU) 2021/914), module 3" in text
    assert "Germany (EU (Frankfurt)), storage: EEA (no transfer)" in text
    assert en["Message-ID"] != ro["Message-ID"]

    listed = client.get(f"/api/v1/notices?change_id={world.change_id}", headers=headers("viewer"))
    assert listed.status_code == 200
    rows = {row["recipient"]: row for row in listed.json}
    assert rows["privacy@acme.example"]["status"] == "sent"
    assert rows["privacy@acme.example"]["attempts"] == 1
    assert rows["privacy@acme.example"]["message_id"] == en["Message-ID"]
    assert rows["privacy@acme.example"]["sent_at"] is not None
    assert rows["privacy@acme.example"]["last_error"] is None


def test_without_smtp_server_messages_are_written_to_the_outbox(app, make_world, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "INSTANCE_OUTBOX", str(tmp_path))
    world = make_world()

    Worker(app).run(once=True)

    notices = list(db.session.scalars(select(Notice).where(Notice.change_id == world.change_id)))
    assert {n.status for n in notices} == {NoticeStatus.SENT}
    for notice in notices:
        message = message_from_bytes(
            (tmp_path / f"notice-{notice.id}@registry.test.eml").read_bytes(), policy=policy.default
        )
        assert message["To"] == notice.recipient
        assert message["Message-ID"] == notice.message_id


def test_a_change_shows_how_its_notices_went(client, headers, make_world, mail_config):
    world = make_world(announce=False)
    assert client.get(f"/api/v1/changes/{world.change_id}", headers=headers("viewer")).json["deliveries"] is None
    announce_change(client, headers, world.change_id)
    mail_config.sink.refuse = {"ana@stefanescu.ro": "550 5.1.1 No such user"}

    Worker(client.application).run(once=True)

    change = client.get(f"/api/v1/changes/{world.change_id}", headers=headers("viewer")).json
    assert change["deliveries"] == {"delivered": 1, "pending": 0, "failed": 0, "dead": 1}
