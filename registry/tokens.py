"""Hashing of bearer secrets (API tokens, feed tokens): only the hash is stored, lookups go by hash."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """Tokens are at least 256 random or HMAC-derived bits, so a plain SHA-256 cannot be reversed or guessed."""
    return hashlib.sha256(token.encode()).hexdigest()
