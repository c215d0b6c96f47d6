"""Services and sub-processors: checked against the transfer rules, saved with their full history.

Every save of a sub-processor bumps its `version`, closes its open `SubProcessorVersion` and opens a new one holding
the state (the API's JSON, `schemas.subprocessor_schema`), and writes an audit event; lists "as of" a date and the
differences between two dates are read back from those states.

What clients are told of a sub-processor (`NOTICE_FIELDS`) is edited freely only while it is a proposal: once it is
active (or retired), or while an announced change covers it (`hold_for_change`), those fields change only through a
change taking effect (`through_change=`), so nothing a client must hear about happens silently.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from marshmallow import ValidationError
from sqlalchemy import CursorResult, Select, Update, or_, select, update

from registry import clock
from registry.audit import services as audit
from registry.audit.services import Actor
from registry.db import page_of, save_version, utcnow
from registry.errors import Conflict, Invalid, NotFound, flatten_errors
from registry.extensions import db
from registry.subprocessors import chain, schemas
from registry.subprocessors.models import Location, Service, Status, SubProcessor, SubProcessorVersion
from registry.transfers import rules

TRANSITIONS = {
    (Status.PROPOSED, Status.ACTIVE),
    (Status.PROPOSED, Status.RETIRED),
    (Status.ACTIVE, Status.RETIRED),
}
"""The status lifecycle; nothing that was ever active is deleted."""

BOOKKEEPING = frozenset(schemas.READ_ONLY)
"""State fields that change on every save and are not "changes" in a diff."""

NOTICE_FIELDS = frozenset(
    {
        "status",
        "services",
        "locations",
        "purpose",
        "category",
        "data_categories",
        "data_subjects",
        "dpf_certified",
        "processes_client_data",
        "parent_id",
    }
)
"""What clients must be told of before it changes (GDPR Art. 28(2), Clause 9 of the SCCs): whether the sub-processor
is used at all (`status`), for whose data (`services`), engaged by whom (`parent_id`), where and under which
transfer safeguard (`locations`, and the DPF flag that makes a US location lawful; its recheck date is bookkeeping,
which `transfers check` watches) and what it does with which data (`purpose`, `category`, `data_categories`,
`data_subjects`: the DPA annex's description of the processing). Identity and paperwork (name, legal name, address,
country, website, contact, registration id, certifications, its DPA reference and date, the DPF recheck date) are
corrected freely, with history."""


def today() -> date:
    return utcnow().date()


# -- services ---------------------------------------------------------------------------------------------------


def list_services(page: int, page_size: int) -> tuple[list[Service], int]:
    return page_of(db.session(), select(Service).order_by(Service.slug), page, page_size)


def service_choices() -> list[Service]:
    """Every service, by slug (for filters and subscription forms)."""
    return list(db.session.scalars(select(Service).order_by(Service.slug)))


def service_slugs() -> set[str]:
    return set(db.session.scalars(select(Service.slug)))


def get_service(slug: str) -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == slug))
    if service is None:
        raise NotFound(f"No service {slug!r}.")
    return service


def create_service(data: Mapping[str, Any], *, actor: Actor) -> Service:
    slug = data["slug"]
    if db.session.scalar(select(Service.id).where(Service.slug == slug)) is not None:
        raise Conflict(f"A service with slug {slug!r} already exists.")
    service = Service(
        slug=slug, name=data["name"], description=data.get("description", ""), processing=data.get("processing", {})
    )
    db.session.add(service)
    db.session.flush()
    audit.record("service.created", service, actor=actor, after=schemas.service_schema.dump(service))
    return service


def update_service(service: Service, changes: Mapping[str, Any], *, actor: Actor) -> Service:
    """Change a service's name, description and/or processing texts (its slug does not change); `processing` is
    replaced per language given."""
    before = schemas.service_schema.dump(service)
    if "processing" in changes:
        service.processing = {**(service.processing or {}), **changes["processing"]}
    for name in ("name", "description"):
        if name in changes:
            setattr(service, name, changes[name])
    after = schemas.service_schema.dump(service)
    if after != before:
        db.session.flush()
        audit.record("service.updated", service, actor=actor, before=before, after=after)
    return service


# -- sub-processors: reading ------------------------------------------------------------------------------------


def get_subprocessor(subprocessor_id: int) -> SubProcessor:
    """:raise NotFound: no sub-processor with this id."""
    subprocessor = db.session.get(SubProcessor, subprocessor_id)
    if subprocessor is None:
        raise NotFound(f"No sub-processor {subprocessor_id}.")
    return subprocessor


def state_of(subprocessor: SubProcessor) -> dict[str, Any]:
    """The sub-processor as the API shows it, and as its history stores it."""
    state: dict[str, Any] = schemas.subprocessor_schema.dump(subprocessor)
    return state


def row_of(subprocessor: SubProcessor) -> dict[str, Any]:
    """The sub-processor in the input shape (no id, version or timestamps): one import/export row."""
    row: dict[str, Any] = schemas.subprocessor_row.dump(subprocessor)
    return row


def name_order(state: Mapping[str, Any]) -> tuple[str, str, int]:
    return (state["name"].casefold(), state["name"], state.get("id") or 0)


def _versions_on(as_of: date | None) -> Select[SubProcessorVersion]:
    """The versions in force at the end of `as_of` (UTC), or now."""
    stmt = select(SubProcessorVersion)
    if as_of is None:
        return stmt.where(SubProcessorVersion.valid_to.is_(None))
    end = clock.end_of(as_of)
    return stmt.where(
        SubProcessorVersion.valid_from < end,
        or_(SubProcessorVersion.valid_to.is_(None), SubProcessorVersion.valid_to >= end),
    )


def list_as_of(
    as_of: date | None = None,
    *,
    statuses: Collection[Status] | None = None,
    service_slugs: Collection[str] | None = None,
    exclude_ids: Collection[int] = (),
    client_data_only: bool = False,
) -> list[dict[str, Any]]:
    """The states (shaped like the API's JSON) of the sub-processors at the end of `as_of` (UTC; None: now).

    `statuses`: only these; `service_slugs`: only those serving at least one of these services; `client_data_only`:
    not the processor's own tools (`processes_client_data`); ordered by name.
    """
    stmt = _versions_on(as_of)
    if statuses is not None:
        stmt = stmt.where(SubProcessorVersion.status.in_([Status(status).value for status in statuses]))
    if exclude_ids:
        stmt = stmt.where(SubProcessorVersion.subprocessor_id.not_in(list(exclude_ids)))
    states = [copy.deepcopy(version.state) for version in db.session.scalars(stmt)]
    if service_slugs is not None:
        wanted = set(service_slugs)
        states = [state for state in states if wanted.intersection(state.get("services") or ())]
    if client_data_only:
        states = [state for state in states if processes_client_data(state)]
    return sorted(states, key=name_order)


def processes_client_data(state: Mapping[str, Any]) -> bool:
    """Whether a saved state is a sub-processor of the clients it serves, not one of the processor's own tools
    (states saved before the field existed are)."""
    return bool(state.get("processes_client_data", True))


def list_subprocessors(
    *,
    as_of: date | None = None,
    status: str | None = None,
    category: str | None = None,
    country: str | None = None,
    service: str | None = None,
) -> list[dict[str, Any]]:
    """The list with the API's filters; `country` matches the headquarters or any location."""
    if service is not None and db.session.scalar(select(Service.id).where(Service.slug == service)) is None:
        raise Invalid(f"Unknown service {service!r} in the `service` filter.")
    states = list_as_of(
        as_of,
        statuses=None if status is None else [Status(status)],
        service_slugs=None if service is None else [service],
    )
    if category is not None:
        states = [state for state in states if state["category"] == category]
    if country is not None:
        states = [
            state
            for state in states
            if state["country"] == country or any(loc["country"] == country for loc in state["locations"])
        ]
    return states


def versions_before(subprocessor_id: int, at: datetime | None) -> dict[str, Any] | None:
    """The state the sub-processor had just before the instant `at` (the newest version closed by then), or None."""
    if at is None:
        return None
    version = db.session.scalar(
        select(SubProcessorVersion)
        .where(
            SubProcessorVersion.subprocessor_id == subprocessor_id,
            SubProcessorVersion.valid_to.is_not(None),
            SubProcessorVersion.valid_to <= at,
        )
        .order_by(SubProcessorVersion.version.desc())
        .limit(1)
    )
    return copy.deepcopy(version.state) if version is not None else None


def history(subprocessor_id: int, page: int, page_size: int) -> tuple[list[SubProcessorVersion], int]:
    """A sub-processor's saved states, newest first."""
    get_subprocessor(subprocessor_id)
    stmt = (
        select(SubProcessorVersion)
        .where(SubProcessorVersion.subprocessor_id == subprocessor_id)
        .order_by(SubProcessorVersion.version.desc())
    )
    return page_of(db.session(), stmt, page, page_size)


# -- sub-processors: checking -----------------------------------------------------------------------------------


def check_transition(old: str, new: str) -> None:
    """:raise Conflict: the lifecycle does not allow going from status `old` to `new`."""
    if old == new or (Status(old), Status(new)) in TRANSITIONS:
        return
    raise Conflict(
        f"A sub-processor cannot go from {old} to {new}: "
        "the status moves proposed -> active -> retired (or proposed -> retired)."
    )


def check_subprocessor(
    data: dict[str, Any], *, on: date | None = None, saved_locations: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Check a loaded sub-processor (the full input shape) against the known services and the transfer rules.

    Returns field errors shaped like marshmallow's (`{"locations": {1: {"mechanism": [...]}}}`), empty when all is
    well, and fills in every omitted location mechanism that the rules derive. Each location must pass the rules of
    a sub-processor's location (`rules.check_subprocessor_location`: SCC module 2 or 3, no derogation, a transfer
    impact assessment for SCCs and BCRs, done by today); one kept exactly as it is in `saved_locations` (the stored
    locations of a sub-processor being edited) only the general rules (`rules.check_location`), so a location saved
    before those rules does not block unrelated edits (`transfers check` lists it). A retired sub-processor's
    locations only need a mechanism: it no longer transfers anything.
    """
    on = on or today()
    done_by = min(on, today())
    errors: dict[str, Any] = {}
    slugs = data.get("services") or []
    known = set(db.session.scalars(select(Service.slug).where(Service.slug.in_(slugs))))
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        errors["services"] = [f"Unknown service {slug!r}: create it first." for slug in unknown]
    retired = data.get("status") == Status.RETIRED
    dpf_certified = bool(data.get("dpf_certified"))
    dpf_recheck_on = data.get("dpf_recheck_on")
    location_errors: dict[int, dict[str, list[str]]] = {}
    for index, location in enumerate(data.get("locations") or []):
        country, mechanism, detail = location["country"], location.get("mechanism"), location.get("mechanism_detail")
        general = rules.check_location(
            country, mechanism, detail, dpf_certified=dpf_certified, dpf_recheck_on=dpf_recheck_on, on=on
        )
        if not mechanism and general.mechanism is not None:
            location["mechanism"] = general.mechanism.value
        if retired and location.get("mechanism"):
            continue
        check = general
        if location not in saved_locations:
            check = rules.check_subprocessor_location(
                country,
                mechanism,
                detail,
                tia_reference=location.get("tia_reference"),
                tia_date=location.get("tia_date"),
                dpf_certified=dpf_certified,
                dpf_recheck_on=dpf_recheck_on,
                on=on,
                today=done_by,
            )
        if check.problems:
            location_errors[index] = {name: [problem] for name, problem in check.problems.items()}
    if location_errors:
        errors["locations"] = location_errors
    return errors


def _invalid(errors: Mapping[str, Any]) -> Invalid:
    details = "; ".join(f"{path}: {message}" for path, message in flatten_errors(errors))
    return Invalid(f"Invalid sub-processor: {details}", dict(errors))


def _check_name_free(name: str, subprocessor_id: int | None = None) -> None:
    other = db.session.scalar(select(SubProcessor.id).where(SubProcessor.name == name))
    if other is not None and other != subprocessor_id:
        raise Conflict(f"A sub-processor named {name!r} already exists.")


def current_row(subprocessor: SubProcessor) -> dict[str, Any]:
    """The sub-processor's stored values in the loaded input shape (Python dates, slugs), as a PATCH merges into."""
    try:
        row: dict[str, Any] = schemas.subprocessor_row.load(row_of(subprocessor))
    except ValidationError as error:  # stored before a rule got stricter: say what to fix
        raise _invalid(error.messages_dict) from None
    return row


# -- sub-processors: saving -------------------------------------------------------------------------------------


def create_subprocessor(data: Mapping[str, Any], *, actor: Actor) -> SubProcessor:
    """Create a sub-processor from loaded input (`SubProcessorSchema`), in any status (imports, the initial list).

    :raise Invalid: a location breaks the transfer rules, or a service is unknown.
    :raise Conflict: the name is taken.
    """
    row = copy.deepcopy(dict(data))
    chain_errors = chain.check_parent(row, None)  # first: it fills in the parent's services
    errors = {**check_subprocessor(row), **chain_errors}
    if errors:
        raise _invalid(errors)
    _check_name_free(row["name"])
    subprocessor = SubProcessor()
    _apply(subprocessor, row, replace_locations=True)
    db.session.add(subprocessor)
    _save(subprocessor, None, "subprocessor.created", actor=actor)
    return subprocessor


def update_subprocessor(
    subprocessor: SubProcessor, changes: Mapping[str, Any], *, actor: Actor, through_change: int | None = None
) -> SubProcessor:
    """Replace the fields in `changes` (loaded input; `locations` replaces the whole list) and save a new version.

    Nothing is saved when nothing changes. `through_change`: the id of the change taking effect that makes this
    edit; only then may the `NOTICE_FIELDS` of a sub-processor that is not a free proposal change (see
    `notice_conflict`). The history row and the audit event name that change.
    :raise Conflict: a status change the lifecycle does not allow, a notice field changed outside a change (or
        under another change's announcement), or a name that is taken.
    :raise Invalid: a location breaks the transfer rules (all are checked on every save: the sub-processor rules
        only for new or changed locations, and not when a change takes effect, as its announcement checked them), or
        a service is unknown.
    """
    current = current_row(subprocessor)
    row = {**current, **copy.deepcopy(dict(changes))}
    check_transition(subprocessor.status, row["status"])
    saved = current["locations"] if through_change is None else row["locations"]
    # both fill in what they derive (the parent's services, the locations' mechanisms): compared like for like
    chain_errors = chain.check_children(row, subprocessor.id)
    if {"parent_id", "services", "status"} & set(changes):
        chain_errors |= chain.check_parent(row, subprocessor.id)
    errors = {**check_subprocessor(row, saved_locations=saved), **chain_errors}
    changed = notice_changes(current, row)
    held_by = subprocessor.announced_change_id
    conflict = notice_conflict(subprocessor, changed, row["status"], held_by=held_by, through_change=through_change)
    if conflict is not None:
        raise conflict
    if errors:
        raise _invalid(errors)
    if row["name"] != subprocessor.name:
        _check_name_free(row["name"], subprocessor.id)
    if row == current:
        return subprocessor
    before = state_of(subprocessor)
    _apply(subprocessor, row, replace_locations=row["locations"] != current["locations"])
    if through_change is None:
        _save(subprocessor, before, "subprocessor.updated", actor=actor)
    else:
        _save(subprocessor, before, "subprocessor.change_applied", actor=_through(actor, through_change))
    if changed:
        _recheck_hold(subprocessor, held_by, changed, through_change)
    if "services" in changed:  # its onward sub-processors serve what it serves
        for child in chain.children_of(subprocessor.id):
            update_subprocessor(child, {"services": row["services"]}, actor=actor, through_change=through_change)
    return subprocessor


def set_status(
    subprocessor: SubProcessor, status: Status, *, actor: Actor, through_change: int | None = None
) -> SubProcessor:
    """Move a sub-processor along its lifecycle: a change taking effect (`through_change`), or a proposal dropped."""
    return update_subprocessor(
        subprocessor, {"status": Status(status).value}, actor=actor, through_change=through_change
    )


PAPERWORK_LOCATION_FIELDS = ("tia_reference", "tia_date")
"""Location fields that document a transfer rather than describe it to clients (the transfer impact assessment):
recorded or corrected without an announced change."""


def _told(name: str, value: Any) -> Any:
    """What clients are told of a field's value: a location without its paperwork."""
    if name != "locations" or not isinstance(value, list):
        return value
    return [{k: v for k, v in location.items() if k not in PAPERWORK_LOCATION_FIELDS} for location in value]


def notice_changes(current: Mapping[str, Any], row: Mapping[str, Any]) -> list[str]:
    """The `NOTICE_FIELDS` whose value, as clients are told it, differs between two loaded rows (input shape)."""
    return sorted(
        name for name in NOTICE_FIELDS if name in row and _told(name, row[name]) != _told(name, current.get(name))
    )


def notice_conflict(
    subprocessor: SubProcessor,
    changed: Collection[str],
    new_status: str,
    *,
    held_by: int | None,
    through_change: int | None = None,
) -> Conflict | None:
    """Why the `changed` notice fields may not change now (a Conflict naming them), or None if they may.

    Through a change: unless another announced change holds the sub-processor. Otherwise: only on a proposal that no
    announced change holds, and not into `active` (a proposal becomes active through an add or replace change);
    dropping it (proposed -> retired) is fine.
    """
    if not changed:
        return None
    names = ", ".join(changed)
    name = subprocessor.name
    if held_by is not None and held_by != through_change:
        message = f"{name!r} is announced in change {held_by}; withdraw it to change what was announced ({names})."
        field = f"Announced in change {held_by}: withdraw it to change what was announced."
    elif through_change is not None:
        return None
    elif subprocessor.status == Status.ACTIVE:
        message = (
            f"{name!r} is active: its clients must be told before its {names} change. "
            "Announce an update (or remove) change instead."
        )
        field = "Changes only through an announced update (or remove) change."
    elif subprocessor.status == Status.RETIRED:
        message = f"{name!r} is retired: its {names} stay as they were when it was last used."
        field = "A retired sub-processor keeps what its clients were told."
    elif new_status == Status.ACTIVE:
        message = (
            f"{name!r} becomes active through a change its clients are told of: announce an add (or replace) change."
        )
        field = "A proposal becomes active through an announced add (or replace) change."
        changed = ["status"]
    else:
        return None
    return Conflict(message, {field_name: [field] for field_name in changed})


def _through(actor: Actor, change_id: int) -> Actor:
    """The actor as history and audit name it when a change is applied: "cli:root (change 12)"."""
    suffix = f" (change {change_id})"
    return Actor(actor.label[: 320 - len(suffix)] + suffix, actor.user_id)


def _recheck_hold(
    subprocessor: SubProcessor, held_by: int | None, changed: Collection[str], through: int | None
) -> None:
    """Check again, now that the row is written (and so locked until commit), that no change was announced for the
    sub-processor since it was read: an announcement committed meanwhile wins, and this save is refused."""
    now_held_by = db.session.scalar(select(SubProcessor.announced_change_id).where(SubProcessor.id == subprocessor.id))
    if now_held_by != held_by:
        conflict = notice_conflict(
            subprocessor, changed, subprocessor.status, held_by=now_held_by, through_change=through
        )
        if conflict is not None:
            raise conflict


# -- sub-processors: held by an announced change ----------------------------------------------------------------


def _rows_updated(statement: Update) -> int:
    """Run a conditional UPDATE (atomic on both databases: the condition is checked on the row as written)."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return cast(CursorResult[Any], result).rowcount


def hold_for_change(subprocessor: SubProcessor, change_id: int, *, actor: Actor) -> None:
    """Fix the notice fields of a sub-processor while change `change_id` is announced (until it takes effect or is
    withdrawn). The row is reloaded afterwards, so callers check what was fixed, not an older read.

    :raise Conflict: another announced change already holds it.
    """
    held = _rows_updated(
        update(SubProcessor)
        .where(
            SubProcessor.id == subprocessor.id,
            or_(SubProcessor.announced_change_id.is_(None), SubProcessor.announced_change_id == change_id),
        )
        .values(announced_change_id=change_id)
    )
    db.session.expire(subprocessor)
    if not held:
        message = (
            f"{subprocessor.name!r} is already under announced change {subprocessor.announced_change_id}: "
            "withdraw it, or wait until it takes effect, before announcing another change for it."
        )
        raise Conflict(message, {"subprocessor_id": [message]})
    audit.record(
        "subprocessor.held_for_change",
        subprocessor,
        actor=actor,
        before={"announced_change_id": None},
        after={"announced_change_id": change_id},
    )


def release_from_change(subprocessor: SubProcessor, change_id: int, *, actor: Actor) -> None:
    """End the hold of change `change_id` (it took effect or was withdrawn); nothing happens if it holds none."""
    released = _rows_updated(
        update(SubProcessor)
        .where(SubProcessor.id == subprocessor.id, SubProcessor.announced_change_id == change_id)
        .values(announced_change_id=None)
    )
    db.session.expire(subprocessor, ["announced_change_id"])
    if released:
        audit.record(
            "subprocessor.released_from_change",
            subprocessor,
            actor=actor,
            before={"announced_change_id": change_id},
            after={"announced_change_id": None},
        )


def _apply(subprocessor: SubProcessor, row: Mapping[str, Any], *, replace_locations: bool) -> None:
    for name, value in row.items():
        if name == "contact":
            subprocessor.contact = value
        elif name == "services":
            slugs = list(value)
            subprocessor.services = list(
                db.session.scalars(select(Service).where(Service.slug.in_(slugs)).order_by(Service.slug))
            )
        elif name == "locations":
            if replace_locations:
                subprocessor.locations = [
                    Location(position=position, **location) for position, location in enumerate(value)
                ]
        else:
            setattr(subprocessor, name, value)


def _save(subprocessor: SubProcessor, before: dict[str, Any] | None, action: str, *, actor: Actor) -> None:
    """Bump the version, close the open history entry and open a new one with the new state, audit it."""
    now = utcnow()
    if before is None:
        subprocessor.version = 1
        subprocessor.created_at = now
    else:
        subprocessor.version = subprocessor.version + 1
    subprocessor.updated_at = now
    db.session.flush()  # an UPDATE against a stale version raises StaleDataError (412)
    state = state_of(subprocessor)
    save_version(
        db.session(),
        SubProcessorVersion,
        owner="subprocessor_id",
        owner_id=subprocessor.id,
        now=now,
        version=subprocessor.version,
        status=subprocessor.status,
        actor=actor.label,
        state=state,
    )
    db.session.flush()
    audit.record(action, subprocessor, actor=actor, before=before, after=state)
