"""Test data built through the HTTP API, the way the legal team and account managers build it, with the defaults of
`registry.demo.builders` (one per field: a test passes explicitly what it relies on).

`World(client, headers)` (the `world` fixture of tests/conftest.py) posts services, sub-processors, clients and
changes and returns their JSON; taking effect goes through the changes service, as the worker does in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.audit.services import Actor
from registry.changes import services as changes
from registry.db import utcnow
from registry.demo.builders import change_data, client_data, contact_data, service_data, subprocessor_data
from registry.extensions import db

__all__ = ["World", "change_data", "client_data", "contact_data", "service_data", "subprocessor_data"]

TEST_ACTOR = Actor("test")


class World:
    """Registry data built through the HTTP API. `headers(role)` gives the Authorization header of a user with that
    role (the `headers` fixture, or any function of the role alone)."""

    def __init__(self, client: FlaskClient, headers: Callable[..., dict[str, str]]) -> None:
        self.client = client
        self.headers = headers

    def post(self, path: str, body: dict[str, Any], *, role: str = "legal", status: int = 201) -> dict[str, Any]:
        """POST /api/v1{path} as `role`, expecting `status`; return the JSON."""
        response = self.client.post(f"/api/v1{path}", json=body, headers=self.headers(role))
        assert response.status_code == status, response.json
        result: dict[str, Any] = response.json
        return result

    def patch(self, path: str, body: dict[str, Any], *, role: str = "legal") -> TestResponse:
        """PATCH /api/v1{path} as `role` with If-Match: the ETag of a fresh GET; return the response, whatever it is."""
        etag = self.client.get(f"/api/v1{path}", headers=self.headers("legal")).headers["ETag"]
        return self.client.patch(f"/api/v1{path}", json=body, headers={**self.headers(role), "If-Match": etag})

    def service(self, slug: str, **overrides: Any) -> dict[str, Any]:
        return self.post("/services", service_data(slug, **overrides))

    def services(self, *slugs: str) -> list[str]:
        for slug in slugs:
            self.service(slug)
        return list(slugs)

    def subprocessor(self, name: str, **overrides: Any) -> dict[str, Any]:
        """POST a sub-processor as legal."""
        return self.post("/subprocessors", subprocessor_data(name, **overrides))

    def customer(self, name: str, **overrides: Any) -> dict[str, Any]:
        """POST a client as an account manager."""
        return self.post("/clients", client_data(name, **overrides), role="account_manager")

    def change(self, subprocessor_id: int, **overrides: Any) -> dict[str, Any]:
        """POST a draft change as legal."""
        return self.post("/changes", change_data(subprocessor_id, **overrides))

    def post_announce(self, change_id: int, role: str = "legal") -> TestResponse:
        """POST /changes/{id}/announce as `role` with If-Match: the ETag of a fresh GET of the change, as a user would;
        return the response, whatever it is."""
        path = f"/api/v1/changes/{change_id}"
        etag = self.client.get(path, headers=self.headers("legal")).headers["ETag"]
        return self.client.post(f"{path}/announce", headers={**self.headers(role), "If-Match": etag})

    def announce(self, change_id: int, *, delivered: bool = True) -> dict[str, Any]:
        """Announce as legal, expecting success; return the change's JSON. `delivered`: every affected client's
        notice then reaches it at once, as the worker records an accepted message (`changes.notice_delivered`), so
        its deadline is set (tests/changes/test_deadline_from_delivery.py drives the worker itself)."""
        response = self.post_announce(change_id)
        assert response.status_code == 200, response.json
        if delivered:
            self.deliver(change_id)
        result: dict[str, Any] = response.json
        return result

    def deliver(self, change_id: int, client_ids: list[int] | None = None) -> None:
        """The notices of the change reach these clients (all affected ones if None) now."""
        change = changes.get_change(change_id)
        for affected in change.affected:
            if client_ids is None or affected.client_id in client_ids:
                changes.notice_delivered(change_id, affected.client_id, at=utcnow())
        db.session.commit()

    def announced_change(self, subprocessor_id: int, **overrides: Any) -> dict[str, Any]:
        """A change drafted and announced."""
        return self.announce(self.change(subprocessor_id, **overrides)["id"])

    def withdraw(self, change_id: int, reason: str = "Plans changed") -> dict[str, Any]:
        return self.post(f"/changes/{change_id}/withdraw", {"reason": reason}, status=200)

    def take_effect(self, change_id: int) -> None:
        changes.take_effect(changes.get_change(change_id), actor=TEST_ACTOR)
        db.session.commit()
