from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from registry.clients import services
from registry.clients.models import Authorization, Client, ClientStatus, SpecialCategory
from registry.fields import not_blank, one_of
from registry.i18n import LANGUAGES
from registry.subprocessors.schemas import ServiceSlugs
from registry.transfers.fields import CountryCode


def distinct_contact_emails(contacts: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for contact in contacts:
        email = contact["email"].casefold()
        if email in seen:
            raise ValidationError(f"{contact['email']} is listed twice: give each contact once.")
        seen.add(email)


class ClientSignatorySchema(Schema):
    name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    title = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))


class ClientContactSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=200))
    email = fields.Email(required=True, validate=validate.Length(max=320))
    role = fields.String(load_default="", validate=validate.Length(max=100))
    receives_notices = fields.Boolean(load_default=True)


class ClientSchema(Schema):
    """A client (controller) as account managers write it."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    legal_name = fields.String(required=True, validate=[validate.Length(min=1, max=300), not_blank])
    registration_number = fields.String(
        allow_none=True, validate=validate.Length(max=100), metadata={"example": "J40/14190/2013"}
    )
    vat_id = fields.String(
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "VAT number or Romanian CUI (checked with its control digit when country is RO)."},
    )
    address = fields.String(load_default="")
    country = CountryCode(required=True, metadata={"example": "RO"})
    language = fields.String(load_default="ro", validate=validate.OneOf(LANGUAGES))
    services = ServiceSlugs(load_default=list, metadata={"description": "Slugs of the services the client uses."})
    authorization = fields.String(load_default=Authorization.GENERAL.value, validate=one_of(Authorization))
    notice_period_days = fields.Integer(
        validate=validate.Range(min=1, max=365),
        metadata={
            "description": "Days the client has to answer a change, counted from the day after its notice is "
            "delivered; default: the processor profile's. Below 14 days only an admin may set it (403 otherwise), "
            "with notice_period_reason."
        },
    )
    notice_period_reason = fields.String(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "Why the notice period is below 14 days (required then; cleared from 14 days)."},
    )
    special_categories = fields.List(
        fields.String(validate=one_of(SpecialCategory)),
        load_default=list,
        validate=validate.Length(max=len(SpecialCategory)),
        metadata={
            "description": "Special categories of personal data its use of the services involves (Art. 9 and 10 "
            "GDPR): health, genetic, biometric, racial_or_ethnic_origin, political_opinions, "
            "religious_or_philosophical_beliefs, trade_union_membership, sex_life_or_orientation, "
            "criminal_convictions. Named in its DPA's Annex I, with the safeguards."
        },
    )
    special_categories_safeguards = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=5000),
        metadata={"description": "The safeguards agreed for those data (required when there are any)."},
    )
    signatory = fields.Nested(ClientSignatorySchema, load_default=lambda: {"name": None, "title": None})
    contacts = fields.List(fields.Nested(ClientContactSchema), load_default=list, validate=distinct_contact_emails)
    status = fields.String(load_default=ClientStatus.ACTIVE.value, validate=one_of(ClientStatus))


class ClientPatchSchema(ClientSchema):
    """Any subset of the client's fields; lists given replace the stored ones."""

    def __init__(self, **kwargs: Any) -> None:
        # Top-level fields only: a contact or signatory that is sent must still be complete.
        super().__init__(partial=tuple(ClientSchema._declared_fields), **kwargs)


class ExcludedSubprocessorSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ClientExclusionSchema(Schema):
    subprocessor = fields.Nested(ExcludedSubprocessorSchema)
    reason = fields.String()
    starts_at = fields.AwareDateTime()


class ClientOutSchema(ClientSchema):
    id = fields.Integer(dump_only=True)
    feed_url = fields.Method(
        "_feed_url",
        allow_none=True,
        metadata={"type": "string", "description": "The client's private Atom feed (staff only)."},
    )
    exclusions = fields.List(
        fields.Nested(ClientExclusionSchema),
        dump_only=True,
        attribute="exclusions_in_force",
        metadata={"description": "The sub-processors excluded for the client now."},
    )
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)

    def _feed_url(self, client: Client) -> str | None:
        return services.feed_url(client)


class ClientVersionSchema(Schema):
    version = fields.Integer()
    valid_from = fields.AwareDateTime()
    valid_to = fields.AwareDateTime(allow_none=True)
    actor = fields.String()
    state = fields.Nested(ClientSchema, metadata={"description": "The client as saved (services as slugs)."})


class ClientQuerySchema(Schema):
    service = fields.String(metadata={"description": "Clients using this service (slug)."})
    status = fields.String(validate=one_of(ClientStatus))
    authorization = fields.String(validate=one_of(Authorization))
    q = fields.String(metadata={"description": "Part of the name or legal name."})


class ClientSubprocessorsQuerySchema(Schema):
    as_of = fields.Date(metadata={"description": "The date (YYYY-MM-DD); default: today."})


class ClientFeedUrlSchema(Schema):
    feed_url = fields.String()
