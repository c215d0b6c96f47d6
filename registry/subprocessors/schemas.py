"""Services and sub-processors in and out.

`SubProcessorSchema` is the one serialisation of a sub-processor: the API's JSON, the state stored in every
`SubProcessorVersion` (so history and as-of lists read back exactly what the API showed) and, without its read-only
fields, the import/export rows. Stored states hold dates as ISO strings, so its date fields dump those as they are.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from registry.fields import not_blank, one_of
from registry.i18n import LANGUAGES
from registry.subprocessors.models import Category, LocationRole, Status
from registry.transfers.fields import country_code
from registry.transfers.rules import Mechanism

SLUG = validate.Regexp(r"^[a-z0-9-]+$", error="Use lower-case letters, digits and '-' only.")
READ_ONLY = ("id", "version", "created_at", "updated_at")


class IsoDate(fields.Date):
    """A date; dumps a date object or an ISO string already stored (a saved state) alike."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class IsoAwareDateTime(fields.AwareDateTime):
    """An aware datetime; dumps a datetime object or an ISO string already stored (a saved state) alike."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class ServiceSlugs(fields.List[str]):
    """Service slugs; dumps `Service` objects (a live row) or slugs (a saved state) alike."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.String(validate=SLUG), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return [item if isinstance(item, str) else item.slug for item in value]


# -- services -------------------------------------------------------------------------------------------------


def _terms() -> fields.List[str]:
    return fields.List(
        fields.String(validate=[validate.Length(min=1, max=200), not_blank]),
        load_default=list,
        validate=validate.Length(max=30),
    )


class ServiceProcessingSchema(Schema):
    """What the service does with a client's personal data, in one language: the client's DPA Annex I.B."""

    nature = fields.String(load_default="", validate=validate.Length(max=1000))
    purpose = fields.String(load_default="", validate=validate.Length(max=1000))
    data_categories = _terms()
    data_subjects = _terms()
    retention = fields.String(load_default="", validate=validate.Length(max=1000))


PROCESSING = {
    "keys": fields.String(validate=validate.OneOf(LANGUAGES)),
    "values": fields.Nested(ServiceProcessingSchema),
    "metadata": {
        "description": "Per language (ro, en): nature, purpose, data_categories, data_subjects, retention. A "
        "client's DPA builds its Annex I.B from its services' texts in the document's language."
    },
}


class ServiceSchema(Schema):
    slug = fields.String(required=True, validate=[validate.Length(min=1, max=50), SLUG])
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    processing = fields.Dict(load_default=dict, **PROCESSING)  # type: ignore[arg-type]


class ServicePatchSchema(Schema):
    """Name, description and processing texts; the slug identifies the service and does not change."""

    name = fields.String(validate=[validate.Length(min=1, max=200), not_blank])
    description = fields.String(validate=validate.Length(max=2000))
    processing = fields.Dict(**PROCESSING)  # type: ignore[arg-type]


# -- sub-processors ---------------------------------------------------------------------------------------------


def _no_contact() -> dict[str, None]:
    return {"name": None, "position": None, "email": None, "phone": None}


class SubProcessorContactSchema(Schema):
    name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    position = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=320))
    phone = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=50))


class SubProcessorLocationSchema(Schema):
    country = fields.String(required=True, validate=country_code)
    label = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(required=True, validate=one_of(LocationRole))
    mechanism = fields.String(
        allow_none=True,
        load_default=None,
        validate=one_of(Mechanism),
        metadata={"description": "May be omitted for EEA and adequate countries: it is then derived."},
    )
    mechanism_detail = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=200),
        metadata={
            "description": "SCC module: 'module 3' (processor to processor), or 'module 2' where the client signs "
            "the SCCs directly. (A sub-processor's location cannot rest on an Art. 49 derogation.)"
        },
    )
    tia_reference = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "The transfer impact assessment's reference: required for scc and bcr."},
    )
    tia_date = IsoDate(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The date the transfer impact assessment was done (not later than today): required "
            "for scc and bcr."
        },
    )


class SubProcessorSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    legal_name = fields.String(required=True, validate=[validate.Length(min=1, max=300), not_blank])
    registration_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=100))
    country = fields.String(required=True, validate=country_code, metadata={"description": "Headquarters (ISO code)."})
    address = fields.String(load_default="")
    website = fields.Url(
        allow_none=True, load_default=None, schemes={"http", "https"}, validate=validate.Length(max=500)
    )
    contact = fields.Nested(SubProcessorContactSchema, load_default=_no_contact)
    category = fields.String(required=True, validate=one_of(Category))
    purpose = fields.String(load_default="")
    data_categories = fields.List(fields.String(), load_default=list)
    data_subjects = fields.List(fields.String(), load_default=list)
    certifications = fields.List(fields.String(), load_default=list)
    services = ServiceSlugs(load_default=list, metadata={"description": "Slugs of the services it serves."})
    locations = fields.List(fields.Nested(SubProcessorLocationSchema), load_default=list)
    dpa_reference = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    dpa_date = IsoDate(allow_none=True, load_default=None)
    dpf_certified = fields.Boolean(load_default=False)
    dpf_recheck_on = IsoDate(allow_none=True, load_default=None)
    processes_client_data = fields.Boolean(
        load_default=True,
        metadata={
            "description": "False for one of the processor's own tools (its advertising, its staff's devices): it "
            "processes no client data, so it never appears in a client's list, DPA annex or notices. Changes only "
            "through an announced change once active."
        },
    )
    parent_id = fields.Integer(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "The sub-processor that engages this one (an onward sub-processor; at most 3 levels). It "
            "serves its parent's services (taken from the parent when `services` is empty)."
        },
    )
    status = fields.String(load_default=Status.PROPOSED.value, validate=one_of(Status))
    version = fields.Integer(dump_only=True)
    created_at = IsoAwareDateTime(dump_only=True)
    updated_at = IsoAwareDateTime(dump_only=True)

    @post_load
    def _canonical_services(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "services" in data:
            data["services"] = sorted(set(data["services"]))
        return data


class SubProcessorPatchSchema(SubProcessorSchema):
    """Any of the fields; each one sent replaces the stored value whole (`locations` replaces the whole list)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=tuple(SubProcessorSchema._declared_fields), **kwargs)


class SubProcessorQuerySchema(Schema):
    status = fields.String(validate=one_of(Status))
    category = fields.String(validate=one_of(Category))
    country = fields.String(
        validate=country_code, metadata={"description": "Headquarters or any location in this country."}
    )
    service = fields.String(validate=SLUG, metadata={"description": "Serves this service (slug)."})
    as_of = fields.Date(metadata={"description": "The list as it stood at the end of this day (UTC)."})


class SubProcessorVersionSchema(Schema):
    version = fields.Integer()
    status = fields.String()
    valid_from = fields.AwareDateTime()
    valid_to = fields.AwareDateTime(allow_none=True)
    actor = fields.String()
    state = fields.Nested(SubProcessorSchema)


class SubProcessorDiffQuerySchema(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    service = fields.String(validate=SLUG, metadata={"description": "Only sub-processors serving this service."})

    @validates_schema
    def _in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "start" in data and "end" in data and data["end"] < data["start"]:
            raise ValidationError("Must not be before 'from'.", "to")


class SubProcessorFieldChangeSchema(Schema):
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class SubProcessorChangedSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    field_changes = fields.Dict(
        keys=fields.String(), values=fields.Nested(SubProcessorFieldChangeSchema), attribute="fields", data_key="fields"
    )


class SubProcessorDiffSchema(Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    added = fields.List(fields.Nested(SubProcessorSchema))
    removed = fields.List(fields.Nested(SubProcessorSchema))
    changed = fields.List(fields.Nested(SubProcessorChangedSchema))


subprocessor_schema = SubProcessorSchema()
"""Dumps the API's JSON and the stored states."""
subprocessor_row = SubProcessorSchema(exclude=READ_ONLY)
"""The input shape: what import/export files hold, one object per sub-processor."""
service_schema = ServiceSchema()
