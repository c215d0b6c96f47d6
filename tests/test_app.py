"""The application factory: configuration sources, the generated secret key, SQLite settings, proxies."""

import pytest
import sqlalchemy as sa
from flask import request

from registry import create_app
from registry.extensions import db


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    instance = tmp_path / "instance"
    first = create_app({"DATABASE_URL": "sqlite://"}, instance_path=str(instance))
    second = create_app({"DATABASE_URL": "sqlite://"}, instance_path=str(instance))
    key_file = instance / "secret_key"
    assert len(first.config["SECRET_KEY"]) >= 40
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert key_file.stat().st_mode & 0o077 == 0


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_BASE_URL", "https://registry.example.ro/")
    monkeypatch.setenv("REGISTRY_MAIL_PORT", "2525")
    monkeypatch.setenv("REGISTRY_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["BASE_URL"] == "https://registry.example.ro"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")


def test_default_database_is_sqlite_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_forwarded_client_address_is_trusted_only_behind_a_configured_proxy(tmp_path):
    def remote_addr(app):
        @app.get("/_addr")
        def addr():
            return request.remote_addr or ""

        return app.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.7"}).text

    config = {"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}
    assert remote_addr(create_app(config, instance_path=str(tmp_path))) == "127.0.0.1"
    assert remote_addr(create_app({**config, "PROXY_FIX": 1}, instance_path=str(tmp_path))) == "203.0.113.7"


def test_unknown_page_is_a_readable_html_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "404" in response.text


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["code"] == 404


def test_a_short_stored_secret_key_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="shorter than 32"):
        create_app({"DATABASE_URL": "sqlite://"}, instance_path=str(tmp_path))


def test_an_id_beyond_64_bits_is_not_found(client, headers):
    response = client.get("/api/v1/subprocessors/99999999999999999999", headers=headers("viewer"))
    assert response.status_code == 404
