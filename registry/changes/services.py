"""Changes to the sub-processor list: drafts, announcements, clients' answers, resolutions, taking effect.

Flow: the legal team drafts a change, then `announce` fixes in one transaction the clients it affects (each with its
deadline and what it is asked for), their notices in the outbox and the audit event; from then until the change
takes effect or is withdrawn, what clients were told of its sub-processors cannot be edited
(`subprocessors.hold_for_change`). Clients answer through a signed link (`respond_url`) until their deadline, which
is always before the effective date (`record_response`); the legal team resolves each answer (`resolve_response`).
`apply_due` makes changes effective on their date, except for the clients that must not get them (excluded after an
objection, or specific authorisation without an approval), and `send_reminders` nudges the clients whose approval is
still missing. Every function flushes and never commits; dates are passed in (`today`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import selectinload

from registry import clock
from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes import links
from registry.changes.models import (
    AffectedClient,
    Answer,
    Change,
    ChangeKind,
    ChangeResponse,
    ChangeStatus,
    Expectation,
    Resolution,
)
from registry.clients import services as clients
from registry.clients.models import Authorization, Client
from registry.clients.services import ClientRow, ContactRow
from registry.db import page_of, utcnow
from registry.errors import Conflict, Invalid, NotFound, RegistryError
from registry.extensions import db
from registry.notices import services as notices
from registry.notices.models import Channel
from registry.profile import services as profile
from registry.public import services as public
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import Status, SubProcessor
from registry.subprocessors.schemas import SubProcessorPatchSchema

log = logging.getLogger(__name__)

respond_url = links.respond_url
"""`respond_url(change_id, client_id)`: the absolute link a client answers through (the same in every notice and
feed). Never stored, not even in notice payloads (which staff can read): renderers compute it from the payload's
`change_id` and `client_id`."""

EDITABLE = (
    "kind",
    "subprocessor_id",
    "replaces_id",
    "summary",
    "reason",
    "proposed",
    "effective_on",
    "urgent",
    "urgent_reason",
)
ANSWERS: dict[Expectation, tuple[Answer, ...]] = {
    Expectation.OBJECTION_WINDOW: (Answer.OBJECT,),
    Expectation.APPROVAL: (Answer.APPROVE, Answer.REFUSE),
}
"""What a client may answer, by what it is asked for."""
NEEDS_REASON = (Answer.OBJECT, Answer.REFUSE)
NAME_MAX = 200
EMAIL_MAX = 320
NOT_PROPOSABLE = ("status",)
"""Fields an `update` may not carry: the status moves through add, replace and remove changes."""

# Notice templates (the renderer of the delivery feature turns them into messages).
ANNOUNCED = "change.announced"
WITHDRAWN = "change.withdrawn"
EFFECTIVE = "change.effective"
EXCLUDED = "change.excluded"
OBJECTION_UNRESOLVED = "change.objection_unresolved"
APPLY_FAILED = "change.apply_failed"
REMINDER = "reminder"
ACKNOWLEDGED = "response.acknowledged"
LEGAL = "response.legal"


class LinkState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    EFFECTIVE = "effective"
    WITHDRAWN = "withdrawn"


class LinkClosed(RegistryError):
    """The respond link no longer takes answers (deadline passed, the change took effect or was withdrawn)."""

    status = 410


def snapshot(change: Change) -> dict[str, Any]:
    """The change as the audit log records it."""
    return {
        **{name: getattr(change, name) for name in EDITABLE},
        "status": change.status,
        "announced_at": change.announced_at,
        "effective_at": change.effective_at,
        "withdrawn_at": change.withdrawn_at,
        "withdrawn_reason": change.withdrawn_reason,
    }


def _legal_email() -> str | None:
    value = current_app.config.get("LEGAL_EMAIL")
    return str(value) if value else None


# -- reading ----------------------------------------------------------------------------------------------------


def get_change(change_id: int) -> Change:
    """:raise NotFound: no change with this id."""
    change = db.session.get(Change, change_id)
    if change is None:
        raise NotFound(f"No change {change_id}.")
    return change


def list_changes(filters: Mapping[str, Any], page: int, page_size: int) -> tuple[list[Change], int]:
    """One page of changes, newest first; filters: `status`, `subprocessor_id` (the new or the replaced one)."""
    stmt = select(Change)
    if filters.get("status"):
        stmt = stmt.where(Change.status == filters["status"])
    if filters.get("subprocessor_id") is not None:
        wanted = filters["subprocessor_id"]
        stmt = stmt.where(or_(Change.subprocessor_id == wanted, Change.replaces_id == wanted))
    return page_of(db.session(), stmt.order_by(Change.id.desc()), page, page_size)


def affected_count(change: Change) -> int:
    stmt = select(func.count()).select_from(AffectedClient).where(AffectedClient.change_id == change.id)
    return db.session.scalar(stmt) or 0


def current_response(affected: AffectedClient) -> ChangeResponse | None:
    """The client's answer that counts (the latest not superseded), or None."""
    return next((r for r in reversed(affected.responses) if r.superseded_at is None), None)


