"""Clients' answers to an announced change: the respond link's state, recording an answer (objection, approval or
refusal, through the signed link or received offline), and the legal team's resolution of it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes import links, messages
from registry.changes import services as changes
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
from registry.db import page_of, utcnow
from registry.errors import Conflict, Invalid, NotFound, RegistryError
from registry.extensions import db
from registry.outbox import services as outbox

ANSWERS: dict[Expectation, tuple[Answer, ...]] = {
    Expectation.OBJECTION_WINDOW: (Answer.OBJECT,),
    Expectation.APPROVAL: (Answer.APPROVE, Answer.REFUSE),
}
"""What a client may answer, by what it is asked for."""


NEEDS_REASON = (Answer.OBJECT, Answer.REFUSE)


NAME_MAX = 200


EMAIL_MAX = 320


class LinkState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    EFFECTIVE = "effective"
    WITHDRAWN = "withdrawn"


class LinkClosed(RegistryError):
    """The respond link no longer takes answers (deadline passed, the change took effect or was withdrawn)."""

    status = 410


# -- reading ----------------------------------------------------------------------------------------------------


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


# -- answering and resolving ------------------------------------------------------------------------------------


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
    previous = changes.current_response(affected)
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
    outbox.enqueue(messages.acknowledged(response, previous))
    actor = Actor(f"client:{client.id}:{response.respondent_email}")
    audit.record(
        "change.response_recorded",
        response,
        actor=actor,
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
            changes.withdraw(
                change, reason=note or f"Withdrawn after the answer of {affected.client.name}.", actor=actor
            )
    if resolution == Resolution.EXCLUDED_FOR_CLIENT:
        if change.status == ChangeStatus.WITHDRAWN:
            raise Conflict(f"Change {change.id} was withdrawn: there is nothing to exclude.")
        if change.kind == ChangeKind.REMOVE:
            raise Conflict(f"Change {change.id} removes the sub-processor for everyone: there is nothing to exclude.")
        affected.excluded = True
        if change.status == ChangeStatus.EFFECTIVE:
            changes.exclude_client(
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
        before=before,
        after={**_response_snapshot(response), "change_id": change.id, "client_id": affected.client_id},
    )
    return response
