"""What a change tells whom: the outbox rows of every change event, built in this one place.

One source of truth for what a notice says: a row names its recipient, its event and its template, and refers to the
rows it is about (`change_id`, `client_id` columns; `response_id`, `supersedes_response_id` in the payload). The
renderer (`registry.notices`) reads everything else from the database when it sends. The payload holds only what the
database does not keep as it was at that event: the facts of that one event (`what` happened for a subscriber notice,
the `error` and day of a failed application, the `reason` code of an exclusion, whether the client was `excluded` or
`held` when the change took effect, the `resolution` a notice tells of, since a later one may replace it) and the
links the message carries (`change_url`, `unsubscribe_url`). So a notice never disagrees with the registry, and
payloads stay a few bytes each when an announcement reaches a hundred thousand contacts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from registry import links
from registry.auth import services as auth
from registry.changes import links as respond_links
from registry.changes.models import AffectedClient, Change, ChangeResponse, PendingAnswer
from registry.clients.models import Client
from registry.clients.services import ClientRow, ContactRow
from registry.db import utcnow
from registry.i18n import change_kind_words
from registry.outbox import endpoints
from registry.outbox import services as outbox
from registry.outbox.models import Channel
from registry.subscriptions import services as subscriptions

# The templates (templates/emails/<template>.<language>.txt|html) and their events.
ANNOUNCED = "change.announced"
WITHDRAWN = "change.withdrawn"
EFFECTIVE = "change.effective"
EXCLUDED = "change.excluded"
OBJECTION_HELD = "change.objection_held"
APPLY_FAILED = "change.apply_failed"
APPROVAL_MISSING = "change.approval_missing"
REMINDER = "reminder"
ACKNOWLEDGED = "response.acknowledged"
LEGAL = "response.legal"
RESOLVED = "response.resolved"
CLIENT_EXCLUDED = "client.excluded"
CLIENT_INCLUDED = "client.included"
"""Webhook-only events: the change's sub-processor stops, or starts again, applying to the client."""
CONFIRM = "response.confirm"
"""A notice contact is asked to confirm an answer someone else gave through a respond link (never a webhook event)."""
SUBSCRIBER_CHANGE = "subscription.change"
"""The public notice of a change event to a subscriber: the change's facts, no client deadline, an unsubscribe link."""

Rows = list[dict[str, Any]]
Batches = list[Rows]
"""An event's rows in the order they are written, one `outbox.enqueue` each: the clients' rows first (their webhook
rows follow them), then the subscribers'."""


class Recipient(NamedTuple):
    """One notice contact of an affected client."""

    client_id: int
    language: str
    email: str


def headline(change: Change, language: str) -> str:
    """`new sub-processor AWS`, `Old replaced by New`, ... in `language` (change logs and feed titles)."""
    replaced = change.replaces.name if change.replaces is not None else ""
    return change_kind_words(str(change.kind), language)["headline"].format(name=change.subprocessor.name, old=replaced)


def recipients_of(clients: Iterable[Client]) -> list[Recipient]:
    """The notice contacts of these clients (their `contacts` loaded)."""
    return [
        Recipient(client.id, client.language, contact.email)
        for client in clients
        for contact in client.contacts
        if contact.receives_notices
    ]


def recipients_from_rows(targets: Iterable[ClientRow], contacts: Mapping[int, Sequence[ContactRow]]) -> list[Recipient]:
    """The notice contacts of these clients, from plain rows (announcing to many clients)."""
    return [
        Recipient(client.id, client.language, contact.email)
        for client in targets
        for contact in contacts[client.id]
        if contact.receives_notices
    ]


def client_rows(
    change: Change,
    recipients: Iterable[Recipient],
    *,
    template: str,
    what: str,
    facts: Mapping[int, Mapping[str, Any]] | None = None,
) -> Rows:
    """One email row per recipient; event `change/<id>/client/<client id>/<what>` (the only builder of the rows that
    tell affected clients about a change). `facts`: by client id, what is true of that client at this event."""
    return [
        outbox.notice_row(
            event=f"change/{change.id}/client/{recipient.client_id}/{what}",
            template=template,
            recipient=recipient.email,
            language=recipient.language,
            payload=dict((facts or {}).get(recipient.client_id, {})),
            change_id=change.id,
            client_id=recipient.client_id,
        )
        for recipient in recipients
    ]


