"""What clients were told of a sub-processor changes only through a change: PATCH and import refuse it (409)."""

import json

import pytest
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.audit.services import Actor
from registry.errors import Conflict
from registry.extensions import db
from registry.subprocessors import services
from registry.subprocessors.models import SubProcessor, SubProcessorVersion

URL = "/api/v1/subprocessors"
LEGAL = Actor("legal@example.test")

NEW_VALUES = {
    "status": "retired",
    "services": ["livestream"],
    "locations": [
        {
            "country": "CN",
            "label": "Shanghai",
            "role": "support",
            "mechanism": "scc",
            "mechanism_detail": "3",
            "tia_reference": "TIA-2024-012",
            "tia_date": "2024-11-15",
        }
    ],
    "purpose": "Marketing analytics",
    "category": "analytics",
    "data_categories": ["health data"],
    "data_subjects": ["patients"],
    "dpf_certified": True,
    "processes_client_data": False,
    "parent_id": 999999,
}
FREE_VALUES = {
    "name": "Amazon Web Services",
    "legal_name": "AWS EMEA SARL",
    "registration_id": "B186284",
    "country": "IE",
    "address": "Dublin",
    "website": "https://aws.example/",
    "contact": {"name": "Jane Doe", "position": "DPO", "email": "dpo@aws.example", "phone": "+353 1"},
    "certifications": ["ISO 27001"],
    "dpa_reference": "AWS-DPA-2026",
    "dpf_recheck_on": "2027-06-30",
    "dpa_date": "2026-01-31",
}


def _versions(subprocessor_id):
    stmt = select(SubProcessorVersion.version).where(SubProcessorVersion.subprocessor_id == subprocessor_id)
    return sorted(db.session.scalars(stmt))


def test_the_notice_fields_are_the_ones_tested_here():
    assert set(NEW_VALUES) == services.NOTICE_FIELDS
    assert not set(FREE_VALUES) & services.NOTICE_FIELDS


@pytest.mark.parametrize("field", sorted(NEW_VALUES))
def test_an_active_subprocessor_refuses_each_notice_field_naming_it(client, headers, create, patch, field):
    created = create(status="active")
    response = patch(created["id"], {field: NEW_VALUES[field]})
    assert response.status_code == 409, response.json
    assert f"its {field} change" in response.json["message"]
    assert "Announce an update (or remove) change" in response.json["message"]
    assert list(response.json["errors"]) == [field]
    assert client.get(f"{URL}/{created['id']}", headers=headers("viewer")).json == created
    assert _versions(created["id"]) == [1]


def test_the_409_names_every_notice_field_sent(create, patch):
    created = create(status="active")
    response = patch(created["id"], {"purpose": "x", "locations": NEW_VALUES["locations"], "legal_name": "Y"})
    assert response.status_code == 409
    assert (
        "'AWS' is active: its clients must be told before its locations, purpose change." in (response.json["message"])
    )
    assert sorted(response.json["errors"]) == ["locations", "purpose"]


def test_identity_and_paperwork_stay_editable_with_history(client, headers, create, patch):
    created = create(status="active")
    response = patch(created["id"], FREE_VALUES)
    assert response.status_code == 200, response.json
    assert response.json["version"] == 2
    assert {name: response.json[name] for name in FREE_VALUES} == FREE_VALUES
    [entry, _] = client.get(f"{URL}/{created['id']}/history", headers=headers("viewer")).json
    assert entry["actor"] == "legal@example.test"
    assert entry["state"]["legal_name"] == "AWS EMEA SARL"


def test_sending_the_stored_notice_values_again_is_not_a_change(create, patch):
    created = create(status="active", locations=[{"country": "DE", "label": "EU (Frankfurt)", "role": "storage"}])
    assert created["locations"][0]["mechanism"] == "eea"  # derived
    same = [{"country": "DE", "label": "EU (Frankfurt)", "role": "storage"}]  # mechanism left to the rules again
    response = patch(created["id"], {"locations": same, "purpose": created["purpose"], "status": "active"})
    assert response.status_code == 200, response.json
    assert response.json["version"] == 1


def test_a_proposal_is_edited_freely_and_may_be_dropped(create, patch):
    created = create()
    edited = patch(created["id"], {"locations": NEW_VALUES["locations"], "purpose": "Support from Shanghai"})
    assert edited.status_code == 200, edited.json
    dropped = patch(created["id"], {"status": "retired"})
    assert dropped.status_code == 200, dropped.json
    assert dropped.json["status"] == "retired"


def test_a_proposal_becomes_active_only_through_a_change(client, headers, create, patch):
    created = create()
    response = patch(created["id"], {"status": "active", "purpose": "Backups"})
    assert response.status_code == 409
    assert "announce an add (or replace) change" in response.json["message"]
    assert list(response.json["errors"]) == ["status"]
    assert client.get(f"{URL}/{created['id']}", headers=headers("viewer")).json["status"] == "proposed"


def test_a_retired_subprocessor_keeps_what_its_clients_were_told(create, apply_change, patch):
    created = create(status="active")
    apply_change(created["id"], {"status": "retired"})
    response = patch(created["id"], {"purpose": "Something else"})
    assert response.status_code == 409
    assert "retired" in response.json["message"]
    assert patch(created["id"], {"legal_name": "Old AWS"}).status_code == 200


