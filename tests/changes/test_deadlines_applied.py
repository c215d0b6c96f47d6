"""Deadlines that count (issue 10, finding 2): a client's deadline is its notice period counted as Romanian law
counts terms, and a change cannot take effect on or before the latest deadline of the clients it is announced to."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from registry.audit.services import Actor
from registry.changes import services
from registry.changes.models import AffectedClient
from registry.errors import Invalid
from registry.extensions import db


def test_a_notice_of_national_day_counts_from_the_next_working_day(world, make_subprocessor, make_client, make_change):
    """The issue's example: announced on Tue 1 Dec 2026 (a public holiday) with 30 days' notice, the deadline is
    Mon 4 Jan 2027 (1 and 2 Jan are holidays, 3 Jan a Sunday), so the change takes effect on 5 Jan at the earliest."""
    alfa = make_client("Alfa", notice_period_days=30)
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on="2027-01-04")
    with pytest.raises(Invalid) as refused:
        services.announce(services.get_change(change["id"]), today=date(2026, 12, 1), actor=Actor("test"))
    assert "effective_on must be on or after 2027-01-05" in refused.value.message
    assert list(refused.value.errors or {}) == ["effective_on"]
    db.session.rollback()

    patched = world.patch(f"/changes/{change['id']}", {"effective_on": "2027-01-05"})
    assert patched.status_code == 200, patched.json
    services.announce(services.get_change(change["id"]), today=date(2026, 12, 1), actor=Actor("test"))
    affected = db.session.query(AffectedClient).filter_by(change_id=change["id"], client_id=alfa["id"]).one()
    assert affected.deadline is None  # no deadline runs before the notice reaches the client
    services.notice_delivered(change["id"], alfa["id"], at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    assert affected.deadline == date(2027, 1, 4)
