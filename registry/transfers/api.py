"""The transfer-rule data: every country with its basis (EEA, adequacy, third country) and decision."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page
from marshmallow import Schema, fields, validate

from registry.auth.access import READERS, require
from registry.db import utcnow
from registry.i18n import LANGUAGES
from registry.transfers import rules

blp = Blueprint("transfers", __name__, url_prefix="/api/v1", description="Transfer rules (GDPR Chapter V)")


class CountryQuerySchema(Schema):
    lang = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES), metadata={"description": "Names in."})


class CountrySchema(Schema):
    code = fields.String()
    name = fields.String()
    basis = fields.String(metadata={"description": "eea, adequacy or third"})
    decision = fields.String(metadata={"description": "The adequacy decision's reference."})
    scope = fields.String(metadata={"description": "full or partial (see note)"})
    in_force_from = fields.Date(allow_none=True)
    in_force_until = fields.Date(allow_none=True, metadata={"description": "Lapses on this date."})
    in_force = fields.Function(
        lambda rule: rule.in_force(utcnow().date()),
        metadata={"description": "EEA, or an adequacy decision in force today."},
    )
    note = fields.String()


@blp.route("/countries")
class Countries(MethodView):
    @require(*READERS)
    @blp.arguments(CountryQuerySchema, location="query")
    @blp.response(
        200,
        CountrySchema(many=True),
        headers={"X-Rules-Version": {"description": "Version of the shipped rules", "schema": {"type": "string"}}},
    )
    @blp.paginate(Page, page_size=300, max_page_size=300)
    def get(self, args: dict[str, Any]) -> tuple[list[rules.CountryRule], dict[str, str]]:
        """Every ISO country with its transfer basis; the X-Rules-Version header names the data file's version."""
        countries = [
            dataclasses.replace(rule, name=rules.country_name(rule.code, args["lang"]))
            for rule in rules.all_countries()
        ]
        return countries, {"X-Rules-Version": rules.rules_version()}
