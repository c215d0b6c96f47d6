"""The sub-processor of a change as it stands before the change and as the change makes it: what notices, pages
and feeds describe, and what the previous values of an update are read from."""

from __future__ import annotations

from typing import Any

from registry.changes.models import Change, ChangeKind, ChangeStatus
from registry.subprocessors import services as subprocessors
from registry.transfers import rules


def subprocessor_now(change: Change) -> dict[str, Any]:
    """The change's sub-processor as it stands before the change (while announced, as clients were told it is)."""
    if change.status == ChangeStatus.EFFECTIVE:  # applied: the state before is the one the change replaced
        versions = subprocessors.versions_before(change.subprocessor_id, change.effective_at)
        if versions is not None:
            return versions
    return subprocessors.state_of(change.subprocessor)


def subprocessor_after(change: Change) -> dict[str, Any]:
    """The change's sub-processor as the change makes it (an update's proposed fields applied), in the API's shape,
    with every location mechanism the transfer rules derive filled in: what notices, pages and feeds describe."""
    state = subprocessors.state_of(change.subprocessor)
    if change.kind == ChangeKind.UPDATE and change.proposed:
        state = {**state, **change.proposed}
    locations = []
    for location in state.get("locations") or []:
        if not location.get("mechanism"):  # a proposed EEA or adequate country may leave it to the rules
            derived = rules.check_location(
                str(location.get("country") or ""),
                None,
                None,
                dpf_certified=bool(state.get("dpf_certified")),
                dpf_recheck_on=None,
                on=change.effective_on,
            ).mechanism
            location = {**location, "mechanism": derived.value if derived is not None else None}
        locations.append(location)
    return {**state, "locations": locations}
