"""The sub-processors that apply to a client on a date, exclusions, and the client look-ups other features use."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from registry.audit.models import AuditEvent
from registry.audit.services import Actor
from registry.clients import services
from registry.clients.models import ClientVersion
from registry.errors import NotFound
from registry.extensions import db
from registry.subprocessors import services as subprocessors
from registry.subprocessors.models import Status, SubProcessorVersion

LEGAL = Actor("legal@example.test")
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def _today():
    return datetime.now(UTC).date()


def _names(client, headers, client_id, as_of=None, role="viewer"):
    query = {"page_size": 100} | ({"as_of": as_of.isoformat()} if as_of else {})
    response = client.get(f"/api/v1/clients/{client_id}/subprocessors", query_string=query, headers=headers(role))
    assert response.status_code == 200, response.json
    return [entry["name"] for entry in response.json]


def _backdate(subprocessor_id, when=LONG_AGO):
    """Pretend the sub-processor's current state was saved at `when`."""
    db.session.execute(
        update(SubProcessorVersion)
        .where(SubProcessorVersion.subprocessor_id == subprocessor_id, SubProcessorVersion.valid_to.is_(None))
        .values(valid_from=when)
    )
    db.session.commit()


def _backdate_client(client_id, when=LONG_AGO):
    """Pretend the client (with its current services) has existed since `when`."""
    db.session.execute(
        update(ClientVersion)
        .where(ClientVersion.client_id == client_id, ClientVersion.valid_to.is_(None))
        .values(valid_from=when)
    )
    db.session.commit()


@pytest.fixture
def registry_(make_subprocessor):
    """Sub-processors serving different services, one of them only proposed."""
    return {
        "Hetzner": make_subprocessor("Hetzner", services=["crm"], status="active"),
        "Mailgun": make_subprocessor("Mailgun", services=["crm", "sms"], status="active"),
        "Twilio": make_subprocessor("Twilio", services=["sms"], status="active"),
        "Vimeo": make_subprocessor("Vimeo", services=["livestream"], status="active"),
        "Proposed Co": make_subprocessor("Proposed Co", services=["crm", "sms", "livestream"], status="proposed"),
    }


def test_list_follows_the_client_services(client, headers, make_client, registry_):
    crm = make_client(name="CRM only", services=["crm"])
    mixed = make_client(name="Mixed", services=["sms", "livestream"])
    none = make_client(name="Nothing", services=[])
    assert _names(client, headers, crm["id"]) == ["Hetzner", "Mailgun"]
    assert _names(client, headers, mixed["id"]) == ["Mailgun", "Twilio", "Vimeo"]
    assert _names(client, headers, none["id"]) == []
    assert _names(client, headers, crm["id"], as_of=_today()) == ["Hetzner", "Mailgun"]


def test_entries_carry_locations_and_safeguards(client, headers, make_client, registry_):
    crm = make_client(services=["crm"])
    response = client.get(f"/api/v1/clients/{crm['id']}/subprocessors", headers=headers("legal"))
    hetzner = response.json[0]
    assert hetzner["id"] == registry_["Hetzner"]["id"]
    assert hetzner["legal_name"] == "Hetzner Ltd"
    assert hetzner["status"] == "active"
    assert hetzner["locations"] == [
        {
            "country": "DE",
            "label": "EU (Frankfurt)",
            "role": "storage",
            "mechanism": "eea",
            "mechanism_detail": None,
            "tia_reference": None,
            "tia_date": None,
        }
    ]
    assert "X-Pagination" in response.headers


def test_proposed_subprocessors_are_never_listed(client, headers, make_client, registry_):
    crm = make_client(services=["crm", "sms", "livestream"])
    for as_of in (None, _today(), _today() + timedelta(days=40)):
        assert "Proposed Co" not in _names(client, headers, crm["id"], as_of)


def test_nothing_applies_before_the_subprocessors_existed(client, headers, make_client, registry_):
    crm = make_client(services=["crm"])
    assert _names(client, headers, crm["id"], as_of=_today() - timedelta(days=1)) == []


def test_retired_subprocessor_is_still_listed_for_an_earlier_date(client, headers, make_client, registry_):
    crm = make_client(services=["crm"])
    _backdate_client(crm["id"])
    hetzner = registry_["Hetzner"]
    _backdate(hetzner["id"])
    # A remove change takes effect today (as `changes apply-due` applies it).
    subprocessors.set_status(
        subprocessors.get_subprocessor(hetzner["id"]), Status.RETIRED, actor=LEGAL, through_change=1
    )
    db.session.commit()
    yesterday = _today() - timedelta(days=1)
    assert _names(client, headers, crm["id"], as_of=yesterday) == ["Hetzner"]
    assert _names(client, headers, crm["id"], as_of=LONG_AGO.date()) == ["Hetzner"]
    assert _names(client, headers, crm["id"], as_of=_today()) == ["Mailgun"]
    assert _names(client, headers, crm["id"]) == ["Mailgun"]
    assert _names(client, headers, crm["id"], as_of=LONG_AGO.date() - timedelta(days=1)) == []


