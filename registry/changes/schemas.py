"""Changes, the clients they were announced to, and the clients' answers, in and out."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from registry.changes import services
from registry.changes.models import (
    OFFLINE_CHANNELS,
    Answer,
    Change,
    ChangeKind,
    ChangeResponse,
    ChangeStatus,
    Resolution,
)
from registry.fields import not_blank, one_of
from registry.outbox import services as notices


class ChangeSchema(Schema):
    """A change as the legal team writes it (a draft)."""

    kind = fields.String(required=True, validate=one_of(ChangeKind))
    subprocessor_id = fields.Integer(
        required=True,
        metadata={"description": "The sub-processor added, removed or updated (the new one for replace)."},
    )
    replaces_id = fields.Integer(
        allow_none=True, load_default=None, metadata={"description": "For replace: the sub-processor replaced."}
    )
    summary = fields.String(required=True, validate=[validate.Length(min=1, max=2000), not_blank])
    reason = fields.String(load_default="")
    proposed = fields.Dict(
        keys=fields.String(),
        allow_none=True,
        load_default=None,
        metadata={
            "description": "For update: the sub-processor fields (as POST /subprocessors takes them) that take "
            "effect on the effective date; each one given replaces the stored value."
        },
    )
    effective_on = fields.Date(required=True)
    urgent = fields.Boolean(
        load_default=False,
        metadata={
            "description": "An emergency replacement (kind replace only) for security or continuity: it may take "
            "effect from today, without waiting for the clients' notice periods; clients keep their full period to "
            "object afterwards, and under specific authorisation it still needs each client's approval."
        },
    )
    urgent_reason = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "Why the replacement cannot wait (required when urgent); shown to clients."},
    )


class ChangePatchSchema(ChangeSchema):
    """Any of the fields of a draft."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=tuple(ChangeSchema._declared_fields), **kwargs)


class ChangeOutSchema(ChangeSchema):
    id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    announced_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    effective_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    withdrawn_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    withdrawn_reason = fields.String(dump_only=True, allow_none=True)
    affected_clients = fields.Method(
        "_affected_clients",
        allow_none=True,
        metadata={"type": "integer", "description": "How many clients it was announced to (null for a draft)."},
    )
    deliveries = fields.Method(
        "_deliveries",
        allow_none=True,
        metadata={"type": "object", "description": "Its notices: delivered, pending, failed (retried), dead."},
    )
    created_by = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)

    def _affected_clients(self, change: Change) -> int | None:
        if change.status == ChangeStatus.DRAFT:
            return None
        return services.affected_count(change)

    def _deliveries(self, change: Change) -> dict[str, int] | None:
        return None if change.status == ChangeStatus.DRAFT else notices.delivery_counts(change.id)


class ChangeQuerySchema(Schema):
    status = fields.String(validate=one_of(ChangeStatus))
    subprocessor_id = fields.Integer(metadata={"description": "Changes of this sub-processor (new or replaced)."})


class WithdrawSchema(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), not_blank])


class AffectedClientSchema(Schema):
    """One client a change was announced to, and where its answer stands."""

    client_id = fields.Integer()
    name = fields.String()
    legal_name = fields.String()
    language = fields.String()
    authorization = fields.String()
    expectation = fields.String(metadata={"description": "objection_window (general) or approval (specific)."})
    deadline = fields.Date(
        allow_none=True,
        metadata={
            "description": "The last day it may answer (until 24:00 Bucharest time): its notice period counted from "
            "the first delivery of its notice; null until its notice has reached it."
        },
    )
    notice_days = fields.Integer(metadata={"description": "Its notice period in days when it was told."})
    notified_at = fields.AwareDateTime(metadata={"description": "When its notices were written."})
    delivered_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "When its notice first reached it (null: not yet)."}
    )
    waiting = fields.Boolean(
        metadata={
            "description": "The change took effect while its term ran: it applies to it once its deadline passes "
            "without an objection."
        }
    )
    reminded_at = fields.AwareDateTime(allow_none=True)
    answer = fields.String(
        allow_none=True, metadata={"description": "The current answer: object, approve, refuse, or null (none yet)."}
    )
    answered_at = fields.AwareDateTime(allow_none=True)
    resolution = fields.String(allow_none=True)
    excluded = fields.Boolean(metadata={"description": "The sub-processor does not (or will not) apply to it."})


class AttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer(metadata={"description": "Bytes."})
    sha256 = fields.String(metadata={"description": "SHA-256 of the file, as the audit log records it."})
    added_by = fields.String()
    created_at = fields.AwareDateTime()


class AttachmentUploadSchema(Schema):
    """multipart/form-data: the document under `file`."""

    file = Upload(
        required=True,
        metadata={"description": "The letter or email as received: .pdf, .png, .jpg, .eml or .txt, at most 10 MB."},
    )


class ResponseSchema(Schema):
    id = fields.Integer()
    change_id = fields.Integer(attribute="affected.change_id")
    client_id = fields.Integer(attribute="affected.client_id")
    client_name = fields.String(attribute="affected.client.name")
    answer = fields.String(validate=one_of(Answer))
    reason = fields.String()
    respondent_name = fields.String()
    respondent_email = fields.String()
    channel = fields.String(metadata={"description": "web (the respond link), email, letter, phone or meeting."})
    received_on = fields.Date(
        allow_none=True, metadata={"description": "For an answer received offline: the day it reached us."}
    )
    recorded_by = fields.String(allow_none=True, metadata={"description": "Who recorded an answer received offline."})
    confirmed_by = fields.String(
        allow_none=True,
        metadata={
            "description": "For an answer given through a respond link in the name of someone other than the "
            "contact it was sent to: the notice contact who confirmed it."
        },
    )
    attachments = fields.List(
        fields.Nested(AttachmentSchema),
        metadata={"description": "Evidence: the letter or email as received (GET .../attachments/{id} downloads)."},
    )
    ip = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    superseded_at = fields.AwareDateTime(allow_none=True)
    current = fields.Method(
        "_current", metadata={"type": "boolean", "description": "False once a later answer replaced it."}
    )
    resolution = fields.String(allow_none=True)
    resolution_note = fields.String(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    version = fields.Integer()

    def _current(self, response: ChangeResponse) -> bool:
        return response.superseded_at is None


class OfflineResponseSchema(Schema):
    """An answer the client gave other than through its respond link, as the legal team received it."""

    client_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**63 - 1))
    answer = fields.String(required=True, validate=one_of(Answer))
    channel = fields.String(required=True, validate=validate.OneOf(OFFLINE_CHANNELS))
    received_on = fields.Date(required=True, metadata={"description": "The day the answer reached us."})
    reason = fields.String(load_default="", validate=validate.Length(max=5000))
    respondent = fields.String(
        required=True, validate=[validate.Length(min=1, max=200), not_blank], metadata={"description": "Who answered."}
    )
    respondent_email = fields.Email(load_default="", validate=validate.Length(max=320))


class ResolutionSchema(Schema):
    resolution = fields.String(required=True, validate=one_of(Resolution))
    note = fields.String(load_default="", validate=validate.Length(max=5000))
