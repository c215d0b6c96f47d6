"""Reminders: a client under specific authorisation that has not answered hears again before its deadline."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes import messages
from registry.changes.models import AffectedClient, Change, ChangeResponse, ChangeStatus, Expectation
from registry.clients.models import Client
from registry.db import utcnow
from registry.extensions import db
from registry.outbox import services as outbox


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
        rows += messages.reminders(change, [client])
    if not due:
        return due
    db.session.flush()
    outbox.enqueue(rows)
    for change_id, client_ids in by_change.items():
        audit.record(
            "change.reminders_sent",
            entity_type=Change.__tablename__,
            entity_id=change_id,
            actor=actor,
            after={"clients": client_ids, "on": today.isoformat()},
        )
    return due
