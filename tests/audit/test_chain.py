from sqlalchemy import delete, update

from registry.audit import services as audit
from registry.audit.models import AuditEvent
from registry.extensions import db
from tests.conftest import TEST_ACTOR


def _events(n):
    return [
        audit.record(
            "thing.saved", entity_type="thing", entity_id=i, after={"name": f"Ștefănescu & <Co> {i}"}, actor=TEST_ACTOR
        )
        for i in range(n)
    ]


def test_intact_chain_verifies(app, runner):
    _events(3)
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_edited_event_is_reported(app, runner):
    events = _events(4)
    db.session.commit()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == events[2].id).values(after={"name": "forged"}))
    db.session.commit()
    report = audit.verify_chain()
    assert report.broken_at == events[2].id
    assert "edited" in report.reason
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {events[2].id}" in result.output


def test_deleted_event_is_reported_at_the_next_one(app):
    events = _events(4)
    db.session.commit()
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == events[1].id))
    db.session.commit()
    report = audit.verify_chain()
    assert report.broken_at == events[2].id
    assert "removed" in report.reason


def test_events_link_to_their_predecessor(app):
    first, second = _events(2)
    assert second.prev_hash == first.hash
    assert first.hash != second.hash
