"""Webhook endpoints: registration (secret shown once, private addresses refused), signed deliveries that verify
with the standardwebhooks library, rotation with two signatures, retries on the spec's schedule, 410 disabling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from registry.db import utcnow
from registry.extensions import db
from registry.notices.worker import Worker
from registry.outbox.models import Channel, Notice, NoticeStatus, WebhookEndpoint
from tests.fixtures.clock import Clock


@pytest.fixture
def register(client, headers, mail_config):
    def make(client_id, url):
        response = client.post(
            f"/api/v1/clients/{client_id}/webhooks", json={"url": url}, headers=headers("account_manager")
        )
        assert response.status_code == 201, response.json
        return response.json

    return make


def webhook_notices(change_id=None):
    stmt = select(Notice).where(Notice.channel == Channel.WEBHOOK).order_by(Notice.id)
    if change_id is not None:
        stmt = stmt.where(Notice.change_id == change_id)
    return list(db.session.scalars(stmt))


def test_register_list_and_delete_an_endpoint(client, headers, make_world, mail_config, webhook_server):
    world = make_world(announce=False)
    url = f"/api/v1/clients/{world.en_client['id']}/webhooks"

    created = client.post(url, json={"url": webhook_server.url}, headers=headers("account_manager"))

    assert created.status_code == 201, created.json
    assert created.json["secret"].startswith("whsec_")
    assert created.json["url"] == webhook_server.url
    assert created.json["active"] is True
    listed = client.get(url, headers=headers("viewer"))
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json] == [created.json["id"]]
    assert "secret" not in listed.json[0]

    assert client.post(url, json={"url": webhook_server.url}, headers=headers("legal")).status_code == 403
    assert client.post(url, json={"url": webhook_server.url}, headers=headers("viewer")).status_code == 403
    assert client.delete(f"/api/v1/webhooks/{created.json['id']}", headers=headers("viewer")).status_code == 403
    assert (
        client.delete(f"/api/v1/webhooks/{created.json['id']}", headers=headers("account_manager")).status_code == 204
    )
    assert client.get(url, headers=headers("viewer")).json == []
    assert client.delete(f"/api/v1/webhooks/{created.json['id']}", headers=headers("admin")).status_code == 404
    assert client.get("/api/v1/clients/999999/webhooks", headers=headers("viewer")).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",  # loopback (not allowed in this test)
        "http://localhost/hook",
        "http://10.1.2.3/hook",  # private
        "http://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "http://[::1]/hook",
        "http://[::ffff:192.168.1.1]/hook",  # an IPv4-mapped private address
        "http://0.0.0.0/hook",
        "http://user:pw@hooks.example/hook",
        "ftp://hooks.example/hook",
        "not a url",
    ],
)
def test_refuses_urls_that_are_not_public_http(client, headers, make_world, url, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "")
    world = make_world(announce=False)

    response = client.post(
        f"/api/v1/clients/{world.en_client['id']}/webhooks", json={"url": url}, headers=headers("account_manager")
    )

    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    assert "url" in errors or "url" in errors.get("json", {})


def test_announcement_is_delivered_signed(app, client, headers, make_world, register, webhook_server):
    endpoints = {}

    def before_announce(world):
        endpoints["en"] = register(world.en_client["id"], webhook_server.url)

    world = make_world(before_announce=before_announce)
    rows = webhook_notices(world.change_id)
    assert [(n.recipient, n.template, n.client_id) for n in rows] == [
        (str(endpoints["en"]["id"]), "change.announced", world.en_client["id"])
    ]

    Worker(app).run(once=True)

    [received] = webhook_server.received
    assert received.path == "/hooks/registry"
    headers_ = received.headers
    assert headers_["webhook-id"] == f"notice_{rows[0].id}"
    assert abs(int(headers_["webhook-timestamp"]) - utcnow().timestamp()) < 300
    event = Webhook(endpoints["en"]["secret"]).verify(received.body, headers_)
    assert event["type"] == "change.announced"
    data = event["data"]
    assert data["client_id"] == world.en_client["id"]
    assert data["change"]["id"] == world.change_id
    assert data["change"]["subprocessor"]["name"] == "Nimbus & Co <Cloud>"
    assert [loc["country"] for loc in data["change"]["subprocessor"]["locations"]] == ["DE", "US"]
    assert data["expectation"] == "approval"
    assert data["respond_url"].startswith("http://registry.test/respond/")
    assert data["deadline"]
    db.session.refresh(rows[0])
    assert (rows[0].status, rows[0].message_id) == (NoticeStatus.SENT, f"notice_{rows[0].id}")

    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43 + "=").verify(received.body, headers_)
    tampered = received.body.replace(b"approval", b"objection_window")
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoints["en"]["secret"]).verify(tampered, headers_)


def test_withdrawal_is_delivered_to_the_endpoints_told_of_the_announcement(
    app, client, headers, make_world, register, webhook_server
):
    endpoints = {}
    world = make_world(
        before_announce=lambda w: endpoints.setdefault("ro", register(w.ro_client["id"], webhook_server.url))
    )
    Worker(app).run(once=True)

    response = client.post(
        f"/api/v1/changes/{world.change_id}/withdraw",
        json={"reason": "Nimbus withdrew its offer."},
        headers=headers("legal"),
    )
    assert response.status_code == 200, response.json
    Worker(app).run(once=True)

    types = [Webhook(endpoints["ro"]["secret"]).verify(r.body, r.headers)["type"] for r in webhook_server.received]
    assert types == ["change.announced", "change.withdrawn"]


def test_rotation_signs_with_both_secrets_for_a_day(app, client, headers, make_world, register, webhook_server):
    endpoints = {}
    world = make_world(
        before_announce=lambda w: endpoints.setdefault("en", register(w.en_client["id"], webhook_server.url))
    )
    old_secret = endpoints["en"]["secret"]

    rotated = client.post(f"/api/v1/webhooks/{endpoints['en']['id']}/rotate-secret", headers=headers("account_manager"))
    assert rotated.status_code == 200, rotated.json
    new_secret = rotated.json["secret"]
    assert new_secret.startswith("whsec_") and new_secret != old_secret

    Worker(app).run(once=True)

    [received] = webhook_server.received
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old_secret).verify(received.body, received.headers)["type"] == "change.announced"
    assert Webhook(new_secret).verify(received.body, received.headers)["type"] == "change.announced"

    endpoint = db.session.get(WebhookEndpoint, endpoints["en"]["id"])
    endpoint.rotated_at = utcnow() - timedelta(hours=25)  # a day later only the new secret signs
    db.session.commit()
    notice = webhook_notices(world.change_id)[0]
    client.post(
        f"/api/v1/changes/{world.change_id}/withdraw", json={"reason": "Changed our mind."}, headers=headers("legal")
    )
    Worker(app).run(once=True)
    last = webhook_server.received[-1]
    assert len(last.headers["webhook-signature"].split(" ")) == 1
    assert Webhook(new_secret).verify(last.body, last.headers)["type"] == "change.withdrawn"
    assert notice.id


def test_failures_are_retried_on_the_standard_webhooks_schedule(app, make_world, register, webhook_server):
    endpoints = {}
    world = make_world(
        before_announce=lambda w: endpoints.setdefault("en", register(w.en_client["id"], webhook_server.url))
    )
    webhook_server.replies = [500]

    before = utcnow()
    Worker(app).run(once=True)
    after = utcnow()

    [notice] = webhook_notices(world.change_id)
    db.session.refresh(notice)
    assert (notice.status, notice.attempts, notice.last_error) == (
        NoticeStatus.FAILED,
        1,
        "HTTP 500 Internal Server Error",
    )
    assert before + timedelta(seconds=4.5) <= notice.next_attempt_at <= after + timedelta(seconds=5.5)
    assert db.session.get(WebhookEndpoint, endpoints["en"]["id"]).failure_count == 1

    webhook_server.replies = [503]
    second_try = notice.next_attempt_at + timedelta(seconds=1)
    Worker(app, clock=Clock(second_try)).run(once=True)
    db.session.refresh(notice)
    assert (notice.status, notice.attempts) == (NoticeStatus.FAILED, 2)
    assert second_try + timedelta(minutes=4.5) <= notice.next_attempt_at <= second_try + timedelta(minutes=5.5)

    third_try = notice.next_attempt_at + timedelta(seconds=1)
    Worker(app, clock=Clock(third_try)).run(once=True)
    db.session.refresh(notice)
    assert (notice.status, notice.attempts) == (NoticeStatus.SENT, 3)
    assert db.session.get(WebhookEndpoint, endpoints["en"]["id"]).failure_count == 0
    assert len(webhook_server.received) == 3
    assert len({r.headers["webhook-id"] for r in webhook_server.received}) == 1  # the same id on every attempt


def test_410_disables_the_endpoint(app, client, headers, make_world, register, webhook_server):
    endpoints = {}
    world = make_world(
        before_announce=lambda w: endpoints.setdefault("en", register(w.en_client["id"], webhook_server.url))
    )
    webhook_server.replies = [410]

    Worker(app).run(once=True)

    [notice] = webhook_notices(world.change_id)
    db.session.refresh(notice)
    assert notice.status == NoticeStatus.DEAD
    assert "410" in notice.last_error
    listed = client.get(f"/api/v1/clients/{world.en_client['id']}/webhooks", headers=headers("viewer")).json
    assert listed[0]["active"] is False and listed[0]["disabled_at"] is not None
    alert = db.session.scalar(select(Notice).where(Notice.template == "notice.dead"))
    assert alert is not None and alert.payload["notice_id"] == notice.id

    client.post(f"/api/v1/changes/{world.change_id}/withdraw", json={"reason": "No."}, headers=headers("legal"))
    Worker(app).run(once=True)
    assert len(webhook_server.received) == 1  # nothing more goes to a disabled endpoint


def test_a_url_that_turns_private_is_not_called(app, make_world, register, webhook_server, monkeypatch):
    world = make_world(before_announce=lambda w: register(w.en_client["id"], webhook_server.url))
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "")  # as if DNS now pointed somewhere private

    Worker(app).run(once=True)

    [notice] = webhook_notices(world.change_id)
    db.session.refresh(notice)
    assert notice.status == NoticeStatus.FAILED
    assert "loopback" in notice.last_error
    assert webhook_server.received == []


def test_deleted_endpoint_drops_its_events_without_alert(app, client, headers, make_world, register, webhook_server):
    endpoints = {}
    world = make_world(
        before_announce=lambda w: endpoints.setdefault("en", register(w.en_client["id"], webhook_server.url))
    )
    client.delete(f"/api/v1/webhooks/{endpoints['en']['id']}", headers=headers("account_manager"))

    Worker(app).run(once=True)

    [notice] = webhook_notices(world.change_id)
    db.session.refresh(notice)
    assert (notice.status, notice.last_error) == (NoticeStatus.DEAD, "The webhook endpoint was deleted.")
    assert db.session.scalar(select(Notice).where(Notice.template == "notice.dead")) is None
    assert webhook_server.received == []
