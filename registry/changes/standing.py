"""Where a client stands on a change: its current answer, whether its objection is open or holds the change, whether
it approved; and the writes every step shares (locking the change, excluding and including the client)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from registry import deadlines
from registry.audit.services import Actor
from registry.changes import messages
from registry.changes.models import AffectedClient, Answer, Change, ChangeResponse, Resolution
from registry.clients import services as clients
from registry.extensions import db
from registry.outbox import services as outbox


def lock(change: Change) -> Change:
    """Read the change again and lock its row until commit (FOR UPDATE on PostgreSQL; SQLite writes one at a time),
    so taking effect, resolving an answer and recording one never interleave for the same change."""
    db.session.flush()
    db.session.refresh(change, with_for_update=True)
    return change


def find_affected(change_id: int, client_id: int) -> AffectedClient | None:
    """The client's row of the change, if the change was announced to it."""
    return db.session.scalar(
        select(AffectedClient).where(AffectedClient.change_id == change_id, AffectedClient.client_id == client_id)
    )


def current_response(affected: AffectedClient) -> ChangeResponse | None:
    """The client's answer that counts (the latest not superseded), or None."""
    return next((r for r in reversed(affected.responses) if r.superseded_at is None), None)


OPEN_RESOLUTIONS = (None, Resolution.ALTERNATIVE_OFFERED)
"""An objection with one of these resolutions is still open: an alternative offered holds until the client takes it."""


def is_open_objection(response: ChangeResponse | None) -> bool:
    return response is not None and response.answer == Answer.OBJECT and response.resolution in OPEN_RESOLUTIONS


def is_held(affected: AffectedClient) -> bool:
    """The change took effect without this client and its objection is still open."""
    return affected.held_at is not None and is_open_objection(current_response(affected))


def approved(response: ChangeResponse | None) -> bool:
    return response is not None and (
        response.answer == Answer.APPROVE or response.resolution == Resolution.ACCEPTED_BY_CLIENT
    )


def deadline_of(affected: AffectedClient, now: datetime) -> date:
    """The client's deadline; before its notice is delivered, the one it gets if told at `now` (what a notice being
    sent now says: it is set from the delivery, `services.notice_delivered`)."""
    if affected.deadline is not None:
        return affected.deadline
    return deadlines.answer_deadline(now, affected.notice_days)


def exclude_client(change: Change, affected: AffectedClient, *, reason: str, actor: Actor) -> None:
    """The change's sub-processor no longer applies to this client (from now)."""
    clients.exclude_subprocessor(affected.client, change.subprocessor_id, reason=reason, actor=actor)
    affected.excluded = True
    outbox.enqueue(messages.exclusion_events(change, affected, excluded=True, reason=reason))


def include_client(change: Change, affected: AffectedClient, *, reason: str, actor: Actor) -> None:
    """The change's sub-processor applies to this client again (from now): its exclusion ends."""
    clients.end_exclusion(affected.client, change.subprocessor_id, reason=reason, actor=actor)
    affected.excluded = False
    outbox.enqueue(messages.exclusion_events(change, affected, excluded=False, reason=reason))