def test_exclusion_applies_from_its_date_on(client, headers, make_client, registry_):
    crm = make_client(services=["crm"])
    _backdate_client(crm["id"])
    hetzner = registry_["Hetzner"]
    _backdate(hetzner["id"])
    _backdate(registry_["Mailgun"]["id"])
    record = services.get_client(crm["id"])
    starts = datetime.combine(_today() + timedelta(days=3), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    services.exclude_subprocessor(record, hetzner["id"], reason="Objected to change 7", actor=LEGAL, starts_at=starts)
    db.session.commit()
    assert _names(client, headers, crm["id"], as_of=_today() - timedelta(days=1)) == ["Hetzner", "Mailgun"]
    assert _names(client, headers, crm["id"]) == ["Hetzner", "Mailgun"]
    assert _names(client, headers, crm["id"], as_of=_today() + timedelta(days=2)) == ["Hetzner", "Mailgun"]
    # from the day it starts (whatever the hour) and after
    assert _names(client, headers, crm["id"], as_of=_today() + timedelta(days=3)) == ["Mailgun"]
    assert _names(client, headers, crm["id"], as_of=_today() + timedelta(days=30)) == ["Mailgun"]
    # only for this client
    other = make_client(name="Other", services=["crm"])
    _backdate_client(other["id"])
    assert _names(client, headers, other["id"], as_of=_today() + timedelta(days=3)) == ["Hetzner", "Mailgun"]


def test_exclusion_starting_now_applies_today(client, headers, make_client, registry_):
    crm = make_client(services=["crm"])
    services.exclude_subprocessor(
        services.get_client(crm["id"]), registry_["Mailgun"]["id"], reason="Objection upheld", actor=LEGAL
    )
    db.session.commit()
    assert _names(client, headers, crm["id"]) == ["Hetzner"]
    assert _names(client, headers, crm["id"], as_of=_today()) == ["Hetzner"]
    assert services.applicable_subprocessors(services.get_client(crm["id"]))[0]["name"] == "Hetzner"


def test_exclusions_show_on_the_client(client, headers, make_client, registry_):
    crm = make_client(services=["crm"])
    record = services.get_client(crm["id"])
    exclusion = services.exclude_subprocessor(
        record, registry_["Hetzner"]["id"], reason='Clientul a formulat obiecții: "prea departe"', actor=LEGAL
    )
    db.session.commit()
    read = client.get(f"/api/v1/clients/{crm['id']}", headers=headers("viewer")).json
    assert read["exclusions"] == [
        {
            "subprocessor": {"id": registry_["Hetzner"]["id"], "name": "Hetzner"},
            "reason": 'Clientul a formulat obiecții: "prea departe"',
            "starts_at": exclusion.starts_at.isoformat(),
        }
    ]


def test_exclusion_is_idempotent_and_audited(app, make_client, registry_):
    record = services.get_client(make_client()["id"])
    first = services.exclude_subprocessor(record, registry_["Hetzner"]["id"], reason="objection", actor=LEGAL)
    again = services.exclude_subprocessor(record, registry_["Hetzner"]["id"], reason="other words", actor=LEGAL)
    db.session.commit()
    assert again.id == first.id
    assert again.reason == "objection"
    assert len(record.exclusions) == 1
    assert first.actor == "legal@example.test"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "client.subprocessor_excluded")).all()
    assert len(events) == 1
    assert events[0].entity_type == "client"
    assert events[0].entity_id == str(record.id)
    assert events[0].after["subprocessor"] == "Hetzner"
    assert events[0].after["reason"] == "objection"
    assert events[0].actor == "legal@example.test"


def test_excluding_an_unknown_subprocessor_is_not_found(app, make_client):
    record = services.get_client(make_client()["id"])
    with pytest.raises(NotFound):
        services.exclude_subprocessor(record, 987654, reason="x", actor=LEGAL)


def test_get_client_raises_not_found(app):
    with pytest.raises(NotFound):
        services.get_client(987654)


def test_clients_using_lists_active_clients_of_any_service(make_client):
    alfa = make_client(name="Alfa", services=["crm"])
    beta = make_client(name="Beta", services=["sms", "livestream"])
    make_client(name="Inactive", services=["crm", "sms"], status="inactive")
    make_client(name="None", services=[])
    assert [c.id for c in services.clients_using(["crm"])] == [alfa["id"]]
    assert [c.id for c in services.clients_using(["crm", "sms"])] == [alfa["id"], beta["id"]]
    assert [c.id for c in services.clients_using({"livestream"})] == [beta["id"]]
    assert services.clients_using([]) == []
    assert services.clients_using(["unknown"]) == []


def test_applicable_list_for_unknown_client_is_404(client, headers):
    assert client.get("/api/v1/clients/987654/subprocessors", headers=headers()).status_code == 404


def test_bad_as_of_is_422(client, headers, make_client):
    crm = make_client()
    response = client.get(
        f"/api/v1/clients/{crm['id']}/subprocessors", query_string={"as_of": "31.12.2025"}, headers=headers()
    )
    assert response.status_code == 422
    assert "as_of" in response.json["errors"]["query"]
