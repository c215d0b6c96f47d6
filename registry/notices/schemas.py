from __future__ import annotations

from marshmallow import Schema, fields, validate

from registry.fields import one_of
from registry.outbox.models import Channel, NoticeStatus


class NoticeSchema(Schema):
    """One outbox row: who is told what, through which channel, and how delivery went."""

    id = fields.Integer()
    event = fields.String()
    template = fields.String()
    channel = fields.String()
    recipient = fields.String(metadata={"description": "An email address, or for webhooks the endpoint id."})
    language = fields.String()
    change_id = fields.Integer(allow_none=True)
    client_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "pending, sent, failed (retried at next_attempt_at) or dead."})
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime()
    last_error = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    message_id = fields.String(allow_none=True, metadata={"description": "Email Message-ID or webhook-id."})
    created_at = fields.AwareDateTime()


class NoticeQuerySchema(Schema):
    change_id = fields.Integer()
    client_id = fields.Integer()
    status = fields.String(validate=one_of(NoticeStatus))
    channel = fields.String(validate=one_of(Channel))
    event = fields.String()


class DeliveryCountsSchema(Schema):
    delivered = fields.Integer()
    pending = fields.Integer()
    failed = fields.Integer()
    dead = fields.Integer()


class WebhookEndpointSchema(Schema):
    id = fields.Integer(dump_only=True)
    client_id = fields.Integer(dump_only=True)
    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=2000),
        metadata={"example": "https://example.com/hooks/registry"},
    )
    active = fields.Boolean(dump_only=True)
    failure_count = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    disabled_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    rotated_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class NewWebhookEndpointSchema(WebhookEndpointSchema):
    secret = fields.String(
        dump_only=True,
        metadata={"description": "The whsec_ signing secret (Standard Webhooks): shown once, never stored."},
    )


class WebhookSecretSchema(Schema):
    secret = fields.String(
        metadata={"description": "The new signing secret, shown once; the previous one keeps signing for 24 hours."}
    )
