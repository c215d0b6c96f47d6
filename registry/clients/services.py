"""Clients (controllers): records, private feed tokens, exclusions and the sub-processor list that applies to each."""

from __future__ import annotations

import base64
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from blinker import Namespace
from sqlalchemy import ColumnElement, or_, select

from registry import clock, links
from registry.audit import services as audit
from registry.audit.services import Actor
from registry.clients.models import Authorization, Client, ClientContact, ClientStatus, ClientVersion, Exclusion
from registry.db import page_of, save_version, utcnow
from registry.errors import Forbidden, Invalid, NotFound
from registry.extensions import db
from registry.profile import services as profile_services
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import Service, Status
from registry.tokens import hash_token

_CUI_KEY = "753217532"
_SCALARS = (
    "name",
    "legal_name",
    "registration_number",
    "vat_id",
    "address",
    "country",
    "language",
    "authorization",
    "notice_period_days",
    "notice_period_reason",
    "special_categories",
    "special_categories_safeguards",
    "status",
)

SHORT_NOTICE_DAYS = 14
"""A notice period below this many days is set only by an admin, with its reason: two weeks is the least a client
needs to read a change, ask about it and object (the DPA's default is 30)."""


def snapshot(client: Client) -> dict[str, Any]:
    """The client as the audit log records it (never the feed token)."""
    return {
        **{name: getattr(client, name) for name in _SCALARS},
        "services": [service.slug for service in client.services],
        "signatory": client.signatory,
        "contacts": [
            {"name": c.name, "email": c.email, "role": c.role, "receives_notices": c.receives_notices}
            for c in client.contacts
        ],
    }


def get_client(client_id: int) -> Client:
    client = db.session.get(Client, client_id)
    if client is None:
        raise NotFound(f"No client {client_id}.")
    return client


def list_clients(filters: Mapping[str, Any], page: int, page_size: int) -> tuple[list[Client], int]:
    """One page of clients by name; filters: `service` (slug), `status`, `authorization`, `q` (in either name)."""
    stmt = select(Client)
    if filters.get("service"):
        stmt = stmt.where(Client.services.any(Service.slug == filters["service"]))
    if filters.get("status"):
        stmt = stmt.where(Client.status == filters["status"])
    if filters.get("authorization"):
        stmt = stmt.where(Client.authorization == filters["authorization"])
    if filters.get("q"):
        q = filters["q"]
        stmt = stmt.where(
            or_(Client.name.icontains(q, autoescape=True), Client.legal_name.icontains(q, autoescape=True))
        )
    return page_of(db.session(), stmt.order_by(Client.name, Client.id), page, page_size)


class ClientRow(NamedTuple):
    """The columns of a client that announcing a change reads (plain values, no ORM instance)."""

    id: int
    name: str
    language: str
    authorization: str
    notice_period_days: int


class ContactRow(NamedTuple):
    email: str
    receives_notices: bool


def _using(service_slugs: Collection[str]) -> ColumnElement[bool]:
    return Client.services.any(Service.slug.in_(list(service_slugs)))


def clients_using(service_slugs: Collection[str]) -> list[Client]:
    """Active clients that use at least one of these services, by name."""
    if not service_slugs:
        return []
    stmt = (
        select(Client)
        .where(Client.status == ClientStatus.ACTIVE, _using(service_slugs))
        .order_by(Client.name, Client.id)
    )
    return list(db.session.scalars(stmt))


def client_rows_using(service_slugs: Collection[str]) -> list[ClientRow]:
    """The clients `clients_using` gives, in the same order, as plain column rows (for work on many clients)."""
    if not service_slugs:
        return []
    stmt = (
        select(Client.id, Client.name, Client.language, Client.authorization, Client.notice_period_days)
        .where(Client.status == ClientStatus.ACTIVE, _using(service_slugs))
        .order_by(Client.name, Client.id)
    )
    return [ClientRow(*row) for row in db.session.execute(stmt)]


def contact_rows(client_ids: Iterable[int]) -> dict[int, list[ContactRow]]:
    """The contacts of these clients (in the order of `Client.contacts`), by client id; a client without any maps to
    an empty list. One query per 500 clients."""
    ids = list(dict.fromkeys(client_ids))
    found: dict[int, list[ContactRow]] = {client_id: [] for client_id in ids}
    for start in range(0, len(ids), 500):
        stmt = (
            select(ClientContact.client_id, ClientContact.email, ClientContact.receives_notices)
            .where(ClientContact.client_id.in_(ids[start : start + 500]))
            .order_by(ClientContact.client_id, ClientContact.id)
        )
        for client_id, email, receives_notices in db.session.execute(stmt):
            found[client_id].append(ContactRow(email, receives_notices))
    return found


