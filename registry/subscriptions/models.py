from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, TimestampMixin, utcnow


class SubscriberStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class Subscriber(TimestampMixin, Base):
    """A public email subscription to changes of the list (double opt-in)."""

    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    """As typed (where the emails go); compared case-insensitively through `email_key`."""
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    """The address in lower case: one subscription per address."""
    language: Mapped[str] = mapped_column(String(2), default="en")
    services: Mapped[list[str]] = mapped_column(default=list)
    """Service slugs the subscriber wants to hear about; empty: all of them."""
    status: Mapped[SubscriberStatus] = mapped_column(String(20), default=SubscriberStatus.PENDING, index=True)
    confirmations_sent: Mapped[int] = mapped_column(default=0)
    """Numbers the confirmation emails (each is its own outbox event)."""
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]


class SubscribeAttempt(Base):
    """One submission of the subscription form, kept a day for the rate limits (hashed: no address or IP stored)."""

    __tablename__ = "subscribe_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    ip_hash: Mapped[str] = mapped_column(String(64), index=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
