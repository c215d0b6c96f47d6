"""Whether a change is well formed (its kind, sub-processors and fields agree) and lawful (what will apply passes the
transfer rules on the effective date). Raise `Invalid` naming the field; never write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from registry.changes.models import Change, ChangeKind
from registry.errors import Invalid, NotFound, flatten_errors
from registry.subprocessors import chain, findings
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import Status, SubProcessor
from registry.subprocessors.schemas import SubProcessorPatchSchema

NOT_PROPOSABLE = ("status",)
"""Fields an `update` may not carry: the status moves through add, replace and remove changes."""


def _subprocessor(subprocessor_id: int | None, field: str) -> SubProcessor:
    try:
        if subprocessor_id is None:
            raise NotFound("Required.")
        return subprocessors.get_subprocessor(subprocessor_id)
    except NotFound as error:
        raise Invalid(error.message, {field: [error.message]}) from None


def _expect_status(subprocessor: SubProcessor, wanted: Status, field: str, kind: ChangeKind) -> None:
    if subprocessor.status != wanted:
        message = (
            f"A change of kind {kind} needs a sub-processor in status {wanted}; "
            f"{subprocessor.name!r} is {subprocessor.status}."
        )
        raise Invalid(message, {field: [message]})


def load_proposed(proposed: Mapping[str, Any]) -> dict[str, Any]:
    """The proposed fields loaded (Python dates, checked); :raise Invalid: naming `proposed`."""
    try:
        loaded: dict[str, Any] = SubProcessorPatchSchema().load(dict(proposed))
    except ValidationError as error:
        raise Invalid("The proposed sub-processor fields are invalid.", {"proposed": error.messages_dict}) from None
    return loaded


def check_draft(change: Change) -> None:
    """Check that the draft is consistent and that its sub-processors can take the change; normalise `proposed`."""
    kind = change.kind
    if kind == ChangeKind.REPLACE:
        if change.replaces_id is None:
            raise Invalid("A replace change names the sub-processor replaced.", {"replaces_id": ["Required."]})
        if change.replaces_id == change.subprocessor_id:
            message = "A sub-processor cannot replace itself."
            raise Invalid(message, {"replaces_id": [message]})
    elif change.replaces_id is not None:
        message = "Only a replace change names a sub-processor replaced."
        raise Invalid(message, {"replaces_id": [message]})
    if kind == ChangeKind.UPDATE:
        if not change.proposed:
            message = "An update change carries the proposed sub-processor fields."
            raise Invalid(message, {"proposed": [message]})
        for name in NOT_PROPOSABLE:
            if name in change.proposed:
                message = f"{name!r} cannot be proposed: use an add, replace or remove change."
                raise Invalid(message, {"proposed": {name: [message]}})
        change.proposed = SubProcessorPatchSchema().dump(load_proposed(change.proposed))
    elif change.proposed is not None:
        message = "Only an update change carries proposed fields."
        raise Invalid(message, {"proposed": [message]})
    if change.urgent and kind != ChangeKind.REPLACE:
        message = (
            "Only an emergency replacement of a sub-processor (security or continuity) may be urgent: "
            f"announce this {kind} change with the clients' full notice period."
        )
        raise Invalid(message, {"urgent": [message]})
    if change.urgent and not (change.urgent_reason or "").strip():
        message = "An urgent replacement says why it cannot wait for the notice period (security or continuity)."
        raise Invalid(message, {"urgent_reason": [message]})

    subprocessor = _subprocessor(change.subprocessor_id, "subprocessor_id")
    if kind == ChangeKind.REPLACE:
        replaced = _subprocessor(change.replaces_id, "replaces_id")
        _expect_status(subprocessor, Status.PROPOSED, "subprocessor_id", kind)
        _expect_status(replaced, Status.ACTIVE, "replaces_id", kind)
    else:
        _expect_status(
            subprocessor, Status.PROPOSED if kind == ChangeKind.ADD else Status.ACTIVE, "subprocessor_id", kind
        )


def _incoming_row(change: Change) -> dict[str, Any]:
    """The sub-processor as it will be once the change applies (an update's proposed fields merged), input shape."""
    row = subprocessors.current_row(change.subprocessor)
    if change.kind == ChangeKind.UPDATE and change.proposed:
        row.update(load_proposed(change.proposed))
    row["status"] = Status.ACTIVE.value
    return row


def check_identity(change: Change) -> None:
    """The sub-processor a change brings in (or updates) is identified as EDPB Opinion 22/2024 asks of the list
    (`findings.identity_errors`: a contact person reachable by email or telephone, a full address).

    :raise Invalid: naming `contact.name`, `contact.email` and/or `address`.
    """
    if change.kind == ChangeKind.REMOVE:
        return
    row = _incoming_row(change)
    if not row.get("processes_client_data", True):  # as it will be: an update may make it one
        return
    errors = findings.identity_errors(row)
    if errors:
        missing = ", ".join(path for path, _ in flatten_errors(errors))
        message = f"{change.subprocessor.name!r} cannot be announced to clients without {missing}: complete it first."
        raise Invalid(message, errors)


def check_contract(change: Change) -> None:
    """The sub-processor an addition or replacement brings in has its Art. 28(4) contract recorded: the change does
    not take effect before it (an announced change waits, and the legal team is alerted; `transfers check` lists
    the active ones without one).

    :raise Invalid: naming `dpa_reference` and/or `dpa_date`.
    """
    if change.kind not in (ChangeKind.ADD, ChangeKind.REPLACE):  # an update leaves the contract it had
        return
    row = _incoming_row(change)
    if not row.get("processes_client_data", True):
        return
    errors = findings.contract_errors(row)
    if errors:
        message = (
            f"{change.subprocessor.name!r} has no Art. 28(4) contract recorded ({', '.join(errors)}): the change takes "
            f"effect once it is (PATCH /api/v1/subprocessors/{change.subprocessor.id})."
        )
        raise Invalid(message, errors)


def check_chain(change: Change) -> None:
    """What a change does to the chain of onward sub-processors is checked before clients are told of it: an update
    that moves the sub-processor under another (`chain.check_parent`), a removal of one that still engages others.

    :raise Invalid: naming `proposed.parent_id` or `subprocessor_id`.
    """
    if change.kind == ChangeKind.REMOVE:
        # each onward one must be on its way out too (its own announced removal), or gone
        names = [child.name for child in chain.children_of(change.subprocessor.id) if child.announced_change_id is None]
        if names:
            message = f"{change.subprocessor.name!r} still engages {', '.join(names)}: announce their removal first."
            raise Invalid(message, {"subprocessor_id": [message]})
        return
    if change.kind == ChangeKind.UPDATE and "parent_id" in (change.proposed or {}):
        errors = chain.check_parent(_incoming_row(change), change.subprocessor.id)
        if errors:
            message = "; ".join(message for _, message in flatten_errors(errors))
            raise Invalid(message, {"proposed": errors})


def check_transfers(change: Change) -> None:
    """The sub-processor that will apply must pass the transfer rules on the effective date.

    :raise Invalid: naming each location that fails.
    """
    if change.kind == ChangeKind.REMOVE:
        return
    subprocessor = change.subprocessor
    row = _incoming_row(change)
    errors = subprocessors.check_subprocessor(row, on=change.effective_on)
    if not errors:
        return
    problems: list[str] = []
    for index, fields in sorted((errors.get("locations") or {}).items()):
        location = row["locations"][index]
        where = location["country"] + (f", {location['label']}" if location.get("label") else "")
        for texts in fields.values():
            problems.extend(f"location {index + 1} ({where}): {message}" for message in texts)
    problems.extend(
        f"{path}: {message}" for path, message in flatten_errors({k: v for k, v in errors.items() if k != "locations"})
    )
    message = (
        f"{subprocessor.name!r} does not pass the transfer rules on {change.effective_on.isoformat()}: "
        + "; ".join(problems)
    )
    raise Invalid(message, {"locations": problems})
