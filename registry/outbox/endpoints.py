"""Client webhook endpoints: registration (only public addresses), signing secrets, and the fan-out of notices to them.

A signing secret is never stored: it is derived from the secret key, the endpoint id and a random nonce, shown once
when created or rotated, and re-derived to sign. After a rotation both the new and the previous secret sign for
24 hours (the spec allows several space-separated signatures), so receivers can switch without losing events.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
import socket
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from registry import links
from registry.audit import services as audit
from registry.audit.services import Actor
from registry.clients.models import Client
from registry.db import page_of, utcnow
from registry.errors import Invalid, NotFound
from registry.extensions import db
from registry.outbox.models import WebhookEndpoint

EVENT_TYPES = {
    "change.announced": "change.announced",
    "change.effective": "change.effective",
    "change.withdrawn": "change.withdrawn",
    "response.acknowledged": "response.recorded",
    "response.resolved": "response.resolved",
    "reminder": "reminder.sent",
    "client.excluded": "client.excluded",
    "client.included": "client.included",
}
"""Notice template -> webhook event type (docs/webhooks.md). Other templates (the legal team's alerts, subscribers'
emails) are not sent to webhooks; `client.excluded` and `client.included` are sent to webhooks only (the client's
emails tell the same at the event that caused them)."""

ROTATION_OVERLAP = timedelta(hours=24)
_CHUNK = 500


# Secrets -----------------------------------------------------------------------------------------------------------


def endpoint_secret(endpoint_id: int, nonce: str) -> str:
    """The signing secret of an endpoint: whsec_ + base64(HMAC-SHA256(secret key, "webhook:<id>:<nonce>"))."""
    return "whsec_" + base64.b64encode(links.keyed_digest(f"webhook:{endpoint_id}:{nonce}")).decode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one during the 24 hours after a rotation."""
    found = [endpoint_secret(endpoint.id, endpoint.secret_nonce)]
    if endpoint.previous_secret_nonce and endpoint.rotated_at and now - endpoint.rotated_at < ROTATION_OVERLAP:
        found.append(endpoint_secret(endpoint.id, endpoint.previous_secret_nonce))
    return found


# Where webhooks may go ---------------------------------------------------------------------------------------------


def allowed_hosts() -> set[str]:
    value = current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or ""
    names = value.split(",") if isinstance(value, str) else list(value)
    return {name.strip().rstrip(".").lower() for name in names if name.strip()}


def url_problem(url: str, allowed: Collection[str] | None = None) -> str | None:
    """Why the registry must not send to this URL, or None.

    Only http(s); no credentials; the host must resolve to public addresses only (no loopback, private, link-local,
    reserved or multicast address) unless WEBHOOK_ALLOWED_HOSTS names it. Checked on registration and again before
    every delivery, since DNS answers change.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Give an http:// or https:// URL."
    if parts.username is not None or parts.password is not None:
        return "The URL must not contain a user name or password."
    host = parts.hostname.rstrip(".").lower()
    if host in (allowed_hosts() if allowed is None else allowed):
        return None
    try:
        addresses = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return f"The host {host} does not resolve."
    for *_, sockaddr in addresses:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return f"The host {host} resolves to {address}, a loopback, private, link-local or reserved address."
    return None


def check_url(url: str) -> None:
    problem = url_problem(url)
    if problem:
        raise Invalid(problem, {"url": [problem]})


# Endpoints ---------------------------------------------------------------------------------------------------------


def snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"client_id": endpoint.client_id, "url": endpoint.url, "active": endpoint.active}


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return endpoint


def list_endpoints(client: Client, page: int, page_size: int) -> tuple[list[WebhookEndpoint], int]:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.client_id == client.id).order_by(WebhookEndpoint.id)
    return page_of(db.session(), stmt, page, page_size)


def create_endpoint(client: Client, url: str, *, actor: Actor) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it with its signing secret (shown once, never stored)."""
    check_url(url)
    endpoint = WebhookEndpoint(client_id=client.id, url=url, secret_nonce=secrets.token_hex(16))
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.created", endpoint, actor=actor, after=snapshot(endpoint))
    return endpoint, endpoint_secret(endpoint.id, endpoint.secret_nonce)


def delete_endpoint(endpoint: WebhookEndpoint, *, actor: Actor) -> None:
    """Remove an endpoint; its undelivered notices die quietly (the client asked for it)."""
    before = snapshot(endpoint)
    endpoint_id = endpoint.id
    db.session.delete(endpoint)
    db.session.flush()
    audit.record(
        "webhook.deleted", actor=actor, entity_type=WebhookEndpoint.__tablename__, entity_id=endpoint_id, before=before
    )


def rotate_secret(endpoint: WebhookEndpoint, *, actor: Actor) -> str:
    """Issue a new secret (returned, shown once); the previous one keeps signing for 24 hours."""
    endpoint.previous_secret_nonce = endpoint.secret_nonce
    endpoint.secret_nonce = secrets.token_hex(16)
    endpoint.rotated_at = utcnow()
    db.session.flush()
    audit.record(
        "webhook.secret_rotated",
        endpoint,
        actor=actor,
        after={"rotated_at": endpoint.rotated_at},
    )
    return endpoint_secret(endpoint.id, endpoint.secret_nonce)


def disable_endpoint(endpoint_id: int, reason: str, *, actor: Actor) -> None:
    """Stop sending to an endpoint (it answered 410 Gone)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not endpoint.active:
        return
    endpoint.active = False
    endpoint.disabled_at = utcnow()
    db.session.flush()
    audit.record(
        "webhook.disabled",
        endpoint,
        actor=actor,
        before={"active": True},
        after={"active": False, "reason": reason},
    )


def active_endpoints(client_ids: Iterable[int]) -> dict[int, list[int]]:
    """Client id -> ids of its active endpoints (clients without any are left out)."""
    found: dict[int, list[int]] = {}
    ids = list(dict.fromkeys(client_ids))
    if (
        not ids
        or db.session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True)).limit(1)) is None
    ):
        return found
    for start in range(0, len(ids), _CHUNK):
        stmt = (
            select(WebhookEndpoint.client_id, WebhookEndpoint.id)
            .where(WebhookEndpoint.active.is_(True), WebhookEndpoint.client_id.in_(ids[start : start + _CHUNK]))
            .order_by(WebhookEndpoint.id)
        )
        for client_id, endpoint_id in db.session.execute(stmt):
            found.setdefault(client_id, []).append(endpoint_id)
    return found


def webhook_rows(email_rows: Collection[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The webhook notices that go with these email notice rows: one per active endpoint of each client concerned,
    for the templates that are webhook events (same event, template, change and payload; recipient = endpoint id).
    """
    wanted = [row for row in email_rows if row.get("template") in EVENT_TYPES and row.get("client_id") is not None]
    endpoints = active_endpoints(row["client_id"] for row in wanted)
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for row in wanted:
        for endpoint_id in endpoints.get(row["client_id"], []):
            if (row["event"], endpoint_id) not in seen:
                seen.add((row["event"], endpoint_id))
                rows.append({**row, "channel": "webhook", "recipient": str(endpoint_id)})
    return rows
