"""Absolute links and the secret they are signed with: the one place that reads BASE_URL and SECRET_KEY.

Every signed link (respond pages, subscription confirmations and unsubscribes, private feeds, portal sign-ins) and
every derived secret (webhook signing secrets) is keyed by `secret_key()`, each use with its own salt or prefix, so a
token made for one purpose is never valid for another.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer


def base_url() -> str:
    """REGISTRY_BASE_URL without a trailing slash, e.g. "https://registry.example.com"."""
    return str(current_app.config["BASE_URL"])


def absolute(path: str) -> str:
    """`path` (starting with "/") on this registry's public address."""
    return f"{base_url()}{path}"


def secret_key() -> str:
    return str(current_app.config["SECRET_KEY"])


def signer(salt: str) -> URLSafeSerializer:
    """Signs link payloads that do not expire (their validity is decided by the database)."""
    return URLSafeSerializer(secret_key(), salt=salt)


def timed_signer(salt: str) -> URLSafeTimedSerializer:
    """Signs link payloads that expire (`loads(token, max_age=...)`)."""
    return URLSafeTimedSerializer(secret_key(), salt=salt)


def keyed_digest(message: str) -> bytes:
    """HMAC-SHA256 of `message` under the secret key: a value only this registry can compute."""
    return hmac.new(secret_key().encode(), message.encode(), hashlib.sha256).digest()
