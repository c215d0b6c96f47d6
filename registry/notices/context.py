"""What a notice says: the facts of its change, client and response, read from the database when it is sent.

The outbox row refers to what it is about (see `registry.changes.messages`); everything a database row holds is read
here, so a notice always says what the registry says. The same facts feed the email templates (localised words)
and the webhook events (codes and values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry import deadlines, i18n, links
from registry.changes import standing, states
from registry.changes.links import respond_url
from registry.changes.models import AffectedClient, Change, ChangeResponse, PendingAnswer
from registry.changes.texts import FIELD_NAMES
from registry.clients import services as clients
from registry.clients.models import Client
from registry.db import utcnow
from registry.dpas import services as dpas
from registry.extensions import db
from registry.outbox.models import Channel, Notice
from registry.profile import services as profile
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import SubProcessor
from registry.transfers import wording

T = TypeVar("T")
M = TypeVar("M")
_CHUNK = 500


def language_of(notice: Notice) -> str:
    return i18n.language_of(notice.language)


def subprocessor_facts(state: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A sub-processor (in the API's JSON shape) with country names and safeguards in words, and the sub-processor
    that engages it (`engaged_by`, "" for one the processor engages)."""
    facts = dict(state)
    country = str(state.get("country") or "")
    facts["country_name"] = wording.country_label(country, language)
    facts["postal_address"] = wording.postal_address(str(state.get("address") or ""), country, language)
    facts["contact"] = {k: v for k, v in (state.get("contact") or {}).items() if v}
    facts["locations"] = [wording.location_words(location, language) for location in state.get("locations") or []]
    parent = db.session.get(SubProcessor, state["parent_id"]) if state.get("parent_id") else None
    facts["engaged_by"] = f"{parent.name} ({parent.legal_name})" if parent is not None else ""
    return facts


_YES_NO = {"en": ("yes", "no"), "ro": ("da", "nu")}


def _value_text(name: str, value: Any, language: str) -> str:
    """A sub-processor field's value in words, for a before/after line."""
    if name == "locations":
        places = []
        for location in wording_locations(value, language):
            place = location["country_name"] + (f" ({location['label']})" if location.get("label") else "")
            head = f"{place}, {location['role_label']}" if location["role_label"] else place
            places.append(f"{head}: {location['safeguard']}" if location["safeguard"] else head)
        return "; ".join(places) or "—"
    if isinstance(value, bool):
        yes, no = _YES_NO[i18n.language_of(language)]
        return yes if value else no
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    return "—" if value in (None, "") else str(value)


def wording_locations(value: Any, language: str) -> list[dict[str, Any]]:
    return [wording.location_words(location, language) for location in value or []]


def previous_values(change: Change, language: str) -> list[dict[str, str]]:
    """For an update: each field it changes, with its value before and after, in words (empty for other kinds)."""
    if change.kind != "update" or not change.proposed:
        return []
    before = states.subprocessor_now(change)
    after = states.subprocessor_after(change)
    names = FIELD_NAMES[i18n.language_of(language)]
    return [
        {
            "field": names.get(name, name),
            "before": _value_text(name, before.get(name), language),
            "after": _value_text(name, after.get(name), language),
        }
        for name in sorted(change.proposed)
        if before.get(name) != after.get(name)
    ]


def change_facts(change: Change, language: str) -> dict[str, Any]:
    """The change as a client needs it to decide: who, what, where, under which safeguard, from when."""
    return {
        "id": change.id,
        "kind": str(change.kind),
        "kind_label": i18n.change_kind_words(str(change.kind), language)["noun"],
        "status": str(change.status),
        "summary": change.summary,
        "reason": change.reason,
        "effective_on": change.effective_on,
        "effective_on_text": i18n.long_date(change.effective_on, language),
        "urgent": change.urgent,
        "urgent_reason": change.urgent_reason,
        "withdrawn_reason": change.withdrawn_reason,
        "subprocessor": subprocessor_facts(states.subprocessor_after(change), language),
        "previous": previous_values(change, language),
        "replaces": (
            subprocessor_facts(subprocessors.state_of(change.replaces), language) if change.replaces else None
        ),
    }