def affected_state(affected: AffectedClient) -> dict[str, Any]:
    """One affected client with where its answer stands (AffectedClientSchema)."""
    client = affected.client
    response = current_response(affected)
    return {
        "client_id": client.id,
        "name": client.name,
        "legal_name": client.legal_name,
        "language": client.language,
        "authorization": client.authorization,
        "expectation": affected.expectation,
        "deadline": affected.deadline,
        "notified_at": affected.notified_at,
        "reminded_at": affected.reminded_at,
        "answer": response.answer if response else None,
        "answered_at": response.created_at if response else None,
        "resolution": response.resolution if response else None,
        "excluded": affected.excluded,
    }


def list_affected(change: Change, page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the clients a change was announced to (by client name), with their answers."""
    stmt = (
        select(AffectedClient)
        .join(AffectedClient.client)
        .where(AffectedClient.change_id == change.id)
        .options(selectinload(AffectedClient.responses), selectinload(AffectedClient.client))
        .order_by(Client.name, Client.id)
    )
    items, total = page_of(db.session(), stmt, page, page_size)
    return [affected_state(item) for item in items], total


def list_responses(change: Change, page: int, page_size: int) -> tuple[list[ChangeResponse], int]:
    """Every answer to a change, superseded ones included, oldest first."""
    stmt = (
        select(ChangeResponse)
        .join(ChangeResponse.affected)
        .where(AffectedClient.change_id == change.id)
        .options(selectinload(ChangeResponse.affected).selectinload(AffectedClient.client))
        .order_by(ChangeResponse.id)
    )
    return page_of(db.session(), stmt, page, page_size)


def get_response(response_id: int) -> ChangeResponse:
    """:raise NotFound: no answer with this id."""
    response = db.session.get(ChangeResponse, response_id)
    if response is None:
        raise NotFound(f"No response {response_id}.")
    return response


# -- drafts -----------------------------------------------------------------------------------------------------


def create_change(data: Mapping[str, Any], *, actor: Actor) -> Change:
    """Create a draft from loaded input (ChangeSchema).

    :raise Invalid: a referenced sub-processor is missing or in the wrong status for the kind, or a field the kind
        needs (replaces_id, proposed, urgent_reason) is missing or not allowed.
    """
    change = Change(
        **{name: data.get(name) for name in EDITABLE},
        status=ChangeStatus.DRAFT,
        created_by=actor.label,
        version=1,
    )
    change.kind = ChangeKind(change.kind)
    change.reason = change.reason or ""
    change.urgent = bool(change.urgent)
    _check_draft(change)
    db.session.add(change)
    db.session.flush()
    audit.record("change.created", change, actor=actor, after=snapshot(change))
    return change


def update_change(change: Change, data: Mapping[str, Any], *, actor: Actor) -> Change:
    """Edit a draft with the fields given.

    :raise Conflict: the change is no longer a draft.
    """
    if change.status != ChangeStatus.DRAFT:
        raise Conflict(f"Change {change.id} is {change.status}: only a draft can be edited.")
    before = snapshot(change)
    for name in EDITABLE:
        if name in data:
            setattr(change, name, data[name])
    change.kind = ChangeKind(change.kind)
    change.reason = change.reason or ""
    change.urgent = bool(change.urgent)
    _check_draft(change)
    after = snapshot(change)
    if after != before:
        change.version = change.version + 1
        db.session.flush()
        changed = [name for name in after if after[name] != before[name]]
        audit.record(
            "change.updated",
            change,
            actor=actor,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return change


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


def _load_proposed(proposed: Mapping[str, Any]) -> dict[str, Any]:
    """The proposed fields loaded (Python dates, checked); :raise Invalid: naming `proposed`."""
    try:
        loaded: dict[str, Any] = SubProcessorPatchSchema().load(dict(proposed))
    except ValidationError as error:
        raise Invalid("The proposed sub-processor fields are invalid.", {"proposed": error.messages_dict}) from None
    return loaded


def _check_draft(change: Change) -> None:
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
        change.proposed = SubProcessorPatchSchema().dump(_load_proposed(change.proposed))
    elif change.proposed is not None:
        message = "Only an update change carries proposed fields."
        raise Invalid(message, {"proposed": [message]})
    if change.urgent and not (change.urgent_reason or "").strip():
        message = "An urgent change says why the notice period cannot be given."
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


# -- announcing -------------------------------------------------------------------------------------------------


def _expectation(client: Client | ClientRow) -> Expectation:
    if client.authorization == Authorization.SPECIFIC:
        return Expectation.APPROVAL
    return Expectation.OBJECTION_WINDOW


def _slugs(subprocessor: SubProcessor) -> list[str]:
    return [service.slug for service in subprocessor.services]


def _not_excluded(subprocessor_id: int, candidates: Sequence[ClientRow], on: date) -> list[ClientRow]:
    """The candidates for whom the sub-processor is not excluded by the end of `on` (as for the list that applies to
    each client, `clients.applicable_subprocessors`)."""
    excluded = clients.excluded_subprocessor_ids(candidates, clock.end_of(on))
    return [client for client in candidates if subprocessor_id not in excluded[client.id]]


def _applies_to(subprocessor: SubProcessor, candidates: Sequence[ClientRow], on: date) -> list[ClientRow]:
    """The candidates (clients using its services) that the sub-processor applies to on `on`."""
    if subprocessor.status != Status.ACTIVE:
        return []
    return _not_excluded(subprocessor.id, candidates, on)


def _union(*groups: Iterable[ClientRow]) -> list[ClientRow]:
    seen: dict[int, ClientRow] = {}
    for group in groups:
        for client in group:
            seen.setdefault(client.id, client)
    return sorted(seen.values(), key=lambda client: (client.name, client.id))


def affected_clients(change: Change, on: date) -> list[ClientRow]:
    """The clients a change concerns, as of `on` (as plain column rows, by name).

    add: the clients using any service of the new sub-processor; replace: those the replaced one applies to plus
    those using the new one's services; update and remove: those it applies to (for an update that adds services,
    also the clients of those services).
    """
    subprocessor = change.subprocessor
    if change.kind == ChangeKind.ADD:
        return clients.client_rows_using(_slugs(subprocessor))
    if change.kind == ChangeKind.REPLACE:
        replaced = change.replaces
        assert replaced is not None  # checked by _check_draft
        current = _applies_to(replaced, clients.client_rows_using(_slugs(replaced)), on)
        return _union(current, clients.client_rows_using(_slugs(subprocessor)))
    current = _applies_to(subprocessor, clients.client_rows_using(_slugs(subprocessor)), on)
    if change.kind == ChangeKind.UPDATE and change.proposed and "services" in change.proposed:
        added = set(change.proposed["services"]) - set(_slugs(subprocessor))
        newcomers = _not_excluded(subprocessor.id, clients.client_rows_using(added), on)
        return _union(current, newcomers)
    return current


def _check_transfers(change: Change) -> None:
    """The sub-processor that will apply must pass the transfer rules on the effective date.

    :raise Invalid: naming each location that fails.
    """
    if change.kind == ChangeKind.REMOVE:
        return
    subprocessor = change.subprocessor
    row = subprocessors.current_row(subprocessor)
    if change.kind == ChangeKind.UPDATE and change.proposed:
        row.update(_load_proposed(change.proposed))
    row["status"] = Status.ACTIVE.value
    errors = subprocessors.check_subprocessor(row, on=change.effective_on)
    if not errors:
        return
    problems: list[str] = []
    for index, fields in sorted((errors.get("locations") or {}).items()):
        location = row["locations"][index]
        where = location["country"] + (f", {location['label']}" if location.get("label") else "")
        for messages in fields.values():
            problems.extend(f"location {index + 1} ({where}): {message}" for message in messages)
    problems.extend(
        f"{path}: {message}"
        for path, message in subprocessors.flatten_errors({k: v for k, v in errors.items() if k != "locations"})
    )
    message = (
        f"{subprocessor.name!r} does not pass the transfer rules on {change.effective_on.isoformat()}: "
        + "; ".join(problems)
    )
    raise Invalid(message, {"locations": problems})


def _change_payload(change: Change) -> dict[str, Any]:
    """What every notice about a change carries (a renderer needs no further lookup for the headline)."""
    replaced = change.replaces
    return {
        "change_id": change.id,
        "kind": str(change.kind),
        "subprocessor_id": change.subprocessor_id,
        "subprocessor": change.subprocessor.name,
        "replaces_id": change.replaces_id,
        "replaces": replaced.name if replaced is not None else None,
        "summary": change.summary,
        "reason": change.reason,
        "effective_on": change.effective_on.isoformat(),
        "urgent": change.urgent,
        "urgent_reason": change.urgent_reason,
    }


def _client_notices(
    change: Change,
    targets: Iterable[Client],
    *,
    template: str,
    what: str,
    payload: Callable[[Client], dict[str, Any]],
) -> list[dict[str, Any]]:
    """One email row per notice contact of each client; event `change/<id>/client/<client id>/<what>`."""
    rows: list[dict[str, Any]] = []
    for client in targets:
        body = payload(client)
        for contact in client.contacts:
            if contact.receives_notices:
                rows.append(
                    notices.notice_row(
                        event=f"change/{change.id}/client/{client.id}/{what}",
                        template=template,
                        recipient=contact.email,
                        language=client.language,
                        payload=body,
                        change_id=change.id,
                        client_id=client.id,
                    )
                )
    return rows


def _legal_notice(
    event: str, template: str, payload: dict[str, Any], change: Change, client_id: int | None
) -> list[dict[str, Any]]:
    legal = _legal_email()
    if legal is None:
        return []
    return [
        notices.notice_row(
            event=event,
            template=template,
            recipient=legal,
            language="en",
            payload=payload,
            change_id=change.id,
            client_id=client_id,
        )
    ]


def announce(change: Change, *, today: date, actor: Actor) -> Change:
    """Announce a draft: in the caller's transaction, its status, the hold on its sub-processors, one row per affected
    client (deadline and what is expected), one notice per notice contact, and the audit event.

    :raise Conflict: the change was already announced (or withdrawn), or another announced change holds one of its
        sub-processors.
    :raise Invalid: the sub-processor fails the transfer rules on the effective date (the location named), the
        effective date is not after today, or it is earlier than today + the longest notice period of the affected
        clients and the change is not urgent with a reason (`effective_on` named, with the earliest date allowed).
    On any error the caller rolls back, as a failed request does: that also undoes the hold.
    """
    if change.status != ChangeStatus.DRAFT:
        raise Conflict(f"Change {change.id} is already {change.status}: a change is announced once.")
    _hold_subprocessors(change, actor=actor)  # first, so that what is checked and told is what stays announced
    targets, earliest = _check_announceable(change, today)

    before = snapshot(change)
    now = utcnow()
    change.status = ChangeStatus.ANNOUNCED
    change.announced_at = now
    change.version = change.version + 1
    db.session.flush()
    deadlines = _record_affected(change, targets, today=today, now=now)
    contacts = clients.contact_rows(client.id for client in targets)
    written = _announcement_notices(change, targets, contacts, deadlines)
    silent = [client.id for client in targets if not any(c.receives_notices for c in contacts[client.id])]
    audit.record(
        "change.announced",
        change,
        actor=actor,
        before={"status": before["status"]},
        after={
            "status": change.status,
            "announced_at": change.announced_at,
            "effective_on": change.effective_on,
            "urgent": change.urgent,
            "urgent_reason": change.urgent_reason,
            "earliest_effective_on": earliest,
            "affected_clients": len(targets),
            "notices": written,
            "clients_without_notice_contact": silent,
        },
    )
    log.info("change %s announced to %s clients by %s", change.id, len(targets), actor.label)
    return change


def _held_subprocessors(change: Change) -> list[SubProcessor]:
    """The sub-processors whose notice fields an announced change fixes: its own, and the one a replacement replaces."""
    held = [change.subprocessor]
    if change.kind == ChangeKind.REPLACE and change.replaces is not None:
        held.append(change.replaces)
    return held


def _hold_subprocessors(change: Change, *, actor: Actor) -> None:
    for subprocessor in _held_subprocessors(change):
        subprocessors.hold_for_change(subprocessor, change.id, actor=actor)


def _release_subprocessors(change: Change, *, actor: Actor) -> None:
    for subprocessor in _held_subprocessors(change):
        subprocessors.release_from_change(subprocessor, change.id, actor=actor)


def _check_announceable(change: Change, today: date) -> tuple[list[ClientRow], date]:
    """Check a draft can be announced today: the clients it affects, and the earliest effective date it may have.

    :raise Invalid: see `announce`.
    """
    _check_draft(change)
    _check_transfers(change)
    if change.effective_on <= today:
        message = (
            f"effective_on must be after today ({today.isoformat()}): clients answer until the day before the "
            "change takes effect."
        )
        raise Invalid(message, {"effective_on": [message]})
    targets = affected_clients(change, today)
    if targets:
        longest = max(client.notice_period_days for client in targets)
    else:  # nobody to tell but the public: the usual notice
        longest = profile.get_profile().default_notice_period_days
    earliest = today + timedelta(days=longest)
    urgent = change.urgent and bool((change.urgent_reason or "").strip())
    if change.effective_on < earliest and not urgent:
        message = (
            f"effective_on must be on or after {earliest.isoformat()}: today plus {longest} days, the longest "
            "notice period of the affected clients (or mark the change urgent and give the reason)."
        )
        raise Invalid(message, {"effective_on": [message]})
    return targets, earliest


def deadline_for(client: Client | ClientRow, *, announced_on: date, effective_on: date) -> date:
    """The last day a client may answer: its notice period from the announcement, but never later than the day
    before the change takes effect (so every answer counts when it does). For an urgent change that is sooner than
    the full period, and shown as it is."""
    return min(announced_on + timedelta(days=client.notice_period_days), effective_on - timedelta(days=1))


def _record_affected(change: Change, targets: Sequence[ClientRow], *, today: date, now: datetime) -> dict[int, date]:
    """One row per affected client, with its deadline and what it is asked for; returns the deadlines by client."""
    deadlines = {
        client.id: deadline_for(client, announced_on=today, effective_on=change.effective_on) for client in targets
    }
    rows = [
        {
            "change_id": change.id,
            "client_id": client.id,
            "expectation": _expectation(client).value,
            "deadline": deadlines[client.id],
            "notified_at": now,
            "reminded_at": None,
            "excluded": False,
        }
        for client in targets
    ]
    if rows:
        db.session.execute(insert(AffectedClient), rows)
    db.session.expire(change, ["affected"])
    return deadlines


def _announcement_notices(
    change: Change,
    targets: Sequence[ClientRow],
    contacts: Mapping[int, Sequence[ContactRow]],
    deadlines: Mapping[int, date],
) -> int:
    """The announcement's notices (affected clients' notice contacts, confirmed public subscribers): how many.

    One email row per notice contact of each client (as `_client_notices` writes them), built from plain rows."""
    common = _change_payload(change)
    rows: list[dict[str, Any]] = []
    for client in targets:
        recipients = [contact.email for contact in contacts[client.id] if contact.receives_notices]
        if not recipients:
            continue
        body = {
            **common,
            "client_id": client.id,
            "client_name": client.name,
            "expectation": _expectation(client).value,
            "deadline": deadlines[client.id].isoformat(),
        }
        event = f"change/{change.id}/client/{client.id}/announced"
        rows.extend(
            notices.notice_row(
                event=event,
                template=ANNOUNCED,
                recipient=email,
                language=client.language,
                payload=body,
                change_id=change.id,
                client_id=client.id,
            )
            for email in recipients
        )
    written = notices.enqueue(rows)
    written += notices.enqueue(public.change_notice_rows(change, "announced"))  # confirmed public subscribers
    return written


# -- withdrawing ------------------------------------------------------------------------------------------------


def withdraw(change: Change, *, reason: str, actor: Actor) -> Change:
    """Withdraw a draft or an announced change; everyone notified of the announcement is told.

    :raise Conflict: the change already took effect or was withdrawn.
    """
    if change.status in (ChangeStatus.EFFECTIVE, ChangeStatus.WITHDRAWN):
        raise Conflict(f"Change {change.id} is {change.status}: only a draft or an announced change is withdrawn.")
    was = change.status
    before = snapshot(change)
    change.status = ChangeStatus.WITHDRAWN
    change.withdrawn_at = utcnow()
    change.withdrawn_reason = reason
    change.version = change.version + 1
    db.session.flush()
    written = 0
    if was == ChangeStatus.ANNOUNCED:
        _release_subprocessors(change, actor=actor)
        common = {**_change_payload(change), "withdrawn_reason": reason}
        rows = [
            notices.notice_row(
                event=f"change/{change.id}/client/{notice.client_id}/withdrawn",
                template=WITHDRAWN,
                recipient=notice.recipient,
                language=notice.language,
                payload={**common, "client_id": notice.client_id},
                change_id=change.id,
                client_id=notice.client_id,
            )
            for notice in notices.notices_of(change.id, ANNOUNCED)
            if notice.channel == Channel.EMAIL  # webhook rows follow the email rows to the endpoints active now
        ]
        written = notices.enqueue(rows)
        written += notices.enqueue(public.change_notice_rows(change, "withdrawn"))  # confirmed public subscribers
    audit.record(
        "change.withdrawn",
        change,
        actor=actor,
        before={"status": before["status"]},
        after={"status": change.status, "withdrawn_reason": reason, "notices": written},
    )
    return change


# -- answers ----------------------------------------------------------------------------------------------------


def find_affected(change_id: int, client_id: int) -> AffectedClient | None:
    return db.session.scalar(
        select(AffectedClient).where(AffectedClient.change_id == change_id, AffectedClient.client_id == client_id)
    )


def affected_for_token(token: str) -> AffectedClient | None:
    """The (change, client) a genuine respond token stands for, if that change was announced to that client."""
    ids = links.read_respond_token(token)
    return None if ids is None else find_affected(*ids)


def link_state(affected: AffectedClient, today: date) -> LinkState:
    """Whether the client may still answer: not after its deadline, nor once the change took effect (whatever the
    date) or was withdrawn."""
    status = affected.change.status
    if status == ChangeStatus.WITHDRAWN:
        return LinkState.WITHDRAWN
    if status == ChangeStatus.EFFECTIVE:
        return LinkState.EFFECTIVE
    if today > affected.deadline:
        return LinkState.EXPIRED
    return LinkState.OPEN


def record_response(
    affected: AffectedClient,
    *,
    answer: Answer | str,
    respondent_name: str,
    respondent_email: str,
    reason: str,
    ip: str | None,
    today: date,
    channel: str = "web",
) -> ChangeResponse:
    """Record a client's answer; an earlier answer is superseded (and kept). Acknowledgements go to the
    respondent and, when configured, to the legal team.

    :raise LinkClosed: the deadline passed, or the change took effect or was withdrawn.
    :raise Invalid: an answer the client is not asked for, or a missing name, email or reason.
    """
    state = link_state(affected, today)
    if state == LinkState.WITHDRAWN:
        raise LinkClosed(f"Change {affected.change_id} was withdrawn: there is nothing to answer.")
    if state == LinkState.EFFECTIVE:
        raise LinkClosed(f"Change {affected.change_id} already took effect: answers are no longer taken.")
    if state == LinkState.EXPIRED:
        raise LinkClosed(f"The deadline to answer was {affected.deadline.isoformat()}.")
    try:
        chosen: Answer | None = Answer(answer)
    except ValueError:
        chosen = None
    allowed = ANSWERS[Expectation(affected.expectation)]
    if chosen is None or chosen not in allowed:
        message = f"Answer one of: {', '.join(allowed)}."
        raise Invalid(message, {"answer": [message]})
    errors: dict[str, list[str]] = {}
    if not respondent_name.strip() or len(respondent_name.strip()) > NAME_MAX:
        errors["name"] = [f"Required, at most {NAME_MAX} characters."]
    email = respondent_email.strip()
    if "@" not in email.strip("@") or any(ch.isspace() for ch in email) or len(email) > EMAIL_MAX:
        errors["email"] = ["A valid email address is required."]
    if chosen in NEEDS_REASON and not reason.strip():
        errors["reason"] = ["Required."]
    if errors:
        raise Invalid("The answer is incomplete.", errors)

    now = utcnow()
    client = affected.client
    previous = current_response(affected)
    if previous is not None:
        previous.superseded_at = now
        previous.version = previous.version + 1
    response = ChangeResponse(
        affected=affected,
        answer=chosen,
        reason=reason.strip(),
        respondent_name=respondent_name.strip(),
        respondent_email=respondent_email.strip(),
        channel=channel,
        ip=ip,
        created_at=now,
        version=1,
    )
    db.session.add(response)
    db.session.flush()

    change = affected.change
    payload = {
        **_change_payload(change),
        "response_id": response.id,
        "client_id": client.id,
        "client_name": client.name,
        "answer": chosen.value,
        "reason": response.reason,
        "respondent_name": response.respondent_name,
        "respondent_email": response.respondent_email,
        "answered_at": now.isoformat(),
        "deadline": affected.deadline.isoformat(),
        "expectation": str(affected.expectation),
        "supersedes_response_id": previous.id if previous is not None else None,
    }
    rows = [
        notices.notice_row(
            event=f"response/{response.id}/acknowledged",
            template=ACKNOWLEDGED,
            recipient=response.respondent_email,
            language=client.language,
            payload=payload,
            change_id=change.id,
            client_id=client.id,
        ),
        *_legal_notice(f"response/{response.id}/legal", LEGAL, payload, change, client.id),
    ]
    notices.enqueue(rows)
    actor = Actor(f"client:{client.id}:{response.respondent_email}")
    audit.record(
        "change.response_recorded",
        response,
        actor=actor,
        entity_type="change_response",
        before={"response_id": previous.id, "answer": previous.answer} if previous is not None else None,
        after={
            "change_id": change.id,
            "client_id": client.id,
            "answer": chosen,
            "reason": response.reason,
            "respondent_name": response.respondent_name,
            "respondent_email": response.respondent_email,
            "channel": channel,
            "ip": ip,
        },
    )
    return response


def _response_snapshot(response: ChangeResponse) -> dict[str, Any]:
    return {
        "resolution": response.resolution,
        "resolution_note": response.resolution_note,
        "resolved_by": response.resolved_by,
    }


def resolve_response(
    response: ChangeResponse, *, resolution: Resolution | str, note: str, actor: Actor
) -> ChangeResponse:
    """Record how the legal team resolved an answer.

    withdrawn: the change is withdrawn for everyone; excluded_for_client: the sub-processor will not apply to this
    client (from the effective date, or at once if the change already took effect); the others are recorded.
    :raise Conflict: the answer was superseded, or the resolution can no longer be carried out.
    """
    resolution = Resolution(resolution)
    affected = response.affected
    change = affected.change
    if response.superseded_at is not None:
        raise Conflict(f"Response {response.id} was replaced by a later answer: resolve the current one.")
    before = _response_snapshot(response)
    was_excluding = response.resolution == Resolution.EXCLUDED_FOR_CLIENT
    if resolution == Resolution.WITHDRAWN:
        if change.status == ChangeStatus.EFFECTIVE:
            raise Conflict(f"Change {change.id} already took effect: announce a new change to undo it.")
        if change.status != ChangeStatus.WITHDRAWN:
            withdraw(change, reason=note or f"Withdrawn after the answer of {affected.client.name}.", actor=actor)
    if resolution == Resolution.EXCLUDED_FOR_CLIENT:
        if change.status == ChangeStatus.WITHDRAWN:
            raise Conflict(f"Change {change.id} was withdrawn: there is nothing to exclude.")
        if change.kind == ChangeKind.REMOVE:
            raise Conflict(f"Change {change.id} removes the sub-processor for everyone: there is nothing to exclude.")
        affected.excluded = True
        if change.status == ChangeStatus.EFFECTIVE:
            _exclude(
                change, affected, reason=f"Change {change.id}: excluded after the client's objection.", actor=actor
            )
    elif was_excluding and affected.excluded:
        if change.status == ChangeStatus.EFFECTIVE:
            raise Conflict(f"The exclusion of change {change.id} for this client was already carried out.")
        affected.excluded = False
    response.resolution = resolution
    response.resolution_note = note
    response.resolved_at = utcnow()
    response.resolved_by = actor.label
    response.version = response.version + 1
    db.session.flush()
    audit.record(
        "change.response_resolved",
        response,
        actor=actor,
        entity_type="change_response",
        before=before,
        after={**_response_snapshot(response), "change_id": change.id, "client_id": affected.client_id},
    )
    return response


# -- taking effect ----------------------------------------------------------------------------------------------


def _exclude(change: Change, affected: AffectedClient, *, reason: str, actor: Actor) -> None:
    clients.exclude_subprocessor(affected.client, change.subprocessor_id, reason=reason, actor=actor)
    affected.excluded = True


def _approved(response: ChangeResponse | None) -> bool:
    return response is not None and (
        response.answer == Answer.APPROVE or response.resolution == Resolution.ACCEPTED_BY_CLIENT
    )


def _apply_to_registry(change: Change, *, actor: Actor) -> None:
    """Make the registry what was announced (as this change, with history), and end the change's hold."""
    subprocessor = change.subprocessor
    through = change.id
    if change.kind == ChangeKind.ADD:
        subprocessors.set_status(subprocessor, Status.ACTIVE, actor=actor, through_change=through)
    elif change.kind == ChangeKind.REMOVE:
        subprocessors.set_status(subprocessor, Status.RETIRED, actor=actor, through_change=through)
    elif change.kind == ChangeKind.REPLACE:
        assert change.replaces is not None  # checked by _check_draft
        subprocessors.set_status(subprocessor, Status.ACTIVE, actor=actor, through_change=through)
        subprocessors.set_status(change.replaces, Status.RETIRED, actor=actor, through_change=through)
    else:
        proposed = _load_proposed(change.proposed or {})
        subprocessors.update_subprocessor(subprocessor, proposed, actor=actor, through_change=through)
    _release_subprocessors(change, actor=actor)


