"""Signed DPAs whose annex no longer matches the sub-processors that apply to their clients now."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from registry.clients import services as clients
from registry.clients.models import Client, ClientStatus
from registry.dpas import rendering
from registry.dpas.models import Dpa, DpaStatus
from registry.extensions import db


def current_annex_digest(client: Client, as_of: date | None = None) -> str:
    return rendering.annex_digest(clients.applicable_subprocessors(client, as_of))


def outdated_annexes() -> list[dict[str, Any]]:
    """Active clients whose signed DPA annex no longer matches the sub-processors that apply to them now."""
    stmt = (
        select(Dpa)
        .options(defer(Dpa.context))
        .join(Client, Client.id == Dpa.client_id)
        .where(Dpa.status == DpaStatus.SIGNED, Client.status == ClientStatus.ACTIVE)
        .order_by(Client.name, Client.id, Dpa.version.desc())
    )
    outdated: list[dict[str, Any]] = []
    seen: set[int] = set()
    for dpa in db.session.scalars(stmt):
        if dpa.client_id in seen:  # one signed version per client; be safe if history holds more
            continue
        seen.add(dpa.client_id)
        if current_annex_digest(dpa.client) != dpa.annex_digest:
            outdated.append(
                {
                    "client_id": dpa.client_id,
                    "client_name": dpa.client.name,
                    "dpa_id": dpa.id,
                    "number": dpa.number,
                    "version": dpa.version,
                    "signed_on": dpa.signed_on,
                }
            )
    return outdated
