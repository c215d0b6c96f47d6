"""Data-processing-agreement and sub-processor registry (GDPR Art. 28)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry

from registry import config, models  # noqa: F401 (models: every table registered before migrations run)
from registry.audit.cli import audit_cli
from registry.auth.api import blp as auth_blp
from registry.auth.cli import users_cli
from registry.errors import register_errorhandlers
from registry.extensions import api, db, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    config.configure(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


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
    connection.exec_driver_sql("BEGIN")


def register_blueprints(app: Flask) -> None:
    for blueprint in (auth_blp,):
        api.register_blueprint(blueprint)

    @app.get("/")
    def index() -> str:
        return render_template("index.html")


def register_commands(app: Flask) -> None:
    for group in (users_cli, audit_cli):
        app.cli.add_command(group)
