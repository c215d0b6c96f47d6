"""A registry built through the API the way its users build it, for the public-page and feed tests (taking effect
goes through the changes service, as the worker does in production)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient

from registry.audit.services import Actor
from registry.changes import services as changes
from registry.extensions import db


class World:
    """Build registry data through the HTTP API, as the legal team and account managers do."""

    def __init__(self, client: FlaskClient, headers: Callable[..., dict[str, str]]) -> None:
        self.client = client
        self.headers = headers

    def post(self, path: str, body: dict[str, Any], role: str = "legal") -> dict[str, Any]:
        response = self.client.post(f"/api/v1{path}", json=body, headers=self.headers(role))
        assert response.status_code in (200, 201), response.json
        result: dict[str, Any] = response.json
        return result

    def service(self, slug: str) -> dict[str, Any]:
        return self.post("/services", {"slug": slug, "name": slug.upper(), "description": f"The {slug} product"})

    def subprocessor(self, name: str, services: list[str], status: str = "proposed", **extra: Any) -> dict[str, Any]:
        body = {
            "name": name,
            "legal_name": f"{name} Ltd",
            "country": "DE",
            "address": "Hauptstraße 1, 10115 Berlin",
            "category": "hosting",
            "purpose": "Hosting",
            "data_categories": ["contact data"],
            "data_subjects": ["client users"],
            "services": services,
            "locations": [{"country": "DE", "label": "EU (Frankfurt)", "role": "storage"}],
            "status": status,
            **extra,
        }
        return self.post("/subprocessors", body)

    def customer(self, name: str, services: list[str], **extra: Any) -> dict[str, Any]:
        body = {
            "name": name,
            "legal_name": f"{name} SRL",
            "country": "RO",
            "address": "Str. Dacia 12, București",
            "language": "en",
            "services": services,
            "authorization": "general",
            "notice_period_days": 30,
            "signatory": {"name": "Ana Pop", "title": "Administrator"},
            "contacts": [
                {"name": "Ana", "email": f"dpo@{name.lower()}.example", "role": "DPO", "receives_notices": True}
            ],
            **extra,
        }
        return self.post("/clients", body, role="account_manager")

    def change(self, subprocessor_id: int, kind: str = "add", announce: bool = True, **extra: Any) -> dict[str, Any]:
        body = {
            "kind": kind,
            "subprocessor_id": subprocessor_id,
            "summary": f"We {kind} sub-processor {subprocessor_id}.",
            "reason": "Better service",
            "effective_on": (date.today() + timedelta(days=45)).isoformat(),
            **extra,
        }
        change = self.post("/changes", body)
        if announce:
            change = self.announce(change["id"])
        return change

    def announce(self, change_id: int) -> dict[str, Any]:
        """Announce with If-Match: the ETag of a fresh GET of the change, as a user would."""
        etag = self.client.get(f"/api/v1/changes/{change_id}", headers=self.headers("legal")).headers["ETag"]
        response = self.client.post(
            f"/api/v1/changes/{change_id}/announce", json={}, headers=self.headers("legal", If_Match=etag)
        )
        assert response.status_code == 200, response.json
        result: dict[str, Any] = response.json
        return result

    def withdraw(self, change_id: int, reason: str = "Plans changed") -> dict[str, Any]:
        return self.post(f"/changes/{change_id}/withdraw", {"reason": reason})

    def take_effect(self, change_id: int) -> None:
        changes.take_effect(changes.get_change(change_id), actor=Actor("test"))
        db.session.commit()
