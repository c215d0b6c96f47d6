"""Country codes in the input schemas, checked against ISO 3166-1 as the transfer rules know it."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

from registry.transfers.rules import is_country


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code; lower case is accepted and stored in upper case."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        code = text.strip().upper()
        if not is_country(code):
            raise ValidationError(f"{text!r} is not an ISO 3166-1 alpha-2 country code (e.g. RO, DE, US).")
        return code


def country_code(value: str) -> None:
    """Validate an ISO 3166-1 alpha-2 code as given (upper case), where the API takes codes exactly."""
    if not is_country(value):
        raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. DE, US).")
