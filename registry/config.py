"""Configuration: defaults, then REGISTRY_* environment variables, then the caller's overrides.

This is the only module that reads the environment (through Flask's `from_prefixed_env`).
"""

from __future__ import annotations

import os
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
    "REMINDER_DAYS": 7,  # remind clients whose approval is missing this many days before their deadline
    "WEBHOOK_ALLOWED_HOSTS": "",
    "PROXY_FIX": 0,  # how many reverse proxies set X-Forwarded-For/-Proto/-Host in front of the app
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,  # no request body above 16 MB (413): the largest upload allowed is 10 MB
    # flask-smorest / OpenAPI
    "API_TITLE": "Sub-processor registry",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",  # served locally by registry.apidocs: no CDN
    "OPENAPI_SWAGGER_UI_CONFIG": {"persistAuthorization": True},
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
    """Read the instance's secret key, creating it (readable by the owner only) on first run.

    The key is written to a temporary file and linked into place, so two processes starting together agree on one
    key and nobody ever reads a half-written or empty file.
    """
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # fails if another process created the key first: theirs wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(
            f"{path} holds a secret key shorter than 32 characters: delete the file or set REGISTRY_SECRET_KEY"
        )
    return key
