from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from registry.dpas.models import DpaStatus
from registry.i18n import LANGUAGES

KEY = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,49}$", error="Use 1-50 lower-case letters, digits, '-' or '_'.")


class TemplateSchema(Schema):
    id = fields.Integer(dump_only=True)
    key = fields.String(dump_only=True)
    language = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    filename = fields.String(dump_only=True)
    sha256 = fields.String(dump_only=True)
    variables = fields.List(fields.String(), dump_only=True, metadata={"description": "Context paths it reads."})
    active = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    created_by = fields.String(dump_only=True)


class TemplateUploadSchema(Schema):
    """multipart/form-data: the .docx under `file`, with its `key` and `language`."""

    file = Upload(required=True, metadata={"description": "The Word template (.docx)."})
    key = fields.String(load_default="dpa", validate=KEY)
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))


class TemplateQuerySchema(Schema):
    key = fields.String()
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    active = fields.Boolean()


class TemplateRefSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    language = fields.String()
    version = fields.Integer()


class DpaSchema(Schema):
    id = fields.Integer(dump_only=True)
    client_id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    language = fields.String(dump_only=True)
    as_of = fields.Date(dump_only=True, metadata={"description": "The date the annex list was taken from."})
    dated = fields.Date(
        dump_only=True, metadata={"description": "The agreement's date; its language versions share it."}
    )
    template = fields.Nested(TemplateRefSchema, dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": [s.value for s in DpaStatus]})
    sha256 = fields.String(dump_only=True)
    annex_digest = fields.String(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    created_by = fields.String(dump_only=True)
    sent_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    signed_on = fields.Date(dump_only=True, allow_none=True)
    signatory = fields.String(dump_only=True, allow_none=True)


class DpaDetailSchema(DpaSchema):
    context = fields.Dict(dump_only=True, metadata={"description": "The exact context the document was rendered from."})


class GenerateSchema(Schema):
    language = fields.String(validate=validate.OneOf(LANGUAGES), metadata={"description": "Default: the client's."})
    template = fields.String(load_default="dpa", validate=KEY, metadata={"description": "Template key."})
    as_of = fields.Date(metadata={"description": "Take the annex list from this date (default today)."})


class TranslateSchema(Schema):
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))


class SignSchema(Schema):
    signed_on = fields.Date(required=True)
    signatory = fields.String(required=True, validate=validate.Length(min=1, max=300))


class DocumentQuerySchema(Schema):
    format = fields.String(load_default="docx", validate=validate.OneOf(["docx", "pdf"]))


class OutdatedAnnexSchema(Schema):
    client_id = fields.Integer()
    client_name = fields.String()
    dpa_id = fields.Integer()
    number = fields.String()
    version = fields.Integer()
    signed_on = fields.Date()
