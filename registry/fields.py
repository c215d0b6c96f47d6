"""Validators and fields shared by the features' input schemas."""

from __future__ import annotations

from enum import Enum
from typing import Any

from marshmallow import ValidationError, fields, validate

from registry.transfers.rules import is_country


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def one_of(values: type[Enum]) -> validate.OneOf:
    """Accept the values of an enum."""
    return validate.OneOf([member.value for member in values])


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code; lower case is accepted and stored in upper case."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        code = text.strip().upper()
        if not is_country(code):
            raise ValidationError(f"{text!r} is not an ISO 3166-1 alpha-2 country code (e.g. RO, DE, US).")
        return code
