"""Draining the outbox: claim due notices with a lease, send them, record each result before the next send.

A claim sets `lease_until` and commits, so a worker that dies leaves leases that simply expire and the notices are
claimed again: nothing is lost, and only the message that was in flight at the crash can arrive twice (with the
same Message-ID / webhook-id, so receivers can tell). On PostgreSQL claims use `FOR UPDATE SKIP LOCKED`, so any
number of workers share the work; on SQLite one atomic `UPDATE ... RETURNING` claims a batch.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import requests
from flask import Flask
from sqlalchemy import Table, and_, bindparam, or_, select, update

from registry.audit import services as audit
from registry.audit.services import Actor
from registry.auth import services as auth
from registry.changes import services as changes
from registry.changes.messages import ANNOUNCED
from registry.db import page_of, utcnow
from registry.extensions import db
from registry.notices import emails, webhooks
from registry.notices.context import Lookup
from registry.notices.outcome import Outcome
from registry.outbox import endpoints
from registry.outbox import services as outbox
from registry.outbox.models import Channel, Notice, NoticeStatus, WebhookEndpoint

log = logging.getLogger(__name__)

WORKER = Actor("worker")
LEASE = timedelta(minutes=2)
LEASE_MARGIN = timedelta(seconds=20)
"""Stop sending from a batch this long before its lease expires (the rest is released for the next claim)."""
EMAIL_RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 5, 30, 2 * 60, 6 * 60, 12 * 60, 24 * 60))
"""Waits after the 1st, 2nd, ... failed email attempt; after the last one the notice is dead."""
WEBHOOK_RETRY_DELAYS = tuple(
    timedelta(seconds=s) for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600)
)
"""The Standard Webhooks schedule after the immediate first attempt (then dead), each with +-10 % jitter."""
JITTER = 0.1
ALERT_TEMPLATE = "notice.dead"
DUE_STATUSES = (NoticeStatus.PENDING.value, NoticeStatus.FAILED.value)

Clock = Callable[[], datetime]


def retry_delay(channel: str, attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed attempts, or None when it is time to give up."""
    delays = WEBHOOK_RETRY_DELAYS if channel == Channel.WEBHOOK else EMAIL_RETRY_DELAYS
    if attempts < 1 or attempts > len(delays):
        return None
    delay = delays[attempts - 1]
    if channel == Channel.WEBHOOK:
        delay *= random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (spreading retries, not security)
    return delay


# Claiming ----------------------------------------------------------------------------------------------------------


def _due(now: datetime) -> Any:
    return and_(
        Notice.status.in_(DUE_STATUSES),
        Notice.next_attempt_at <= now,
        or_(Notice.lease_until.is_(None), Notice.lease_until < now),
    )