def take_effect(change: Change, *, actor: Actor) -> Change:
    """Make an announced change effective now: the registry changes (with history), each client that must not
    get it is excluded, everyone notified is told, and the legal team is alerted where it must act.
    """
    if change.status != ChangeStatus.ANNOUNCED:
        raise Conflict(f"Change {change.id} is {change.status}: only an announced change takes effect.")
    _apply_to_registry(change, actor=actor)
    rows = _affected_rows(change)
    excluded, alerts = _settle_clients(change, rows, actor=actor)

    before = snapshot(change)
    change.status = ChangeStatus.EFFECTIVE
    change.effective_at = utcnow()
    change.version = change.version + 1
    db.session.flush()
    written = _effective_notices(change, rows, alerts)
    audit.record(
        "change.effective",
        change,
        actor=actor,
        before={"status": before["status"]},
        after={
            "status": change.status,
            "effective_at": change.effective_at,
            "excluded_clients": excluded,
            "clients": len(rows),
            "notices": written,
        },
    )
    log.info("change %s took effect (%s clients, %s excluded)", change.id, len(rows), len(excluded))
    return change


def _affected_rows(change: Change) -> list[AffectedClient]:
    """The clients the change was announced to, with their answers and notice contacts loaded."""
    return list(
        db.session.scalars(
            select(AffectedClient)
            .where(AffectedClient.change_id == change.id)
            .options(
                selectinload(AffectedClient.responses),
                selectinload(AffectedClient.client).selectinload(Client.contacts),
            )
            .order_by(AffectedClient.id)
        )
    )


