"""Fixtures: one app and migrated database per test session, a rollback per test.

The suite runs on SQLite by default and on PostgreSQL when REGISTRY_TEST_DATABASE_URL is set (CI does both). Views
and CLI commands commit as in production; here those commits only release a SAVEPOINT inside the test's outer
transaction, which is rolled back afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from registry import create_app
from registry.auth import services as auth_services
from registry.auth.models import Role
from registry.extensions import db
from registry.feeds import services as feeds
from tests.factories import TEST_ACTOR, World

pytest_plugins = ["tests.fixtures.clock", "tests.fixtures.smtp", "tests.fixtures.webhooks"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("REGISTRY_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'registry.sqlite3'}"
    )


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "BASE_URL": "http://registry.test",
            "INSTANCE_OUTBOX": str(tmp_path_factory.mktemp("outbox")),
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back, whatever the code under test commits."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        engines: dict[str | None, Any] = db.engines  # type: ignore[assignment]  # a Mapping, swapped for a test
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def token_for(app: Flask) -> Callable[[str], str]:
    """Create a user with this role (once per test) and return an API token for it."""
    tokens: dict[str, str] = {}

    def make(role: str) -> str:
        if role not in tokens:
            user = auth_services.create_user(f"{role}@example.test", role, name=role, actor=TEST_ACTOR)
            _, tokens[role] = auth_services.issue_token(user, actor=TEST_ACTOR)
            db.session.commit()
        return tokens[role]

    return make


@pytest.fixture
def headers(token_for: Callable[[str], str]) -> Callable[..., dict[str, str]]:
    """`headers("legal")` -> Authorization header for a user of that role; extra headers as keywords."""

    def make(role: str = Role.ADMIN, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(role)}", **{k.replace("_", "-"): v for k, v in extra.items()}}

    return make


@pytest.fixture
def world(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> World:
    """Build registry data through the API (tests/factories.py); the feeds' cache starts empty (it lives as long as
    the process, the test's data does not)."""
    feeds.cache().clear()
    return World(client, headers)
