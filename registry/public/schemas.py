"""The public export of the list (JSON): what anyone may see of each sub-processor.

Contact persons, TIA references and DPA references stay internal.
"""

from __future__ import annotations

from marshmallow import Schema, fields


class PublicLocationSchema(Schema):
    country = fields.String()
    country_name = fields.String()
    label = fields.String()
    role = fields.String()
    mechanism = fields.String()
    mechanism_detail = fields.String(allow_none=True)
    safeguard = fields.String(metadata={"description": "The transfer safeguard in plain words."})


class PublicSubProcessorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    legal_name = fields.String()
    registration_id = fields.String(allow_none=True)
    country = fields.String()
    country_name = fields.String()
    address = fields.String()
    website = fields.String(allow_none=True)
    category = fields.String()
    purpose = fields.String()
    data_categories = fields.List(fields.String())
    data_subjects = fields.List(fields.String())
    certifications = fields.List(fields.String())
    services = fields.List(fields.String())
    locations = fields.List(fields.Nested(PublicLocationSchema))
    dpf_certified = fields.Boolean()
    updated_at = fields.String(metadata={"description": "When this entry last changed (ISO 8601)."})


class PublicListSchema(Schema):
    as_of = fields.Date(allow_none=True)
    language = fields.String()
    last_changed = fields.AwareDateTime(allow_none=True)
    subprocessors = fields.List(fields.Nested(PublicSubProcessorSchema))


public_list = PublicListSchema()

CSV_COLUMNS = (
    "name",
    "legal_name",
    "registration_id",
    "country",
    "address",
    "website",
    "category",
    "purpose",
    "data_categories",
    "data_subjects",
    "services",
    "locations",
    "certifications",
    "dpf_certified",
    "updated_at",
)
