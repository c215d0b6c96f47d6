from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    """Failed for now; retried at `next_attempt_at`."""
    DEAD = "dead"
    """Given up (permanent error or retries exhausted): the legal team is alerted."""


class Notice(Base):
    """One message to one recipient about one event. Unique per (event, channel, recipient): never sent twice."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("event", "channel", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(100), index=True)
    """What happened, e.g. "change/12/announced", "response/7/recorded"."""
    template: Mapped[str] = mapped_column(String(50))
    """Which message: "change.announced", "change.withdrawn", "response.acknowledged", "reminder", ..."""
    channel: Mapped[Channel] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(320))
    """An email address, or for webhooks the endpoint id."""
    language: Mapped[str] = mapped_column(String(2), default="en")
    change_id: Mapped[int | None] = mapped_column(ForeignKey("change.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"), index=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[NoticeStatus] = mapped_column(String(20), default=NoticeStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(Base):
    """A client's URL that receives signed change events (Standard Webhooks).

    The signing secret is never stored: it is derived from the secret key, the id and `secret_nonce` (see
    `registry.outbox.endpoints.endpoint_secret`). After a rotation the previous nonce still signs for 24 hours.
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    active: Mapped[bool] = mapped_column(default=True)
    failure_count: Mapped[int] = mapped_column(default=0)
    """Failed deliveries in a row (reset by a success)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    secret_nonce: Mapped[str] = mapped_column(String(64))
    previous_secret_nonce: Mapped[str | None] = mapped_column(String(64))
    rotated_at: Mapped[datetime | None]
