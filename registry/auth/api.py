"""Users and API tokens (admin), and who the caller is (any role)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from registry.auth import schemas, services
from registry.auth.access import READERS, current_actor, require
from registry.auth.models import ApiToken, Role, User
from registry.errors import NotFound
from registry.extensions import db

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Users and API tokens")


@blp.route("/me")
class Me(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.UserSchema)
    def get(self) -> User:
        """Who the token belongs to."""
        user: User = g.user
        return user


@blp.route("/users")
class Users(MethodView):
    @require(Role.ADMIN)
    @blp.response(200, schemas.UserSchema(many=True))
    def get(self) -> list[User]:
        """List users."""
        return list(db.session.scalars(select(User).order_by(User.email)))

    @require(Role.ADMIN)
    @blp.arguments(schemas.UserSchema)
    @blp.response(201, schemas.NewUserSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a user; the response carries its first API token, shown once."""
        actor = current_actor()
        user = services.create_user(data["email"], data["role"], name=data["name"], actor=actor)
        _, secret = services.issue_token(user, label="created with the user", actor=actor)
        return {"user": user, "token": secret}


@blp.route("/users/<int:user_id>/tokens")
class UserTokens(MethodView):
    @require(Role.ADMIN)
    @blp.response(200, schemas.TokenSchema(many=True))
    def get(self, user_id: int) -> list[ApiToken]:
        """List a user's tokens (prefixes only)."""
        return _user(user_id).tokens

    @require(Role.ADMIN)
    @blp.arguments(schemas.TokenSchema)
    @blp.response(201, schemas.IssuedTokenSchema)
    def post(self, data: dict[str, Any], user_id: int) -> dict[str, Any]:
        """Issue a new token; the response shows it once."""
        token, secret = services.issue_token(_user(user_id), label=data["label"], actor=current_actor())
        return {"api_token": token, "token": secret}


@blp.route("/tokens/<prefix>")
class Token(MethodView):
    @require(Role.ADMIN)
    @blp.response(204)
    def delete(self, prefix: str) -> None:
        """Revoke a token by its prefix."""
        services.revoke_token(prefix, actor=current_actor())


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user
