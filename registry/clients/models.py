from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, TimestampMixin, utcnow
from registry.subprocessors.models import Service, SubProcessor


class Authorization(StrEnum):
    """How the client authorised sub-processors (GDPR Art. 28(2))."""

    GENERAL = "general"
    SPECIFIC = "specific"


class SpecialCategory(StrEnum):
    """Data the GDPR protects specially: Art. 9(1) categories, and criminal convictions and offences (Art. 10)."""

    HEALTH = "health"
    GENETIC = "genetic"
    BIOMETRIC = "biometric"
    RACIAL_OR_ETHNIC_ORIGIN = "racial_or_ethnic_origin"
    POLITICAL_OPINIONS = "political_opinions"
    RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS = "religious_or_philosophical_beliefs"
    TRADE_UNION_MEMBERSHIP = "trade_union_membership"
    SEX_LIFE_OR_ORIENTATION = "sex_life_or_orientation"
    CRIMINAL_CONVICTIONS = "criminal_convictions"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    TERMINATED = "terminated"
    """The contract ended after the client's answer to a change (`contract_terminated`)."""


client_service = Table(
    "client_service",
    Base.metadata,
    Column("client_id", ForeignKey("client.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id"), primary_key=True),
)


class Client(TimestampMixin, Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str] = mapped_column(String(300))
    registration_number: Mapped[str | None] = mapped_column(String(100))
    vat_id: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(2), default="ro")
    authorization: Mapped[Authorization] = mapped_column(String(20), default=Authorization.GENERAL)
    notice_period_days: Mapped[int] = mapped_column(default=30)
    notice_period_reason: Mapped[str | None] = mapped_column(Text)
    """Why the notice period is shorter than `services.SHORT_NOTICE_DAYS` (only an admin sets one)."""
    special_categories: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    """The special categories of personal data (`SpecialCategory`) the client's use of the services involves (a
    clinic: health): named, with their safeguards, in its DPA's Annex I."""
    special_categories_safeguards: Mapped[str | None] = mapped_column(Text)
    """The additional safeguards agreed for them (required when there are any)."""
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    signatory_title: Mapped[str | None] = mapped_column(String(200))
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The feed token is derived (HMAC of the secret key) from the id and this instant; rotating changes it.
    feed_token_rotated_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[ClientStatus] = mapped_column(String(20), default=ClientStatus.ACTIVE, index=True)
    version: Mapped[int] = mapped_column(default=1)

    services: Mapped[list[Service]] = relationship(secondary=client_service, order_by=Service.slug)
    contacts: Mapped[list[ClientContact]] = relationship(
        back_populates="client", order_by="ClientContact.id", cascade="all, delete-orphan"
    )
    exclusions: Mapped[list[Exclusion]] = relationship(back_populates="client", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (SQLAlchemy reads it)

    @property
    def signatory(self) -> dict[str, str | None]:
        return {"name": self.signatory_name, "title": self.signatory_title}

    @signatory.setter
    def signatory(self, value: dict[str, str | None]) -> None:
        self.signatory_name = value.get("name")
        self.signatory_title = value.get("title")

    @property
    def exclusions_in_force(self) -> list[Exclusion]:
        """The sub-processors excluded for the client now (ended exclusions stay in the table, for past lists)."""
        return [exclusion for exclusion in self.exclusions if exclusion.ends_at is None]


class ClientContact(Base):
    __tablename__ = "client_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(100), default="")
    receives_notices: Mapped[bool] = mapped_column(default=True)

    client: Mapped[Client] = relationship(back_populates="contacts")


class Exclusion(Base):
    """A sub-processor that does not apply to one client (after an objection), from `starts_at` until `ends_at`.

    A pair may have several rows over time (excluded, applied again, excluded after a later change); at most one is
    in force (`ends_at` None)."""

    __tablename__ = "client_exclusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    subprocessor_id: Mapped[int] = mapped_column(ForeignKey("subprocessor.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None]
    """When the sub-processor applies to the client again (a held objection resolved by the client's acceptance);
    None: excluded for good."""
    actor: Mapped[str] = mapped_column(String(320))

    client: Mapped[Client] = relationship(back_populates="exclusions")
    subprocessor: Mapped[SubProcessor] = relationship()


class ClientVersion(Base):
    """One saved state of a client (`services.snapshot`: services as slugs), valid from/until: which services, and so
    which sub-processors, applied to it on any date."""

    __tablename__ = "client_version"
    __table_args__ = (UniqueConstraint("client_id", "version", name="uq_client_version_client_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    version: Mapped[int]
    valid_from: Mapped[datetime] = mapped_column(index=True)
    valid_to: Mapped[datetime | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(320))
    state: Mapped[dict[str, Any]]
