from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, TimestampMixin


class Category(StrEnum):
    HOSTING = "hosting"
    EMAIL = "email"
    SMS = "sms"
    ACCOUNTING = "accounting"
    ANALYTICS = "analytics"
    PAYMENTS = "payments"
    SUPPORT = "support"
    TELEPHONY = "telephony"
    BACKUP = "backup"
    CDN = "cdn"
    ADVERTISING = "advertising"
    OTHER = "other"


class Status(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    RETIRED = "retired"


class LocationRole(StrEnum):
    STORAGE = "storage"
    PROCESSING = "processing"
    SUPPORT = "support"
    BACKUP = "backup"


subprocessor_service = Table(
    "subprocessor_service",
    Base.metadata,
    Column("subprocessor_id", ForeignKey("subprocessor.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id"), primary_key=True),
)


class Service(Base):
    """A product we sell (e.g. `crm`); clients use services and sub-processors serve them."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    processing: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    """What processing the service does for a client, per language (Annex I.B of the client's DPA):
    {"ro": {"nature", "purpose", "data_categories": [...], "data_subjects": [...], "retention"}, "en": {...}}."""


class SubProcessor(TimestampMixin, Base):
    __tablename__ = "subprocessor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    legal_name: Mapped[str] = mapped_column(String(300))
    registration_id: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    address: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(500))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_position: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    category: Mapped[Category] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    data_categories: Mapped[list[str]] = mapped_column(default=list)
    data_subjects: Mapped[list[str]] = mapped_column(default=list)
    certifications: Mapped[list[str]] = mapped_column(default=list)
    dpa_reference: Mapped[str | None] = mapped_column(String(200))
    dpa_date: Mapped[date | None]
    dpf_certified: Mapped[bool] = mapped_column(default=False)
    dpf_recheck_on: Mapped[date | None]
    processes_client_data: Mapped[bool] = mapped_column(default=True, server_default=true())
    """False: one of the processor's own tools (its advertising, its staff's devices), which processes no client data
    and so is no sub-processor of any client: never in a client's list, annex or notices (the public page lists it
    apart)."""
    parent_id: Mapped[int | None] = mapped_column(index=True)
    """The sub-processor that engages this one (an onward sub-processor, EDPB Opinion 22/2024): it serves its
    parent's services, and a chain has at most `chain.MAX_LEVELS` levels. A plain integer that `chain.check_parent`
    keeps valid (sub-processors are retired, never deleted), so SQLite can add and drop it in place."""
    status: Mapped[Status] = mapped_column(String(20), default=Status.PROPOSED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    announced_change_id: Mapped[int | None]
    """The announced change that covers this sub-processor (its own, or the one replacing it): while set, what its
    clients were told (`services.NOTICE_FIELDS`) changes only when that change takes effect. A plain integer, not a
    foreign key: the changes feature depends on this one, not the other way round."""

    services: Mapped[list[Service]] = relationship(secondary=subprocessor_service, order_by=Service.slug)
    locations: Mapped[list[Location]] = relationship(
        back_populates="subprocessor", order_by="Location.position", cascade="all, delete-orphan"
    )

    # The version is bumped by the services on every save; the UPDATE checks the old one (optimistic lock).
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (SQLAlchemy reads it)

    @property
    def contact(self) -> dict[str, str | None]:
        return {
            "name": self.contact_name,
            "position": self.contact_position,
            "email": self.contact_email,
            "phone": self.contact_phone,
        }

    @contact.setter
    def contact(self, value: dict[str, Any]) -> None:
        self.contact_name = value.get("name")
        self.contact_position = value.get("position")
        self.contact_email = value.get("email")
        self.contact_phone = value.get("phone")


class Location(Base):
    """Where a sub-processor processes data, and the transfer mechanism that covers that place."""

    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    subprocessor_id: Mapped[int] = mapped_column(ForeignKey("subprocessor.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    country: Mapped[str] = mapped_column(String(2), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[LocationRole] = mapped_column(String(20))
    mechanism: Mapped[str] = mapped_column(String(20))
    mechanism_detail: Mapped[str | None] = mapped_column(String(200))
    tia_reference: Mapped[str | None] = mapped_column(String(200))
    tia_date: Mapped[date | None]

    subprocessor: Mapped[SubProcessor] = relationship(back_populates="locations")


class SubProcessorVersion(Base):
    """One saved state of a sub-processor (with its locations and services), valid from/until."""

    __tablename__ = "subprocessor_version"
    __table_args__ = (UniqueConstraint("subprocessor_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subprocessor_id: Mapped[int] = mapped_column(ForeignKey("subprocessor.id"), index=True)
    version: Mapped[int]
    status: Mapped[Status] = mapped_column(String(20))
    valid_from: Mapped[datetime] = mapped_column(index=True)
    valid_to: Mapped[datetime | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(320))
    state: Mapped[dict[str, Any]]