def legal_rows(
    event: str, template: str, change: Change, client_id: int | None = None, payload: Mapping[str, Any] | None = None
) -> Rows:
    """The legal team's alert, in English (`auth.legal_team`: REGISTRY_LEGAL_EMAIL, else every admin and legal user)."""
    return [
        outbox.notice_row(
            event=event,
            template=template,
            recipient=recipient,
            language="en",
            payload=payload or {},
            change_id=change.id,
            client_id=client_id,
        )
        for recipient in auth.legal_team()
    ]


def subscriber_rows(change: Change, what: str) -> Rows:
    """The rows telling every interested confirmed subscriber that `change` was `what` ("announced", "effective",
    "withdrawn"): event `change/<id>/subscribers/<what>`.

    Interested: no services chosen, or one of the services of the sub-processor (or of the one it replaces).
    """
    slugs = {service.slug for service in change.subprocessor.services}
    if change.replaces is not None:
        slugs.update(service.slug for service in change.replaces.services)
    return subscriptions.subscriber_notice_rows(
        event=f"change/{change.id}/subscribers/{what}",
        template=SUBSCRIBER_CHANGE,
        payload={"what": what, "change_url": links.absolute(f"/subprocessors/changes/{change.id}")},
        service_slugs=sorted(slugs),
        change_id=change.id,
    )


# -- the events -------------------------------------------------------------------------------------------------


def announced(change: Change, targets: Sequence[ClientRow], contacts: Mapping[int, Sequence[ContactRow]]) -> Batches:
    """The announcement: every notice contact of the affected clients, and the confirmed public subscribers."""
    recipients = recipients_from_rows(targets, contacts)
    return [client_rows(change, recipients, template=ANNOUNCED, what="announced"), subscriber_rows(change, "announced")]


def withdrawn(change: Change) -> Batches:
    """Everyone told of the announcement (as it was told: same addresses and languages), and the subscribers.
    Webhook rows follow the email rows to the endpoints active now."""
    recipients = [
        Recipient(notice.client_id, notice.language, notice.recipient)
        for notice in outbox.notices_of(change.id, ANNOUNCED)
        if notice.channel == Channel.EMAIL and notice.client_id is not None
    ]
    return [client_rows(change, recipients, template=WITHDRAWN, what="withdrawn"), subscriber_rows(change, "withdrawn")]


def effective(change: Change, affected: Sequence[AffectedClient], alerts: Rows) -> Batches:
    """Every client notified (excluded or not: the message says which) with the legal team's `alerts`, then the
    subscribers."""
    recipients = recipients_of(row.client for row in affected)
    facts = {
        row.client_id: {
            "excluded": row.excluded,
            "held": row.held_at is not None,
            "waiting": row.waiting_since is not None and row.held_at is None,
        }
        for row in affected
    }
    return [
        [*client_rows(change, recipients, template=EFFECTIVE, what="effective", facts=facts), *alerts],
        subscriber_rows(change, "effective"),
    ]


def not_approved(change: Change, affected: AffectedClient, response: ChangeResponse | None) -> Rows:
    """Legal: a client under specific authorisation did not approve, so the change does not apply to it."""
    payload: dict[str, Any] = {"reason": "no_approval"}
    if response is not None:
        payload["response_id"] = response.id
    return legal_rows(
        f"change/{change.id}/client/{affected.client_id}/excluded", EXCLUDED, change, affected.client_id, payload
    )


def approval_missing(change: Change, affected: AffectedClient, response: ChangeResponse | None) -> Rows:
    """Legal, once, before the change takes effect: a client under specific authorisation let its deadline pass
    without approving a replacement or an update, so on the effective date it loses the sub-processor."""
    payload: dict[str, Any] = {"response_id": response.id} if response is not None else {}
    return legal_rows(
        f"change/{change.id}/client/{affected.client_id}/approval-missing",
        APPROVAL_MISSING,
        change,
        affected.client_id,
        payload,
    )


