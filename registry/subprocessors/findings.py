"""Transfer findings: the locations of the registry that do not pass the transfer rules on a date, and the
sub-processors with no Art. 28(4) contract recorded (`flask transfers check`), so the legal team sees a lapsed
decision, an expired DPF certification, a missing assessment or a missing contract in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

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


def contract_findings() -> list[SubProcessor]:
    """Proposed or active sub-processors of client data with no Art. 28(4) contract recorded (`dpa_reference` and
    `dpa_date`): a change bringing one in does not take effect until it is."""
    stmt = (
        select(SubProcessor)
        .where(
            SubProcessor.status != Status.RETIRED,
            SubProcessor.processes_client_data,
            (SubProcessor.dpa_reference.is_(None))
            | (SubProcessor.dpa_reference == "")
            | SubProcessor.dpa_date.is_(None),
        )
        .order_by(SubProcessor.name)
    )
    return list(db.session.scalars(stmt))