def notice_emails(client: Client) -> set[str]:
    """The addresses (lower case) of the client's contacts who receive notices now."""
    return {contact.email.casefold() for contact in client.contacts if contact.receives_notices}


client_joined = Namespace().signal("registry.client-joined")
"""Sent, in the caller's transaction, when a client is created or its services or status change: a higher floor
(announced changes) subscribes in `create_app`, since this floor may not call it."""


def create_client(data: Mapping[str, Any], *, actor: Actor, by_admin: bool = False) -> Client:
    """Create a client from validated input (ClientSchema) and issue its private feed token.

    :raise Forbidden: a notice period below SHORT_NOTICE_DAYS, unless `by_admin`.
    :raise Invalid: such a period without its reason (`notice_period_reason`).
    """
    values = dict(data)
    if values.get("notice_period_days") is None:
        values["notice_period_days"] = profile_services.get_profile().default_notice_period_days
    values["notice_period_reason"] = _notice_period_reason(
        values["notice_period_days"], values.get("notice_period_reason"), by_admin=by_admin
    )
    _check_special_categories(values.get("special_categories") or [], values.get("special_categories_safeguards"))
    _check_vat_id(values.get("vat_id"), values["country"])
    client = Client(
        **{name: values[name] for name in _SCALARS if name in values},
        services=_services(values.get("services", [])),
        contacts=[ClientContact(**contact) for contact in values.get("contacts", [])],
        feed_token_rotated_at=utcnow(),
    )
    client.authorization = Authorization(client.authorization)
    client.status = ClientStatus(client.status)
    client.signatory = values.get("signatory") or {}
    db.session.add(client)
    db.session.flush()  # the id goes into the feed token
    client.feed_token_hash = hash_token(feed_token(client))
    db.session.flush()
    _save_version(client, actor=actor)
    audit.record("client.created", client, actor=actor, after=snapshot(client))
    client_joined.send(client, actor=actor)
    return client


def update_client(client: Client, data: Mapping[str, Any], *, actor: Actor, by_admin: bool = False) -> Client:
    """Apply the given fields (lists and the signatory given replace the stored ones).

    :raise Forbidden: a notice period below SHORT_NOTICE_DAYS, or its reason, is set, unless `by_admin`.
    :raise Invalid: such a period without its reason (`notice_period_reason`).
    """
    before = snapshot(client)
    if "special_categories" in data or "special_categories_safeguards" in data:
        _check_special_categories(
            data.get("special_categories", client.special_categories) or [],
            data.get("special_categories_safeguards", client.special_categories_safeguards),
        )
    days = data.get("notice_period_days", client.notice_period_days)
    reason = data.get("notice_period_reason", client.notice_period_reason)
    if (days, reason) != (client.notice_period_days, client.notice_period_reason):
        data = {**data, "notice_period_reason": _notice_period_reason(days, reason, by_admin=by_admin)}
    if "vat_id" in data or "country" in data:
        _check_vat_id(data.get("vat_id", client.vat_id), data.get("country", client.country))
    for name in _SCALARS:
        if name in data:
            setattr(client, name, data[name])
    if "authorization" in data:
        client.authorization = Authorization(data["authorization"])
    if "status" in data:
        client.status = ClientStatus(data["status"])
    if "services" in data:
        client.services = _services(data["services"])
    if "signatory" in data:
        client.signatory = data["signatory"] or {}
    if "contacts" in data and _contact_rows(client.contacts) != _contact_rows(data["contacts"]):
        client.contacts = [ClientContact(**contact) for contact in data["contacts"]]
    after = snapshot(client)
    if after != before:
        client.version = client.version + 1
        db.session.flush()  # an UPDATE against a stale version raises StaleDataError (412)
        _save_version(client, actor=actor)
        audit.record_changes("client.updated", client, actor=actor, before=before, after=after)
        if after["services"] != before["services"] or after["status"] != before["status"]:
            client_joined.send(client, actor=actor)
    return client


def _check_special_categories(categories: Sequence[str], safeguards: str | None) -> None:
    """:raise Invalid: special categories without the safeguards agreed for them (`special_categories_safeguards`)."""
    if categories and not (safeguards or "").strip():
        message = "Say which safeguards apply to these special categories of data: the DPA's Annex I names them."
        raise Invalid(message, {"special_categories_safeguards": [message]})


