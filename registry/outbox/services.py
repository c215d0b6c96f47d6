"""The notice outbox: writing rows in the caller's transaction (delivery is the worker's job, in `notices`).

Every event that must reach someone writes its `Notice` rows here, inside the transaction of the event itself, so
the event and its notices commit together or not at all. Rows are unique per (event, channel, recipient): a second
write of the same notice fails the transaction instead of sending twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, insert, select

from registry.db import utcnow
from registry.extensions import db
from registry.i18n import language_of
from registry.outbox import endpoints
from registry.outbox.models import Channel, Notice, NoticeStatus


def notice_row(
    *,
    event: str,
    template: str,
    recipient: str,
    payload: Mapping[str, Any],
    language: str = "en",
    channel: Channel = Channel.EMAIL,
    change_id: int | None = None,
    client_id: int | None = None,
) -> dict[str, Any]:
    """One outbox row, ready for `enqueue` (every column given, so rows batch into one executemany)."""
    now = utcnow()
    return {
        "event": event,
        "template": template,
        "channel": Channel(channel).value,
        "recipient": recipient,
        "language": language_of(language),
        "change_id": change_id,
        "client_id": client_id,
        "payload": dict(payload),
        "status": NoticeStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue(rows: Iterable[Mapping[str, Any]], *, skip_existing: bool = False) -> int:
    """Insert outbox rows in bulk (flushes, never commits); return how many were written.

    Duplicates inside the batch (same event, channel and recipient, emails compared case-insensitively) are
    written once. `skip_existing`: leave out the rows already in the outbox (for events that may recur, such as a
    daily alert), instead of failing on the uniqueness constraint. Email rows of webhook events also go to each
    active webhook endpoint of their client.
    """
    given = list(rows)
    given += endpoints.webhook_rows([row for row in given if row["channel"] == Channel.EMAIL.value])
    batch: list[Mapping[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for row in given:
        key = (row["event"], row["channel"], str(row["recipient"]).casefold())
        if key not in seen:
            seen.add(key)
            batch.append(row)
    if batch:
        db.session.flush()
    if batch and skip_existing:
        events = sorted({row["event"] for row in batch})
        existing: set[tuple[str, str, str]] = set()
        for start in range(0, len(events), 500):
            stmt = select(Notice.event, Notice.channel, Notice.recipient).where(
                Notice.event.in_(events[start : start + 500])
            )
            existing.update(
                (event, channel, recipient.casefold()) for event, channel, recipient in db.session.execute(stmt)
            )
        batch = [
            row for row in batch if (row["event"], row["channel"], str(row["recipient"]).casefold()) not in existing
        ]
    if batch:
        db.session.execute(insert(Notice), batch)
    return len(batch)


def enqueue_one(**fields: Any) -> int:
    """Write a single notice (the keyword arguments of `notice_row`)."""
    return enqueue([notice_row(**fields)])


def notices_of(change_id: int, template: str) -> list[Notice]:
    """The notices written for a change with this template (e.g. everyone told of its announcement)."""
    stmt = select(Notice).where(Notice.change_id == change_id, Notice.template == template).order_by(Notice.id)
    return list(db.session.scalars(stmt))


def delivery_counts(change_id: int) -> dict[str, int]:
    """How many of a change's notices are delivered, pending, failed (to be retried) and dead."""
    rows = db.session.execute(
        select(Notice.status, func.count()).where(Notice.change_id == change_id).group_by(Notice.status)
    )
    found = {str(status): count for status, count in rows}
    return {
        "delivered": found.get(NoticeStatus.SENT, 0),
        "pending": found.get(NoticeStatus.PENDING, 0),
        "failed": found.get(NoticeStatus.FAILED, 0),
        "dead": found.get(NoticeStatus.DEAD, 0),
    }
