"""Sending webhook notices: the event body, signed per the Standard Webhooks spec, POSTed to the endpoint.

Endpoints, their secrets and the fan-out of notices to them belong to the outbox (`registry.outbox.endpoints`).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import requests
from standardwebhooks import Webhook

from registry.extensions import db
from registry.notices.context import Lookup, notice_context
from registry.notices.outcome import Outcome
from registry.outbox.endpoints import EVENT_TYPES, signing_secrets, url_problem
from registry.outbox.models import Notice, WebhookEndpoint

TIMEOUT = (3, 10)
"""Seconds to connect, then to wait for the answer."""
USER_AGENT = "registry-webhooks/1"


# Deliveries --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedWebhook:
    """Everything needed to send one event, read from the database before sending."""

    notice_id: int
    endpoint_id: int
    url: str
    body: str
    secrets: tuple[str, ...]

    @property
    def webhook_id(self) -> str:
        return f"notice_{self.notice_id}"


def prepare(notice: Notice, now: datetime, lookup: Lookup | None = None) -> PreparedWebhook | Outcome:
    """The signed request for a webhook notice, or the reason it cannot be sent."""
    event_type = EVENT_TYPES.get(notice.template)
    if event_type is None:
        return Outcome.failed(f"{notice.template} is not a webhook event.", permanent=True)
    endpoint = db.session.get(WebhookEndpoint, int(notice.recipient)) if notice.recipient.isdigit() else None
    if endpoint is None:
        return Outcome.failed("The webhook endpoint was deleted.", permanent=True, alert=False)
    if not endpoint.active:
        return Outcome.failed("The webhook endpoint is disabled.", permanent=True, alert=False)
    body = json.dumps(
        {"type": event_type, "timestamp": _iso(notice.created_at), "data": event_data(notice, lookup, now)},
        default=_json_default,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return PreparedWebhook(notice.id, endpoint.id, endpoint.url, body, tuple(signing_secrets(endpoint, now)))


def event_data(notice: Notice, lookup: Lookup | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The event's `data`: the change as clients need it, their deadline and links, and the response if any."""
    context = notice_context(notice, lookup, now)
    affected = context["affected"]
    agreement = context["agreement"]
    data: dict[str, Any] = {
        "notice_id": notice.id,
        "client_id": context["client"].id if context["client"] is not None else None,
        "change": context["change"],
        "services": context["client_services"],
        "dpa": (
            {"number": agreement.number, "version": agreement.version, "status": str(agreement.status)}
            if agreement is not None
            else None
        ),
        "deadline": context["deadline"],
        "expectation": context["expectation"],
        "excluded": context["excluded"],
        "held": context["held"] if affected is not None else None,
        "respond_url": context["respond_url"],
        "feed_url": context["feed_url"],
    }
    if notice.template in ("client.excluded", "client.included"):
        data["reason"] = context["payload"].get("reason")
    response = context["response"]
    if response is not None:
        data["response"] = {
            "id": response.id,
            "answer": str(response.answer),
            "reason": response.reason,
            "respondent_name": response.respondent_name,
            "respondent_email": response.respondent_email,
            "recorded_at": response.created_at,
            "channel": response.channel,
            "received_on": response.received_on,
            "resolution": context["resolution"],
            "resolution_note": context["resolution_note"],
        }
    return data


def new_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # go straight to the checked address: no proxy from the environment
    session.headers["User-Agent"] = USER_AGENT
    return session


def send(
    session: requests.Session, hook: PreparedWebhook, now: datetime, *, allowed: Collection[str] | None = None
) -> Outcome:
    """POST the event, signed; 2xx is delivered, 410 disables the endpoint, anything else is retried.

    `allowed`: WEBHOOK_ALLOWED_HOSTS, given when called outside the application context (the sender thread).
    """
    problem = url_problem(hook.url, allowed)
    if problem:
        return Outcome.failed(f"Refused to send: {problem}")
    timestamp = now.astimezone(UTC)
    signature = " ".join(Webhook(secret).sign(hook.webhook_id, timestamp, hook.body) for secret in hook.secrets)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": hook.webhook_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
    try:
        with session.post(
            hook.url, data=hook.body.encode(), headers=headers, timeout=TIMEOUT, allow_redirects=False, stream=True
        ) as response:
            status, reason = response.status_code, response.reason
    except requests.RequestException as error:
        return Outcome.failed(f"{type(error).__name__}: {error}")
    if 200 <= status < 300:
        return Outcome.sent(hook.webhook_id)
    if status == 410:
        return Outcome(
            ok=False, error="HTTP 410 Gone: the endpoint was disabled.", permanent=True, disable_endpoint=True
        )
    return Outcome.failed(f"HTTP {status} {reason or ''}".strip())


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
