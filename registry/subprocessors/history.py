"""What changed in the list between two dates, read back from the saved states of every sub-processor."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from registry.subprocessors.models import Status
from registry.subprocessors.services import BOOKKEEPING, list_as_of


class FieldChange(NamedTuple):
    before: Any
    after: Any


@dataclass(frozen=True)
class ChangedEntry:
    id: int
    name: str
    fields: dict[str, tuple[Any, Any]]
    """Field name -> (value on the first date, value on the second), as `FieldChange` pairs."""


@dataclass(frozen=True)
class ListDiff:
    start: date
    end: date
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[ChangedEntry]


def _changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    names = [*after, *(name for name in before if name not in after)]
    return {
        name: FieldChange(before.get(name), after.get(name))
        for name in names
        if name not in BOOKKEEPING and before.get(name) != after.get(name)
    }


def diff_lists(
    start: date,
    end: date,
    *,
    statuses: Collection[Status] = (Status.ACTIVE,),
    service_slugs: Collection[str] | None = None,
) -> ListDiff:
    """What changed in the list (by default: the active sub-processors) between the end of `start` and of `end`."""
    first = {state["id"]: state for state in list_as_of(start, statuses=statuses, service_slugs=service_slugs)}
    second = {state["id"]: state for state in list_as_of(end, statuses=statuses, service_slugs=service_slugs)}
    changed = []
    for key, after in second.items():
        if key in first:
            fields = _changed_fields(first[key], after)
            if fields:
                changed.append(ChangedEntry(key, after["name"], fields))
    return ListDiff(
        start=start,
        end=end,
        added=[state for key, state in second.items() if key not in first],
        removed=[state for key, state in first.items() if key not in second],
        changed=changed,
    )
