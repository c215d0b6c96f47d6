"""Benchmark notice delivery and announcing: `python bench/delivery.py` (from the repository root, in the virtualenv).

1. Delivery rate: the worker drains N email notices (claim with a lease, render ro/en templates, send over one SMTP
   connection per batch, record each result with its own commit) to a local SMTP sink (aiosmtpd, its own process),
   against raw smtplib sending the same, already rendered messages over one connection, in the same run.
   Goal: worker rate / raw rate >= 0.7.
2. Announcing to 10,000 clients: `changes.announce` (affected clients, deadlines, one notice per contact, webhook
   fan-out, audit) and its commit, against a raw bulk insert of the very rows it wrote. Goal: <= 2x.

Temporary SQLite files by default; `--database-url postgresql+psycopg://...` runs both on an existing (empty or
throw-away) PostgreSQL database instead: its tables are created by the migrations and dropped at the end.
"""

from __future__ import annotations

import argparse
import secrets
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import flask_migrate
from sqlalchemy import delete, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: find `registry`

from registry import create_app  # noqa: E402 (after the sys.path line)
from registry.audit.services import Actor  # noqa: E402 (after the sys.path line)
from registry.changes import services as changes  # noqa: E402 (after the sys.path line)
from registry.changes.models import AffectedClient, Change  # noqa: E402 (after the sys.path line)
from registry.clients.models import Client, ClientContact, client_service  # noqa: E402 (after the sys.path line)
from registry.db import utcnow  # noqa: E402 (after the sys.path line)
from registry.demo import builders  # noqa: E402 (after the sys.path line)
from registry.demo.builders import us_support_location  # noqa: E402 (after the sys.path line)
from registry.extensions import db  # noqa: E402 (after the sys.path line)
from registry.notices import emails  # noqa: E402 (after the sys.path line)
from registry.notices.context import Lookup  # noqa: E402 (after the sys.path line)
from registry.notices.worker import Worker  # noqa: E402 (after the sys.path line)
from registry.outbox.models import Notice, WebhookEndpoint  # noqa: E402 (after the sys.path line)
from registry.outbox.services import notice_row  # noqa: E402 (after the sys.path line)
from registry.subprocessors.models import Service  # noqa: E402 (after the sys.path line)
from tests.fixtures import free_port  # noqa: E402 (after the sys.path line)

ACTOR = Actor("bench")
NOTICES = 1000
ROUNDS = 3
BATCH = 100
CLIENTS = 10_000
WEBHOOK_CLIENTS = 100
NIMBUS = {  # a proposed host of crm (registry/demo/builders.py) with a US support desk under SCC
    "legal_name": "Nimbus Cloud Services GmbH",
    "purpose": "Hosting of the CRM database",
    "locations": [
        {"country": "DE", "label": "EU (Frankfurt)", "role": "storage"},
        us_support_location(),
    ],
}


