"""Announcing to thousands of clients: every row in one transaction, or nothing at all."""

import pytest
from sqlalchemy import insert, select

from registry.audit.models import AuditEvent
from registry.changes.models import AffectedClient
from registry.clients.models import Client, ClientContact, client_service
from registry.extensions import db
from registry.outbox import services as notice_services
from registry.outbox.models import Notice
from registry.subprocessors.models import Service
from tests.changes.conftest import count

CLIENTS = 2000


def _many_clients(n: int) -> list[int]:
    """Insert n active general clients using crm, each with one notice contact (bulk: the HTTP API is tested
    elsewhere and would make this setup slow)."""
    rows = [
        {
            "name": f"Client {i:05d}",
            "legal_name": f"Client {i:05d} SRL",
            "country": "RO",
            "language": "ro" if i % 2 else "en",
            "authorization": "specific" if i % 3 == 0 else "general",
            "notice_period_days": 30,
            "status": "active",
            "version": 1,
        }
        for i in range(n)
    ]
    ids = list(db.session.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True), rows))
    crm = db.session.scalar(select(Service.id).where(Service.slug == "crm"))
    db.session.execute(insert(client_service), [{"client_id": cid, "service_id": crm} for cid in ids])
    db.session.execute(
        insert(ClientContact),
        [{"client_id": cid, "name": "DPO", "email": f"dpo{cid}@example.test", "role": "DPO"} for cid in ids],
    )
    db.session.commit()
    return ids


def test_announcing_to_2000_clients_writes_everything_in_one_transaction_or_nothing(
    client, headers, make_subprocessor, make_change, post_announce, monkeypatch
):
    ids = _many_clients(CLIENTS)
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"])

    real = notice_services.notice_row
    seen: dict[str, int] = {"calls": 0}

    def failing(**fields):
        seen["calls"] += 1
        if seen["calls"] == CLIENTS // 2:  # half-way through the notices, the client rows already flushed
            seen["affected_then"] = count(AffectedClient, change_id=change["id"])
            raise RuntimeError("disk full")
        return real(**fields)

    monkeypatch.setattr(notice_services, "notice_row", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        post_announce(change["id"])
    db.session.rollback()  # what the end of a failed request does with its session
    assert seen["affected_then"] == CLIENTS
    got = client.get(f"/api/v1/changes/{change['id']}", headers=headers("viewer")).json
    assert got["status"] == "draft"
    assert got["announced_at"] is None
    assert count(AffectedClient) == 0
    assert count(Notice) == 0
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "change.announced")).all() == []

    monkeypatch.setattr(notice_services, "notice_row", real)
    response = post_announce(change["id"])
    assert response.status_code == 200, response.json
    assert response.json["affected_clients"] == CLIENTS
    assert count(AffectedClient, change_id=change["id"]) == CLIENTS
    assert count(AffectedClient, change_id=change["id"], expectation="approval") == len(ids[::3])
    assert count(Notice, change_id=change["id"], template="change.announced") == CLIENTS
    recipients = set(db.session.scalars(select(Notice.recipient).where(Notice.change_id == change["id"])))
    assert recipients == {f"dpo{cid}@example.test" for cid in ids}
    rows = client.get(f"/api/v1/changes/{change['id']}/clients?page_size=100&page=20", headers=headers("viewer"))
    assert len(rows.json) == 100
    assert '"total": 2000' in rows.headers["X-Pagination"]