def test_a_change_taking_effect_changes_notice_fields_and_says_so(client, headers, create, apply_change):
    created = create(status="active")
    state = apply_change(created["id"], {"locations": NEW_VALUES["locations"]}, change_id=12)
    assert [loc["country"] for loc in state["locations"]] == ["CN"]
    [entry, _] = client.get(f"{URL}/{created['id']}/history", headers=headers("viewer")).json
    assert entry["actor"] == "legal@example.test (change 12)"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "subprocessor.change_applied")).one()
    assert (event.actor, event.entity_id) == ("legal@example.test (change 12)", str(created["id"]))
    assert [loc["country"] for loc in event.after["locations"]] == ["CN"]


# -- held by an announced change ---------------------------------------------------------------------------------


@pytest.fixture
def held(create):
    """A proposal that announced change 7 holds."""
    created = create()
    services.hold_for_change(services.get_subprocessor(created["id"]), 7, actor=LEGAL)
    db.session.commit()
    return created


def test_a_held_proposal_refuses_its_notice_fields_naming_the_change(client, headers, held, patch):
    response = patch(held["id"], {"locations": NEW_VALUES["locations"]})
    assert response.status_code == 409
    assert "announced in change 7; withdraw it to change what was announced (locations)" in response.json["message"]
    assert response.json["errors"] == {
        "locations": ["Announced in change 7: withdraw it to change what was announced."]
    }
    assert patch(held["id"], {"status": "retired"}).status_code == 409  # not dropped while announced
    assert patch(held["id"], {"legal_name": "Renamed SARL"}).status_code == 200
    assert client.get(f"{URL}/{held['id']}", headers=headers("viewer")).json["locations"] == held["locations"]


def test_only_the_holding_change_applies_and_a_second_hold_is_refused(held, apply_change):
    with pytest.raises(Conflict, match="announced in change 7"):
        apply_change(held["id"], {"status": "active"}, change_id=8)
    db.session.rollback()
    with pytest.raises(Conflict, match="already under announced change 7"):
        services.hold_for_change(services.get_subprocessor(held["id"]), 8, actor=LEGAL)
    db.session.rollback()
    assert apply_change(held["id"], {"status": "active"}, change_id=7)["status"] == "active"


def test_a_released_proposal_is_free_again_and_both_steps_are_audited(held, patch):
    services.release_from_change(services.get_subprocessor(held["id"]), 7, actor=LEGAL)
    services.release_from_change(services.get_subprocessor(held["id"]), 7, actor=LEGAL)  # nothing to release
    db.session.commit()
    assert db.session.get(SubProcessor, held["id"]).announced_change_id is None
    assert patch(held["id"], {"locations": NEW_VALUES["locations"]}).status_code == 200
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("subprocessor.%_change")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.before, e.after) for e in events] == [
        ("subprocessor.held_for_change", {"announced_change_id": None}, {"announced_change_id": 7}),
        ("subprocessor.released_from_change", {"announced_change_id": 7}, {"announced_change_id": None}),
    ]


# -- import -------------------------------------------------------------------------------------------------------


def test_import_refuses_notice_changes_of_existing_entries_and_imports_nothing(runner, create, tmp_path):
    active = create(name="Active Co", status="active")
    proposal = create(name="Proposal Co")
    rows = json.loads(runner.invoke(args=["subprocessors", "export"]).stdout)
    by_name = {row["name"]: row for row in rows}
    by_name["Active Co"]["purpose"] = "Something new"
    by_name["Active Co"]["legal_name"] = "Active Company SARL"  # free on its own, but nothing is imported
    by_name["Proposal Co"]["status"] = "active"
    path = tmp_path / "registry.json"
    path.write_text(json.dumps([*by_name.values(), {**by_name["Active Co"], "name": "New Co"}]), "utf-8")

    result = runner.invoke(args=["subprocessors", "import", str(path)])
    assert result.exit_code == 1
    assert "row 1: purpose: Changes only through an announced update (or remove) change." in result.output
    assert "row 2: status: A proposal becomes active through an announced add (or replace) change." in result.output
    assert "row 3" not in result.output  # creating an entry, active or not, is not a change to announce
    assert "nothing was imported" in result.output
    assert _versions(active["id"]) == [1] and _versions(proposal["id"]) == [1]
    assert db.session.scalar(select(SubProcessor.id).where(SubProcessor.name == "New Co")) is None


def test_import_may_still_edit_proposals_and_free_fields(runner, create, tmp_path):
    create(name="Active Co", status="active")
    create(name="Proposal Co")
    rows = json.loads(runner.invoke(args=["subprocessors", "export"]).stdout)
    rows[0]["legal_name"] = "Active Company SARL"
    rows[1]["purpose"] = "Support"
    rows[1]["status"] = "retired"
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(rows), "utf-8")
    result = runner.invoke(args=["subprocessors", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 created, 2 updated, 0 unchanged" in result.output


def test_import_refuses_notice_changes_of_a_held_entry(runner, held, tmp_path):
    rows = json.loads(runner.invoke(args=["subprocessors", "export"]).stdout)
    rows[0]["purpose"] = "Changed after the announcement"
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(rows), "utf-8")
    result = runner.invoke(args=["subprocessors", "import", str(path)])
    assert result.exit_code == 1
    assert "row 1: purpose: Announced in change 7: withdraw it to change what was announced." in result.output
