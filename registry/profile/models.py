from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, TimestampMixin


class ProcessorProfile(TimestampMixin, Base):
    """The company running the registry (the processor). A single row, id 1."""

    __tablename__ = "processor_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    registration_number: Mapped[str] = mapped_column(String(100), default="")
    vat_id: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    representative_name: Mapped[str] = mapped_column(String(200), default="")
    representative_title: Mapped[str] = mapped_column(String(200), default="")
    dpo_name: Mapped[str] = mapped_column(String(200), default="")
    dpo_email: Mapped[str] = mapped_column(String(320), default="")
    dpo_phone: Mapped[str] = mapped_column(String(50), default="")
    authority_name: Mapped[str] = mapped_column(String(300), default="")
    authority_address: Mapped[str] = mapped_column(Text, default="")
    authority_email: Mapped[str] = mapped_column(String(320), default="")
    authority_phone: Mapped[str] = mapped_column(String(50), default="")
    authority_website: Mapped[str] = mapped_column(String(500), default="")
    default_notice_period_days: Mapped[int] = mapped_column(default=30)
    backup_retention_days: Mapped[int] = mapped_column(default=30, server_default="30")
    """How long backups are kept before the rotation deletes them: the one figure the DPA gives (clause 10.3)."""
    toms_ro: Mapped[str] = mapped_column(Text, default="")
    toms_en: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (SQLAlchemy reads it)
