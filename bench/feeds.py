"""Benchmark the public Atom feed: `python bench/feeds.py` (from the repository root, in the virtualenv).

Serves the app under gunicorn (2 workers) on a temporary SQLite database holding 50 change events, and a bare Flask
route under the same gunicorn settings, side by side in the same run. A small keep-alive load client
(http.client, a few threads, bounded by request count and time, 127.0.0.1 only) measures requests/s of:

- the bare route (the baseline),
- the feed with a conditional GET (If-None-Match: 304, no body),
- the feed with a full GET (200, 50 entries),

and prints the ratios against the baseline (goals: >= 0.8 for 304, >= 0.5 for the full feed).
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import flask_migrate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: find `registry`

from registry import create_app  # noqa: E402 (after the sys.path line)
from registry.audit.services import Actor  # noqa: E402 (after the sys.path line)
from registry.changes import services as changes  # noqa: E402 (after the sys.path line)
from registry.demo import builders  # noqa: E402 (after the sys.path line)
from registry.demo.builders import us_support_location  # noqa: E402 (after the sys.path line)
from registry.extensions import db  # noqa: E402 (after the sys.path line)
from tests.fixtures import free_port  # noqa: E402 (after the sys.path line)

WORKERS = 2
GUNICORN_SETTINGS = ["--workers", str(WORKERS), "--worker-class", "gthread", "--threads", "4", "--keep-alive", "10"]
CLIENT_THREADS = 4
MAX_REQUESTS = 8000
MAX_SECONDS = 2.0
WARMUP = 200
ROUNDS = 7
ACTOR = Actor("bench")

BARE_APP = """
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
"""


def seed(database_url: str) -> None:
    """30 changes announced, 10 of them then effective and 10 withdrawn: 50 events."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        flask_migrate.upgrade()
        builders.create_service("crm", actor=ACTOR)
        announced = []
        for number in range(30):
            subprocessor = builders.create_subprocessor(  # a proposed host of crm (registry/demo/builders.py)
                f"Sub-processor {number:02d}",
                actor=ACTOR,
                legal_name=f"Sub-processor {number:02d} GmbH",
                address=f"Hauptstraße {number}, 10115 Berlin",
                purpose="Hosting of the application and its database, encrypted at rest.",
                data_categories=["contact data", "usage data"],
                locations=[
                    {"country": "DE", "label": "EU (Frankfurt)", "role": "storage"},
                    us_support_location(),
                ],
            )
            change = builders.create_change(
                subprocessor.id,
                actor=ACTOR,
                summary=f"We add sub-processor {number:02d} for hosting.",
                reason="More capacity in the EU.",
            )
            changes.announce(change, today=date.today(), actor=ACTOR)
            announced.append(change)
        for change in announced[:10]:
            changes.take_effect(change, actor=ACTOR)
        for change in announced[10:20]:
            changes.withdraw(change, reason="Plans changed.", actor=ACTOR)
        db.session.commit()
        db.engine.dispose()


@contextmanager
def gunicorn(target: str, *, cwd: Path, env: dict[str, str]) -> Iterator[int]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", *GUNICORN_SETTINGS, "--bind", f"127.0.0.1:{port}", target]
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        command, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    errors = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"gunicorn did not start: {errors}") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Result:
    requests: int
    seconds: float
    statuses: set[int]
    body_bytes: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def load(port: int, path: str, headers: dict[str, str], *, expect: int) -> Result:
    """Requests/s from CLIENT_THREADS keep-alive connections, at most MAX_REQUESTS or MAX_SECONDS."""
    lock = threading.Lock()
    counter = {"sent": 0, "done": 0, "bytes": 0}
    statuses: set[int] = set()
    stop_at = time.monotonic() + MAX_SECONDS

    def claim() -> bool:
        with lock:
            if counter["sent"] >= MAX_REQUESTS or time.monotonic() >= stop_at:
                return False
            counter["sent"] += 1
            return True

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while claim():
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                with lock:
                    counter["done"] += 1
                    counter["bytes"] += len(body)
                    statuses.add(response.status)
        finally:
            connection.close()

    for _ in range(WARMUP // CLIENT_THREADS):  # every worker has built and cached what it serves
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        warm.request("GET", path, headers=headers)
        warm.getresponse().read()
        warm.close()
    threads = [threading.Thread(target=run) for _ in range(CLIENT_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if statuses != {expect}:
        raise RuntimeError(f"{path}: expected only {expect}, got {sorted(statuses)}")
    return Result(counter["done"], elapsed, statuses, counter["bytes"] // max(counter["done"], 1))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as folder:
        tmp = Path(folder)
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        print("seeding 50 change events ...", flush=True)
        seed(database_url)
        (tmp / "bare.py").write_text(textwrap.dedent(BARE_APP))

        env = {
            "REGISTRY_DATABASE_URL": database_url,
            "REGISTRY_SECRET_KEY": "bench",
            "REGISTRY_BASE_URL": "http://127.0.0.1",
        }
        with gunicorn("bare:app", cwd=tmp, env={}) as bare_port, gunicorn("wsgi:app", cwd=ROOT, env=env) as port:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            probe.request("GET", "/feeds/subprocessors.atom")
            first = probe.getresponse()
            body = first.read()
            etag = first.getheader("ETag") or ""
            probe.close()
            entries = body.count(b"<entry>")
            if entries != 50:
                raise RuntimeError(f"the feed has {entries} entries, not 50")
            # Interleaved rounds, the median of each kind: a busy machine slows every kind alike.
            runs: dict[str, list[Result]] = {"bare": [], "304": [], "200": []}
            for _ in range(ROUNDS):
                runs["bare"].append(load(bare_port, "/", {}, expect=200))
                runs["304"].append(load(port, "/feeds/subprocessors.atom", {"If-None-Match": etag}, expect=304))
                runs["200"].append(load(port, "/feeds/subprocessors.atom", {}, expect=200))
            bare, conditional, full = (
                sorted(runs[kind], key=lambda result: result.rate)[ROUNDS // 2] for kind in ("bare", "304", "200")
            )
            # Each round's feed runs against that round's baseline (the machine's load drifts between rounds).
            ratios = {
                kind: statistics.median(
                    feed.rate / base.rate for feed, base in zip(runs[kind], runs["bare"], strict=True)
                )
                for kind in ("304", "200")
            }

    settings = " ".join(GUNICORN_SETTINGS)
    print(
        f"gunicorn {settings}; client: {CLIENT_THREADS} keep-alive threads, <= {MAX_REQUESTS} requests or "
        f"{MAX_SECONDS:g} s per run; medians of {ROUNDS} interleaved rounds (ratio: within each round)"
    )
    print(f"{'':32} {'requests':>9} {'req/s':>9} {'bytes':>8} {'ratio':>6}  goal")
    rows = [
        ("bare Flask route (baseline)", bare, 1.0, None),
        ("feed, conditional GET (304)", conditional, ratios["304"], 0.8),
        ("feed, full GET (50 entries)", full, ratios["200"], 0.5),
    ]
    failed = False
    for label, result, ratio, goal in rows:
        verdict = "" if goal is None else (f">= {goal:g} ok" if ratio >= goal else f">= {goal:g} MISSED")
        failed = failed or (goal is not None and ratio < goal)
        print(f"{label:32} {result.requests:>9} {result.rate:>9.0f} {result.body_bytes:>8} {ratio:>6.2f}  {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
