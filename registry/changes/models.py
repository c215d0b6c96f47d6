from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.clients.models import Client
from registry.db import Base, TimestampMixin, utcnow
from registry.subprocessors.models import SubProcessor


class ChangeKind(StrEnum):
    ADD = "add"
    REPLACE = "replace"
    REMOVE = "remove"
    UPDATE = "update"


class ChangeStatus(StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    EFFECTIVE = "effective"
    WITHDRAWN = "withdrawn"


class Expectation(StrEnum):
    """What an affected client is asked for: general authorisation may object, specific must approve."""

    OBJECTION_WINDOW = "objection_window"
    APPROVAL = "approval"
    INFORMATION = "information"
    """A removal: the client is told; nothing is asked of it (it cannot object to a sub-processor no longer used)."""


class Answer(StrEnum):
    OBJECT = "object"
    ACCEPT = "accept"
    """Under general authorisation: no objection (any more); it withdraws an earlier objection."""
    APPROVE = "approve"
    REFUSE = "refuse"


OFFLINE_CHANNELS = ("email", "letter", "phone", "meeting")
"""How an answer reaches us other than through the respond link ("web"); the DPA names email and letter."""


class Resolution(StrEnum):
    WITHDRAWN = "withdrawn"
    ALTERNATIVE_OFFERED = "alternative_offered"
    ALTERNATIVE_ACCEPTED = "alternative_accepted"
    EXCLUDED_FOR_CLIENT = "excluded_for_client"
    ACCEPTED_BY_CLIENT = "accepted_by_client"
    CONTRACT_TERMINATED = "contract_terminated"


class Change(TimestampMixin, Base):
    __tablename__ = "change"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChangeKind] = mapped_column(String(20))
    subprocessor_id: Mapped[int] = mapped_column(ForeignKey("subprocessor.id"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("subprocessor.id"))
    summary: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    proposed: Mapped[dict[str, Any] | None]
    """For `update`: the sub-processor fields (API input shape) that take effect on the effective date."""
    effective_on: Mapped[date]
    urgent: Mapped[bool] = mapped_column(default=False)
    urgent_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ChangeStatus] = mapped_column(String(20), default=ChangeStatus.DRAFT, index=True)
    announced_at: Mapped[datetime | None]
    effective_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(320))
    version: Mapped[int] = mapped_column(default=1)

    subprocessor: Mapped[SubProcessor] = relationship(foreign_keys=[subprocessor_id])
    replaces: Mapped[SubProcessor | None] = relationship(foreign_keys=[replaces_id])
    affected: Mapped[list[AffectedClient]] = relationship(back_populates="change", order_by="AffectedClient.id")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (SQLAlchemy reads it)


class AffectedClient(Base):
    """One client a change was announced to: what it is asked for, its term, and its deadline once told.

    The deadline is counted from the first delivery of the client's notice (an accepted SMTP message or a 2xx webhook
    answer, `services.notice_delivered`), not from the announcement: until then it is None, the client has no
    deadline, and the change does not apply to it.
    """

    __tablename__ = "affected_client"
    __table_args__ = (UniqueConstraint("change_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("change.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    expectation: Mapped[Expectation] = mapped_column(String(20))
    notice_days: Mapped[int]
    """The client's notice period when it was told (its term in days, counted from the day after delivery)."""
    deadline: Mapped[date | None]
    """The last day (Bucharest) the client may answer: `deadlines.answer_deadline(delivered_at, notice_days)`."""
    notified_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When its notices were written to the outbox."""
    delivered_at: Mapped[datetime | None]
    """When its notice first reached it (None: not yet, so its term has not started)."""
    reminded_at: Mapped[datetime | None]
    excluded: Mapped[bool] = mapped_column(default=False)
    joined_late: Mapped[bool] = mapped_column(default=False)
    """Became affected after the announcement (created, or given a service, while the change was announced): it has
    its own notice and deadline, and the change does not apply to it before that deadline, even once in effect."""
    waiting_since: Mapped[datetime | None]
    """The change took effect without this client because its term had not ended (its notice not delivered yet, or
    its deadline not passed): it applies to it once its deadline passes without an objection (under specific
    authorisation: once approved), `holds.release_waiting`."""
    held_at: Mapped[datetime | None]
    """The change took effect without applying to this client, because its objection had no resolution: it stays
    excluded until the legal team resolves the objection (`responses.resolve_response`)."""

    change: Mapped[Change] = relationship(back_populates="affected")
    client: Mapped[Client] = relationship()
    responses: Mapped[list[ChangeResponse]] = relationship(back_populates="affected", order_by="ChangeResponse.id")


class ChangeResponse(Base):
    """A client's answer (objection, approval or refusal) and the legal team's resolution of it.

    A later answer before the deadline supersedes an earlier one; both are kept.
    """

    __tablename__ = "change_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    affected_id: Mapped[int] = mapped_column(ForeignKey("affected_client.id"), index=True)
    answer: Mapped[Answer] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    respondent_name: Mapped[str] = mapped_column(String(200), default="")
    respondent_email: Mapped[str] = mapped_column(String(320), default="")
    channel: Mapped[str] = mapped_column(String(20), default="web")
    """web (the respond link), or how an answer recorded by staff arrived: email, letter, phone, meeting."""
    received_on: Mapped[date | None]
    """For an answer received offline: the day it reached us (it counts from then, not from when it was recorded)."""
    recorded_by: Mapped[str | None] = mapped_column(String(320))
    """For an answer received offline: who recorded it."""
    confirmed_by: Mapped[str | None] = mapped_column(String(320))
    """For an answer given through a respond link by someone other than the notice contact it was sent to: the notice
    contact who confirmed it (`confirmations.confirm_answer`)."""
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None]
    resolution: Mapped[Resolution | None] = mapped_column(String(30))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(320))
    version: Mapped[int] = mapped_column(default=1)

    affected: Mapped[AffectedClient] = relationship(back_populates="responses")
    attachments: Mapped[list[ResponseAttachment]] = relationship(
        back_populates="response", order_by="ResponseAttachment.id"
    )

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (SQLAlchemy reads it)


class PendingAnswer(Base):
    """An answer given through a respond link by someone other than the notice contact the link was sent to (or
    through a link sent to no one person, a webhook's): it counts only once a notice contact confirms it, through the
    link emailed to them (`confirmations`), and only while the client may still answer."""

    __tablename__ = "pending_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    affected_id: Mapped[int] = mapped_column(ForeignKey("affected_client.id"), index=True)
    answer: Mapped[Answer] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    respondent_name: Mapped[str] = mapped_column(String(200))
    respondent_email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    response_id: Mapped[int | None] = mapped_column(ForeignKey("change_response.id"))
    """The answer recorded when it was confirmed."""

    affected: Mapped[AffectedClient] = relationship()


class ResponseAttachment(Base):
    """Evidence of an answer: the client's letter or email as received (PDF, image, .eml, text), kept as uploaded and
    never replaced or deleted (`evidence`)."""

    __tablename__ = "response_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("change_response.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[ChangeResponse] = relationship(back_populates="attachments")
