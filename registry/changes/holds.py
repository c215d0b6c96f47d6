"""Clients a change in effect does not apply to yet: those whose objection is open (the legal team is alerted every
day) and those whose term had not ended when it took effect (their notice delivered late, or they joined the change
late: created, or given a service, while it was announced), released once their own deadline has passed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from registry import clock
from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes import messages, standing
from registry.changes.audience import concerns, expectation_of
from registry.changes.models import AffectedClient, Change, ChangeKind, ChangeStatus, Expectation
from registry.clients.models import Client
from registry.db import utcnow
from registry.extensions import db
from registry.outbox import services as outbox


def held_clients() -> list[AffectedClient]:
    """The clients a change took effect without, because their objection is still open (oldest change first)."""
    stmt = (
        select(AffectedClient)
        .where(AffectedClient.held_at.is_not(None))
        .options(selectinload(AffectedClient.responses), selectinload(AffectedClient.change))
        .order_by(AffectedClient.change_id, AffectedClient.id)
    )
    return [affected for affected in db.session.scalars(stmt) if standing.is_held(affected)]


def alert_held(today: date) -> int:
    """Remind the legal team, once a day, of every objection that still holds a change for a client."""
    rows: list[dict[str, Any]] = []
    for affected in held_clients():
        response = standing.current_response(affected)
        assert response is not None  # held clients have an open objection
        rows += messages.objection_held(affected.change, affected, response, on=today)
    return outbox.enqueue(rows, skip_existing=True)


def escalate_missing_approvals(today: date) -> int:
    """Before an announced replacement or update takes effect, alert the legal team (once per client) of every client
    under specific authorisation whose deadline passed without an approval: on the effective date it loses the
    sub-processor (for a replacement: it would have neither), so the next step is agreed before, never a silent
    switch."""
    stmt = (
        select(AffectedClient)
        .join(AffectedClient.change)
        .where(
            Change.status == ChangeStatus.ANNOUNCED,
            Change.kind.in_([ChangeKind.REPLACE, ChangeKind.UPDATE]),
            AffectedClient.expectation == Expectation.APPROVAL,
            or_(
                AffectedClient.deadline < today,
                # never told (its notice is dead or still failing): it cannot approve in time either
                and_(AffectedClient.deadline.is_(None), Change.effective_on <= today + timedelta(days=1)),
            ),
        )
        .options(selectinload(AffectedClient.responses), selectinload(AffectedClient.change))
        .order_by(AffectedClient.change_id, AffectedClient.id)
    )
    rows: list[dict[str, Any]] = []
    for affected in db.session.scalars(stmt):
        response = standing.current_response(affected)
        if not standing.approved(response):
            rows += messages.approval_missing(affected.change, affected, response)
    return outbox.enqueue(rows, skip_existing=True)


def on_client_joined(client: Client, *, actor: Actor) -> None:
    """`clients.client_joined` receiver: enrol the client in the announced changes that concern it, as of today."""
    enrol_client(client, today=clock.today(), actor=actor)


def enrol_client(client: Client, *, today: date, actor: Actor) -> list[AffectedClient]:
    """Make a client created, or given a service, while changes are announced an affected client of each that
    concerns it: its own notice now and its own deadline (its full notice period from the notice's delivery); a
    change that takes effect before that deadline does not apply to it until the deadline has passed."""
    joined: list[AffectedClient] = []
    announced = db.session.scalars(select(Change).where(Change.status == ChangeStatus.ANNOUNCED).order_by(Change.id))
    for change in announced:
        if standing.find_affected(change.id, client.id) is not None:
            continue
        row = concerns(change, client, today)
        if row is None:
            continue
        affected = AffectedClient(
            change_id=change.id,
            client_id=client.id,
            expectation=expectation_of(row, change.kind),
            notice_days=row.notice_period_days,
            deadline=None,  # set when its notice is delivered (`services.notice_delivered`)
            notified_at=utcnow(),
            joined_late=True,
        )
        db.session.add(affected)
        db.session.flush()
        recipients = messages.recipients_of([client])
        outbox.enqueue(messages.client_rows(change, recipients, template=messages.ANNOUNCED, what="announced"))
        audit.record(
            "change.client_joined",
            change,
            actor=actor,
            after={"client_id": client.id, "deadline": affected.deadline, "expectation": affected.expectation},
        )
        joined.append(affected)
    return joined


def release_waiting(today: date, *, actor: Actor) -> list[AffectedClient]:
    """Apply a change in effect to each client it waited for (`AffectedClient.waiting_since`) once that client's
    deadline has passed without an open objection, and tell it; under specific authorisation without an approval,
    the exclusion stays and the legal team is told. An open objection holds the client instead (`held_at`)."""
    stmt = (
        select(AffectedClient)
        .join(AffectedClient.change)
        .where(
            Change.status == ChangeStatus.EFFECTIVE,
            AffectedClient.waiting_since.is_not(None),
            AffectedClient.held_at.is_(None),
            AffectedClient.deadline < today,
        )
        .options(
            selectinload(AffectedClient.responses), selectinload(AffectedClient.client).selectinload(Client.contacts)
        )
    )
    released: list[AffectedClient] = []
    for affected in db.session.scalars(stmt):
        change = affected.change
        response = standing.current_response(affected)
        affected.waiting_since = None
        if standing.is_open_objection(response):
            assert response is not None  # an open objection is a response
            affected.held_at = utcnow()
            outbox.enqueue(messages.objection_held(change, affected, response, on=today))
            continue
        if affected.expectation == Expectation.APPROVAL and not standing.approved(response):
            outbox.enqueue(messages.not_approved(change, affected, response), skip_existing=True)
            continue
        if not affected.excluded:  # included meanwhile (an approval or acceptance given after the change took effect)
            continue
        standing.include_client(
            change, affected, reason=f"Change {change.id}: the client's notice period ended.", actor=actor
        )
        recipients = messages.recipients_of([affected.client])
        facts = {affected.client_id: {"excluded": False, "held": False, "applied_late": True}}
        outbox.enqueue(
            messages.client_rows(change, recipients, template=messages.EFFECTIVE, what="applied", facts=facts)
        )
        released.append(affected)
    return released
