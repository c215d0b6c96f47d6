from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from registry.clients.models import Client
from registry.db import Base, utcnow


class DpaStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    SIGNED = "signed"
    SUPERSEDED = "superseded"


class DpaTemplate(Base):
    """A validated Word template version; one active per (key, language)."""

    __tablename__ = "dpa_template"
    __table_args__ = (UniqueConstraint("key", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50))
    language: Mapped[str] = mapped_column(String(2))
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    variables: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))


class Dpa(Base):
    """One language version of one version of a client's DPA, with the exact context it was rendered from.

    The language versions of one version share its number, version and date: they are one agreement, and a
    translation never supersedes the text it translates.
    """

    __tablename__ = "dpa"
    __table_args__ = (UniqueConstraint("client_id", "version", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    number: Mapped[str] = mapped_column(String(30), index=True)
    version: Mapped[int]
    template_id: Mapped[int] = mapped_column(ForeignKey("dpa_template.id"))
    language: Mapped[str] = mapped_column(String(2))
    as_of: Mapped[date]
    dated: Mapped[date]
    """The agreement's date, which its language versions share."""
    context: Mapped[dict[str, Any]]
    annex_digest: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    status: Mapped[DpaStatus] = mapped_column(String(20), default=DpaStatus.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime | None]
    signed_on: Mapped[date | None]
    signatory: Mapped[str | None] = mapped_column(String(300))

    client: Mapped[Client] = relationship()
    template: Mapped[DpaTemplate] = relationship()
