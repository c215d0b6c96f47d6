"""Onward sub-processors: a sub-processor engaged by another (`parent_id`), as EDPB Opinion 22/2024 asks the list to
show. A chain has at most `MAX_LEVELS` levels, has no loops, and each onward sub-processor serves exactly its
parent's services, so it applies to a client exactly where its parent does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any, TypeVar

from sqlalchemy import select

from registry.extensions import db
from registry.subprocessors.models import Status, SubProcessor

MAX_LEVELS = 3
"""The sub-processor engaged by the processor, its own sub-processor, and that one's."""

Row = TypeVar("Row", bound=Mapping[str, Any])


def _depth_below(subprocessor_id: int) -> int:
    """How many levels of onward sub-processors hang below `subprocessor_id` (0: none)."""
    depth, level = 0, [subprocessor_id]
    while level:
        level = list(db.session.scalars(select(SubProcessor.id).where(SubProcessor.parent_id.in_(level))))
        depth += 1 if level else 0
        if depth > MAX_LEVELS:  # a loop stored before these checks: stop counting
            break
    return depth


def check_parent(row: MutableMapping[str, Any], subprocessor_id: int | None) -> dict[str, list[str]]:
    """Check `row["parent_id"]` for the sub-processor `subprocessor_id` (None: a new one) and fill in its services
    from its parent when none are given. Returns field errors (empty when all is well)."""
    parent_id = row.get("parent_id")
    if parent_id is None or row.get("status") == Status.RETIRED:  # a retired one engages and serves no one
        return {}
    if parent_id == subprocessor_id:
        return {"parent_id": ["A sub-processor cannot engage itself."]}
    parent = db.session.get(SubProcessor, parent_id)
    if parent is None:
        return {"parent_id": [f"No sub-processor {parent_id}."]}
    if parent.status == Status.RETIRED:
        return {"parent_id": [f"{parent.name!r} is retired: it engages no one."]}
    levels, node = 1, parent
    while node.parent_id is not None:
        if node.parent_id == subprocessor_id:
            return {"parent_id": [f"{parent.name!r} is already engaged, directly or not, by this sub-processor."]}
        above = db.session.get(SubProcessor, node.parent_id)
        if above is None or levels > MAX_LEVELS:
            break
        node, levels = above, levels + 1
    below = _depth_below(subprocessor_id) if subprocessor_id is not None else 0
    if levels + 1 + below > MAX_LEVELS:
        return {
            "parent_id": [
                f"A chain of sub-processors has at most {MAX_LEVELS} levels: under {parent.name!r} (level {levels}) "
                f"this one{' and its own onward sub-processors' if below else ''} would go deeper."
            ]
        }
    slugs = sorted(service.slug for service in parent.services)
    if not row.get("services"):
        row["services"] = slugs
    elif sorted(row["services"]) != slugs:
        return {"services": [f"An onward sub-processor serves its parent's services: {', '.join(slugs) or 'none'}."]}
    return {}


def children_of(subprocessor_id: int) -> list[SubProcessor]:
    """The onward sub-processors it engages that are not retired, by name."""
    stmt = (
        select(SubProcessor)
        .where(SubProcessor.parent_id == subprocessor_id, SubProcessor.status != Status.RETIRED)
        .order_by(SubProcessor.name)
    )
    return list(db.session.scalars(stmt))


def check_children(row: Mapping[str, Any], subprocessor_id: int | None) -> dict[str, list[str]]:
    """A sub-processor is retired only after the onward sub-processors it engages (field errors, or none)."""
    if subprocessor_id is None or row.get("status") != Status.RETIRED:
        return {}
    names = [child.name for child in children_of(subprocessor_id)]
    if not names:
        return {}
    return {"status": [f"It still engages {', '.join(names)}: remove those onward sub-processors first."]}


def in_chain_order(rows: Iterable[Row], key: Callable[[Row], Any]) -> list[tuple[Row, int, Row | None]]:
    """Rows ordered as a tree: each one after its parent (at level 1, 2 or 3), siblings by `key`; with its parent's
    row. A row whose parent is not among `rows` is a first level; one a loop or a deeper chain stored before these
    checks would hide is listed at the end, as a first level: every row is listed once."""
    rows = list(rows)
    by_id = {row["id"]: row for row in rows if row.get("id") is not None}
    children: dict[Any, list[Row]] = {}
    for row in rows:
        parent = row.get("parent_id") if row.get("parent_id") in by_id else None
        children.setdefault(parent, []).append(row)
    ordered: list[tuple[Row, int, Row | None]] = []
    listed: set[int] = set()

    def walk(parent_id: Any, level: int) -> None:
        for row in sorted(children.get(parent_id, []), key=key):
            if id(row) in listed:
                continue
            listed.add(id(row))
            ordered.append((row, level, by_id.get(parent_id) if parent_id is not None else None))
            if level < MAX_LEVELS:
                walk(row["id"], level + 1)

    walk(None, 1)
    for row in sorted(rows, key=key):
        if id(row) not in listed:  # the head of what a loop or a deeper chain left out: a first level again
            listed.add(id(row))
            ordered.append((row, 1, None))
            walk(row["id"], 2)
    return ordered
