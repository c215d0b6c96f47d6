"""Record audit events in a hash chain and verify it.

Each event's hash covers its content and the previous event's hash, so editing, deleting or reordering any event
breaks every link after it. Writers are serialised (an advisory lock on PostgreSQL; SQLite has one writer at a
time) so the chain never forks.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, text

from registry.audit.models import AuditEvent
from registry.db import utcnow
from registry.extensions import db

GENESIS = "0" * 64
_CHAIN_LOCK = 7_280_028  # arbitrary advisory-lock key owned by the audit chain


class HasId(Protocol):
    id: Any


@dataclass(frozen=True)
class Actor:
    """Who did something: a user (by id and email) or a named process ("cli:root", "system")."""

    label: str
    user_id: int | None = None


SYSTEM = Actor("system")


def cli_actor() -> Actor:
    """The person running a command: "cli:<login>"."""
    return Actor(f"cli:{getpass.getuser()}")


def to_json(value: Any) -> Any:
    """Normalise a value to what a JSON column returns, so hashes survive a database round trip."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _table_of(entity: HasId) -> str:
    """An audited object's type is its table's name (`subprocessor`, `dpa_template`, `change_response`, ...)."""
    return str(getattr(type(entity), "__tablename__", type(entity).__name__.lower()))


def record_changes(
    action: str, entity: HasId, *, actor: Actor, before: dict[str, Any], after: dict[str, Any]
) -> AuditEvent | None:
    """Record an update with only the fields it changed (before and after); nothing when nothing changed."""
    changed = [name for name in after if after[name] != before.get(name)]
    if not changed:
        return None
    return record(
        action,
        entity,
        actor=actor,
        before={name: before.get(name) for name in changed},
        after={name: after[name] for name in changed},
    )


def record(
    action: str,
    entity: HasId | None = None,
    *,
    actor: Actor,
    entity_type: str | None = None,
    entity_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the chain (flushes, never commits)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow(),
        actor=actor.label,
        actor_user_id=actor.user_id,
        action=action,
        entity_type=entity_type or (_table_of(entity) if entity is not None else "system"),
        entity_id=str(entity_id if entity_id is not None else getattr(entity, "id", "")),
        before=to_json(before) if before is not None else None,
        after=to_json(after) if after is not None else None,
        prev_hash=last or GENESIS,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


def event_hash(event: AuditEvent) -> str:
    payload = {
        "at": event.at.isoformat(),
        "actor": event.actor,
        "actor_user_id": event.actor_user_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    """Walk the chain in order and report the first event whose link or content does not check out."""
    expected_prev = GENESIS
    checked = 0
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500))
    with closing(events):  # a streamed (server-side) cursor must be closed when we stop early
        for event in events:
            if event.prev_hash != expected_prev:
                return ChainReport(
                    checked, event.id, "its link to the previous event is broken (an event was removed or reordered)"
                )
            if event_hash(event) != event.hash:
                return ChainReport(checked, event.id, "its content does not match its hash (the event was edited)")
            expected_prev = event.hash
            checked += 1
    return ChainReport(checked)
