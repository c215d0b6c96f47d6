"""Validators shared by the features' input schemas (the country code field is `registry.transfers.fields`)."""

from __future__ import annotations

from enum import Enum

from marshmallow import ValidationError, validate


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def one_of(values: type[Enum]) -> validate.OneOf:
    """Accept the values of an enum."""
    return validate.OneOf([member.value for member in values])
