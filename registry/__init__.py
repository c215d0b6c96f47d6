"""Data-processing-agreement and sub-processor registry (GDPR Art. 28)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from registry import apidocs, config, deadlines, models  # noqa: F401 (models: every table registered before migrations run)
from registry.audit.cli import audit_cli
from registry.auth.api import blp as auth_blp
from registry.auth.cli import users_cli
from registry.changes import holds
from registry.changes import views as respond_views
from registry.changes.api import blp as changes_blp
from registry.changes.cli import changes_cli
from registry.clients.api import blp as clients_blp
from registry.clients.services import client_joined
from registry.demo.cli import demo_cli
from registry.dpas.api import blp as dpas_blp
from registry.dpas.cli import dpas_cli
from registry.errors import register_errorhandlers
from registry.extensions import api, db, migrate
from registry.feeds import views as feed_views
from registry.i18n import long_date
from registry.notices.api import blp as notices_blp
from registry.notices.cli import notices_cli, worker_command
from registry.profile.api import blp as profile_blp
from registry.public import views as public_views
from registry.subprocessors.api import blp as subprocessors_blp
from registry.subprocessors.cli import subprocessors_cli, transfers_cli
from registry.transaction import RegistryFlask
from registry.transfers.api import blp as transfers_blp

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    app = RegistryFlask(
        __name__, template_folder=str(ROOT / "templates"), instance_path=instance_path or str(ROOT / "instance")
    )
    config.configure(app, test_config)
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # Flask's way to add middleware
    register_extensions(app)
    register_template_filters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_signals()
    return app


def register_template_filters(app: Flask) -> None:
    """Dates in words for every page and email: `{{ day|long_date(lang) }}`, `{{ instant|moment(lang) }}`,
    `{{ deadline|deadline_text(lang) }}` (with its time and zone)."""
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(deadlines.moment_text, "moment")
    app.add_template_filter(deadlines.deadline_text, "deadline_text")


def register_signals() -> None:
    """Lower floors announce events; the features above them subscribe here (connecting twice is harmless)."""
    client_joined.connect(holds.on_client_joined)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_on_connect)
            event.listen(db.engine, "begin", _sqlite_on_begin)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    api.init_app(app)


def _sqlite_on_connect(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling breaks SAVEPOINTs), and turn on WAL,
    # foreign keys and a busy timeout so a second process waits for the lock instead of failing.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    # IMMEDIATE: take the write lock at the start, so a transaction that reads and then writes waits for another
    # process's commit (busy_timeout) instead of failing with "database is locked" when it tries to write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ids beyond 64 bits cannot exist, so they are a 404 rather than a database error."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(apidocs.blp)
    app.register_blueprint(respond_views.blp)
    app.register_blueprint(public_views.blp)
    app.register_blueprint(feed_views.blp)
    for blueprint in (
        auth_blp,
        profile_blp,
        clients_blp,
        subprocessors_blp,
        transfers_blp,
        dpas_blp,
        changes_blp,
        notices_blp,
    ):
        api.register_blueprint(blueprint)

    @app.get("/")
    def index() -> str:
        return render_template("index.html")


def register_commands(app: Flask) -> None:
    for group in (
        users_cli,
        audit_cli,
        subprocessors_cli,
        transfers_cli,
        dpas_cli,
        demo_cli,
        changes_cli,
        notices_cli,
        worker_command,
    ):
        app.cli.add_command(group)
