"""Bearer-token authentication and role checks for API views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import g, request
from werkzeug.exceptions import Forbidden, Unauthorized

from registry.audit.services import Actor
from registry.auth import services
from registry.auth.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

READERS = (Role.VIEWER, Role.ACCOUNT_MANAGER, Role.LEGAL)
"""Roles that may read (admin is always allowed)."""


def require(*roles: Role) -> Callable[[F], F]:
    """Let the request through only with a valid token of one of `roles` (admin always passes).

    Sets `g.user`. 401 without or with an unknown token, 403 for a role not allowed.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = _authenticated_user()
            if user.role != Role.ADMIN and user.role not in roles:
                raise Forbidden(f"Role {user.role} may not do this.")
            g.user = user
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]  # a marker the route audit reads
        return cast(F, wrapper)

    return decorator


def _authenticated_user() -> User:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token: Authorization: Bearer <token>.")
    user = services.authenticate(secret.strip())
    if user is None:
        raise Unauthorized("The API token is unknown or revoked.")
    return user


def is_admin() -> bool:
    """Whether the user of this request (checked by `require`) is an admin."""
    user: User = g.user
    return bool(user.role == Role.ADMIN)


def current_actor() -> Actor:
    user: User = g.user
    return services.actor_of(user)