def _notice_period_reason(days: int, reason: str | None, *, by_admin: bool) -> str | None:
    """The reason to store with a notice period of `days`: none from SHORT_NOTICE_DAYS; below, the admin's."""
    if days >= SHORT_NOTICE_DAYS:
        return None
    if not by_admin:
        raise Forbidden(
            f"A notice period below {SHORT_NOTICE_DAYS} days (notice_period_days: {days}) is set only by an admin, "
            "with its reason in notice_period_reason."
        )
    reason = (reason or "").strip()
    if not reason:
        message = f"Say why this client has less than {SHORT_NOTICE_DAYS} days of notice."
        raise Invalid(message, {"notice_period_reason": [message]})
    return reason


def terminate(client: Client, *, reason: str, actor: Actor) -> Client:
    """Mark the client's contract terminated (no further changes are announced to it), with history and audit."""
    if client.status == ClientStatus.TERMINATED:
        return client
    update_client(client, {"status": ClientStatus.TERMINATED.value}, actor=actor)
    audit.record("client.terminated", client, actor=actor, after={"reason": reason})
    return client


def _save_version(client: Client, *, actor: Actor) -> None:
    """Close the client's open history entry and open one with its state now (`snapshot`, services as slugs)."""
    save_version(
        db.session(),
        ClientVersion,
        owner="client_id",
        owner_id=client.id,
        now=utcnow(),
        version=client.version,
        actor=actor.label,
        state=audit.to_json(snapshot(client)),
    )
    db.session.flush()


def history(client_id: int, page: int, page_size: int) -> tuple[list[ClientVersion], int]:
    """A client's saved states, newest first."""
    get_client(client_id)
    stmt = select(ClientVersion).where(ClientVersion.client_id == client_id).order_by(ClientVersion.version.desc())
    return page_of(db.session(), stmt, page, page_size)


def services_on(client: Client, as_of: date | None = None) -> list[str]:
    """The slugs of the services the client used at the end of `as_of` (UTC; None: now); [] before it existed."""
    if as_of is None:
        return [service.slug for service in client.services]
    end = clock.end_of(as_of)
    state = db.session.scalar(
        select(ClientVersion.state)
        .where(
            ClientVersion.client_id == client.id,
            ClientVersion.valid_from < end,
            or_(ClientVersion.valid_to.is_(None), ClientVersion.valid_to >= end),
        )
        .order_by(ClientVersion.version.desc())
        .limit(1)
    )
    return list(state.get("services") or []) if state is not None else []


def _contact_rows(contacts: Collection[Any]) -> list[tuple[Any, ...]]:
    def row(c: Any) -> tuple[Any, ...]:
        get = c.get if isinstance(c, Mapping) else lambda name: getattr(c, name)
        return (get("name"), get("email"), get("role"), get("receives_notices"))

    return [row(c) for c in contacts]


def _services(slugs: Collection[str]) -> list[Service]:
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return []
    found = {s.slug: s for s in db.session.scalars(select(Service).where(Service.slug.in_(wanted)))}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        names = ", ".join(repr(slug) for slug in unknown)
        raise Invalid(f"Unknown service {names}.", {"services": [f"Unknown service {names}."]})
    return [found[slug] for slug in wanted]


def romanian_cui_problem(value: str) -> str | None:
    """Say what is wrong with a Romanian CUI/CIF ("RO" prefix optional), or None if its control digit checks out."""
    code = value.replace(" ", "").upper()
    code = code.removeprefix("RO")
    if not (code.isascii() and code.isdigit() and 2 <= len(code) <= 10):
        return f"{value!r} is not a Romanian CUI: 2 to 10 digits, optionally after RO."
    body, control = code[:-1].zfill(9), int(code[-1])
    expected = sum(int(digit) * int(weight) for digit, weight in zip(body, _CUI_KEY, strict=True)) * 10 % 11 % 10
    if expected != control:
        return f"{value!r} is not a valid Romanian CUI: its control digit should be {expected}."
    return None


def _check_vat_id(vat_id: str | None, country: str) -> None:
    if country == "RO" and vat_id:
        problem = romanian_cui_problem(vat_id)
        if problem:
            raise Invalid(problem, {"vat_id": [problem]})


# Private feed token -----------------------------------------------------------------------------------------------


def feed_token(client: Client) -> str:
    """The feed token: an HMAC of the secret key over the client id and the rotation instant (URL-safe)."""
    rotated_at = client.feed_token_rotated_at.astimezone(UTC).isoformat()
    digest = links.keyed_digest(f"client-feed:{client.id}:{rotated_at}")
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def feed_url(client: Client) -> str | None:
    """The client's private Atom feed URL, or None before a token was issued (client not yet saved)."""
    if client.id is None or client.feed_token_hash is None:
        return None
    return links.absolute(f"/feeds/clients/{feed_token(client)}.atom")


