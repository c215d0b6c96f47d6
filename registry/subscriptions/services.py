"""Public email subscriptions to changes of the list (double opt-in), and the audience of a public notice.

The form asks for a confirmation email (an outbox notice, delivered by the worker) carrying a signed, expiring link;
the link confirms, with the language and services asked for. Unsubscribe links are signed without expiry (they live
in every email's List-Unsubscribe header). Whatever the address (new, pending, confirmed or unsubscribed) the form
answers the same, so it tells nobody who is subscribed; a confirmed subscriber stays confirmed until a new
confirmation is clicked, so a stranger cannot change someone else's settings.

Abuse: the form is rate-limited per IP and per address through `SubscribeAttempt` rows in the database (hashed,
kept a day), so the limits hold across gunicorn workers and instances and survive restarts.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from registry import links
from registry.audit import services as audit
from registry.audit.services import Actor
from registry.db import utcnow
from registry.errors import Invalid, RegistryError
from registry.extensions import db
from registry.i18n import language_of
from registry.outbox import services as outbox
from registry.subprocessors import services as subprocessors
from registry.subscriptions.models import SubscribeAttempt, Subscriber, SubscriberStatus

CONFIRM_MAX_AGE = timedelta(days=7)
RATE_WINDOW = timedelta(hours=1)
MAX_PER_IP = 10
"""Form submissions per IP address and `RATE_WINDOW`."""
MAX_PER_ADDRESS = 3
"""Form submissions (so confirmation emails) per email address and `RATE_WINDOW`."""
CONFIRM_TEMPLATE = "subscription.confirm"
PUBLIC_ACTOR = Actor("public")


# -- errors -----------------------------------------------------------------------------------------------------


class LinkInvalid(RegistryError):
    """A subscription link that is unknown, tampered with, or for a subscription that no longer exists."""

    status = 404


class LinkExpired(RegistryError):
    status = 410


class RateLimited(RegistryError):
    status = 429


# -- subscription links -----------------------------------------------------------------------------------------


def _address_hash(email: str) -> str:
    return links.keyed_digest(email.casefold()).hex()


def _confirm_serializer() -> URLSafeTimedSerializer:
    return links.timed_signer("registry.subscription.confirm")


def _unsubscribe_serializer() -> URLSafeSerializer:
    return links.signer("registry.subscription.unsubscribe")


def confirm_token(subscriber: Subscriber, language: str, services: Sequence[str]) -> str:
    """A signed link token that confirms `subscriber` with these settings (expires after CONFIRM_MAX_AGE)."""
    payload = {"s": subscriber.id, "a": _address_hash(subscriber.email_key)[:16], "l": language, "v": list(services)}
    return str(_confirm_serializer().dumps(payload))


def unsubscribe_token(subscriber: Subscriber) -> str:
    """A signed token that unsubscribes `subscriber`; it does not expire and never changes."""
    return str(_unsubscribe_serializer().dumps({"s": subscriber.id, "a": _address_hash(subscriber.email_key)[:16]}))


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The one-click unsubscribe URL (for the page and for the List-Unsubscribe / List-Unsubscribe-Post headers)."""
    return links.absolute(f"/unsubscribe/{unsubscribe_token(subscriber)}")


def confirm_url(subscriber: Subscriber, language: str, services: Sequence[str]) -> str:
    return links.absolute(f"/subscribe/confirm/{confirm_token(subscriber, language, services)}")


def _subscriber_of(payload: Any) -> Subscriber:
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise LinkInvalid("This link is not valid.")
    subscriber = db.session.get(Subscriber, payload["s"])
    if subscriber is None or not hmac.compare_digest(
        str(payload.get("a", "")), _address_hash(subscriber.email_key)[:16]
    ):
        raise LinkInvalid("This link is not valid.")
    return subscriber


