"""Changes to the sub-processor list: drafts, announcements, withdrawals, taking effect.

Flow: the legal team drafts a change, then `announce` fixes in one transaction the clients it affects (each with its
deadline and what it is asked for: `audience`), their notices in the outbox (`messages`) and the audit event; from
then until the change takes effect or is withdrawn, what clients were told of its sub-processors cannot be edited
(`subprocessors.hold_for_change`). Clients answer through a signed link until their deadline, which is always before
the effective date, and the legal team resolves each answer (`responses`). `apply_due` makes changes effective on
their date, except for the clients that must not get them (excluded after an objection, or specific authorisation
without an approval, or joined late and still within their own notice period), and `reminders.send_reminders` nudges
the clients whose approval is still missing. Every function flushes and never commits; dates are passed in (`today`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import selectinload

from registry import clock, deadlines
from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes import checks, holds, messages, reminders, standing
from registry.changes.audience import affected_clients, expectation_of
from registry.changes.models import (
    AffectedClient,
    Change,
    ChangeKind,
    ChangeStatus,
    Expectation,
)
from registry.clients import services as clients
from registry.clients.models import Client
from registry.clients.services import ClientRow
from registry.db import page_of, utcnow
from registry.errors import Conflict, Invalid, NotFound, RegistryError
from registry.extensions import db
from registry.outbox import services as outbox
from registry.profile import services as profile
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import Status, SubProcessor

log = logging.getLogger(__name__)

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


def affected_state(affected: AffectedClient) -> dict[str, Any]:
    """One affected client with where its answer stands (AffectedClientSchema)."""
    client = affected.client
    response = standing.current_response(affected)
    return {
        "client_id": client.id,
        "name": client.name,
        "legal_name": client.legal_name,
        "language": client.language,
        "authorization": client.authorization,
        "expectation": affected.expectation,
        "deadline": affected.deadline,
        "notice_days": affected.notice_days,
        "notified_at": affected.notified_at,
        "delivered_at": affected.delivered_at,
        "waiting": affected.waiting_since is not None,
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
    checks.check_draft(change)
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
    checks.check_draft(change)
    after = snapshot(change)
    if after != before:
        change.version = change.version + 1
        db.session.flush()
        audit.record_changes("change.updated", change, actor=actor, before=before, after=after)
    return change


# -- announcing -------------------------------------------------------------------------------------------------


def announce(change: Change, *, today: date, actor: Actor) -> Change:
    """Announce a draft: in the caller's transaction, its status, the hold on its sub-processors, one row per affected
    client (deadline and what is expected), one notice per notice contact, and the audit event.

    :raise Conflict: the change was already announced (or withdrawn), or another announced change holds one of its
        sub-processors.
    :raise Invalid: the sub-processor fails the transfer rules on the effective date (the location named), has no
        contact person or no full address (`checks.check_identity`), the
        effective date is not after today, or it is earlier than today + the longest notice period of the affected
        clients and the change is not urgent with a reason (`effective_on` named, with the earliest date allowed), or
        an affected client has no contact who receives notices (`clients` lists them).
    On any error the caller rolls back, as a failed request does: that also undoes the hold.
    """
    if change.status != ChangeStatus.DRAFT:
        raise Conflict(f"Change {change.id} is already {change.status}: a change is announced once.")
    _hold_subprocessors(change, actor=actor)  # first, so that what is checked and told is what stays announced
    announced_at = _announced_at(today)
    targets, earliest = _check_announceable(change, today, announced_at)
    contacts = clients.contact_rows(client.id for client in targets)
    silent = [client for client in targets if not any(c.receives_notices for c in contacts[client.id])]
    if silent:
        names = [f"{client.name} (client {client.id})" for client in silent]
        message = (
            "These affected clients have no contact who receives notices, so they could not be told and their silence "
            f"could not count: {', '.join(names)}. Add one to each, then announce."
        )
        raise Invalid(message, {"clients": names})

    before = snapshot(change)
    now = utcnow()
    change.status = ChangeStatus.ANNOUNCED
    change.announced_at = announced_at  # now, or the day given (the demo and tests announce on other days)
    change.version = change.version + 1
    db.session.flush()
    _record_affected(change, targets, now=now)
    written = sum(outbox.enqueue(batch) for batch in messages.announced(change, targets, contacts))
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


def _check_announceable(change: Change, today: date, announced_at: datetime) -> tuple[list[ClientRow], date]:
    """Check a draft can be announced today (deadlines counted from `announced_at`): the clients it affects, and the
    earliest effective date it may have.

    :raise Invalid: see `announce`.
    """
    checks.check_draft(change)
    checks.check_transfers(change)
    checks.check_identity(change)
    checks.check_chain(change)
    if change.effective_on < today or (change.effective_on == today and not change.urgent):
        message = (
            f"effective_on must be after today ({today.isoformat()}): clients answer until the day before the "
            "change takes effect (only an urgent replacement may take effect today)."
        )
        raise Invalid(message, {"effective_on": [message]})
    targets = affected_clients(change, today)
    if targets:
        longest = max(client.notice_period_days for client in targets)
    else:  # nobody to tell but the public: the usual notice
        longest = profile.get_profile().default_notice_period_days
    earliest = deadlines.earliest_effective(announced_at, longest)
    if change.effective_on < earliest and not change.urgent:  # check_draft refused an urgent change without a reason
        message = (
            f"effective_on must be on or after {earliest.isoformat()}: the day after the latest deadline of the "
            f"affected clients ({longest} days' notice, counted from the day after the notice and ending on a working "
            "day); only an urgent replacement (security or continuity, with its reason) may take effect earlier."
        )
        raise Invalid(message, {"effective_on": [message]})
    return targets, earliest


def notice_delivered(change_id: int, client_id: int, *, at: datetime) -> date | None:
    """The client's notice of the change reached it at `at` (an accepted SMTP message or a 2xx webhook answer): if
    it is the first to, the client's term starts and its deadline is set (`deadlines.answer_deadline`). Returns the
    deadline set, or None when an earlier delivery had set it (or the client is not affected). Core statements, no
    ORM load: the worker calls it for every announcement it delivers.
    """
    untold = (
        AffectedClient.change_id == change_id,
        AffectedClient.client_id == client_id,
        AffectedClient.delivered_at.is_(None),
    )
    notice_days = db.session.scalar(select(AffectedClient.notice_days).where(*untold))
    if notice_days is None:
        return None
    deadline = deadlines.answer_deadline(at, notice_days)
    # the ORM brings rows already loaded up to date ("evaluate" synchronisation)
    written = db.session.execute(update(AffectedClient).where(*untold).values(delivered_at=at, deadline=deadline))
    if not getattr(written, "rowcount", 0):
        return None  # another worker delivered first
    return deadline


def _announced_at(today: date) -> datetime:
    """The instant a change announced on `today` counts from: now, or midday of a day given in the past or future
    (the demo and tests announce on other days)."""
    now = utcnow()
    return now if today == now.date() else datetime.combine(today, time(12), tzinfo=UTC)


def _record_affected(change: Change, targets: Sequence[ClientRow], *, now: datetime) -> None:
    """One row per affected client: what it is asked for and its term (its deadline starts when it is told)."""
    rows = [
        {
            "change_id": change.id,
            "client_id": client.id,
            "expectation": expectation_of(client, change.kind).value,
            "notice_days": client.notice_period_days,
            "deadline": None,  # set when its notice is delivered (`notice_delivered`)
            "notified_at": now,
            "reminded_at": None,
            "excluded": False,
        }
        for client in targets
    ]
    if rows:
        db.session.execute(insert(AffectedClient), rows)
    db.session.expire(change, ["affected"])


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
        written = sum(outbox.enqueue(batch) for batch in messages.withdrawn(change))
    audit.record(
        "change.withdrawn",
        change,
        actor=actor,
        before={"status": before["status"]},
        after={"status": change.status, "withdrawn_reason": reason, "notices": written},
    )
    return change


# -- taking effect ----------------------------------------------------------------------------------------------


def _apply_to_registry(change: Change, *, actor: Actor) -> None:
    """Make the registry what was announced (as this change, with history), and end the change's hold."""
    subprocessor = change.subprocessor
    through = change.id
    if change.kind == ChangeKind.ADD:
        subprocessors.set_status(subprocessor, Status.ACTIVE, actor=actor, through_change=through)
    elif change.kind == ChangeKind.REMOVE:
        subprocessors.set_status(subprocessor, Status.RETIRED, actor=actor, through_change=through)
    elif change.kind == ChangeKind.REPLACE:
        assert change.replaces is not None  # checked by checks.check_draft
        subprocessors.set_status(subprocessor, Status.ACTIVE, actor=actor, through_change=through)
        subprocessors.set_status(change.replaces, Status.RETIRED, actor=actor, through_change=through)
    else:
        proposed = checks.load_proposed(change.proposed or {})
        subprocessors.update_subprocessor(subprocessor, proposed, actor=actor, through_change=through)
    _release_subprocessors(change, actor=actor)


