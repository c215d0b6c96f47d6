"""Registry objects built through the services, with one default per field: the demo, the benchmarks (bench/) and the
tests (tests/factories.py) build their data here.

- `*_data(...)`: an input as the API takes it (POST /services, /subprocessors, /clients, /changes), every field
  defaulted once here and overridden by keyword; pass what you rely on explicitly.
- `*_from(data, actor=...)`: load exactly that input through the feature's schema and call its service, as the API
  does; nothing is defaulted beyond what the schema itself defaults.
- `create_*(..., actor=...)`: both in one go.

Nothing here commits: the services flush, the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from registry import deadlines
from registry.audit.services import Actor
from registry.changes import services as change_services
from registry.changes.models import Change
from registry.changes.schemas import ChangeSchema
from registry.clients import services as client_services
from registry.clients.models import Client
from registry.clients.schemas import ClientSchema
from registry.db import utcnow
from registry.subprocessors import services as subprocessor_services
from registry.subprocessors.models import Service, SubProcessor
from registry.subprocessors.schemas import ServiceSchema, SubProcessorSchema

EFFECTIVE_IN_DAYS = 30
"""A change takes effect this many days from today unless told: the processor profile's default notice period."""


def slug_of(name: str) -> str:
    """`Acme Europe` -> `acme-europe`: a name as it may stand in an email address."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "client"


# -- inputs -----------------------------------------------------------------------------------------------------


def service_data(slug: str, **overrides: Any) -> dict[str, Any]:
    """A service named after its slug in capitals, without a description."""
    return {"slug": slug, "name": slug.upper(), "description": "", **overrides}


def us_support_location(**overrides: Any) -> dict[str, Any]:
    """A US support location under SCCs (module 3) with its transfer impact assessment, as the examples have it."""
    return {
        "country": "US",
        "role": "support",
        "mechanism": "scc",
        "mechanism_detail": "module 3",
        "tia_reference": "TIA-2024-011",
        "tia_date": "2024-11-15",
        **overrides,
    }


def subprocessor_data(name: str, **overrides: Any) -> dict[str, Any]:
    """A proposed hosting provider of the crm service, seated in Berlin, storing in Frankfurt (inside the EEA), with its
    contact person and its Art. 28(4) contract recorded."""
    return {
        "name": name,
        "legal_name": f"{name} Ltd",
        "country": "DE",
        "address": "Hauptstraße 1, 10115 Berlin",
        "contact": {"name": "Jana Schmidt", "position": "Data Protection Officer", "email": "privacy@example.de"},
        "dpa_reference": f"DPA {name} 2026",
        "dpa_date": "2026-01-15",
        "category": "hosting",
        "purpose": "Hosting",
        "data_categories": ["contact data"],
        "data_subjects": ["client users"],
        "services": ["crm"],
        "locations": [{"country": "DE", "label": "EU (Frankfurt)", "role": "storage"}],
        "status": "proposed",
        **overrides,
    }


def contact_data(email: str, **overrides: Any) -> dict[str, Any]:
    """A client's DPO, who receives the notices."""
    return {"name": "Ana Pop", "email": email, "role": "DPO", "receives_notices": True, **overrides}


def client_data(name: str, **overrides: Any) -> dict[str, Any]:
    """A Romanian client, written to in Romanian, using crm under general authorisation, with one DPO (dpo@<name>.test)
    told of changes; its notice period is left to the processor profile's default."""
    return {
        "name": name,
        "legal_name": f"{name} SRL",
        "registration_number": "J40/14190/2013",
        "address": "Str. Dacia 12, București",
        "country": "RO",
        "language": "ro",
        "services": ["crm"],
        "authorization": "general",
        "signatory": {"name": "Ana Pop", "title": "Administrator"},
        "contacts": [contact_data(f"dpo@{slug_of(name)}.test")],
        **overrides,
    }


def change_data(subprocessor_id: int, **overrides: Any) -> dict[str, Any]:
    """A draft addition of the sub-processor, effective on the first day its EFFECTIVE_IN_DAYS of notice allow."""
    return {
        "kind": "add",
        "subprocessor_id": subprocessor_id,
        "summary": "We change our sub-processors.",
        "reason": "Better service.",
        "effective_on": deadlines.earliest_effective(utcnow(), EFFECTIVE_IN_DAYS).isoformat(),
        **overrides,
    }


# -- objects, from an exact input -------------------------------------------------------------------------------


def service_from(data: Mapping[str, Any], *, actor: Actor) -> Service:
    return subprocessor_services.create_service(ServiceSchema().load(data), actor=actor)


def subprocessor_from(data: Mapping[str, Any], *, actor: Actor) -> SubProcessor:
    return subprocessor_services.create_subprocessor(SubProcessorSchema().load(data), actor=actor)


def client_from(data: Mapping[str, Any], *, actor: Actor) -> Client:
    return client_services.create_client(ClientSchema().load(data), actor=actor)


def change_from(data: Mapping[str, Any], *, actor: Actor) -> Change:
    return change_services.create_change(ChangeSchema().load(data), actor=actor)


# -- objects, from the defaults ---------------------------------------------------------------------------------


def create_service(slug: str, *, actor: Actor, **overrides: Any) -> Service:
    return service_from(service_data(slug, **overrides), actor=actor)


def create_subprocessor(name: str, *, actor: Actor, **overrides: Any) -> SubProcessor:
    return subprocessor_from(subprocessor_data(name, **overrides), actor=actor)


def create_client(name: str, *, actor: Actor, **overrides: Any) -> Client:
    return client_from(client_data(name, **overrides), actor=actor)


def create_change(subprocessor_id: int, *, actor: Actor, **overrides: Any) -> Change:
    return change_from(change_data(subprocessor_id, **overrides), actor=actor)
