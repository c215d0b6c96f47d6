"""Transfer findings: the locations of the registry that do not pass the transfer rules on a date, and the
sub-processors with no Art. 28(4) contract recorded (`flask transfers check`), so the legal team sees a lapsed
decision, an expired DPF certification, a missing assessment or a missing contract in time."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from registry.errors import flatten_errors
from registry.extensions import db
from registry.subprocessors.models import Location, Status, SubProcessor
from registry.transfers import rules


@dataclass(frozen=True)
class TransferFinding:
    """A location whose transfer basis is not valid on a date, or lacks what a sub-processor's needs."""

    subprocessor: SubProcessor
    location: Location
    problem: str
    services: tuple[str, ...]
    """Slugs of the services the sub-processor serves (so callers can find the clients it touches)."""


def transfer_findings(on: date) -> list[TransferFinding]:
    """Every location of a proposed or active sub-processor that does not pass the rules of a sub-processor's
    location on `on` (`rules.check_subprocessor_location`): a mechanism no longer valid, and a location saved before
    the sub-processor rules (an SCC module other than 2 or 3, a derogation, SCCs or BCRs without an assessment)."""
    findings = []
    stmt = select(SubProcessor).where(SubProcessor.status != Status.RETIRED).order_by(SubProcessor.name)
    for subprocessor in db.session.scalars(stmt):
        for location in subprocessor.locations:
            check = rules.check_subprocessor_location(
                location.country,
                location.mechanism,
                location.mechanism_detail,
                tia_reference=location.tia_reference,
                tia_date=location.tia_date,
                dpf_certified=subprocessor.dpf_certified,
                dpf_recheck_on=subprocessor.dpf_recheck_on,
                on=on,
            )
            if not check.ok:
                findings.append(
                    TransferFinding(
                        subprocessor=subprocessor,
                        location=location,
                        problem="; ".join(check.problems.values()),
                        services=tuple(service.slug for service in subprocessor.services),
                    )
                )
    return findings


def _live_subprocessors_of_client_data() -> list[SubProcessor]:
    stmt = (
        select(SubProcessor)
        .where(SubProcessor.status != Status.RETIRED, SubProcessor.processes_client_data)
        .order_by(SubProcessor.name)
    )
    return list(db.session.scalars(stmt))


def _fields_lacking(check: Callable[[Mapping[str, Any]], Mapping[str, Any]]) -> list[tuple[SubProcessor, list[str]]]:
    """Each proposed or active sub-processor of client data that `check` finds lacking, with the fields named."""
    found = []
    for subprocessor in _live_subprocessors_of_client_data():
        errors = check(row_fields(subprocessor))
        if errors:
            found.append((subprocessor, list(dict.fromkeys(path for path, _ in flatten_errors(errors)))))
    return found


def contract_findings() -> list[tuple[SubProcessor, list[str]]]:
    """Proposed or active sub-processors of client data with no Art. 28(4) contract recorded, with the fields
    missing (`dpa_reference`, `dpa_date`): a change bringing one in does not take effect until it is."""
    return _fields_lacking(contract_errors)


def row_fields(subprocessor: SubProcessor) -> dict[str, Any]:
    """The fields the paperwork checks read, in the input shape."""
    return {
        "contact": subprocessor.contact,
        "address": subprocessor.address,
        "dpa_reference": subprocessor.dpa_reference,
        "dpa_date": subprocessor.dpa_date,
    }


def contract_errors(row: Mapping[str, Any]) -> dict[str, list[str]]:
    """The Art. 28(4) contract fields a sub-processor (input shape) lacks, as field errors; empty when recorded."""
    return {
        name: ["Record the Art. 28(4) contract with the sub-processor (its reference and date)."]
        for name in ("dpa_reference", "dpa_date")
        if not str(row.get(name) or "").strip()
    }


MIN_ADDRESS_PARTS = 2
"""A full postal address has at least a street and a locality, separated by a comma or a new line, and a number
(the street number or the postcode): "București, România" is not one."""


def identity_errors(row: Mapping[str, Any]) -> dict[str, Any]:
    """What a sub-processor (input shape) lacks to be identified in a client's list and annex, as EDPB Opinion
    22/2024 asks: a contact person (`contact.name`) with an email address or telephone number (`contact.email`),
    and a full postal address (`address`). Field errors, marshmallow-shaped; empty when complete."""
    contact = row.get("contact") or {}
    errors: dict[str, Any] = {}
    if not (contact.get("name") or "").strip():
        errors.setdefault("contact", {})["name"] = ["Name the contact person for data protection matters."]
    if not ((contact.get("email") or "").strip() or (contact.get("phone") or "").strip()):
        errors.setdefault("contact", {})["email"] = ["Give the contact person's email address or telephone number."]
    address = row.get("address") or ""
    parts = [part for part in re.split(r"[,\n]", address) if part.strip()]
    if len(parts) < MIN_ADDRESS_PARTS or not re.search(r"\d", address):
        errors["address"] = ["Give the full postal address: street and number, postcode and locality."]
    return errors


def identity_findings() -> list[tuple[SubProcessor, list[str]]]:
    """Proposed or active sub-processors of client data that lack a contact person or a full address (the fields
    missing): their Annex III entry is incomplete, and a change to them cannot be announced until it is not."""
    return _fields_lacking(identity_errors)