def claim(now: datetime, limit: int) -> tuple[list[int], datetime]:
    """Lease up to `limit` due notices (oldest due first) until now + LEASE, and commit; return their ids and the
    lease, which identifies this claim when the results are recorded."""
    lease = now + LEASE
    db.session.commit()  # see `record`
    due = select(Notice.id).where(_due(now)).order_by(Notice.next_attempt_at, Notice.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(
                update(Notice).where(Notice.id.in_(ids)).values(lease_until=lease),
                execution_options={"synchronize_session": False},
            )
    else:  # SQLite: one statement, atomic under the database's single writer lock
        stmt = update(Notice).where(Notice.id.in_(due.scalar_subquery())).values(lease_until=lease)
        ids = list(db.session.scalars(stmt.returning(Notice.id), execution_options={"synchronize_session": False}))
    db.session.commit()
    return sorted(ids), lease


def release(ids: list[int], lease: datetime) -> None:
    """Give back notices claimed but not attempted (stopping, or the lease running out)."""
    if ids:
        db.session.commit()  # see `record`
        db.session.execute(
            update(Notice).where(Notice.id.in_(ids), Notice.lease_until == lease).values(lease_until=None),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()


# Sending -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """The parts of a claimed notice that recording its result needs (plain values)."""

    id: int
    channel: str
    template: str
    recipient: str
    attempts: int
    change_id: int | None
    client_id: int | None


Work = emails.RenderedEmail | webhooks.PreparedWebhook | Outcome


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    released: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        self.released += other.released
        self.errors.extend(other.errors)


def prepare(notice: Notice, now: datetime, lookup: Lookup | None = None) -> Work:
    """Render an email or build a webhook request; a notice that cannot be rendered fails (and is retried)."""
    try:
        if notice.channel == Channel.WEBHOOK:
            return webhooks.prepare(notice, now, lookup)
        return emails.render(notice, now=now, lookup=lookup)
    except Exception as error:  # a broken template or missing data must not stop the other notices
        log.exception("notice %s could not be rendered", notice.id)
        return Outcome.failed(f"Could not render the notice: {type(error).__name__}: {error}")


def deliver_batch(
    app: Flask, *, limit: int = 50, clock: Clock = utcnow, should_stop: Callable[[], bool] = lambda: False
) -> BatchResult:
    """Claim up to `limit` due notices, send them (one SMTP connection for the batch) and record each result.

    Sending happens on a helper thread while this one renders the next notices, so rendering costs no time on
    the wire. One message at a time is in flight, and its result is committed before the next one goes out: a
    crash can only ever repeat that one message.
    """
    now = clock()
    ids, lease = claim(now, limit)
    result = BatchResult(claimed=len(ids))
    if not ids:
        return result
    waiting = deque(db.session.scalars(select(Notice).where(Notice.id.in_(ids)).order_by(Notice.id)))
    lookup = Lookup()
    lookup.prefetch(waiting)
    ready: deque[tuple[Claimed, Work]] = deque()
    in_flight: tuple[Claimed, Future[Outcome]] | None = None
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False  # keep rendering across commits
    try:
        with (
            emails.Mailer.for_app(app) as mailer,
            webhooks.new_session() as http,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="notice-sender") as sender,
        ):
            transport = _Transport(mailer, http, clock, endpoints.allowed_hosts())
            while True:
                if in_flight is not None:
                    item, future = in_flight
                    if future.done() or not waiting:  # nothing left to render meanwhile: wait for the answer
                        in_flight = None
                        outcome = future.result()
                        _count(result, item, outcome, record(item, outcome, lease, clock()))
                        continue
                elif should_stop() or clock() >= lease - LEASE_MARGIN:
                    break
                elif ready:
                    item, work = ready.popleft()
                    if isinstance(work, Outcome):
                        _count(result, item, work, record(item, work, lease, clock()))
                    else:
                        in_flight = (item, sender.submit(transport, work))
                    continue
                if not waiting:
                    break
                notice = waiting.popleft()
                ready.append((_claimed(notice), prepare(notice, now, lookup)))
                time.sleep(0)  # hand the GIL to the sender thread if its answer came in
        rest = [item.id for item, _ in ready] + [notice.id for notice in waiting]
        release(rest, lease)
        result.released += len(rest)
    finally:
        session.expire_on_commit = expire_on_commit
        session.expire_all()
    return result


class _Transport:
    """Sends one rendered notice; runs on the sender thread (no database, no application context)."""

    def __init__(self, mailer: emails.Mailer, http: requests.Session, clock: Clock, allowed: set[str]) -> None:
        self.mailer, self.http, self.clock, self.allowed = mailer, http, clock, allowed

    def __call__(self, work: emails.RenderedEmail | webhooks.PreparedWebhook) -> Outcome:
        try:
            if isinstance(work, emails.RenderedEmail):
                return self.mailer.send(work)
            return webhooks.send(self.http, work, self.clock(), allowed=self.allowed)
        except Exception as error:  # never lose the result: an unexpected error is a failed attempt
            log.exception("sending notice failed")
            return Outcome.failed(f"{type(error).__name__}: {error}")


def _claimed(notice: Notice) -> Claimed:
    return Claimed(
        notice.id,
        notice.channel,
        notice.template,
        notice.recipient,
        notice.attempts,
        notice.change_id,
        notice.client_id,
    )


def _count(result: BatchResult, item: Claimed, outcome: Outcome, status: NoticeStatus | None) -> None:
    if status == NoticeStatus.SENT:
        result.sent += 1
    elif status == NoticeStatus.FAILED:
        result.failed += 1
    elif status == NoticeStatus.DEAD:
        result.dead += 1
    if outcome.error:
        result.errors.append(f"notice {item.id}: {outcome.error}")


def record(item: Claimed, outcome: Outcome, lease: datetime, now: datetime) -> NoticeStatus | None:
    """Write one attempt's result and commit. None if the lease was lost (another worker took the notice over)."""
    db.session.commit()  # end any read (rendering): on SQLite a write must open its transaction to wait for the lock
    attempts = item.attempts + 1
    params: dict[str, Any] = {"notice_id": item.id, "lease": lease, "attempts": attempts}
    if outcome.ok:
        status = NoticeStatus.SENT
        stmt = _RECORD_SENT
        params.update(sent_at=now, message_id=outcome.message_id)
    else:
        delay = None if outcome.permanent else retry_delay(item.channel, attempts)
        status = NoticeStatus.DEAD if delay is None else NoticeStatus.FAILED
        stmt = _RECORD_DEAD if delay is None else _RECORD_FAILED
        params["last_error"] = outcome.error
        if delay is not None:
            params["next_attempt_at"] = now + delay
    written = db.session.connection().execute(stmt, params)
    if written.rowcount == 0:
        db.session.rollback()
        log.warning("notice %s: lease lost before its result was recorded", item.id)
        return None
    if item.channel == Channel.WEBHOOK and item.recipient.isdigit():
        endpoint_id = int(item.recipient)
        db.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id)
            .values(failure_count=0 if outcome.ok else WebhookEndpoint.failure_count + 1),
            execution_options={"synchronize_session": False},
        )
        if outcome.disable_endpoint:
            endpoints.disable_endpoint(endpoint_id, outcome.error or "", actor=WORKER)
    if status == NoticeStatus.SENT and item.template == ANNOUNCED and item.change_id and item.client_id:
        changes.notice_delivered(item.change_id, item.client_id, at=now)  # the client's term starts (if first)
    if status == NoticeStatus.DEAD:
        log.warning("notice %s is dead after %s attempts: %s", item.id, attempts, outcome.error)
        if outcome.alert:
            alert_dead(item, attempts, outcome.error or "")
    db.session.commit()
    return status


