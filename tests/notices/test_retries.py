"""Failures: temporary ones are retried on the schedule, permanent ones die at once and alert the legal team;
leases keep two claims apart and expire after a crash; the CLI lists and re-queues."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from registry.db import utcnow
from registry.extensions import db
from registry.notices import delivery
from registry.notices.worker import Worker
from registry.outbox.models import Channel, Notice, NoticeStatus
from tests.fixtures.clock import Clock
from tests.notices.conftest import LEGAL


def notices_of(change_id):
    return list(db.session.scalars(select(Notice).where(Notice.change_id == change_id).order_by(Notice.id)))


def alerts():
    return list(db.session.scalars(select(Notice).where(Notice.template == "notice.dead").order_by(Notice.id)))


def later(delta):
    return Clock(utcnow() + delta)


def test_temporary_failure_is_retried_after_a_minute(app, make_world, mail_config):
    world = make_world()
    mail_config.sink.rcpt_reply = "451 4.3.0 Mailbox busy, try later"

    before = utcnow()
    Worker(app).run(once=True)
    after = utcnow()

    notices = notices_of(world.change_id)
    for notice in notices:
        db.session.refresh(notice)
        assert notice.status == NoticeStatus.FAILED
        assert notice.attempts == 1
        assert "451" in notice.last_error
        assert before + timedelta(minutes=1) <= notice.next_attempt_at <= after + timedelta(minutes=1)
        assert notice.lease_until is None
    assert mail_config.messages == []

    mail_config.sink.rcpt_reply = None
    Worker(app).run(once=True)  # not due yet
    assert mail_config.messages == []

    Worker(app, clock=later(timedelta(minutes=2))).run(once=True)
    assert len(mail_config.messages) == 2
    for notice in notices:
        db.session.refresh(notice)
        assert (notice.status, notice.attempts, notice.last_error) == (NoticeStatus.SENT, 2, None)


def test_smtp_server_down_then_back_delivers_everything(app, make_world, mail_config):
    world = make_world()
    mail_config.stop()

    first = Worker(app).run(once=True)

    assert (first.sent, first.failed) == (0, 2)
    assert all("cannot reach the SMTP server" in n.last_error for n in notices_of(world.change_id))

    mail_config.start()
    second = Worker(app, clock=later(timedelta(minutes=1, seconds=1))).run(once=True)

    assert second.sent == 2
    assert sorted(str(m["To"]) for m in mail_config.messages) == ["ana@stefanescu.ro", "privacy@acme.example"]
    assert {n.status for n in notices_of(world.change_id)} == {NoticeStatus.SENT}


def test_permanent_smtp_error_kills_the_notice_and_alerts_legal(app, client, headers, make_world, mail_config):
    world = make_world()
    reply = "550 5.1.1 No such user here"
    mail_config.sink.refuse = {"ana@stefanescu.ro": reply, "privacy@acme.example": reply}

    result = Worker(app).run(once=True)

    assert (result.dead, result.sent) == (2, 2)  # the two notices die; the two alerts about them are sent
    dead = notices_of(world.change_id)
    assert {(n.status, n.attempts) for n in dead} == {(NoticeStatus.DEAD, 1)}
    assert all("550 5.1.1 No such user here" in n.last_error for n in dead)
    found = alerts()
    assert {(a.recipient, a.payload["notice_id"], a.status) for a in found} == {
        (LEGAL, n.id, NoticeStatus.SENT) for n in dead
    }
    legal = [m for m in mail_config.messages if m["To"] == LEGAL]
    assert len(legal) == 2
    subjects = sorted(str(m["Subject"]) for m in legal)
    assert subjects == sorted(f"Notice {n.id} could not be delivered to {n.recipient}" for n in dead)
    text = legal[0].get_body(preferencelist=("plain",)).get_content()
    assert "550 5.1.1 No such user here" in text
    counts = client.get(f"/api/v1/notices?status=dead&change_id={world.change_id}", headers=headers("viewer"))
    assert len(counts.json) == 2


def test_an_alert_that_dies_raises_no_further_alert(app, make_world, mail_config):
    make_world()
    mail_config.sink.rcpt_reply = "550 5.7.1 Rejected"

    result = Worker(app).run(once=True)  # the notices die, then the two alerts about them too

    assert result.dead == 4

    found = alerts()
    assert len(found) == 2
    assert {a.status for a in found} == {NoticeStatus.DEAD}
    assert (
        db.session.scalar(select(Notice).where(Notice.payload["notice_id"].as_integer().in_([a.id for a in found])))
        is None
    )


def test_the_last_failed_email_attempt_is_dead(app, make_world, mail_config):
    world = make_world()
    db.session.execute(
        update(Notice)
        .where(Notice.change_id == world.change_id)
        .values(attempts=len(delivery.EMAIL_RETRY_DELAYS), status=NoticeStatus.FAILED)
    )
    db.session.commit()
    mail_config.sink.rcpt_reply = "451 4.3.0 Still busy"

    Worker(app).run(once=True)

    assert {(n.status, n.attempts) for n in notices_of(world.change_id)} == {
        (NoticeStatus.DEAD, len(delivery.EMAIL_RETRY_DELAYS) + 1)
    }


def test_retry_schedules():
    email = [delivery.retry_delay(Channel.EMAIL, n) for n in range(1, 9)]
    assert email == [timedelta(minutes=m) for m in (1, 5, 30, 120, 360, 720, 1440)] + [None]
    expected = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    for attempts, seconds in enumerate(expected, start=1):
        delay = delivery.retry_delay(Channel.WEBHOOK, attempts)
        assert delay is not None
        assert seconds * 0.9 <= delay.total_seconds() <= seconds * 1.1
    assert delivery.retry_delay(Channel.WEBHOOK, len(expected) + 1) is None


def test_a_claim_is_exclusive_until_its_lease_expires(app, make_world):
    world = make_world()
    now = utcnow()

    first, lease = delivery.claim(now, 10)
    second, _ = delivery.claim(now, 10)
    after_expiry, _ = delivery.claim(lease + timedelta(seconds=1), 10)

    assert sorted(first) == [n.id for n in notices_of(world.change_id)]
    assert second == []
    assert after_expiry == first  # the worker holding them "crashed": they are claimed again


def test_cli_lists_and_requeues_failed_notices(app, runner, make_world, mail_config):
    world = make_world()
    mail_config.sink.refuse = {"ana@stefanescu.ro": "550 5.1.1 No such user here", LEGAL: "451 4.3.0 Busy"}
    Worker(app).run(once=True)

    listed = runner.invoke(args=["notices", "list", "--status", "dead", "--change", str(world.change_id)])
    assert listed.exit_code == 0, listed.output
    assert "ana@stefanescu.ro" in listed.output and "550 5.1.1" in listed.output
    assert "1 of 1 notices" in listed.output
    assert "4.3.0 Busy" in runner.invoke(args=["notices", "list", "--status", "failed"]).output  # the alert

    mail_config.sink.refuse = {}
    retried = runner.invoke(args=["notices", "retry", "--failed"])
    assert retried.exit_code == 0, retried.output
    assert "2 notices queued again" in retried.output  # the dead notice and the failed alert about it

    result = runner.invoke(args=["worker", "--once"])
    assert "sent 2" in result.output
    assert {n.status for n in notices_of(world.change_id)} == {NoticeStatus.SENT}


@pytest.mark.parametrize("role, status", [("viewer", 200), ("legal", 200), ("account_manager", 200)])
def test_every_role_reads_the_delivery_log(client, headers, role, status):
    assert client.get("/api/v1/notices", headers=headers(role)).status_code == status
    assert client.get("/api/v1/notices").status_code == 401


def test_stopping_finishes_the_notice_in_hand_and_releases_the_rest(app, make_world, mail_config):
    world = make_world()

    result = delivery.deliver_batch(app, limit=10, should_stop=lambda: len(mail_config.messages) >= 1)

    assert (result.claimed, result.sent, result.released) == (2, 1, 1)
    notices = notices_of(world.change_id)
    for notice in notices:
        db.session.refresh(notice)
    assert sorted((n.status, n.lease_until) for n in notices) == [
        (NoticeStatus.PENDING, None),
        (NoticeStatus.SENT, None),
    ]
    assert Worker(app).run(once=True).sent == 1  # released: another pass takes it at once