def _settle_clients(
    change: Change, rows: Sequence[AffectedClient], *, actor: Actor
) -> tuple[list[int], list[dict[str, Any]]]:
    """Exclude every client that must not get the change (excluded after an objection; specific authorisation
    without an approval) and prepare the legal team's alerts: (excluded client ids, alerts).
    """
    excludes_something = change.kind != ChangeKind.REMOVE
    common = _change_payload(change)
    alerts: list[dict[str, Any]] = []
    excluded: list[int] = []
    for affected in rows:
        response = current_response(affected)
        client = affected.client
        if excludes_something and affected.excluded:
            _exclude(
                change, affected, reason=f"Change {change.id}: excluded after the client's objection.", actor=actor
            )
            excluded.append(client.id)
        elif excludes_something and affected.expectation == Expectation.APPROVAL and not _approved(response):
            reason = f"Change {change.id}: not approved by the client (specific authorisation)."
            _exclude(change, affected, reason=reason, actor=actor)
            excluded.append(client.id)
            alert = {
                **common,
                "client_id": client.id,
                "client_name": client.name,
                "answer": response.answer if response is not None else None,
                "deadline": affected.deadline.isoformat(),
                "reason": "no_approval",
            }
            alerts += _legal_notice(
                f"change/{change.id}/client/{client.id}/excluded", EXCLUDED, alert, change, client.id
            )
        elif response is not None and response.answer == Answer.OBJECT and response.resolution is None:
            alert = {
                **common,
                "client_id": client.id,
                "client_name": client.name,
                "response_id": response.id,
                "objection": response.reason,
            }
            alerts += _legal_notice(
                f"change/{change.id}/client/{client.id}/objection-unresolved",
                OBJECTION_UNRESOLVED,
                alert,
                change,
                client.id,
            )
    return excluded, alerts