def take_effect(change: Change, *, actor: Actor, today: date | None = None) -> Change:
    """Make an announced change effective now: the registry changes (with history), each client that must not
    get it is excluded, everyone notified is told, and the legal team is alerted where it must act.

    :raise Invalid: the sub-processor it brings in has no Art. 28(4) contract recorded (`checks.check_contract`).
    """
    standing.lock(change)
    if change.status != ChangeStatus.ANNOUNCED:
        raise Conflict(f"Change {change.id} is {change.status}: only an announced change takes effect.")
    checks.check_contract(change)
    _apply_to_registry(change, actor=actor)
    rows = _affected_rows(change)
    excluded, alerts = _settle_clients(change, rows, actor=actor, today=today or clock.today())

    before = snapshot(change)
    change.status = ChangeStatus.EFFECTIVE
    change.effective_at = utcnow()
    change.version = change.version + 1
    db.session.flush()
    written = sum(outbox.enqueue(batch) for batch in messages.effective(change, rows, alerts))
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
    change: Change, rows: Sequence[AffectedClient], *, actor: Actor, today: date
) -> tuple[list[int], list[dict[str, Any]]]:
    """Exclude every client that must not get the change (excluded after an objection; its term not ended, so the
    change waits for it, unless urgent; specific authorisation without an approval; an objection not resolved yet,
    which holds the change for that client until the legal team resolves it) and prepare the legal team's alerts:
    (excluded client ids, alerts).
    """
    alerts: list[dict[str, Any]] = []
    excluded: list[int] = []
    if change.kind == ChangeKind.REMOVE:  # it stops for everyone: nobody keeps a sub-processor that is gone
        return excluded, alerts
    for affected in rows:
        response = standing.current_response(affected)
        client = affected.client
        if affected.excluded:
            standing.exclude_client(
                change, affected, reason=f"Change {change.id}: excluded after the client's objection.", actor=actor
            )
            excluded.append(client.id)
        elif not change.urgent and not _term_ended(affected, today) and not standing.approved(response):
            # its notice has not reached it, or its deadline has not passed (and it did not approve already): the
            # change waits for the client's term
            until = affected.deadline.isoformat() if affected.deadline is not None else "its notice is delivered"
            reason = f"Change {change.id}: the client's notice period runs until {until}."
            standing.exclude_client(change, affected, reason=reason, actor=actor)
            affected.waiting_since = utcnow()
            excluded.append(client.id)
            if response is not None and standing.is_open_objection(response):
                affected.held_at = utcnow()
                alerts += messages.objection_held(change, affected, response, on=today)
        elif affected.expectation == Expectation.APPROVAL and not standing.approved(response):
            reason = f"Change {change.id}: not approved by the client (specific authorisation)."
            standing.exclude_client(change, affected, reason=reason, actor=actor)
            excluded.append(client.id)
            alerts += messages.not_approved(change, affected, response)
        elif standing.is_open_objection(response):
            assert response is not None  # an open objection is a response
            reason = f"Change {change.id}: held, the client's objection is not resolved."
            standing.exclude_client(change, affected, reason=reason, actor=actor)
            affected.held_at = utcnow()
            excluded.append(client.id)
            alerts += messages.objection_held(change, affected, response, on=today)
    return excluded, alerts


