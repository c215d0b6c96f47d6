from __future__ import annotations

from marshmallow import Schema, fields

from registry.auth.models import Role
from registry.fields import one_of


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True)
    name = fields.String(load_default="")
    role = fields.String(required=True, validate=one_of(Role))
    active = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    prefix = fields.String(dump_only=True)
    label = fields.String(load_default="")
    created_at = fields.AwareDateTime(dump_only=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class IssuedTokenSchema(Schema):
    api_token = fields.Nested(TokenSchema)
    token = fields.String(metadata={"description": "The token itself: shown once, never stored."})


class NewUserSchema(Schema):
    user = fields.Nested(UserSchema)
    token = fields.String(metadata={"description": "The user's first API token: shown once, never stored."})
