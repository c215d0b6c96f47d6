"""Email subscriptions: double opt-in through the outbox, one-click unsubscribe, and the form's defences."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from registry.extensions import db
from registry.outbox.models import Notice
from registry.subscriptions import services
from registry.subscriptions.models import Subscriber, SubscriberStatus

BASE = "http://registry.test"


def csrf(client: FlaskClient, lang: str = "en") -> str:
    page = client.get(f"/subscribe?lang={lang}")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def subscribe(
    client: FlaskClient, email: str, *, language: str = "en", services: tuple[str, ...] = (), ip: str = "192.0.2.1"
) -> Any:
    data = {"csrf_token": csrf(client), "email": email, "language": language, "services": list(services)}
    return client.post("/subscribe", data=data, environ_base={"REMOTE_ADDR": ip})


def confirmation_notices(email: str) -> list[Notice]:
    stmt = (
        select(Notice).where(Notice.recipient == email, Notice.template == "subscription.confirm").order_by(Notice.id)
    )
    return list(db.session.scalars(stmt))


def subscriber(email: str) -> Subscriber | None:
    return db.session.scalar(select(Subscriber).where(Subscriber.email_key == email.lower()))


def path_of(url: str) -> str:
    assert url.startswith(BASE)
    return url.removeprefix(BASE)


def test_the_form_needs_its_csrf_token(client: FlaskClient) -> None:
    response = client.post("/subscribe", data={"email": "ana@example.ro", "language": "en"})
    assert response.status_code == 400
    assert "The form had expired" in response.text
    assert subscriber("ana@example.ro") is None
    forged = client.post("/subscribe", data={"csrf_token": "forged", "email": "ana@example.ro"})
    assert forged.status_code == 400


def test_subscribing_queues_a_confirmation_email(client: FlaskClient, world: Any) -> None:
    world.service("crm")
    response = subscribe(client, "Ana@Example.ro", language="ro", services=("crm",))
    assert response.status_code == 200
    assert "Check your inbox" in response.text
    found = subscriber("ana@example.ro")
    assert found is not None
    assert (found.status, found.language, found.services, found.email) == ("pending", "ro", ["crm"], "Ana@Example.ro")
    [notice] = confirmation_notices("Ana@Example.ro")
    assert (notice.channel, notice.language) == ("email", "ro")
    assert notice.payload["confirm_url"].startswith(f"{BASE}/subscribe/confirm/")


def test_the_same_answer_for_known_and_new_addresses(client: FlaskClient) -> None:
    first = subscribe(client, "known@example.com")
    services.confirm(confirmation_notices("known@example.com")[0].payload["confirm_url"].rsplit("/", 1)[1])
    db.session.commit()
    known = subscribe(client, "known@example.com")
    new = subscribe(client, "new@example.com")
    assert first.status_code == known.status_code == new.status_code == 200
    assert known.text == new.text == first.text
    # The confirmed subscriber stays confirmed until a new link is clicked: nobody else can change its settings.
    assert subscriber("known@example.com").status == SubscriberStatus.CONFIRMED  # type: ignore[union-attr]  # the subscriber exists here
    assert len(confirmation_notices("known@example.com")) == 2


def test_resubscribing_is_idempotent(client: FlaskClient, world: Any) -> None:
    world.service("crm")
    world.service("sms")
    for _ in range(2):
        assert subscribe(client, "ana@example.ro").status_code == 200
    notices = confirmation_notices("ana@example.ro")
    assert len(notices) == 2
    assert len(list(db.session.scalars(select(Subscriber).where(Subscriber.email_key == "ana@example.ro")))) == 1
    for notice in notices:  # every link sent works, and confirming twice changes nothing
        token = notice.payload["confirm_url"].rsplit("/", 1)[1]
        assert client.post(f"/subscribe/confirm/{token}").status_code == 200
    found = subscriber("ana@example.ro")
    assert found is not None and found.status == SubscriberStatus.CONFIRMED
    # After unsubscribing, subscribing again asks for a new confirmation, with the new settings.
    services.unsubscribe(found)
    db.session.commit()
    assert subscribe(client, "ana@example.ro", language="ro", services=("sms",)).status_code == 200
    assert found.status == SubscriberStatus.UNSUBSCRIBED
    token = confirmation_notices("ana@example.ro")[-1].payload["confirm_url"].rsplit("/", 1)[1]
    client.post(f"/subscribe/confirm/{token}")
    db.session.refresh(found)
    assert (found.status, found.language, found.services) == ("confirmed", "ro", ["sms"])


def test_invalid_input_is_refused(client: FlaskClient) -> None:
    response = subscribe(client, "not-an-address")
    assert response.status_code == 422
    assert "Enter a valid email address." in response.text
    unknown = subscribe(client, "ana@example.ro", services=("nope",))
    assert unknown.status_code == 422
    assert "Unknown service nope." in unknown.text
    assert subscriber("ana@example.ro") is None


def test_rate_limit_per_address(client: FlaskClient) -> None:
    for number in range(services.MAX_PER_ADDRESS):
        assert subscribe(client, "victim@example.com", ip=f"192.0.2.{number + 1}").status_code == 200
    blocked = subscribe(client, "Victim@example.com", ip="198.51.100.7")
    assert blocked.status_code == 429
    assert "Too many subscription requests" in blocked.text
    assert len(confirmation_notices("victim@example.com")) == services.MAX_PER_ADDRESS
    assert subscribe(client, "someone-else@example.com", ip="198.51.100.7").status_code == 200


def test_rate_limit_per_ip(client: FlaskClient) -> None:
    for number in range(services.MAX_PER_IP):
        assert subscribe(client, f"user{number}@example.com", ip="203.0.113.5").status_code == 200
    assert subscribe(client, "one-more@example.com", ip="203.0.113.5").status_code == 429
    assert subscriber("one-more@example.com") is None
    assert subscribe(client, "one-more@example.com", ip="203.0.113.6").status_code == 200


def test_confirmation_links_expire_and_cannot_be_forged(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    now = TimestampSigner.get_timestamp
    week_ago = lambda self: now(self) - int(services.CONFIRM_MAX_AGE.total_seconds()) - 60  # noqa: E731 (a method to patch in)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", week_ago)
    subscribe(client, "late@example.com")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", now)
    url = confirmation_notices("late@example.com")[0].payload["confirm_url"]
    expired = client.get(path_of(url))
    assert expired.status_code == 410
    assert "The link has expired." in expired.text
    assert 'href="/subscribe?lang=en"' in expired.text
    assert client.post(path_of(url)).status_code == 410
    assert subscriber("late@example.com").status == SubscriberStatus.PENDING  # type: ignore[union-attr]  # the subscriber exists here

    for bad in ("garbage", url.rsplit("/", 1)[1][:-2] + "xx"):
        page = client.get(f"/subscribe/confirm/{bad}")
        assert page.status_code == 404
        assert "This link does not work" in page.text
        assert "Traceback" not in page.text
    assert client.get("/unsubscribe/garbage").status_code == 404
    assert client.post("/unsubscribe/garbage").status_code == 404


def test_unsubscribe_asks_then_unsubscribes(client: FlaskClient) -> None:
    subscribe(client, "ana@example.ro", language="ro")
    found = subscriber("ana@example.ro")
    assert found is not None
    services.confirm(confirmation_notices("ana@example.ro")[0].payload["confirm_url"].rsplit("/", 1)[1])
    url = services.unsubscribe_url(found)
    assert url == services.unsubscribe_url(found)  # stable: it lives in every email
    page = client.get(path_of(url))
    assert page.status_code == 200
    assert "Dezabonare" in page.text and '<form method="post">' in page.text
    assert found.status == SubscriberStatus.CONFIRMED  # a GET (a mail scanner) changes nothing
    done = client.post(path_of(url))
    assert done.status_code == 200
    assert "nu va mai primi emailuri" in done.text
    db.session.refresh(found)
    assert found.status == SubscriberStatus.UNSUBSCRIBED
    assert client.post(path_of(url)).status_code == 200  # again: still fine


def test_subscribe_confirm_and_unsubscribe_end_to_end(client: FlaskClient, world: Any, smtp: Any, deliver: Any) -> None:
    world.service("crm")
    world.service("sms")
    world.customer("Acme")
    assert subscribe(client, "reader@example.com", services=("crm",)).status_code == 200
    assert subscribe(client, "sms-only@example.com", services=("sms",)).status_code == 200
    deliver()

    [message] = smtp.to("reader@example.com")
    assert message["Subject"] == "Confirm your subscription to our sub-processor changes"
    assert "List-Unsubscribe" not in message  # nothing to unsubscribe from yet
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"http://registry\.test/subscribe/confirm/\S+", text)
    assert link, text
    html = message.get_body(("html",)).get_content()
    assert link.group(0) in html
    confirm_page = client.get(path_of(link.group(0)))
    assert confirm_page.status_code == 200 and "reader@example.com" in confirm_page.text
    confirmed = client.post(path_of(link.group(0)))
    assert confirmed.status_code == 200
    assert "Subscription confirmed" in confirmed.text
    sms_link = re.search(
        r"http://registry\.test/subscribe/confirm/\S+",
        smtp.to("sms-only@example.com")[0].get_body(("plain",)).get_content(),
    )
    assert sms_link
    client.post(path_of(sms_link.group(0)))

    # An announced change reaches the confirmed subscriber who chose its service (and only that one).
    alpha = world.subprocessor("Alpha")
    world.announced_change(alpha["id"])
    deliver()
    [notice] = smtp.to("reader@example.com")[1:]
    assert notice["Subject"].startswith("Announced: ")
    assert "Alpha" in notice["Subject"]
    assert smtp.to("sms-only@example.com")[1:] == []
    unsubscribe = notice["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{BASE}/unsubscribe/")
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = notice.get_body(("plain",)).get_content()
    assert unsubscribe in body
    assert "respond" not in body  # a subscriber has nothing to answer

    # RFC 8058: the mailbox provider POSTs List-Unsubscribe=One-Click to the URL, without cookies or forms.
    one_click = client.post(
        path_of(unsubscribe),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert subscriber("reader@example.com").status == SubscriberStatus.UNSUBSCRIBED  # type: ignore[union-attr]  # the subscriber exists here

    beta = world.subprocessor("Beta")
    world.announced_change(beta["id"])
    deliver()
    assert len(smtp.to("reader@example.com")) == 2  # nothing after unsubscribing