def subscriber_for_confirm_token(token: str) -> tuple[Subscriber, str, list[str]]:
    """The subscriber and the settings a confirmation link carries.

    :raise LinkExpired: the link is older than CONFIRM_MAX_AGE. :raise LinkInvalid: anything else wrong with it.
    """
    try:
        payload = _confirm_serializer().loads(token, max_age=int(CONFIRM_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise LinkExpired("This confirmation link has expired: subscribe again to get a new one.") from None
    except BadSignature:
        raise LinkInvalid("This link is not valid.") from None
    subscriber = _subscriber_of(payload)
    services = payload.get("v")
    if not isinstance(services, list) or not all(isinstance(slug, str) for slug in services):
        raise LinkInvalid("This link is not valid.")
    return subscriber, language_of(payload.get("l")), services


def subscriber_for_unsubscribe_token(token: str) -> Subscriber:
    """:raise LinkInvalid: an unknown or tampered token."""
    try:
        payload = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise LinkInvalid("This link is not valid.") from None
    return _subscriber_of(payload)


# -- subscribing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscribeResult:
    subscriber: Subscriber
    created: bool


def normalise_email(email: str) -> str:
    return email.strip()


def get_subscriber_by_email(email: str) -> Subscriber | None:
    return db.session.scalar(select(Subscriber).where(Subscriber.email_key == normalise_email(email).casefold()))


def check_rate_limit(email: str, ip: str | None) -> None:
    """Record one form submission; :raise RateLimited: too many from this IP or for this address lately."""
    now = utcnow()
    db.session.execute(delete(SubscribeAttempt).where(SubscribeAttempt.created_at < now - timedelta(days=1)))
    since = now - RATE_WINDOW
    ip_hash = _address_hash(f"ip:{ip or 'unknown'}")
    email_hash = _address_hash(normalise_email(email))
    by_ip = db.session.scalar(
        select(func.count()).where(SubscribeAttempt.ip_hash == ip_hash, SubscribeAttempt.created_at >= since)
    )
    by_address = db.session.scalar(
        select(func.count()).where(SubscribeAttempt.email_hash == email_hash, SubscribeAttempt.created_at >= since)
    )
    if (by_ip or 0) >= MAX_PER_IP or (by_address or 0) >= MAX_PER_ADDRESS:
        raise RateLimited("Too many subscription requests: please try again in an hour.")
    db.session.add(SubscribeAttempt(ip_hash=ip_hash, email_hash=email_hash, created_at=now))
    db.session.flush()


def subscribe(email: str, language: str, services: Collection[str], *, ip: str | None) -> SubscribeResult:
    """Ask `email` to confirm a subscription with these settings (an outbox email), whatever its current state.

    :raise RateLimited: too many requests from this IP or for this address.
    :raise Invalid: an unknown service.
    """
    email = normalise_email(email)
    language = language_of(language)
    known = subprocessors.service_slugs()
    unknown = sorted(set(services) - known)
    if unknown:
        message = f"Unknown service {', '.join(unknown)}."
        raise Invalid(message, {"services": [message]})
    wanted = sorted(set(services))
    check_rate_limit(email, ip)
    subscriber = get_subscriber_by_email(email)
    created = False
    if subscriber is None:
        subscriber = Subscriber(
            email=email, email_key=email.casefold(), language=language, services=wanted, status=SubscriberStatus.PENDING
        )
        try:
            with db.session.begin_nested():
                db.session.add(subscriber)
        except IntegrityError:  # the same address submitted at the same moment
            existing = get_subscriber_by_email(email)
            if existing is None:
                raise
            subscriber = existing
        else:
            created = True
            audit.record(
                "subscriber.created",
                subscriber,
                actor=PUBLIC_ACTOR,
                after={"status": subscriber.status, "language": language, "services": wanted},
            )
    elif subscriber.status == SubscriberStatus.PENDING:
        subscriber.language, subscriber.services = language, wanted
    subscriber.confirmations_sent = subscriber.confirmations_sent + 1
    db.session.flush()
    outbox.enqueue_one(
        event=f"subscriber/{subscriber.id}/confirm/{subscriber.confirmations_sent}",
        template=CONFIRM_TEMPLATE,
        recipient=subscriber.email,
        language=language,
        payload={
            "confirm_url": confirm_url(subscriber, language, wanted),
            "services": wanted,
            "expires_in_days": CONFIRM_MAX_AGE.days,
            "subscriptions_url": links.absolute("/subscribe"),
            "list_url": links.absolute(f"/subprocessors?lang={language}"),
        },
    )
    return SubscribeResult(subscriber, created)


def confirm(token: str) -> Subscriber:
    """Confirm the subscription a link was sent for, with the settings asked for then. Idempotent.

    :raise LinkExpired, LinkInvalid: see `subscriber_for_confirm_token`.
    """
    subscriber, language, services = subscriber_for_confirm_token(token)
    services = sorted(set(services) & subprocessors.service_slugs())
    before = {"status": subscriber.status, "language": subscriber.language, "services": subscriber.services}
    subscriber.language, subscriber.services = language, services
    if subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = utcnow()
        subscriber.unsubscribed_at = None
    after = {"status": subscriber.status, "language": subscriber.language, "services": subscriber.services}
    if after != before:
        db.session.flush()
        audit.record("subscriber.confirmed", subscriber, actor=PUBLIC_ACTOR, before=before, after=after)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> Subscriber:
    """Stop every email to this subscriber. Idempotent."""
    if subscriber.status != SubscriberStatus.UNSUBSCRIBED:
        before = {"status": subscriber.status}
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = utcnow()
        db.session.flush()
        audit.record(
            "subscriber.unsubscribed", subscriber, actor=PUBLIC_ACTOR, before=before, after={"status": "unsubscribed"}
        )
    return subscriber


# -- the fan-out of public notices ------------------------------------------------------------------------------


def subscribers_for(service_slugs: Collection[str] | None) -> list[Subscriber]:
    """Confirmed subscribers who want to hear about a change touching these services (None: any service).

    A subscriber without chosen services hears about everything.
    """
    stmt = select(Subscriber).where(Subscriber.status == SubscriberStatus.CONFIRMED).order_by(Subscriber.id)
    subscribers = list(db.session.scalars(stmt))
    if service_slugs is None:
        return subscribers
    wanted = set(service_slugs)
    return [s for s in subscribers if not s.services or wanted.intersection(s.services)]


def subscriber_notice_rows(
    *,
    event: str,
    template: str,
    payload: dict[str, Any],
    service_slugs: Collection[str] | None,
    change_id: int | None = None,
) -> list[dict[str, Any]]:
    """One outbox row per confirmed subscriber for a public event, in the subscriber's language, with its
    `unsubscribe_url` in the payload (for the body and the List-Unsubscribe header)."""
    return [
        outbox.notice_row(
            event=event,
            template=template,
            recipient=subscriber.email,
            language=subscriber.language,
            change_id=change_id,
            payload={**payload, "unsubscribe_url": unsubscribe_url(subscriber), "subscriber": True},
        )
        for subscriber in subscribers_for(service_slugs)
    ]