def objection_held(change: Change, affected: AffectedClient, response: ChangeResponse, *, on: date) -> Rows:
    """Legal: the change took effect without this client, whose objection holds it until resolved (one a day)."""
    return legal_rows(
        f"change/{change.id}/client/{affected.client_id}/objection-held/{on.isoformat()}",
        OBJECTION_HELD,
        change,
        affected.client_id,
        {"response_id": response.id, "on": on.isoformat()},
    )


def apply_failed(change: Change, error: str, on: date) -> Rows:
    """Legal: the change could not take effect on `on` (one alert a day)."""
    return legal_rows(
        f"change/{change.id}/apply-failed/{on.isoformat()}",
        APPLY_FAILED,
        change,
        None,
        {"error": error, "on": on.isoformat()},
    )


def reminders(change: Change, clients: Iterable[Client]) -> Rows:
    """A reminder to each of these clients' notice contacts that its approval is still missing."""
    return client_rows(change, recipients_of(clients), template=REMINDER, what="reminder")


def acknowledged(response: ChangeResponse, previous: ChangeResponse | None) -> Rows:
    """The receipt to the respondent (to the client's notice contacts for an answer received offline without an
    address), and the legal team's copy."""
    affected = response.affected
    client = affected.client
    payload: dict[str, Any] = {
        "response_id": response.id,
        "supersedes_response_id": previous.id if previous is not None else None,
    }
    if response.respondent_email:
        receivers = [Recipient(client.id, client.language, response.respondent_email)]
    else:
        receivers = recipients_of([client])
    receipts = [
        outbox.notice_row(
            event=f"response/{response.id}/acknowledged",
            template=ACKNOWLEDGED,
            recipient=receiver.email,
            language=receiver.language,
            payload=payload,
            change_id=affected.change_id,
            client_id=affected.client_id,
        )
        for receiver in receivers
    ]
    return [
        *receipts,
        *legal_rows(f"response/{response.id}/legal", LEGAL, affected.change, affected.client_id, payload),
    ]


def resolved(response: ChangeResponse) -> Rows:
    """The resolution of an answer, to the client's notice contacts and the respondent (each resolution its own
    event: the legal team may resolve again, e.g. after an alternative was offered)."""
    affected = response.affected
    client = affected.client
    recipients = recipients_of([client])
    if response.respondent_email and all(
        r.email.casefold() != response.respondent_email.casefold() for r in recipients
    ):
        recipients.append(Recipient(client.id, client.language, response.respondent_email))
    return [
        outbox.notice_row(
            event=f"response/{response.id}/resolved/{response.version}",
            template=RESOLVED,
            recipient=recipient.email,
            language=recipient.language,
            payload={
                "response_id": response.id,
                "resolution": str(response.resolution),
                "resolution_note": response.resolution_note,
            },
            change_id=affected.change_id,
            client_id=client.id,
        )
        for recipient in recipients
    ]


def confirmation_requests(pending: PendingAnswer, recipients: Iterable[str]) -> Rows:
    """To each notice contact in `recipients`: confirm (or ignore) the answer someone else gave in the client's name;
    each gets its own link, which names it as the one who confirmed."""
    affected = pending.affected
    return [
        outbox.notice_row(
            event=f"pending/{pending.id}/confirm",
            template=CONFIRM,
            recipient=email,
            language=affected.client.language,
            payload={"pending_id": pending.id, "confirm_url": respond_links.confirm_url(pending.id, email)},
            change_id=affected.change_id,
            client_id=affected.client_id,
        )
        for email in recipients
    ]


def exclusion_events(change: Change, affected: AffectedClient, *, excluded: bool, reason: str) -> Rows:
    """To the client's webhook endpoints: the change's sub-processor stops (`excluded`) or starts again applying to
    it, and why (no email: the client's emails tell it at the event that caused it)."""
    template = CLIENT_EXCLUDED if excluded else CLIENT_INCLUDED
    row = outbox.notice_row(
        event=f"change/{change.id}/client/{affected.client_id}/{template}/{utcnow().isoformat()}",
        template=template,
        recipient="",
        language=affected.client.language,
        payload={"excluded": excluded, "reason": reason},
        change_id=change.id,
        client_id=affected.client_id,
    )
    return endpoints.webhook_rows([row])
