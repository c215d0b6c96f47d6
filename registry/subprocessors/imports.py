"""Importing and exporting the registry as rows (the API's input shape, one object or CSV row per sub-processor).

An import is all or nothing: every row is loaded and checked (schema, transfer rules, lifecycle, and what may change
without an announced change) before anything is written, and every error is reported with its row number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from registry.audit.services import Actor
from registry.errors import Conflict, Invalid, flatten_errors
from registry.extensions import db
from registry.subprocessors import schemas, services
from registry.subprocessors.models import SubProcessor


def export_rows() -> list[dict[str, Any]]:
    """Every sub-processor in the input shape, ordered by name."""
    return sorted((services.row_of(sp) for sp in db.session.scalars(select(SubProcessor))), key=services.name_order)


@dataclass(frozen=True)
class RowError:
    row: int
    """1 for the first object or data row."""
    field: str
    message: str


class RowsInvalid(Invalid):
    """Some rows of an import are invalid: nothing was imported."""

    def __init__(self, row_errors: Sequence[RowError]) -> None:
        self.row_errors = list(row_errors)
        errors: dict[str, Any] = {}
        for error in self.row_errors:
            errors.setdefault(str(error.row), {}).setdefault(error.field, []).append(error.message)
        super().__init__(f"{len(self.row_errors)} error(s) in the import: nothing was imported.", errors)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def check_rows(rows: Iterable[Any]) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Load and check every row (input shape) without writing anything: the loaded rows and every error found."""
    loaded: list[dict[str, Any]] = []
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    on = services.today()
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, Mapping):
            errors.append(RowError(number, "_schema", "Each row must be an object."))
            continue
        try:
            row: dict[str, Any] = schemas.subprocessor_row.load(raw)
        except ValidationError as error:
            errors.extend(RowError(number, path, message) for path, message in flatten_errors(error.messages_dict))
            continue
        name = row["name"]
        if name in first_row_of:
            errors.append(RowError(number, "name", f"{name!r} is also on row {first_row_of[name]}."))
            continue
        first_row_of[name] = number
        existing = db.session.scalar(select(SubProcessor).where(SubProcessor.name == name))
        transition_ok = True
        if existing is not None:
            try:
                services.check_transition(existing.status, row["status"])
            except Conflict as conflict:
                errors.append(RowError(number, "status", conflict.message))
                transition_ok = False
        problems = services.check_subprocessor(row, on=on, saved_locations=_saved_locations(existing))
        if existing is not None and transition_ok:
            errors.extend(_notice_row_errors(number, existing, row))
        errors.extend(RowError(number, path, message) for path, message in flatten_errors(problems))
        loaded.append(row)
    return loaded, errors


def _saved_locations(existing: SubProcessor | None) -> list[dict[str, Any]]:
    """The stored locations of the sub-processor a row updates (kept as they are, they need only the general rules,
    as `update_subprocessor` checks them); none for a new one, or one stored before a schema rule got stricter."""
    if existing is None:
        return []
    try:
        locations: list[dict[str, Any]] = services.current_row(existing)["locations"]
    except Invalid:
        return []
    return locations


def _notice_row_errors(number: int, existing: SubProcessor, row: Mapping[str, Any]) -> list[RowError]:
    """An import updates what clients were told only where the API may (see `notice_conflict`)."""
    try:
        current = services.current_row(existing)
    except Invalid:  # stored before a rule got stricter: the row's own checks say what to fix
        return []
    changed = services.notice_changes(current, row)
    conflict = services.notice_conflict(existing, changed, row["status"], held_by=existing.announced_change_id)
    if conflict is None:
        return []
    return [
        RowError(number, field, message) for field, messages in (conflict.errors or {}).items() for message in messages
    ]


def import_rows(rows: Iterable[Any], *, actor: Actor) -> ImportResult:
    """Create or update (matched by name, with history) every row; all rows are checked first.

    :raise RowsInvalid: listing every error of every row; nothing was written.
    """
    loaded, errors = check_rows(rows)
    if errors:
        raise RowsInvalid(errors)
    created = updated = unchanged = 0
    for row in loaded:
        existing = db.session.scalar(select(SubProcessor).where(SubProcessor.name == row["name"]))
        if existing is None:
            services.create_subprocessor(row, actor=actor)
            created += 1
            continue
        version = existing.version
        services.update_subprocessor(existing, row, actor=actor)
        if existing.version == version:
            unchanged += 1
        else:
            updated += 1
    return ImportResult(created, updated, unchanged)
