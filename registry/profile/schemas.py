from __future__ import annotations

from marshmallow import Schema, fields, validate

from registry.fields import not_blank

_email = validate.Email()


def optional_email(value: str) -> None:
    """An email address, or empty for "none"."""
    if value:
        _email(value)


class ProfileSchema(Schema):
    """The processor (our company), its DPO, the competent supervisory authority and the Annex II measures."""

    id = fields.Integer(dump_only=True)
    legal_name = fields.String(validate=validate.Length(max=300))
    address = fields.String()
    registration_number = fields.String(validate=validate.Length(max=100))
    vat_id = fields.String(validate=validate.Length(max=50))
    email = fields.String(validate=[validate.Length(max=320), optional_email])
    phone = fields.String(validate=validate.Length(max=50))
    website = fields.String(validate=validate.Length(max=500))
    representative_name = fields.String(validate=validate.Length(max=200))
    representative_title = fields.String(validate=validate.Length(max=200))
    dpo_name = fields.String(validate=validate.Length(max=200))
    dpo_email = fields.String(validate=[validate.Length(max=320), optional_email])
    dpo_phone = fields.String(validate=validate.Length(max=50))
    authority_name = fields.String(validate=[validate.Length(max=300), not_blank])
    authority_address = fields.String()
    authority_email = fields.String(validate=[validate.Length(max=320), optional_email])
    authority_phone = fields.String(validate=validate.Length(max=50))
    authority_website = fields.String(validate=validate.Length(max=500))
    default_notice_period_days = fields.Integer(
        validate=validate.Range(min=1, max=365),
        metadata={"description": "Notice period for new clients, in days (1-365)."},
    )
    backup_retention_days = fields.Integer(
        validate=validate.Range(min=1, max=180),
        metadata={
            "description": "Days (1-180) backups are kept after the data are deleted, before the rotation deletes "
            "them: clause 10.3 of every DPA gives this figure (keep Annex II's measures consistent with it)."
        },
    )
    toms_ro = fields.String(metadata={"description": "Technical and organisational measures in Romanian, one a line."})
    toms_en = fields.String(metadata={"description": "Technical and organisational measures in English, one a line."})
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)
