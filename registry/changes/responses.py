"""Clients' answers to an announced change: the respond link's state, recording an answer (objection, approval or
refusal, through the signed link or received offline), and the legal team's resolution of it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry import deadlines
from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes import links, messages, standing
from registry.changes import services as changes
from registry.changes.models import (
    OFFLINE_CHANNELS,
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
from registry.db import page_of, utcnow
from registry.errors import Conflict, Invalid, NotFound, RegistryError
from registry.extensions import db
from registry.outbox import services as outbox

ANSWERS: dict[Expectation, tuple[Answer, ...]] = {
    Expectation.OBJECTION_WINDOW: (Answer.OBJECT, Answer.ACCEPT),
    Expectation.APPROVAL: (Answer.APPROVE, Answer.REFUSE),
    Expectation.INFORMATION: (),
}
"""What a client may answer, by what it is asked for."""


NEEDS_REASON = (Answer.OBJECT,)
"""An objection states its data protection grounds (Clause 5.3 of the DPA); a refusal under specific authorisation
needs none (Art. 28(2) GDPR asks only for the prior authorisation)."""


NAME_MAX = 200


EMAIL_MAX = links.EMAIL_MAX


REASON_MAX = 5000


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


def affected_for_token(token: str) -> tuple[AffectedClient, links.RespondLink] | None:
    """The (change, client) a genuine respond token stands for, if that change was announced to that client, and
    the link (whom it was sent to)."""
    link = links.read_respond_token(token)
    if link is None:
        return None
    affected = standing.find_affected(link.change_id, link.client_id)
    return None if affected is None else (affected, link)


def link_state(affected: AffectedClient, now: datetime) -> LinkState:
    """Whether the client may still answer at `now`: until the end of its deadline (24:00 Bucharest time, as the
    notices say; a client not told yet has no deadline running). Once the change took effect, only a client whose
    term was still running then (the change waits for it, or was urgent) may, until its deadline; never once the
    change was withdrawn."""
    status = affected.change.status
    running = affected.deadline is None or deadlines.is_open(affected.deadline, now)
    if status == ChangeStatus.WITHDRAWN:
        return LinkState.WITHDRAWN
    if status == ChangeStatus.EFFECTIVE:
        counts = affected.waiting_since is not None or affected.change.urgent
        return LinkState.OPEN if counts and running else LinkState.EFFECTIVE
    return LinkState.OPEN if running else LinkState.EXPIRED


# -- answering and resolving ------------------------------------------------------------------------------------


def record_response(
    affected: AffectedClient,
    *,
    answer: Answer | str,
    respondent_name: str,
    respondent_email: str,
    reason: str,
    ip: str | None,
    now: datetime,
    channel: str = "web",
    confirmed_by: str | None = None,
) -> ChangeResponse:
    """Record a client's answer through its respond link; an earlier answer is superseded (and kept).
    Acknowledgements go to the respondent and to the legal team. `confirmed_by`: the notice contact who confirmed an
    answer given by someone else (`confirmations.confirm_answer`).

    :raise LinkClosed: the deadline passed, or the change took effect or was withdrawn.
    :raise Invalid: an answer the client is not asked for, or a missing name, email or reason.
    """
    standing.lock(affected.change)
    check_open(affected, now)
    chosen = check_answer(affected, answer, respondent_name, respondent_email, reason, email_required=True)
    actor = Actor(f"client:{affected.client_id}:{respondent_email.strip()}")
    response = _record(
        affected,
        chosen,
        respondent_name=respondent_name,
        respondent_email=respondent_email,
        reason=reason,
        channel=channel,
        ip=ip,
        actor=actor,
        confirmed_by=confirmed_by,
        now=now,
    )
    return response


def check_open(affected: AffectedClient, now: datetime) -> None:
    """:raise LinkClosed: the client may no longer answer at `now` (see `link_state`)."""
    state = link_state(affected, now)
    if state == LinkState.WITHDRAWN:
        raise LinkClosed(f"Change {affected.change_id} was withdrawn: there is nothing to answer.")
    if state == LinkState.EFFECTIVE:
        raise LinkClosed(f"Change {affected.change_id} already took effect: answers are no longer taken.")
    if state == LinkState.EXPIRED:
        raise LinkClosed(f"The deadline to answer was {affected.deadline}.")


def record_offline_response(
    affected: AffectedClient,
    *,
    answer: Answer | str,
    channel: str,
    received_on: date,
    respondent: str,
    respondent_email: str = "",
    reason: str = "",
    today: date,
    actor: Actor,
) -> ChangeResponse:
    """Record an answer the client sent by email or letter, or gave by phone or in a meeting, as received on
    `received_on`: it counts as if given through the link that day. One received in time but recorded after the
    change took effect is carried out now: an objection holds the change for the client, an approval applies it.

    :raise Conflict: the change was withdrawn.
    :raise Invalid: naming the field: an answer the client is not asked for, an unknown channel, a day received in
        the future, before the announcement or after the client's deadline, a missing respondent or reason.
    """
    change = standing.lock(affected.change)
    if change.status == ChangeStatus.WITHDRAWN:
        raise Conflict(f"Change {change.id} was withdrawn: there is nothing to answer.")
    if channel not in OFFLINE_CHANNELS:
        message = f"Give how the answer arrived: one of {', '.join(OFFLINE_CHANNELS)}."
        raise Invalid(message, {"channel": [message]})
    announced_on = change.announced_at.date() if change.announced_at is not None else today
    problem = None
    if received_on > today:
        problem = f"An answer cannot be received in the future (today is {today.isoformat()})."
    elif received_on < announced_on:
        problem = f"The change was announced on {announced_on.isoformat()}: an answer cannot be received before."
    elif affected.deadline is not None and received_on > affected.deadline:
        problem = f"The client's deadline was {affected.deadline.isoformat()}: an answer received later does not count."
    if problem is not None:
        raise Invalid(problem, {"received_on": [problem]})
    errors: dict[str, list[str]] = {}
    if answer == Answer.APPROVE and channel in ("phone", "meeting"):
        errors["channel"] = [
            "An approval must be given in writing (art. 28(2) GDPR): record it from the email or letter."
        ]
    chosen = check_answer(affected, answer, respondent, respondent_email, reason, email_required=False, errors=errors)
    response = _record(
        affected,
        chosen,
        respondent_name=respondent,
        respondent_email=respondent_email,
        reason=reason,
        channel=channel,
        ip=None,
        actor=actor,
        received_on=received_on,
    )
    return response


def _carry_out_late(response: ChangeResponse, *, actor: Actor) -> None:
    """An answer given in time reaches the registry after the change took effect: do now what taking effect would
    have done with it."""
    affected = response.affected
    change = affected.change
    if response.answer == Answer.OBJECT:
        if not affected.excluded:
            standing.exclude_client(
                change,
                affected,
                reason=f"Change {change.id}: held, the client's objection is not resolved.",
                actor=actor,
            )
        affected.held_at = utcnow()
    elif response.answer == Answer.REFUSE:
        if not affected.excluded:
            standing.exclude_client(
                change,
                affected,
                reason=f"Change {change.id}: not approved by the client (specific authorisation).",
                actor=actor,
            )
        outbox.enqueue(messages.not_approved(change, affected, response), skip_existing=True)
    elif response.answer in (Answer.APPROVE, Answer.ACCEPT) and affected.excluded:
        # approved (specific) or the objection withdrawn (general), in time: the change applies to the client now
        standing.include_client(
            change, affected, reason=f"Change {change.id}: {response.answer} by the client.", actor=actor
        )
    db.session.flush()


def check_answer(
    affected: AffectedClient,
    answer: Answer | str,
    respondent_name: str,
    respondent_email: str,
    reason: str,
    *,
    email_required: bool,
    errors: dict[str, list[str]] | None = None,
) -> Answer:
    """The answer, if the client may give it and the respondent is named; :raise Invalid: naming what is wrong."""
    try:
        chosen: Answer | None = Answer(answer)
    except ValueError:
        chosen = None
    allowed = ANSWERS[Expectation(affected.expectation)]
    if not allowed:
        message = "This change removes a sub-processor: the client is informed, nothing is asked of it."
        raise Invalid(message, {"answer": [message]})
    if chosen is None or chosen not in allowed:
        message = f"Answer one of: {', '.join(allowed)}."
        raise Invalid(message, {"answer": [message]})
    errors = {} if errors is None else errors
    name_field, email_field = ("name", "email") if email_required else ("respondent", "respondent_email")
    if not respondent_name.strip() or len(respondent_name.strip()) > NAME_MAX:
        errors[name_field] = [f"Required, at most {NAME_MAX} characters."]
    email = respondent_email.strip()
    if (email or email_required) and (
        "@" not in email.strip("@") or any(ch.isspace() for ch in email) or len(email) > EMAIL_MAX
    ):
        errors[email_field] = ["A valid email address is required."]
    if chosen in NEEDS_REASON and not reason.strip():
        errors["reason"] = ["Required."]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [f"At most {REASON_MAX} characters."]
    if errors:
        raise Invalid("The answer is incomplete.", errors)
    return chosen


def _record(
    affected: AffectedClient,
    chosen: Answer,
    *,
    respondent_name: str,
    respondent_email: str,
    reason: str,
    channel: str,
    ip: str | None,
    actor: Actor,
    received_on: date | None = None,
    confirmed_by: str | None = None,
    now: datetime | None = None,
) -> ChangeResponse:
    """Store the answer (superseding the current one), acknowledge it, audit it. An answer received offline before
    the day the current one was given is kept as history (superseded at once, not acknowledged): the last answer the
    client gave counts, not the last one recorded. `now`: when it was given through the link (default: now)."""
    now = now or utcnow()
    client = affected.client
    previous = standing.current_response(affected)
    older = received_on is not None and previous is not None and received_on < _answered_on(previous)
    if older:
        previous = None  # it stays the current answer
    elif previous is not None:
        previous.superseded_at = now
        previous.version = previous.version + 1
        if affected.change.status == ChangeStatus.ANNOUNCED:
            affected.excluded = False  # decided on the answer superseded: the new one waits for its own decision
    response = ChangeResponse(
        affected=affected,
        answer=chosen,
        reason=reason.strip(),
        respondent_name=respondent_name.strip(),
        respondent_email=respondent_email.strip(),
        channel=channel,
        ip=ip,
        received_on=received_on,
        recorded_by=actor.label if received_on is not None else None,
        confirmed_by=confirmed_by,
        created_at=now,
        superseded_at=now if older else None,
        version=1,
    )
    db.session.add(response)
    db.session.flush()
    if not older:
        outbox.enqueue(messages.acknowledged(response, previous))
    audit.record(
        "change.response_recorded",
        response,
        actor=actor,
        before={"response_id": previous.id, "answer": previous.answer} if previous is not None else None,
        after={
            "change_id": affected.change_id,
            "client_id": client.id,
            "answer": chosen,
            "reason": response.reason,
            "respondent_name": response.respondent_name,
            "respondent_email": response.respondent_email,
            "channel": channel,
            "received_on": received_on,
            "confirmed_by": confirmed_by,
            "ip": ip,
            "superseded_on_arrival": older,
        },
    )
    if not older and affected.change.status == ChangeStatus.EFFECTIVE and affected.change.kind != ChangeKind.REMOVE:
        _carry_out_late(
            response, actor=actor
        )  # received in time (a late joiner, or offline) after the change took effect
    return response


def _answered_on(response: ChangeResponse) -> date:
    """The day the client gave an answer: the day it was received, or (through the link) its Bucharest day."""
    return response.received_on or response.created_at.astimezone(deadlines.ZONE).date()


def _response_snapshot(response: ChangeResponse) -> dict[str, Any]:
    return {
        "resolution": response.resolution,
        "resolution_note": response.resolution_note,
        "resolved_by": response.resolved_by,
    }


EXCLUDING = (Resolution.EXCLUDED_FOR_CLIENT, Resolution.ALTERNATIVE_ACCEPTED, Resolution.CONTRACT_TERMINATED)
"""Resolutions after which the change's sub-processor does not apply to the client (an alternative accepted takes its
place, as the resolution's note describes)."""