def _effective_notices(change: Change, rows: Sequence[AffectedClient], alerts: list[dict[str, Any]]) -> int:
    """Tell every client notified (whether it was excluded), the public subscribers, and the legal team."""
    common = _change_payload(change)
    by_id = {affected.client_id: affected for affected in rows}

    def payload(client: Client) -> dict[str, Any]:
        return {**common, "client_id": client.id, "client_name": client.name, "excluded": by_id[client.id].excluded}

    written = notices.enqueue(
        [
            *_client_notices(change, [a.client for a in rows], template=EFFECTIVE, what="effective", payload=payload),
            *alerts,
        ]
    )
    written += notices.enqueue(public.change_notice_rows(change, "effective"))  # confirmed public subscribers
    return written


def _check_answers_closed(change: Change, today: date) -> None:
    """:raise Conflict: some affected client may still answer on `today` (its deadline has not passed), so taking
    effect would decide for it before it could. Never for a change announced with capped deadlines (`deadline_for`):
    their deadlines are before the effective date."""
    last = db.session.scalar(select(func.max(AffectedClient.deadline)).where(AffectedClient.change_id == change.id))
    if last is not None and last >= today:
        raise Conflict(
            f"Change {change.id} cannot take effect before the deadline of every client it was announced to has "
            f"passed: the last is {last.isoformat()}."
        )


