"""The worker process: applies due changes, sends reminders and drains the outbox, pass after pass.

SIGTERM or SIGINT stops it after the notice in hand (a second SIGINT interrupts at once). Notices claimed but not
yet attempted are released, so another worker can take them straight away.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.pool import ConnectionPoolEntry

from registry.changes import reminders
from registry.changes import services as changes
from registry.db import utcnow
from registry.extensions import db
from registry.notices import delivery
from registry.notices.delivery import WORKER, BatchResult, Clock

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        app: Flask,
        *,
        batch: int = 50,
        interval: float = 5.0,
        clock: Clock = utcnow,
        report: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.app = app
        self.batch = batch
        self.interval = interval
        self.clock = clock
        self.report = report
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def run(self, *, once: bool = False) -> BatchResult:
        """Pass after pass until stopped; with `once`, one pass that drains everything due, then return."""
        _quick_commits()
        total = BatchResult()
        with _stop_on_signals(self):
            while not self.stopping.is_set():
                total.add(self.run_pass())
                if once:
                    break
                self.stopping.wait(self.interval)
        return total

    def run_pass(self) -> BatchResult:
        """Apply due changes and send reminders, then send every notice that is due."""
        self.maintain()
        total = BatchResult()
        while not self.stopping.is_set():
            try:
                result = delivery.deliver_batch(
                    self.app, limit=self.batch, clock=self.clock, should_stop=self.stopping.is_set
                )
            except Exception as error:  # e.g. the database unreachable: the leases expire, the notices are retried
                db.session.rollback()
                log.exception("worker: delivery pass failed")
                self.report(f"{self.clock():%Y-%m-%d %H:%M:%S} delivery failed: {type(error).__name__}: {error}")
                break
            if not result.claimed:
                break
            total.add(result)
            self.report(
                f"{self.clock():%Y-%m-%d %H:%M:%S} sent {result.sent}, failed {result.failed}, dead {result.dead}"
                + (f", released {result.released}" if result.released else "")
            )
            for line in result.errors[:5]:
                self.report(f"  {line}")
        return total

    def maintain(self) -> None:
        """The changes feature's daily duties; an error is logged and the next pass tries again."""
        today = self.clock().date()
        for name, task in _maintenance_tasks():
            try:
                task(today, actor=WORKER)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("worker: %s failed", name)


def _maintenance_tasks() -> list[tuple[str, Callable[..., object]]]:
    return [("send_reminders", reminders.send_reminders), ("apply_due", changes.apply_due)]


def _quick_commits() -> None:
    """Let the worker's own connections commit without waiting for the disk.

    The worker commits once per notice sent. SQLite in WAL mode with synchronous=NORMAL, and PostgreSQL with
    synchronous_commit off, stay consistent and survive a crash of the worker; only a power cut or a crash of the
    database server may forget the last results, and those notices are then sent again (same Message-ID): never
    lost. The web process keeps the durable defaults.
    """
    engine: object = db.engine  # typed Engine, but a test may have bound the session to one Connection
    if not isinstance(engine, Engine):
        return
    setting = _FAST_COMMIT.get(engine.dialect.name)
    if setting is not None and not event.contains(engine, "connect", setting):
        event.listen(engine, "connect", setting)
        engine.dispose()  # connections opened before are reopened with the setting


def _sqlite_normal_synchronous(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgresql_asynchronous_commit(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET synchronous_commit TO OFF")
    cursor.close()
    dbapi_connection.commit()


_FAST_COMMIT = {"sqlite": _sqlite_normal_synchronous, "postgresql": _postgresql_asynchronous_commit}


class _stop_on_signals:
    """Route SIGTERM and SIGINT to `worker.stop()` while running in the main thread; restore them afterwards."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.saved: dict[int, object] = {}

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            self.saved[signum] = signal.signal(signum, self._handle)

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.saved.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]  # saved as `object`: any handler signal gave

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        log.info("worker: signal %s, stopping after the notice in hand", signum)
        self.worker.stop()
        if signum == signal.SIGINT:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C interrupts at once
