"""What a notice says: the facts of its change, client and response, read from the database when it is sent.

The same facts feed the email templates (localised words) and the webhook events (codes and values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from babel.dates import format_date
from flask import current_app
from sqlalchemy import select

from registry.changes.links import respond_url
from registry.changes.models import AffectedClient, Change, ChangeResponse
from registry.clients import services as clients
from registry.clients.models import Client
from registry.extensions import db
from registry.i18n import FALLBACK_LANGUAGE, LANGUAGES, ROLE_LABELS
from registry.notices.models import Notice
from registry.profile import services as profile
from registry.subprocessors import services as subprocessors
from registry.transfers.rules import Basis, Mechanism, country_name, country_rule, is_country, mechanism_text

T = TypeVar("T")
M = TypeVar("M")
_CHUNK = 500

KIND_LABELS = {
    "en": {
        "add": "new sub-processor",
        "replace": "sub-processor replacement",
        "remove": "sub-processor removal",
        "update": "sub-processor change",
    },
    "ro": {
        "add": "sub-împuternicit nou",
        "replace": "înlocuirea unui sub-împuternicit",
        "remove": "renunțarea la un sub-împuternicit",
        "update": "modificarea unui sub-împuternicit",
    },
}


def language_of(notice: Notice) -> str:
    return notice.language if notice.language in LANGUAGES else FALLBACK_LANGUAGE


def long_date(value: date | None, language: str) -> str:
    """`12 January 2027` / `12 ianuarie 2027` (empty for no date)."""
    if value is None:
        return ""
    return format_date(value, "d MMMM y", locale=language)


def subprocessor_facts(state: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A sub-processor (in the API's JSON shape) with country names and safeguards in words."""
    facts = dict(state)
    country = str(state.get("country") or "")
    facts["country_name"] = country_name(country, language) if is_country(country) else country
    facts["postal_address"] = postal_address(str(state.get("address") or ""), country, language)
    facts["contact"] = {k: v for k, v in (state.get("contact") or {}).items() if v}
    facts["locations"] = [_location(location, language) for location in state.get("locations") or []]
    return facts


def postal_address(address: str, country: str, language: str) -> str:
    """The address followed by the country's name, unless the address already ends with it (in any language)."""
    if not is_country(country):
        return ", ".join(part for part in (address, country) if part)
    name = country_name(country, language)
    names = {name, *(country_name(country, other) for other in LANGUAGES)}
    if any(address.rstrip(" .").casefold().endswith(known.casefold()) for known in names):
        return address
    return f"{address}, {name}" if address else name


def _location(location: Mapping[str, Any], language: str) -> dict[str, Any]:
    country = str(location.get("country") or "")
    mechanism = location.get("mechanism") or _derived_mechanism(country)
    safeguard = ""
    if mechanism in {m.value for m in Mechanism}:
        safeguard = mechanism_text(Mechanism(mechanism), location.get("mechanism_detail"), language, country=country)
    role = str(location.get("role") or "")
    return {
        **location,
        "country_name": country_name(country, language) if is_country(country) else country,
        "role_label": ROLE_LABELS[language].get(role, role),
        "safeguard": safeguard,
    }


def _derived_mechanism(country: str) -> str | None:
    """The mechanism a location may omit (proposed updates carry it as given): EEA or an adequate country."""
    if not is_country(country):
        return None
    basis = country_rule(country).basis
    return basis.value if basis in (Basis.EEA, Basis.ADEQUACY) else None


def change_facts(change: Change, language: str) -> dict[str, Any]:
    """The change as a client needs it to decide: who, what, where, under which safeguard, from when."""
    state = subprocessors.state_of(change.subprocessor)
    if change.proposed:  # an update: show the sub-processor as it will be
        state = {**state, **change.proposed}
    return {
        "id": change.id,
        "kind": str(change.kind),
        "kind_label": KIND_LABELS[language].get(str(change.kind), str(change.kind)),
        "status": str(change.status),
        "summary": change.summary,
        "reason": change.reason,
        "effective_on": change.effective_on,
        "effective_on_text": long_date(change.effective_on, language),
        "urgent": change.urgent,
        "urgent_reason": change.urgent_reason,
        "withdrawn_reason": change.withdrawn_reason,
        "subprocessor": subprocessor_facts(state, language),
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
            for client in db.session.scalars(select(Client).where(Client.id.in_(chunk))):
                self._found[("client", client.id)] = client
            for affected in db.session.scalars(
                select(AffectedClient).where(
                    AffectedClient.client_id.in_(chunk), AffectedClient.change_id.in_(change_ids)
                )
            ):
                self._found[("affected", affected.change_id, affected.client_id)] = affected
        for notice in wanted:  # pairs without a row: not affected (e.g. an internal alert)
            if notice.change_id is not None and notice.client_id is not None:
                self._found.setdefault(("affected", notice.change_id, notice.client_id), None)


def notice_context(notice: Notice, lookup: Lookup | None = None) -> dict[str, Any]:
    """Everything a notice's templates may use; keys are None when the notice does not concern them."""
    lookup = lookup or Lookup()
    language = language_of(notice)
    payload = dict(notice.payload or {})
    change = _get(lookup, Change, notice.change_id)
    client = _get(lookup, Client, notice.client_id)
    response = _get(lookup, ChangeResponse, payload.get("response_id"))
    affected = response.affected if response is not None else None
    if affected is None and change is not None and client is not None:
        change_id, client_id = change.id, client.id
        affected = lookup.get(
            ("affected", change_id, client_id),
            lambda: db.session.scalar(
                select(AffectedClient).where(
                    AffectedClient.change_id == change_id, AffectedClient.client_id == client_id
                )
            ),
        )
    if change is None and affected is not None:
        change = affected.change
    if client is None and affected is not None:
        client = affected.client
    deadline = affected.deadline if affected is not None else _date(payload.get("deadline"))
    facts = None
    if change is not None:
        found = change
        facts = lookup.get(("facts", found.id, language), lambda: change_facts(found, language))
    return {
        "notice": notice,
        "language": language,
        "payload": payload,
        "base_url": current_app.config["BASE_URL"],
        "processor": lookup.get(("processor",), profile.get_profile),
        "client": client,
        "change": facts,
        "affected": affected,
        "expectation": str(affected.expectation) if affected is not None else payload.get("expectation"),
        "deadline": deadline,
        "deadline_text": long_date(deadline, language),
        "response": response,
        "respond_url": respond_url(change.id, client.id) if change is not None and client is not None else None,
        "feed_url": clients.feed_url(client) if client is not None else None,
        "unsubscribe_url": payload.get("unsubscribe_url"),
        "dead": _get(lookup, Notice, payload.get("notice_id")),
    }


def _get(lookup: Lookup, model: type[M], key: Any) -> M | None:
    if key is None:
        return None
    return lookup.get((model.__name__.lower(), key), lambda: db.session.get(model, key))


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