DESCRIBED = (Resolution.ALTERNATIVE_OFFERED, Resolution.ALTERNATIVE_ACCEPTED)
"""Resolutions whose note must describe the alternative: the client is told what it is offered or agreed to."""


def resolve_response(
    response: ChangeResponse, *, resolution: Resolution | str, note: str, actor: Actor
) -> ChangeResponse:
    """Record how the legal team resolved an answer, carry it out, and tell the client (email and webhook).

    withdrawn: the change is withdrawn for everyone (not once it took effect). excluded_for_client: the sub-processor
    does not apply to this client. contract_terminated: the same, and the client is marked terminated.
    accepted_by_client: the change applies to the client (from now, if it was held or excluded after the change took
    effect). alternative_offered: the objection stays open: a change that took effect stays held for the client.
    alternative_accepted: the client took the alternative (the note describes it): the change as announced does not
    apply to it, as after excluded_for_client. Before the change takes effect the decision is only recorded;
    `take_effect` carries it out.
    :raise Conflict: the answer was superseded, or the resolution can no longer be carried out.
    :raise Invalid: an alternative offered or accepted without a note describing it (`note`).
    """
    resolution = Resolution(resolution)
    affected = response.affected
    change = standing.lock(affected.change)
    client = affected.client
    if change.status == ChangeStatus.WITHDRAWN and resolution not in (
        Resolution.WITHDRAWN,
        Resolution.CONTRACT_TERMINATED,
    ):
        raise Conflict(f"Change {change.id} was withdrawn: it will not apply to anyone, there is nothing to resolve.")
    if response.superseded_at is not None:
        raise Conflict(f"Response {response.id} was replaced by a later answer: resolve the current one.")
    if resolution in DESCRIBED and not note.strip():
        message = "Describe the alternative in the note: the client is told of it."
        raise Invalid(message, {"note": [message]})
    before = _response_snapshot(response)
    if resolution == Resolution.WITHDRAWN:
        if change.status == ChangeStatus.EFFECTIVE:
            raise Conflict(f"Change {change.id} already took effect: announce a new change to undo it.")
        if change.status != ChangeStatus.WITHDRAWN:
            changes.withdraw(change, reason=note or f"Withdrawn after the answer of {client.name}.", actor=actor)
    if (
        resolution in (Resolution.EXCLUDED_FOR_CLIENT, Resolution.ALTERNATIVE_ACCEPTED)
        and change.kind == ChangeKind.REMOVE
    ):
        raise Conflict(f"Change {change.id} removes the sub-processor for everyone: there is nothing to exclude.")
    if resolution == Resolution.CONTRACT_TERMINATED:
        clients.terminate(
            client, reason=f"Change {change.id}: {note or 'contract terminated after the answer'}", actor=actor
        )
    if change.kind != ChangeKind.REMOVE and change.status != ChangeStatus.WITHDRAWN:
        _carry_out(response, resolution, actor=actor)
    response.resolution = resolution
    response.resolution_note = note
    response.resolved_at = utcnow()
    response.resolved_by = actor.label
    response.version = response.version + 1
    db.session.flush()
    outbox.enqueue(messages.resolved(response))
    audit.record(
        "change.response_resolved",
        response,
        actor=actor,
        before=before,
        after={**_response_snapshot(response), "change_id": change.id, "client_id": affected.client_id},
    )
    return response


def _carry_out(response: ChangeResponse, resolution: Resolution, *, actor: Actor) -> None:
    """Make the client's exclusion from the change what the resolution says."""
    affected = response.affected
    change = affected.change
    excluded = resolution in EXCLUDING or (
        resolution == Resolution.ALTERNATIVE_OFFERED and affected.held_at is not None
    )
    if change.status != ChangeStatus.EFFECTIVE:
        affected.excluded = resolution in EXCLUDING
        return
    if excluded and not affected.excluded:
        standing.exclude_client(
            change, affected, reason=f"Change {change.id}: {resolution} after the client's answer.", actor=actor
        )
    elif not excluded and affected.excluded and resolution == Resolution.ACCEPTED_BY_CLIENT:
        standing.include_client(change, affected, reason=f"Change {change.id}: accepted by the client.", actor=actor)