def _constant(body: dict[str, Any]) -> Callable[[Client], dict[str, Any]]:
    return lambda _client: body


def apply_due(today: date, *, actor: Actor) -> list[Change]:
    """Send the due reminders, then make every announced change whose date has come effective (oldest first).

    A change that cannot be applied (e.g. its sub-processor no longer passes the transfer rules, or a client's
    deadline has not passed yet) is left announced, logged, and the legal team alerted (once a day); the others still
    apply.
    """
    send_reminders(today, actor=actor)
    due = db.session.scalars(
        select(Change)
        .where(Change.status == ChangeStatus.ANNOUNCED, Change.effective_on <= today)
        .order_by(Change.effective_on, Change.id)
    ).all()
    applied: list[Change] = []
    for change in due:
        try:
            with db.session.begin_nested():
                _check_answers_closed(change, today)
                take_effect(change, actor=actor)
        except RegistryError as error:
            log.warning("change %s could not take effect: %s", change.id, error.message)
            db.session.expire_all()
            alert = {**_change_payload(change), "error": error.message, "on": today.isoformat()}
            notices.enqueue(
                _legal_notice(
                    f"change/{change.id}/apply-failed/{today.isoformat()}", APPLY_FAILED, alert, change, None
                ),
                skip_existing=True,
            )
            continue
        applied.append(change)
    return applied


