"""Configuration: defaults, then REGISTRY_* environment variables, then the caller's overrides.

This is the only module that reads the environment (through Flask's `from_prefixed_env`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "SECRET_KEY": None,  # None: generated once into the instance folder
    "BASE_URL": "http://localhost:5000",
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_FROM": "registry@localhost",
    "LEGAL_EMAIL": None,
    "WEBHOOK_ALLOWED_HOSTS": "",
    # flask-smorest / OpenAPI
    "API_TITLE": "Sub-processor registry",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    },
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "JSON_SORT_KEYS": False,
}


def configure(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("REGISTRY")
    if overrides:
        app.config.from_mapping(overrides)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"] or (f"sqlite:///{instance / 'registry.sqlite3'}")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _stored_secret_key(instance / "secret_key")
    app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")


def _stored_secret_key(path: Path) -> str:
    """Read the instance's secret key, creating it (readable by the owner only) on first run."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()
