from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import select

from registry.audit import services as audit
from registry.audit.services import Actor
from registry.auth.models import ApiToken, Role, User
from registry.db import utcnow
from registry.errors import Conflict, Invalid, NotFound
from registry.extensions import db
from registry.tokens import hash_token

TOKEN_PREFIX = "rgt_"  # noqa: S105 (a visible prefix so leaked tokens are recognisable, not a secret)


def legal_team() -> list[str]:
    """Where the legal team's alerts go: REGISTRY_LEGAL_EMAIL, or when it is unset every active admin and legal user
    (an alert must never go to nobody). Empty only while the registry has no such user."""
    configured = current_app.config.get("LEGAL_EMAIL")
    if configured:
        return [str(configured)]
    stmt = (
        select(User.email)
        .where(User.active.is_(True), User.role.in_([Role.ADMIN.value, Role.LEGAL.value]))
        .order_by(User.email)
    )
    return list(db.session.scalars(stmt))


def actor_of(user: User) -> Actor:
    return Actor(user.email, user.id)


def create_user(email: str, role: str, *, name: str = "", actor: Actor) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid("Not an email address.", {"email": [f"{email!r} is not an email address."]})
    try:
        role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise Invalid(f"Unknown role {role!r}.", {"role": [f"Must be one of: {allowed}."]}) from None
    if db.session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"A user with email {email} already exists.")
    user = User(email=email, role=role, name=name)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, actor=actor, after={"email": email, "role": role.value, "name": name})
    return user


def get_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email}.")
    return user


def issue_token(user: User, *, label: str = "", actor: Actor) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with the secret, which is not stored and cannot be shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, token_hash=hash_token(secret), prefix=secret[:12], label=label)
    db.session.add(token)
    db.session.flush()
    audit.record("token.issued", token, actor=actor, after={"user": user.email, "prefix": token.prefix, "label": label})
    return token, secret


def revoke_token(prefix: str, *, actor: Actor) -> ApiToken:
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None)))
    if token is None:
        raise NotFound(f"No active token starting with {prefix}.")
    token.revoked_at = utcnow()
    audit.record("token.revoked", token, actor=actor, after={"user": token.user.email, "prefix": prefix})
    return token


def authenticate(secret: str) -> User | None:
    """Return the active user owning this unrevoked token, or None."""
    return db.session.scalar(
        select(User)
        .join(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None), User.active.is_(True))
    )
