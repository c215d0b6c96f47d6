"""Who a change concerns: the affected clients (as of a date) and what each is asked for.

add: the clients using any service of the new sub-processor; replace: those the replaced one applies to plus those
using the new one's services; update and remove: those it applies to (for an update that adds services, also the
clients of those services). Exclusions after an objection count as in the list that applies to each client
(`clients.applicable_subprocessors`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date

from registry import clock
from registry.changes.models import Change, ChangeKind, Expectation
from registry.clients import services as clients
from registry.clients.models import Authorization, Client, ClientStatus
from registry.clients.services import ClientRow
from registry.subprocessors.models import Status, SubProcessor


def expectation_of(client: Client | ClientRow, kind: ChangeKind) -> Expectation:
    """A removal informs; otherwise general authorisation: the client may object within its window; specific: it must
    approve."""
    if kind == ChangeKind.REMOVE:
        return Expectation.INFORMATION
    if client.authorization == Authorization.SPECIFIC:
        return Expectation.APPROVAL
    return Expectation.OBJECTION_WINDOW


def concerns(change: Change, client: Client, on: date) -> ClientRow | None:
    """The client as a plain row if the change concerns it (the same rule as `affected_clients`), else None."""
    if client.status != ClientStatus.ACTIVE:
        return None
    row = ClientRow(client.id, client.name, client.language, str(client.authorization), client.notice_period_days)
    own = {service.slug for service in client.services}
    found = affected_clients(change, on, lambda slugs: [row] if own.intersection(slugs) else [])
    return found[0] if found else None


def _slugs(subprocessor: SubProcessor) -> list[str]:
    return [service.slug for service in subprocessor.services]


def _not_excluded(subprocessor_id: int, candidates: Sequence[ClientRow], on: date) -> list[ClientRow]:
    """The candidates for whom the sub-processor is not excluded by the end of `on` (as for the list that applies to
    each client, `clients.applicable_subprocessors`)."""
    excluded = clients.excluded_subprocessor_ids(candidates, clock.end_of(on))
    return [client for client in candidates if subprocessor_id not in excluded[client.id]]


def _applies_to(subprocessor: SubProcessor, candidates: Sequence[ClientRow], on: date) -> list[ClientRow]:
    """The candidates (clients using its services) that the sub-processor applies to on `on`."""
    if subprocessor.status != Status.ACTIVE or not subprocessor.processes_client_data:
        return []
    return _not_excluded(subprocessor.id, candidates, on)


def _union(*groups: Iterable[ClientRow]) -> list[ClientRow]:
    seen: dict[int, ClientRow] = {}
    for group in groups:
        for client in group:
            seen.setdefault(client.id, client)
    return sorted(seen.values(), key=lambda client: (client.name, client.id))


Candidates = Callable[[Collection[str]], list[ClientRow]]
"""The active clients using any of these services (all of them, or the one client being checked)."""


def affected_clients(change: Change, on: date, using: Candidates = clients.client_rows_using) -> list[ClientRow]:
    """The clients a change concerns, as of `on` (as plain column rows, by name): see the module's docstring."""
    subprocessor = change.subprocessor
    if change.kind == ChangeKind.ADD:
        return using(_slugs(subprocessor)) if subprocessor.processes_client_data else []
    if change.kind == ChangeKind.REPLACE:
        replaced = change.replaces
        assert replaced is not None  # checked by checks.check_draft
        current = _applies_to(replaced, using(_slugs(replaced)), on)
        return _union(current, using(_slugs(subprocessor)) if subprocessor.processes_client_data else [])
    current = _applies_to(subprocessor, using(_slugs(subprocessor)), on)
    proposed = (change.proposed or {}) if change.kind == ChangeKind.UPDATE else {}
    if proposed.get("processes_client_data") is False:
        return current  # it stops processing client data: its clients are told
    if proposed.get("processes_client_data") and not subprocessor.processes_client_data:
        # one of the processor's own tools becomes a sub-processor: every client of its services is concerned
        slugs = proposed.get("services", _slugs(subprocessor))
        return _not_excluded(subprocessor.id, using(slugs), on) if subprocessor.status == Status.ACTIVE else []
    if "services" in proposed:
        added = set(proposed["services"]) - set(_slugs(subprocessor))
        newcomers = _not_excluded(subprocessor.id, using(added), on)
        return _union(current, newcomers) if subprocessor.processes_client_data else current
    return current