class Lookup:
    """The objects a batch of notices shares (change facts, clients, deadlines), loaded once per batch.

    Holding them here also keeps them alive: the session's identity map only references objects weakly.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[Any, ...], Any] = {}

    def get(self, key: tuple[Any, ...], load: Callable[[], T]) -> T:
        if key not in self._found:
            self._found[key] = load()
        value: T = self._found[key]
        return value

    def prefetch(self, notices: Iterable[Notice]) -> None:
        """Load the clients, changes and deadlines of these notices in a few queries."""
        wanted = list(notices)
        client_ids = sorted({n.client_id for n in wanted if n.client_id is not None})
        change_ids = sorted({n.change_id for n in wanted if n.change_id is not None})
        for start in range(0, len(client_ids), _CHUNK):
            chunk = client_ids[start : start + _CHUNK]
            for client in db.session.scalars(
                select(Client).where(Client.id.in_(chunk)).options(selectinload(Client.services))
            ):
                self._found[("client", client.id)] = client
                self._found.setdefault(("agreement", client.id), None)
            for dpa in dpas.agreements_in_force(chunk):
                self._found[("agreement", dpa.client_id)] = dpa
            for affected in db.session.scalars(
                select(AffectedClient).where(
                    AffectedClient.client_id.in_(chunk), AffectedClient.change_id.in_(change_ids)
                )
            ):
                self._found[("affected", affected.change_id, affected.client_id)] = affected
        for notice in wanted:  # pairs without a row: not affected (e.g. an internal alert)
            if notice.change_id is not None and notice.client_id is not None:
                self._found.setdefault(("affected", notice.change_id, notice.client_id), None)


def notice_context(notice: Notice, lookup: Lookup | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Everything a notice's templates may use, as sent at `now`; keys are None when the notice does not concern
    them. A client not told yet gets the deadline its notice gives it if delivered now (`standing.deadline_of`)."""
    lookup = lookup or Lookup()
    now = now or utcnow()
    language = language_of(notice)
    payload = dict(notice.payload or {})
    change = _get(lookup, Change, notice.change_id)
    client = _get(lookup, Client, notice.client_id)
    response = _get(lookup, ChangeResponse, payload.get("response_id"))
    affected = response.affected if response is not None else None
    if affected is None and change is not None and client is not None:
        change_id, client_id = change.id, client.id
        affected = lookup.get(("affected", change_id, client_id), lambda: standing.find_affected(change_id, client_id))
    if change is None and affected is not None:
        change = affected.change
    if client is None and affected is not None:
        client = affected.client
    deadline = standing.deadline_of(affected, now) if affected is not None else None
    agreement = None
    if client is not None:
        client_id = client.id
        agreement = lookup.get(("agreement", client_id), lambda: dpas.agreement_in_force(client_id))
    facts = None
    if change is not None:
        found = change
        facts = lookup.get(("facts", found.id, language), lambda: change_facts(found, language))
    return {
        "notice": notice,
        "language": language,
        "payload": payload,
        "base_url": links.base_url(),
        "processor": lookup.get(("processor",), profile.get_profile),
        "client": client,
        "change": facts,
        "affected": affected,
        "expectation": str(affected.expectation) if affected is not None else None,
        "deadline": deadline,
        "deadline_text": deadlines.deadline_text(deadline, language) if deadline is not None else "",
        "response": response,
        "excluded": payload.get("excluded", affected.excluded if affected is not None else None),
        "held": payload.get("held", standing.is_held(affected) if affected is not None else False),
        "waiting": payload.get("waiting", False),
        "applied_late": payload.get("applied_late", False),
        "resolution": payload.get("resolution")
        or (str(response.resolution) if response and response.resolution else None),
        "resolution_note": payload.get("resolution_note", response.resolution_note if response is not None else None),
        "client_services": (
            _client_services(client, lookup.get(("concerned", change.id), lambda: _concerned_services(found)))
            if client is not None and change is not None
            else []
        ),
        "agreement": agreement,
        "agreement_signed_text": i18n.long_date(agreement.signed_on, language) if agreement is not None else "",
        "answered_text": (
            i18n.long_date(response.received_on or response.created_at.date(), language) if response is not None else ""
        ),
        "answer_open": (
            affected is not None
            and change is not None
            and change.status == "announced"
            and deadline is not None
            and deadlines.is_open(deadline, now)
        ),
        "respond_url": (
            # bound to the contact the email goes to; a webhook's link is bound to no one (answers are confirmed)
            respond_url(change.id, client.id, _bound_to(notice, client))
            if change is not None and client is not None and (affected is None or affected.expectation != "information")
            else None
        ),
        "unconfirmed": _get(lookup, PendingAnswer, payload.get("pending_id")),
        "confirm_url": payload.get("confirm_url"),
        "feed_url": clients.feed_url(client) if client is not None else None,
        "unsubscribe_url": payload.get("unsubscribe_url"),
        "dead": _get(lookup, Notice, payload.get("notice_id")),
    }


def _bound_to(notice: Notice, client: Client) -> str | None:
    """Whom a notice's respond link is bound to: its recipient if a notice contact of the client (anyone else, a
    respondent's receipt or a webhook, gets a link whose answers a notice contact confirms)."""
    if notice.channel != Channel.EMAIL:
        return None
    recipient = notice.recipient.casefold()
    return recipient if recipient in clients.notice_emails(client) else None


def _get(lookup: Lookup, model: type[M], key: Any) -> M | None:
    if key is None:
        return None
    return lookup.get((model.__name__.lower(), key), lambda: db.session.get(model, key))


def _concerned_services(change: Change) -> frozenset[str]:
    """The services a change concerns: those its sub-processor (as the change makes it) or the one replaced serves."""
    concerned = set(states.subprocessor_after(change).get("services") or [])
    if change.replaces is not None:
        concerned.update(service.slug for service in change.replaces.services)
    return frozenset(concerned)


def _client_services(client: Client, concerned: frozenset[str]) -> list[str]:
    """The names of the client's services among `concerned`."""
    return [service.name for service in sorted(client.services, key=lambda s: s.slug) if service.slug in concerned]