@contextmanager
def smtp_sink() -> Iterator[int]:
    """aiosmtpd with its discarding Sink handler, in its own process; yields its port."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=2) as probe:
                    probe.noop()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait()


@contextmanager
def database(url: str | None, name: str) -> Iterator[str]:
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / name}"


def make_app(url: str, **config: Any) -> Any:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "BASE_URL": "http://registry.bench", **config})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def drop_all(app: Any) -> None:
    with app.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()


def seed_change(clients: int, webhook_clients: int = 0) -> Change:
    """The crm service, a proposed sub-processor, `clients` clients (bulk rows) and a draft `add` change."""
    builders.create_service("crm", actor=ACTOR)
    subprocessor = builders.create_subprocessor("Nimbus Cloud", actor=ACTOR, **NIMBUS)
    service_id = db.session.scalar(select(Service.id).where(Service.slug == "crm"))
    for start in range(0, clients, 2000):
        count = min(2000, clients - start)
        first = (db.session.scalar(select(Client.id).order_by(Client.id.desc()).limit(1)) or 0) + 1
        db.session.execute(
            insert(Client),
            [
                {
                    "id": first + i,
                    "name": f"Client {start + i:05d}",
                    "legal_name": f"Client {start + i:05d} SRL",
                    "country": "RO",
                    "address": "Str. Dacia 12, București",
                    "language": "ro" if i % 2 else "en",
                    "authorization": "specific" if i % 10 == 0 else "general",
                    "notice_period_days": 30,
                    "status": "active",
                    "version": 1,
                }
                for i in range(count)
            ],
        )
        db.session.execute(
            insert(ClientContact),
            [{"client_id": first + i, "name": "DPO", "email": f"dpo{start + i}@client.bench"} for i in range(count)],
        )
        db.session.execute(
            insert(client_service), [{"client_id": first + i, "service_id": service_id} for i in range(count)]
        )
    if webhook_clients:
        ids = list(db.session.scalars(select(Client.id).order_by(Client.id).limit(webhook_clients)))
        db.session.execute(
            insert(WebhookEndpoint),
            [{"client_id": cid, "url": "https://hooks.bench/", "secret_nonce": secrets.token_hex(16)} for cid in ids],
        )
    change = builders.create_change(
        subprocessor.id, actor=ACTOR, summary="Nimbus hosts the CRM database.", reason="Capacity."
    )
    db.session.commit()
    return change


# 1. Delivery rate ----------------------------------------------------------------------------------------------


def add_notices(change: Change, count: int, tag: str) -> None:
    client_ids = list(db.session.scalars(select(Client.id).order_by(Client.id)))
    rows = [
        notice_row(
            event=f"bench/{tag}/{i}",
            template="change.announced",
            recipient=f"r{i}@sink.bench",
            language="ro" if i % 2 else "en",
            payload={},
            change_id=change.id,
            client_id=client_ids[i % len(client_ids)],
        )
        for i in range(count)
    ]
    db.session.execute(insert(Notice), rows)
    db.session.commit()


def rendered(tag: str) -> tuple[list[tuple[str, bytes]], float]:
    """The messages of the pending notices `tag`, rendered as the worker renders them, and the seconds rendering
    took (the notices are loaded first, untimed)."""
    now = utcnow()
    notices = list(db.session.scalars(select(Notice).where(Notice.event.startswith(f"bench/{tag}/"))))
    lookup = Lookup()
    lookup.prefetch(notices)
    started = time.perf_counter()
    messages = [(n.recipient, emails.render(n, now=now, lookup=lookup).data) for n in notices]
    return messages, time.perf_counter() - started


def raw_send(port: int, messages: list[tuple[str, bytes]]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for recipient, message in messages:
            smtp.sendmail("registry@bench", [recipient], message)
    return time.perf_counter() - started


def bench_delivery(url: str | None) -> float:
    with database(url, "delivery.sqlite3") as db_url, smtp_sink() as port:
        app = make_app(db_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="registry@bench")
        try:
            with app.app_context():
                change = seed_change(clients=20)
                changes.announce(change, today=date.today(), actor=ACTOR)
                db.session.commit()
                Worker(app).run(once=True)  # the announcement itself, and warm-up
                raw_rates, render_send_rates, worker_rates = [], [], []
                for round_ in range(ROUNDS):
                    tag = f"r{round_}"
                    add_notices(change, NOTICES, tag)
                    messages, render_seconds = rendered(tag)
                    db.session.commit()
                    send_seconds = raw_send(port, messages)
                    raw_rates.append(len(messages) / send_seconds)
                    render_send_rates.append(len(messages) / (render_seconds + send_seconds))
                    started = time.perf_counter()
                    result = Worker(app, batch=BATCH).run(once=True)
                    elapsed = time.perf_counter() - started
                    assert result.sent == NOTICES, result
                    worker_rates.append(result.sent / elapsed)
            raw, worker = statistics.median(raw_rates), statistics.median(worker_rates)
            render_send = statistics.median(render_send_rates)
            ratio = worker / raw
            print(f"delivery: {NOTICES} emails x {ROUNDS} rounds to a local aiosmtpd sink ({dialect(db_url)})")
            print(f"  raw smtplib, one connection, pre-rendered: {raw:8.0f} messages/s")
            print(f"  raw smtplib, rendering each message first: {render_send:8.0f} messages/s")
            print(f"  worker (claim, render, send, record):      {worker:8.0f} messages/s")
            print(f"  ratio to raw smtplib (pre-rendered): {ratio:.2f} (goal >= 0.7)")
            print(f"  ratio to raw smtplib + rendering:    {worker / render_send:.2f}")
            return ratio
        finally:
            if url:
                drop_all(app)


# 2. Announcing to 10,000 clients -------------------------------------------------------------------------------


def bench_announce(url: str | None) -> float:
    with database(url, "announce.sqlite3") as db_url:
        app = make_app(db_url)
        try:
            with app.app_context():
                change = seed_change(CLIENTS, WEBHOOK_CLIENTS)
                started = time.perf_counter()
                changes.announce(change, today=date.today(), actor=ACTOR)
                db.session.commit()
                announce_seconds = time.perf_counter() - started
                change_id = change.id

                affected = [_row(a, AffectedClient) for a in db.session.scalars(select(AffectedClient))]
                notices = [_row(n, Notice) for n in db.session.scalars(select(Notice))]
                db.session.execute(delete(Notice).where(Notice.change_id == change_id))
                db.session.execute(delete(AffectedClient).where(AffectedClient.change_id == change_id))
                db.session.commit()
                db.session.expunge_all()

                started = time.perf_counter()
                db.session.execute(insert(AffectedClient), affected)
                db.session.execute(insert(Notice), notices)
                db.session.commit()
                raw_seconds = time.perf_counter() - started
            ratio = announce_seconds / raw_seconds
            webhooks = sum(1 for n in notices if n["channel"] == "webhook")
            print(f"announce: {len(affected)} clients, {len(notices)} notices ({webhooks} webhook) ({dialect(db_url)})")
            print(f"  changes.announce + commit:             {announce_seconds:6.2f} s")
            print(f"  raw bulk insert of the same rows:      {raw_seconds:6.2f} s")
            print(f"  ratio: {ratio:.2f}x (goal <= 2x)")
            return ratio
        finally:
            if url:
                drop_all(app)


def _row(obj: Any, model: Any) -> dict[str, Any]:
    return {column.key: getattr(obj, column.key) for column in model.__table__.columns if column.key != "id"}


def dialect(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an existing throw-away database (default: temporary SQLite files)")
    parser.add_argument("--only", choices=["delivery", "announce"])
    args = parser.parse_args()
    if args.only in (None, "delivery"):
        bench_delivery(args.database_url)
    if args.only in (None, "announce"):
        bench_announce(args.database_url)


if __name__ == "__main__":
    main()
