"""Declarative base, column types and query helpers shared by every feature."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Dialect, MetaData, Select, func, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry, scoped_session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC, returned aware on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


mapper_registry = registry(
    metadata=MetaData(naming_convention=NAMING_CONVENTION),
    type_annotation_map={
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
    },
)


class Base(DeclarativeBase):
    registry = mapper_registry
    metadata = mapper_registry.metadata


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


T = TypeVar("T")


def save_version(
    session: Session | scoped_session[Session],
    model: Any,
    *,
    owner: str,
    owner_id: int,
    now: datetime,
    **values: Any,
) -> None:
    """Close the open history row of one object (`valid_to = now`) and add its next one, valid from `now`.

    `model` is a history table with `valid_from`/`valid_to` and the owner's id in column `owner` (e.g.
    SubProcessorVersion and "subprocessor_id"); `values` are its other columns.
    """
    owned = getattr(model, owner)
    session.execute(update(model).where(owned == owner_id, model.valid_to.is_(None)).values(valid_to=now))
    session.add(model(**{owner: owner_id}, valid_from=now, valid_to=None, **values))


def page_of(
    session: Session | scoped_session[Session], stmt: Select[T], page: int, page_size: int
) -> tuple[list[T], int]:
    """Return one page of `stmt` and the total number of rows it selects."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)))
    return items, total
