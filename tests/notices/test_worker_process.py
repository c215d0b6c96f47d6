"""Real worker processes on a database of their own (committed data): a worker killed with SIGKILL loses nothing,
and two workers side by side never send the same notice twice.

Runs on a temporary SQLite file, or, when REGISTRY_TEST_DATABASE_URL points to PostgreSQL, on a fresh database
created for the test.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, insert, select, update

from registry import create_app
from registry.audit.services import Actor
from registry.auth import services as auth_services
from registry.db import utcnow
from registry.extensions import db
from registry.outbox.models import Notice, NoticeStatus
from registry.outbox.services import notice_row
from tests.fixtures.smtp import SmtpServer
from tests.notices.conftest import Scene, seed_world

ROOT = Path(__file__).resolve().parents[2]
SECRET = "worker-test-secret"
BASE_URL = "http://registry.test"


@dataclass
class ProcessDatabase:
    url: str
    app: Flask
    world: Scene

    def add_notices(self, count: int, prefix: str) -> list[int]:
        """Commit `count` English announcement notices to distinct recipients; return their ids."""
        with self.app.app_context():
            rows = [
                notice_row(
                    event=f"{prefix}/{i}",
                    template="change.announced",
                    recipient=f"{prefix}-{i}@example.test",
                    language="en",
                    payload={},
                    change_id=self.world.change_id,
                    client_id=self.world.en_client["id"],
                )
                for i in range(count)
            ]
            db.session.execute(insert(Notice), rows)
            db.session.commit()
            return list(db.session.scalars(select(Notice.id).where(Notice.event.startswith(f"{prefix}/"))))

    def all_notice_ids(self) -> list[int]:
        with self.app.app_context():
            return list(db.session.scalars(select(Notice.id)))

    def status_counts(self) -> dict[str, int]:
        with self.app.app_context():
            return dict(db.session.execute(select(Notice.status, func.count()).group_by(Notice.status)).all())

    def expire_leases(self) -> int:
        """What time does for a dead worker's claims: its leases run out."""
        with self.app.app_context():
            expired = db.session.execute(
                update(Notice)
                .where(Notice.lease_until.is_not(None))
                .values(lease_until=utcnow() - timedelta(seconds=1))
            )
            db.session.commit()
            return int(expired.rowcount)


@pytest.fixture
def process_db(database_url: str, tmp_path: Path) -> Iterator[ProcessDatabase]:
    admin = None
    if database_url.startswith("postgresql"):
        name = f"registry_worker_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(database_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": SECRET, "BASE_URL": BASE_URL})
    try:
        with app.app_context():
            flask_migrate.upgrade()
            tokens = {}
            for role in ("legal", "account_manager"):
                user = auth_services.create_user(f"{role}@example.test", role, name=role, actor=Actor("test"))
                _, tokens[role] = auth_services.issue_token(user, actor=Actor("test"))
            db.session.commit()
            world = seed_world(app.test_client(), lambda role: {"Authorization": f"Bearer {tokens[role]}"})
            db.session.remove()
        yield ProcessDatabase(url, app, world)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def start_worker(
    process_db: ProcessDatabase, smtp_server: SmtpServer
) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("REGISTRY_") or key.endswith("_TEST_URL")
    }
    env.update(
        REGISTRY_DATABASE_URL=process_db.url,
        REGISTRY_SECRET_KEY=SECRET,
        REGISTRY_BASE_URL=BASE_URL,
        REGISTRY_MAIL_SERVER="127.0.0.1",
        REGISTRY_MAIL_PORT=str(smtp_server.port),
        PYTHONUNBUFFERED="1",
    )

    def start(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "flask", "--app", "registry", "worker", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def wait_until_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("worker: delivering"):
            return
    raise AssertionError(f"the worker stopped before starting (exit code {process.wait()})")


def sent_by(output: str) -> int:
    found = re.findall(r"^worker: sent (\d+),", output, re.MULTILINE)
    assert found, output
    return int(found[-1])


def test_a_killed_worker_loses_nothing(process_db, smtp_server, start_worker):
    ids = process_db.add_notices(500, "bulk")
    expected = {f"<notice-{i}@registry.test>" for i in process_db.all_notice_ids()}
    assert len(ids) == 500

    worker = start_worker("--batch", "10", "--interval", "0.2")
    assert smtp_server.sink.wait_for(150), "the worker sent too little"
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    delivered_before_restart = len(smtp_server.messages)
    assert delivered_before_restart < len(expected), "the worker finished before it was killed"

    process_db.expire_leases()
    restarted = start_worker("--once", "--batch", "10")
    output, _ = restarted.communicate(timeout=120)

    assert restarted.returncode == 0, output
    assert process_db.status_counts() == {NoticeStatus.SENT: len(expected)}
    received = Counter(smtp_server.sink.message_ids())
    assert set(received) == expected  # every notice delivered, none lost
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    assert len(duplicates) <= 1 and all(n == 2 for n in duplicates.values())  # only the one in flight


def test_two_workers_never_send_the_same_notice_twice(process_db, smtp_server, start_worker):
    first = start_worker("--batch", "5", "--interval", "0.1")
    second = start_worker("--batch", "5", "--interval", "0.1")
    wait_until_ready(first)
    wait_until_ready(second)

    process_db.add_notices(400, "pair")
    total = len(process_db.all_notice_ids())
    assert smtp_server.sink.wait_for(total, timeout=120), f"{len(smtp_server.messages)} of {total} delivered"
    for worker in (first, second):
        worker.send_signal(signal.SIGTERM)
    outputs = [worker.communicate(timeout=30)[0] for worker in (first, second)]

    assert [worker.returncode for worker in (first, second)] == [0, 0], outputs
    received = Counter(smtp_server.sink.message_ids())
    assert len(received) == total
    assert max(received.values()) == 1  # no notice was sent twice
    shares = [sent_by(output) for output in outputs]
    assert sum(shares) == total
    assert min(shares) > 0, shares  # both workers took part
    assert process_db.status_counts() == {NoticeStatus.SENT: total}