def send_reminders(today: date, *, actor: Actor, days: int | None = None) -> list[AffectedClient]:
    """Remind, once, each client under specific authorisation that has not answered, from `days` (default:
    REMINDER_DAYS) before its deadline until the deadline.
    """
    window = int(current_app.config["REMINDER_DAYS"]) if days is None else days
    answered = select(ChangeResponse.id).where(
        ChangeResponse.affected_id == AffectedClient.id, ChangeResponse.superseded_at.is_(None)
    )
    due = list(
        db.session.scalars(
            select(AffectedClient)
            .join(AffectedClient.change)
            .where(
                Change.status == ChangeStatus.ANNOUNCED,
                AffectedClient.expectation == Expectation.APPROVAL,
                AffectedClient.reminded_at.is_(None),
                AffectedClient.deadline >= today,
                AffectedClient.deadline <= today + timedelta(days=window),
                ~answered.exists(),
            )
            .options(
                selectinload(AffectedClient.change), selectinload(AffectedClient.client).selectinload(Client.contacts)
            )
            .order_by(AffectedClient.change_id, AffectedClient.id)
        )
    )
    now = utcnow()
    rows: list[dict[str, Any]] = []
    by_change: dict[int, list[int]] = {}
    for affected in due:
        change, client = affected.change, affected.client
        affected.reminded_at = now
        by_change.setdefault(change.id, []).append(client.id)
        body = {
            **_change_payload(change),
            "client_id": client.id,
            "client_name": client.name,
            "expectation": str(affected.expectation),
            "deadline": affected.deadline.isoformat(),
        }
        rows += _client_notices(change, [client], template=REMINDER, what="reminder", payload=_constant(body))
    if not due:
        return due
    db.session.flush()
    notices.enqueue(rows)
    for change_id, client_ids in by_change.items():
        audit.record(
            "change.reminders_sent",
            entity_type="change",
            entity_id=change_id,
            actor=actor,
            after={"clients": client_ids, "on": today.isoformat()},
        )
    return due
