"""Answers given through a respond link by someone other than the notice contact it was sent to.

A respond link is bound to the notice contact it was emailed to (`links.RespondLink.to`). An answer through it in
that contact's name is recorded at once: the link is the proof that its mailbox was read. An answer in anyone
else's name (a colleague the link was forwarded to, or any answer through a link sent to no one person: a webhook's,
the feed's) is kept pending and counts only once a notice contact confirms it, through a link emailed to that
contact (to the link's contact, or to every notice contact when it has none), and only while the client may still
answer. So nobody who merely holds a link can answer in a client's name unseen.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes import links, messages, responses, standing
from registry.changes.models import AffectedClient, Answer, ChangeResponse, PendingAnswer
from registry.clients import services as clients
from registry.db import utcnow
from registry.errors import Conflict
from registry.extensions import db
from registry.outbox import services as outbox


def needs_confirmation(affected: AffectedClient, link: links.RespondLink, respondent_email: str) -> bool:
    """Whether an answer through `link` in the name of `respondent_email` waits for a notice contact to confirm it:
    unless it is given in the name of the contact the link was sent to, and that contact still receives notices."""
    if link.to is None or respondent_email.strip().casefold() != link.to:
        return True
    return link.to not in clients.notice_emails(affected.client)


def answer_through_link(
    affected: AffectedClient,
    link: links.RespondLink,
    *,
    answer: Answer | str,
    respondent_name: str,
    respondent_email: str,
    reason: str,
    ip: str | None,
    now: datetime,
) -> ChangeResponse | PendingAnswer:
    """An answer given through a respond link: recorded at once in the name of the contact the link was sent to,
    otherwise kept pending that contact's (or a notice contact's) confirmation.

    :raise responses.LinkClosed: the client may no longer answer.
    :raise Invalid: as `responses.record_response`.
    """
    if needs_confirmation(affected, link, respondent_email):
        return request_confirmation(
            affected,
            link,
            answer=answer,
            respondent_name=respondent_name,
            respondent_email=respondent_email,
            reason=reason,
            ip=ip,
            now=now,
        )
    return responses.record_response(
        affected,
        answer=answer,
        respondent_name=respondent_name,
        respondent_email=respondent_email,
        reason=reason,
        ip=ip,
        now=now,
    )


def confirmers(affected: AffectedClient, link: links.RespondLink) -> list[str]:
    """Who is asked to confirm: the notice contact the link was sent to, or every notice contact of the client."""
    if link.to is not None and link.to in clients.notice_emails(affected.client):
        return [link.to]
    return [contact.email for contact in affected.client.contacts if contact.receives_notices]


def request_confirmation(
    affected: AffectedClient,
    link: links.RespondLink,
    *,
    answer: Answer | str,
    respondent_name: str,
    respondent_email: str,
    reason: str,
    ip: str | None,
    now: datetime,
) -> PendingAnswer:
    """Keep the answer pending and email each confirmer a link to confirm it.

    :raise responses.LinkClosed: the client may no longer answer.
    :raise Invalid: as `responses.record_response`.
    """
    standing.lock(affected.change)
    responses.check_open(affected, now)
    chosen = responses.check_answer(affected, answer, respondent_name, respondent_email, reason, email_required=True)
    pending = PendingAnswer(
        affected=affected,
        answer=chosen,
        reason=reason.strip(),
        respondent_name=respondent_name.strip(),
        respondent_email=respondent_email.strip(),
        ip=ip,
        created_at=utcnow(),
    )
    db.session.add(pending)
    db.session.flush()
    asked = confirmers(affected, link)
    outbox.enqueue(messages.confirmation_requests(pending, asked))
    audit.record(
        "change.answer_pending",
        pending,
        actor=Actor(f"client:{affected.client_id}:{pending.respondent_email}"),
        after={
            "change_id": affected.change_id,
            "client_id": affected.client_id,
            "answer": chosen,
            "respondent_name": pending.respondent_name,
            "respondent_email": pending.respondent_email,
            "link_sent_to": link.to,
            "confirmation_asked_of": asked,
            "ip": ip,
        },
    )
    return pending


def pending_for_token(token: str) -> tuple[PendingAnswer, str] | None:
    """The pending answer a genuine, unexpired confirmation token stands for, and the contact it was sent to."""
    found = links.read_confirm_token(token)
    if found is None:
        return None
    pending = db.session.get(PendingAnswer, found[0])
    return None if pending is None else (pending, found[1])


def confirm_answer(pending: PendingAnswer, *, by: str, now: datetime) -> ChangeResponse:
    """The notice contact `by` confirms the answer: it is recorded now, as given by its respondent.

    :raise Conflict: it was confirmed already, or the client answered again since it was given.
    :raise responses.LinkClosed: the client may no longer answer.
    """
    standing.lock(pending.affected.change)
    db.session.refresh(pending)  # read again under the lock: a second confirmation waits, then sees the first
    if pending.response_id is not None:
        raise Conflict("This answer was confirmed already.")
    newer = db.session.scalar(
        select(ChangeResponse.id).where(
            ChangeResponse.affected_id == pending.affected_id, ChangeResponse.created_at > pending.created_at
        )
    )
    if newer is not None:
        raise Conflict("The client answered again after this answer was given: the later answer counts.")
    response = responses.record_response(
        pending.affected,
        answer=pending.answer,
        respondent_name=pending.respondent_name,
        respondent_email=pending.respondent_email,
        reason=pending.reason,
        ip=pending.ip,
        now=now,
        confirmed_by=by,
    )
    pending.confirmed_at = utcnow()
    pending.response_id = response.id
    db.session.flush()
    return response
