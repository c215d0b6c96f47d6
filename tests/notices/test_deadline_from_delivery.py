"""A client's deadline runs from the first delivery of its notice (an SMTP server accepting it, or a 2xx webhook
answer), driven through the real worker: not from the announcement. Until delivered a client has no deadline and
the change does not apply to it; a notice that goes dead alerts the legal team."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from registry import deadlines
from registry.changes import services as changes
from registry.changes.models import AffectedClient
from registry.extensions import db
from registry.notices.worker import Worker
from tests.factories import World
from tests.fixtures.clock import Clock
from tests.notices.conftest import LEGAL

RO, EN = "ana@stefanescu.ro", "privacy@acme.example"


def _rows(client, headers, change_id):
    listed = client.get(f"/api/v1/changes/{change_id}/clients", headers=headers("viewer")).json
    return {row["name"]: row for row in listed}


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _announce_undelivered(client, headers, make_world):
    world = make_world(announce=False)
    World(client, headers).announce(world.change_id, delivered=False)
    return world


def test_the_deadline_is_counted_from_the_delivery_and_stated_in_the_notice(
    app, client, headers, make_world, mail_config
):
    world = _announce_undelivered(client, headers, make_world)
    rows = _rows(client, headers, world.change_id)
    assert [rows["Ștefănescu"]["deadline"], rows["Acme Europe"]["deadline"]] == [None, None]  # not told yet

    # Delivered three days after the announcement, on Friday 4 Dec 2026 (a working day): 30 days from Sat 5 Dec
    # end on Sun 3 Jan 2027, so the deadline moves to Mon 4 Jan.
    at = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    Worker(app, clock=Clock(at)).run(once=True)

    rows = _rows(client, headers, world.change_id)
    assert rows["Ștefănescu"]["deadline"] == "2027-01-04"
    assert rows["Acme Europe"]["deadline"] == "2027-01-04"
    assert rows["Ștefănescu"]["delivered_at"] == "2026-12-04T09:30:00+00:00"
    affected = db.session.query(AffectedClient).filter_by(client_id=world.ro_client["id"]).one()
    assert affected.delivered_at == at
    ro, en = mail_config.to(RO)[0], mail_config.to(EN)[0]
    assert "până la 4 ianuarie 2027, ora 24:00 (ora României)" in _text(ro)
    assert "by 4 January 2027, 24:00 (Bucharest time)" in _text(en)


def test_a_later_delivery_does_not_move_the_deadline(app, client, headers, make_world, mail_config):
    world = _announce_undelivered(client, headers, make_world)
    first = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    Worker(app, clock=Clock(first)).run(once=True)
    later = first + timedelta(days=9)
    assert changes.notice_delivered(world.change_id, world.ro_client["id"], at=later) is None
    assert _rows(client, headers, world.change_id)["Ștefănescu"]["deadline"] == "2027-01-04"


def test_a_webhook_answered_2xx_delivers_the_notice_when_the_email_bounces(
    app, client, headers, make_world, mail_config, webhook_server
):
    def hook(scene):
        response = client.post(
            f"/api/v1/clients/{scene.ro_client['id']}/webhooks",
            json={"url": webhook_server.url},
            headers=headers("account_manager"),
        )
        assert response.status_code == 201, response.json

    world = make_world(announce=False, before_announce=hook)
    World(client, headers).announce(world.change_id, delivered=False)
    mail_config.sink.refuse[RO] = "550 5.1.1 No such user"
    # Monday 7 Dec: 30 days from Tue 8 Dec end on Thu 7 Jan 2027, St John's day (a public holiday since 2024)
    at = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    Worker(app, clock=Clock(at)).run(once=True)
    [event] = [r.json() for r in webhook_server.received if r.json()["type"] == "change.announced"]
    assert event["data"]["deadline"] == "2027-01-08"
    assert _rows(client, headers, world.change_id)["Ștefănescu"]["deadline"] == "2027-01-08"


def test_until_its_notice_arrives_a_client_has_no_deadline_and_the_change_waits_for_it(
    app, client, headers, runner, make_world, mail_config
):
    world = _announce_undelivered(client, headers, make_world)
    mail_config.sink.refuse[RO] = "550 5.1.1 No such user"
    at = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    Worker(app, clock=Clock(at)).run(once=True)
    rows = _rows(client, headers, world.change_id)
    assert rows["Ștefănescu"]["deadline"] is None  # its notice is dead: it was never told
    assert rows["Acme Europe"]["deadline"] == "2027-01-04"
    [alert] = mail_config.to(LEGAL)
    assert f"could not be delivered to {RO}" in alert["Subject"]

    effective = date.fromisoformat(
        client.get(f"/api/v1/changes/{world.change_id}", headers=headers("viewer")).json["effective_on"]
    )
    assert "1 change(s) took effect" in runner.invoke(args=["changes", "apply-due", "--today", str(effective)]).output
    ro_id = world.ro_client["id"]
    assert _names(client, headers, ro_id, effective) == []  # the change waits for the client it could not tell
    row = _rows(client, headers, world.change_id)["Ștefănescu"]
    assert (row["excluded"], row["waiting"], row["delivered_at"]) == (True, True, None)

    # The address is corrected and the notice sent again a week later: its term starts then.
    del mail_config.sink.refuse[RO]
    assert runner.invoke(args=["notices", "retry", "--failed", "--change", str(world.change_id)]).exit_code == 0
    told = datetime.combine(effective + timedelta(days=7), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    Worker(app, clock=Clock(told)).run(once=True)
    deadline = deadlines.answer_deadline(told, 30)
    assert _rows(client, headers, world.change_id)["Ștefănescu"]["deadline"] == deadline.isoformat()
    runner.invoke(args=["changes", "apply-due", "--today", str(deadline)])
    assert _names(client, headers, ro_id, deadline) == []  # not before its own deadline has passed
    runner.invoke(args=["changes", "apply-due", "--today", str(deadline + timedelta(days=1))])
    assert _names(client, headers, ro_id, deadline + timedelta(days=1)) == ["Nimbus & Co <Cloud>"]


def _names(client, headers, client_id, as_of):
    listed = client.get(
        f"/api/v1/clients/{client_id}/subprocessors?as_of={as_of.isoformat()}", headers=headers("viewer")
    ).json
    return sorted(entry["name"] for entry in listed)
