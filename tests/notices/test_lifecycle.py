"""Every notice of a change's life is delivered and reads well: answers acknowledged, reminders, the change taking
effect (with the legal team's alerts), in Romanian and in English."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy

from sqlalchemy import select

from registry.audit.services import Actor
from registry.changes import reminders, responses, standing
from registry.changes import services as changes
from registry.db import utcnow
from registry.extensions import db
from registry.notices import emails
from registry.notices.worker import Worker
from registry.outbox.models import Channel, Notice, NoticeStatus
from tests.fixtures.clock import Clock
from tests.notices.conftest import LEGAL

ACTOR = Actor("test")


def parse(rendered):
    return message_from_bytes(rendered.data, policy=policy.default)


def test_a_change_from_announcement_to_effect(app, client, headers, make_world, mail_config, webhook_server):
    secrets = {}

    def before_announce(world):
        response = client.post(
            f"/api/v1/clients/{world.ro_client['id']}/webhooks",
            json={"url": webhook_server.url},
            headers=headers("account_manager"),
        )
        secrets["ro"] = response.json["secret"]

    world = make_world(before_announce=before_announce)
    change = changes.get_change(world.change_id)
    ro_affected = standing.find_affected(change.id, world.ro_client["id"])
    responses.record_response(
        ro_affected,
        answer="object",
        respondent_name="Ana Ștefănescu",
        respondent_email="ana@stefanescu.ro",
        reason="Datele nu pot pleca în SUA.",
        ip=None,
        now=utcnow(),
    )
    db.session.commit()
    en_affected = standing.find_affected(change.id, world.en_client["id"])
    reminders.send_reminders(en_affected.deadline - timedelta(days=2), actor=ACTOR)
    db.session.commit()
    changes.apply_due(change.effective_on, actor=ACTOR)
    db.session.commit()

    result = Worker(app).run(once=True)

    notices = list(db.session.scalars(select(Notice).order_by(Notice.id)))
    assert {n.status for n in notices} == {NoticeStatus.SENT}, [(n.template, n.last_error) for n in notices]
    assert result.sent == len(notices)
    templates = {(n.template, n.channel, n.recipient) for n in notices}
    assert {
        ("response.acknowledged", Channel.EMAIL, "ana@stefanescu.ro"),
        ("response.legal", Channel.EMAIL, LEGAL),
        ("reminder", Channel.EMAIL, "privacy@acme.example"),
        ("change.effective", Channel.EMAIL, "ana@stefanescu.ro"),
        ("change.effective", Channel.EMAIL, "privacy@acme.example"),
        ("change.excluded", Channel.EMAIL, LEGAL),
        ("change.objection_held", Channel.EMAIL, LEGAL),
    } <= templates
    kinds = [r.json()["type"] for r in webhook_server.received]
    assert kinds == [
        "change.announced",
        "response.recorded",
        "client.excluded",
        "change.effective",
    ]  # held: its objection

    by_subject = {str(m["Subject"]): m for m in mail_config.messages}
    acknowledged = next(m for s, m in by_subject.items() if s.startswith("Am primit obiecția dumneavoastră"))
    text = acknowledged.get_body(preferencelist=("plain",)).get_content()
    assert "Datele nu pot pleca în SUA." in text and "Ana Ștefănescu" in text
    reminder = next(m for s, m in by_subject.items() if s.startswith("Reminder: your approval is needed by"))
    assert "http://registry.test/respond/" in reminder.get_body(preferencelist=("plain",)).get_content()
    excluded = next(m for s, m in by_subject.items() if s.startswith("Excluded: Nimbus & Co <Cloud>"))
    assert "did not approve" in excluded.get_body(preferencelist=("plain",)).get_content()
    effective_en = next(
        m for m in mail_config.messages if m["To"] == "privacy@acme.example" and "In effect" in m["Subject"]
    )
    assert "but not for you" in effective_en.get_body(preferencelist=("plain",)).get_content()

    for notice in notices:  # every template also reads well in the other language
        if notice.channel != Channel.EMAIL:
            continue
        for language in ("ro", "en"):
            notice.language = language
            message = parse(emails.render(notice, now=utcnow()))
            text = message.get_body(preferencelist=("plain",)).get_content()
            html = message.get_body(preferencelist=("html",)).get_content()
            assert "Nimbus & Co <Cloud>" in str(message["Subject"]) or notice.template == "notice.dead"
            assert "None" not in text and "Undefined" not in text, (notice.template, language, text)
            assert "Nimbus &amp; Co &lt;Cloud&gt;" in html
    db.session.rollback()


def test_an_apply_failure_alert_reads_well(app, make_world):
    world = make_world()
    notice = Notice(
        event="test/apply-failed",
        template="change.apply_failed",
        channel=Channel.EMAIL,
        recipient=LEGAL,
        language="en",
        change_id=world.change_id,
        payload={"error": "US location needs a safeguard.", "on": "2027-01-06"},
    )
    db.session.add(notice)
    db.session.flush()

    message = parse(emails.render(notice, now=utcnow()))

    assert str(message["Subject"]) == f"Change {world.change_id} could not take effect: Nimbus & Co <Cloud>"
    assert "US location needs a safeguard." in message.get_body(preferencelist=("plain",)).get_content()


def test_the_worker_applies_due_changes_and_delivers_their_notices(app, make_world, mail_config):
    world = make_world()
    change = changes.get_change(world.change_id)
    on_the_day = datetime.combine(change.effective_on, time(9), UTC)

    Worker(app, clock=Clock(on_the_day)).run(once=True)

    db.session.refresh(change)
    assert change.status == "effective"
    effective = [m for m in mail_config.messages if str(m["Subject"]).startswith(("In effect", "Se aplică: "))]
    assert sorted(str(m["To"]) for m in effective) == ["ana@stefanescu.ro", "privacy@acme.example"]