def _recording(status: NoticeStatus, **values: Any) -> Any:
    """The UPDATE that records one attempt, built once (it runs once per notice sent)."""
    table = cast(Table, Notice.__table__)
    return (
        update(table)
        .where(table.c.id == bindparam("notice_id"), table.c.lease_until == bindparam("lease"))
        .values(status=status.value, attempts=bindparam("attempts"), lease_until=None, **values)
    )


_RECORD_SENT = _recording(
    NoticeStatus.SENT, sent_at=bindparam("sent_at"), message_id=bindparam("message_id"), last_error=None
)
_RECORD_FAILED = _recording(
    NoticeStatus.FAILED, last_error=bindparam("last_error"), next_attempt_at=bindparam("next_attempt_at")
)
_RECORD_DEAD = _recording(NoticeStatus.DEAD, last_error=bindparam("last_error"))


def alert_dead(item: Claimed, attempts: int, error: str) -> None:
    """Tell the legal team (`auth.legal_team`) that a notice will not arrive; never about such an alert itself."""
    if item.template == ALERT_TEMPLATE:
        return
    outbox.enqueue(
        [
            outbox.notice_row(
                event=f"notice/{item.id}/dead/{attempts}",
                template=ALERT_TEMPLATE,
                recipient=recipient,
                payload={"notice_id": item.id, "change_id": item.change_id, "error": error},
                language="en",
            )
            for recipient in auth.legal_team()
        ]
    )


# The delivery log --------------------------------------------------------------------------------------------------


def list_notices(filters: Mapping[str, Any], page: int, page_size: int) -> tuple[list[Notice], int]:
    """One page of the outbox, newest first; filters: change_id, client_id, status, channel, event."""
    stmt = select(Notice)
    for name in ("change_id", "client_id", "status", "channel", "event"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Notice, name) == filters[name])
    return page_of(db.session(), stmt.order_by(Notice.id.desc()), page, page_size)


def retryable_ids(change_id: int | None = None) -> list[int]:
    stmt = select(Notice.id).where(Notice.status.in_([NoticeStatus.FAILED.value, NoticeStatus.DEAD.value]))
    if change_id is not None:
        stmt = stmt.where(Notice.change_id == change_id)
    return list(db.session.scalars(stmt.order_by(Notice.id)))


def retry(ids: list[int], *, actor: Actor, now: datetime | None = None) -> int:
    """Put failed and dead notices back in the queue, due now (attempt counts are kept). Flushes, never commits."""
    if not ids:
        return 0
    written = db.session.execute(
        update(Notice)
        .where(Notice.id.in_(ids), Notice.status.in_([NoticeStatus.FAILED.value, NoticeStatus.DEAD.value]))
        .values(status=NoticeStatus.PENDING.value, next_attempt_at=now or utcnow(), lease_until=None),
        execution_options={"synchronize_session": False},
    )
    count = int(getattr(written, "rowcount", 0) or 0)
    audit.record(
        "notices.retried",
        actor=actor,
        entity_type=Notice.__tablename__,
        after={"count": count, "first_id": ids[0], "last_id": ids[-1]},
    )
    return count
