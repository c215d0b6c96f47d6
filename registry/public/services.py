"""The public list: what anyone may see of the registry (current or as of a date), its change log and exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.changes import states
from registry.changes.models import Change, ChangeStatus
from registry.errors import NotFound
from registry.extensions import db
from registry.public.schemas import CSV_COLUMNS
from registry.subprocessors import history as subprocessor_history
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import Status
from registry.transfers.wording import country_label, safeguard_text

# -- the list ---------------------------------------------------------------------------------------------------


def public_states(
    *,
    language: str,
    as_of: date | None = None,
    service: str | None = None,
    category: str | None = None,
    country: str | None = None,
) -> list[dict[str, Any]]:
    """The active sub-processors (as of a date, or now) with the filters, each location with its `safeguard` and
    `country_name` in `language`, and `country_name` for the headquarters.

    :raise Invalid: an unknown service.
    """
    states = subprocessors.list_subprocessors(
        as_of=as_of, status=Status.ACTIVE.value, service=service, category=category, country=country
    )
    return [localise(state, language) for state in states]


def localise(state: dict[str, Any], language: str) -> dict[str, Any]:
    """Add the words a reader needs to a state: country names and safeguards in `language`."""
    state = dict(state)
    state["country_name"] = country_label(state.get("country"), language)
    state["locations"] = [
        {
            **location,
            "country_name": country_label(location.get("country"), language),
            "safeguard": safeguard_text(location, language),
        }
        for location in state.get("locations") or []
    ]
    return state


def last_changed(as_of: date | None = None) -> datetime | None:
    """When the public list last changed (an entry added, edited or retired), up to the end of `as_of`."""
    states = subprocessors.list_as_of(as_of, statuses=[Status.ACTIVE, Status.RETIRED])
    stamps = [datetime.fromisoformat(state["updated_at"]) for state in states if state.get("updated_at")]
    return max(stamps, default=None)


def diff(start: date, end: date, *, language: str) -> subprocessor_history.ListDiff:
    """What changed in the active list between the end of `start` and of `end`, states localised."""
    result = subprocessor_history.diff_lists(start, end)
    return subprocessor_history.ListDiff(
        start=result.start,
        end=result.end,
        added=[localise(state, language) for state in result.added],
        removed=[localise(state, language) for state in result.removed],
        changed=result.changed,
    )


# -- the change log ---------------------------------------------------------------------------------------------


def published_changes(*, status: ChangeStatus | None = None) -> list[Change]:
    """Announced, effective and withdrawn changes (never drafts), newest announcement first."""
    stmt = (
        select(Change)
        .where(Change.status != ChangeStatus.DRAFT.value, Change.announced_at.is_not(None))
        .options(selectinload(Change.subprocessor), selectinload(Change.replaces))
        .order_by(Change.announced_at.desc(), Change.id.desc())
    )
    if status is not None:
        stmt = stmt.where(Change.status == status.value)
    return list(db.session.scalars(stmt))


def published_change(change_id: int) -> Change:
    """:raise NotFound: no such change, or still a draft."""
    change = db.session.get(Change, change_id)
    if change is None or change.status == ChangeStatus.DRAFT or change.announced_at is None:
        raise NotFound(f"No published change {change_id}.")
    return change


def replaced_state(change: Change, language: str) -> dict[str, Any] | None:
    """The sub-processor a replacement replaces, localised (None for other kinds)."""
    return None if change.replaces is None else localise(subprocessors.state_of(change.replaces), language)


def change_state(change: Change, language: str) -> dict[str, Any]:
    """The change's sub-processor as the change makes it, localised."""
    return localise(states.subprocessor_after(change), language)


# -- exports ----------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe (OWASP)."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(_cell(item) for item in value)
    return str(value)


def _location_cell(location: dict[str, Any]) -> str:
    label = f" ({location['label']})" if location.get("label") else ""
    return f"{location.get('country', '')}{label}, {location.get('role', '')}: {location.get('safeguard', '')}"


def export_csv(states: Sequence[dict[str, Any]]) -> bytes:
    """The localised states as CSV (UTF-8 with BOM, for Excel), one row per sub-processor, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for state in states:
        row = []
        for column in CSV_COLUMNS:
            if column == "locations":
                value = "; ".join(_location_cell(location) for location in state.get("locations") or [])
            else:
                value = _cell(state.get(column))
            row.append(neutralise(value))
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")