def _term_ended(affected: AffectedClient, today: date) -> bool:
    """Whether the client's term to answer is over by the start of `today` (UTC): told, and its deadline passed."""
    return affected.deadline is not None and affected.deadline < today


def apply_due(today: date, *, actor: Actor) -> list[Change]:
    """Send the due reminders and the day's alerts of objections that hold, then make every announced change whose
    date has come effective (oldest first).

    A client whose term has not ended (its notice not delivered, or its deadline not passed) does not get the change
    yet (`holds.release_waiting`). A change that cannot be applied (e.g. its sub-processor no longer passes the
    transfer rules) is left announced, logged, and the legal team alerted (once a day); the others still
    apply.
    """
    reminders.send_reminders(today, actor=actor)
    holds.escalate_missing_approvals(today)
    holds.alert_held(today)
    holds.release_waiting(today, actor=actor)
    due = db.session.scalars(
        select(Change)
        .where(Change.status == ChangeStatus.ANNOUNCED, Change.effective_on <= today)
        .order_by(Change.effective_on, Change.id)
    ).all()
    applied: list[Change] = []
    for change in due:
        try:
            with db.session.begin_nested():
                take_effect(change, actor=actor, today=today)
        except RegistryError as error:
            log.warning("change %s could not take effect: %s", change.id, error.message)
            db.session.expire_all()
            outbox.enqueue(messages.apply_failed(change, error.message, today), skip_existing=True)
            continue
        applied.append(change)
    return applied
