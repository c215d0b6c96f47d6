"""Generate DPA versions for many clients, in this process or in worker processes.

Each worker process builds its own app (`registry.create_app`) on the same database and commits each client's DPA
on its own; the parent only hands out client ids and collects the results. Rendering happens outside any write
transaction, and the short store step is retried when SQLite reports a lock, so workers do not serialise on it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import OperationalError

from registry.audit.services import Actor
from registry.clients import services as clients
from registry.dpas import services
from registry.dpas.models import Dpa
from registry.dpas.processes import process_context
from registry.errors import RegistryError
from registry.extensions import db
from registry.profile import services as profile_services

STORE_ATTEMPTS = 8


@dataclass(frozen=True)
class Options:
    actor: str
    language: str | None = None
    template_key: str = services.BUILTIN_KEY
    as_of: date | None = None


@dataclass(frozen=True)
class Outcome:
    client_id: int
    client_name: str
    dpa_id: int | None = None
    number: str = ""
    version: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _locked(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "busy" in text


def _store(prepared: services.PreparedDpa, actor: Actor) -> Dpa:
    """Store and commit, retrying while SQLite reports another writer (WAL: a stale snapshot cannot write)."""
    attempt = 0
    while True:
        try:
            dpa = services.store_dpa(prepared, actor=actor)
            db.session.commit()
            return dpa
        except OperationalError as error:
            db.session.rollback()
            attempt += 1
            if not _locked(error) or attempt >= STORE_ATTEMPTS:
                raise
            time.sleep(0.02 * attempt)


def generate_one(client_id: int, options: Options) -> Outcome:
    """Generate and commit one client's next DPA version; never raises for a per-client failure."""
    actor = Actor(options.actor)
    name = ""
    try:
        client = clients.get_client(client_id)
        name = client.name
        inputs = services.collect_dpa(
            client, language=options.language, template_key=options.template_key, as_of=options.as_of
        )
        db.session.commit()  # end the transaction (on SQLite it holds the write lock) before the slow render
        dpa = _store(services.render_dpa(inputs), actor)
        return Outcome(client_id, name, dpa.id, dpa.number, dpa.version)
    except RegistryError as error:
        db.session.rollback()
        return Outcome(client_id, name, error=error.message)
    except Exception as error:  # one client's failure must not stop the others: it is reported
        db.session.rollback()
        current_app.logger.exception("DPA generation failed for client %s", client_id)
        return Outcome(client_id, name, error=f"{type(error).__name__}: {error}")


# -- worker processes -------------------------------------------------------------------------------------------

_worker: dict[str, Any] = {}  # per worker process: its app, or why it could not be built


def _init_worker(config: Mapping[str, Any]) -> None:
    from registry import create_app  # here, not at import time: building the app is the worker's first job

    try:
        _worker["app"] = create_app(config)
    except Exception as error:  # a failing initializer would make the pool respawn workers forever
        _worker["error"] = f"the worker could not start: {type(error).__name__}: {error}"


def _work(task: tuple[int, Options]) -> Outcome:
    client_id, options = task
    app: Flask | None = _worker.get("app")
    if app is None:
        return Outcome(client_id, "", error=str(_worker.get("error", "the worker could not start")))
    with app.app_context():
        try:
            return generate_one(client_id, options)
        finally:
            db.session.remove()


def worker_config(app: Flask) -> dict[str, Any]:
    """What a worker needs to reach the same database as `app`."""
    return {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "BASE_URL": app.config["BASE_URL"],
    }


def generate_many(client_ids: list[int], options: Options, *, jobs: int = 1) -> Iterator[Outcome]:
    """Yield one outcome per client as they complete (in this process for `jobs` 1, else in `jobs` processes).

    Call inside an app context; the built-in templates are loaded and committed first, so workers only read them.
    """
    services.ensure_builtin_templates()
    profile_services.get_profile()  # created once here rather than raced for by the workers
    db.session.commit()
    if jobs <= 1 or len(client_ids) <= 1:
        for client_id in client_ids:
            yield generate_one(client_id, options)
        return
    config = worker_config(current_app._get_current_object())  # type: ignore[attr-defined]  # the proxy hides it from mypy
    db.session.remove()
    context = process_context()
    with context.Pool(min(jobs, len(client_ids)), initializer=_init_worker, initargs=(config,)) as pool:
        yield from pool.imap_unordered(_work, [(client_id, options) for client_id in client_ids])
