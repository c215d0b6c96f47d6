"""A sub-processor announced to clients is identified (a contact person, a full address), and a change does not
take effect before its Art. 28(4) contract is recorded: `transfers check` names it, the legal team is alerted."""

import pytest

from registry.audit.services import Actor
from registry.changes import services as changes
from registry.changes.models import Change, ChangeStatus
from registry.errors import Invalid
from registry.extensions import db
from tests.changes.conftest import EFFECTIVE, LEGAL_EMAIL, apply_due, notices

NO_CONTACT = {"name": None, "position": None, "email": None, "phone": None}


def _patch_sp(client, headers, subprocessor_id, changes):
    path = f"/api/v1/subprocessors/{subprocessor_id}"
    etag = client.get(path, headers=headers("viewer")).headers["ETag"]
    response = client.patch(path, json=changes, headers=headers("legal", If_Match=etag))
    assert response.status_code == 200, response.json
    return response.json


def test_an_addition_without_a_contact_person_or_a_full_address_is_refused_with_the_fields_named(
    client, headers, make_subprocessor, make_client, make_change, post_announce
):
    make_client("Alfa")
    bare = make_subprocessor("Bare Mail", contact=NO_CONTACT, address="Paris")
    change = make_change(bare["id"])
    refused = post_announce(change["id"])
    assert refused.status_code == 422, refused.json
    errors = refused.json["errors"]["json"]
    assert set(errors) == {"contact", "address"} and set(errors["contact"]) == {"name", "email"}
    assert (
        "'Bare Mail' cannot be announced to clients without contact.name, contact.email, address"
        in (refused.json["message"])
    )
    assert db.session.get(Change, change["id"]).status == ChangeStatus.DRAFT
    db.session.rollback()
    _patch_sp(client, headers, bare["id"], {"contact": {"name": "Marie Dupont", "phone": "+33 1 23 45 67 89"}})
    city_only = post_announce(change["id"])
    assert city_only.status_code == 422 and set(city_only.json["errors"]["json"]) == {"address"}
    db.session.rollback()
    _patch_sp(client, headers, bare["id"], {"address": "București, România"})  # two parts, but no street or postcode
    assert post_announce(change["id"]).status_code == 422
    db.session.rollback()
    _patch_sp(client, headers, bare["id"], {"address": "12 rue de la Paix, 75002 Paris"})
    assert post_announce(change["id"]).status_code == 200


def test_an_update_is_checked_as_it_will_be(client, headers, world, make_subprocessor, make_client, post_announce):
    make_client("Alfa")
    active = make_subprocessor("Old Host", status="active", contact=NO_CONTACT)
    change = world.change(active["id"], kind="update", proposed={"purpose": "Hosting and backups"})
    refused = post_announce(change["id"])
    assert refused.status_code == 422 and "contact" in refused.json["errors"]["json"]


def test_a_change_waits_for_the_contract_and_takes_effect_once_it_is_recorded(
    client, headers, runner, legal_email, make_subprocessor, make_client, make_change, announce
):
    make_client("Alfa")
    newcomer = make_subprocessor("Newcomer", dpa_reference=None, dpa_date=None)
    change = make_change(newcomer["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])  # announcing does not need the contract yet: the notice period is for negotiating it

    checked = runner.invoke(args=["transfers", "check"])
    assert checked.exit_code == 1
    assert (
        f"Newcomer (id {newcomer['id']}, proposed): no Art. 28(4) contract recorded (dpa_reference and dpa_date); "
        "a change bringing it in waits for it"
    ) in checked.output

    assert "0 change(s) took effect" in apply_due(runner, EFFECTIVE)
    assert db.session.get(Change, change["id"]).status == ChangeStatus.ANNOUNCED
    alerts = notices(template="change.apply_failed", recipient=LEGAL_EMAIL)
    assert len(alerts) == 1 and "no Art. 28(4) contract recorded (dpa_reference, dpa_date)" in str(alerts[0].payload)

    _patch_sp(client, headers, newcomer["id"], {"dpa_reference": "DPA Newcomer 2027/4", "dpa_date": "2026-12-01"})
    assert runner.invoke(args=["transfers", "check"]).exit_code == 0
    assert "1 change(s) took effect" in apply_due(runner, EFFECTIVE)
    assert db.session.get(Change, change["id"]).status == ChangeStatus.EFFECTIVE


def test_taking_effect_by_hand_names_the_missing_contract(
    client, headers, make_subprocessor, make_client, make_change, announce
):
    make_client("Alfa")
    newcomer = make_subprocessor("Newcomer", dpa_reference="DPA 7", dpa_date=None)
    change = make_change(newcomer["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    with pytest.raises(Invalid) as refused:
        changes.take_effect(db.session.get(Change, change["id"]), actor=Actor("legal@test"), today=EFFECTIVE)
    assert refused.value.errors == {
        "dpa_date": ["Record the Art. 28(4) contract with the sub-processor (its reference and date)."]
    }


def test_transfers_check_names_the_entries_a_client_annex_would_show_incomplete(runner, make_subprocessor):
    make_subprocessor("Complete", status="active")
    bare = make_subprocessor("Bare", status="active", contact=NO_CONTACT, address="București, România")
    result = runner.invoke(args=["transfers", "check"])
    assert result.exit_code == 1
    assert (
        f"Bare (id {bare['id']}, active): its Annex III entry lacks contact.name, contact.email, address; a change to "
        "it cannot be announced until it is complete"
    ) in result.output
    assert "Complete (id" not in result.output


def test_an_update_that_makes_it_a_subprocessor_of_client_data_must_identify_it(
    world, make_subprocessor, make_client, post_announce
):
    make_client("Alfa")
    tool = make_subprocessor("Ads Tool", status="active", processes_client_data=False, contact=NO_CONTACT)
    change = world.change(tool["id"], kind="update", proposed={"processes_client_data": True})
    refused = post_announce(change["id"])
    assert refused.status_code == 422 and "contact" in refused.json["errors"]["json"]


def test_an_update_of_a_subprocessor_without_a_recorded_contract_still_takes_effect(
    world, runner, make_subprocessor, make_client
):
    make_client("Alfa")
    old = make_subprocessor("Old Host", status="active", dpa_reference=None, dpa_date=None)
    change = world.change(
        old["id"], kind="update", proposed={"purpose": "Hosting and backups"}, effective_on=EFFECTIVE.isoformat()
    )
    world.announce(change["id"])
    assert "1 change(s) took effect" in apply_due(runner, EFFECTIVE)  # `transfers check` lists the contract


def test_the_chain_is_checked_before_clients_are_told(world, make_subprocessor, make_client, post_announce):
    make_client("Alfa")
    one = make_subprocessor("One", status="active")
    two = make_subprocessor("Two", status="active", parent_id=one["id"])
    three = make_subprocessor("Three", status="active", parent_id=two["id"])
    loner = make_subprocessor("Loner", status="active")
    deeper = world.change(loner["id"], kind="update", proposed={"parent_id": three["id"]})
    refused = post_announce(deeper["id"])
    assert refused.status_code == 422 and "at most 3 levels" in refused.json["message"]
    assert "parent_id" in refused.json["errors"]["json"]["proposed"]
    db.session.rollback()
    removal = world.change(one["id"], kind="remove")
    refused = post_announce(removal["id"])
    assert refused.status_code == 422
    assert refused.json["message"] == "'One' still engages Two: announce their removal first."