def client_for_feed_token(token: str) -> Client | None:
    """The client whose current feed token this is (whatever its status), or None."""
    return db.session.scalar(select(Client).where(Client.feed_token_hash == hash_token(token)))


def rotate_feed_token(client: Client, *, actor: Actor) -> Client:
    """Issue a new feed token; the old feed URL stops working."""
    old = client.feed_token_rotated_at
    rotated_at = utcnow()
    if old is not None and rotated_at <= old:  # a clock that did not move must still give a new token
        rotated_at = old + timedelta(microseconds=1)
    client.feed_token_rotated_at = rotated_at
    client.feed_token_hash = hash_token(feed_token(client))
    client.version = client.version + 1
    db.session.flush()
    audit.record(
        "client.feed_token_rotated",
        client,
        actor=actor,
        before={"feed_token_rotated_at": old},
        after={"feed_token_rotated_at": rotated_at},
    )
    return client


# Exclusions and the applicable list ------------------------------------------------------------------------------


def exclude_subprocessor(
    client: Client, subprocessor_id: int, *, reason: str, actor: Actor, starts_at: datetime | None = None
) -> Exclusion:
    """Stop applying a sub-processor to this client from `starts_at` (default now). Idempotent: an exclusion in force
    is returned unchanged."""
    existing = _exclusion(client, subprocessor_id)
    if existing is not None:
        return existing
    subprocessor = subprocessors.get_subprocessor(subprocessor_id)
    exclusion = Exclusion(
        client_id=client.id,
        subprocessor_id=subprocessor.id,
        reason=reason,
        starts_at=starts_at or utcnow(),
        actor=actor.label,
    )
    db.session.add(exclusion)
    db.session.flush()
    db.session.expire(client, ["exclusions"])
    audit.record(
        "client.subprocessor_excluded",
        client,
        actor=actor,
        after={
            "subprocessor_id": subprocessor.id,
            "subprocessor": subprocessor.name,
            "reason": reason,
            "starts_at": exclusion.starts_at,
        },
    )
    return exclusion


def end_exclusion(client: Client, subprocessor_id: int, *, reason: str, actor: Actor) -> list[Exclusion]:
    """Apply an excluded sub-processor to this client again, from now (the exclusions are kept, with their end, so
    lists as of earlier dates stay as they were). Returns the exclusions ended (every one in force for the pair)."""
    now = utcnow()
    ended = [e for e in client.exclusions if e.subprocessor_id == subprocessor_id and e.ends_at is None]
    for exclusion in ended:
        exclusion.ends_at = now
    if ended:
        db.session.flush()
        audit.record(
            "client.subprocessor_exclusion_ended",
            client,
            actor=actor,
            after={"subprocessor_id": subprocessor_id, "reason": reason, "ends_at": now},
        )
    return ended


def _exclusion(client: Client, subprocessor_id: int) -> Exclusion | None:
    """The client's exclusion of this sub-processor in force (not ended), if any."""
    return next((e for e in client.exclusions if e.subprocessor_id == subprocessor_id and e.ends_at is None), None)


def excluded_subprocessor_ids(clients: Collection[Client | ClientRow], at: datetime) -> dict[int, set[int]]:
    """The sub-processors excluded for each of these clients at the instant `at` (exclusions starting before it and
    not ended by then), by client id; a client without any maps to an empty set. One query per 500 clients, whatever
    is loaded."""
    ids = [client.id for client in clients]
    excluded: dict[int, set[int]] = {client_id: set() for client_id in ids}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(Exclusion.client_id, Exclusion.subprocessor_id).where(
                Exclusion.client_id.in_(ids[start : start + 500]),
                Exclusion.starts_at < at,
                or_(Exclusion.ends_at.is_(None), Exclusion.ends_at >= at),
            )
        )
        for client_id, subprocessor_id in rows:
            excluded[client_id].add(subprocessor_id)
    return excluded


def applicable_subprocessors(client: Client, as_of: date | None = None) -> list[dict[str, Any]]:
    """The sub-processors that apply to this client on `as_of` (default: now), as list_as_of shapes them.

    Active on that date, serving at least one of the services the client used then (its saved history), not one of
    the processor's own tools, minus the client's exclusions that start before the end of that day (UTC). Before the
    client existed: [].
    """
    slugs = services_on(client, as_of)
    if not slugs:
        return []
    cutoff = utcnow() if as_of is None else clock.end_of(as_of)
    excluded = excluded_subprocessor_ids([client], cutoff)[client.id]
    return subprocessors.list_as_of(
        as_of, statuses=[Status.ACTIVE], service_slugs=slugs, exclude_ids=excluded, client_data_only=True
    )
