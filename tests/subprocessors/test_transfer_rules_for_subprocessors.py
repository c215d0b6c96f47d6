"""What a sub-processor's location needs beyond the general transfer rules (it is always a processor-to-processor
transfer, made as a matter of course): SCCs of module 2 or 3, no Art. 49 derogation, and a transfer impact assessment
(reference and date, done by today) for SCCs and BCRs. Through the API, the import, announcing a change and
`transfers check`; locations stored before these rules do not block unrelated edits."""

import json

import pytest
from sqlalchemy import select, update

from registry.changes.models import Change
from registry.extensions import db
from registry.subprocessors.models import Location, SubProcessor

URL = "/api/v1/subprocessors"
TIA = {"tia_reference": "TIA-2026-003", "tia_date": "2026-02-20"}


def post(client, headers, data):
    return client.post(URL, json=data, headers=headers("legal"))


def errors_of(response):
    assert response.status_code == 422, response.json
    return response.json["errors"]["json"]


def us(mechanism="scc", detail="module 3", **fields):
    """A US support location (the sub-processor is not DPF-certified: it needs a safeguard)."""
    return {"country": "US", "role": "support", "mechanism": mechanism, "mechanism_detail": detail, **TIA, **fields}


# -- SCC modules ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("detail", ["module 1", "Module 4", "1", "modulul 4", "module 1, module 3"])
def test_scc_of_a_module_that_does_not_fit_is_refused_naming_mechanism_detail(client, headers, body, catalog, detail):
    response = post(client, headers, body(locations=[us(detail=detail)]))
    errors = errors_of(response)
    assert list(errors) == ["locations"]
    assert list(errors["locations"]["0"]) == ["mechanism_detail"]
    message = errors["locations"]["0"]["mechanism_detail"][0]
    assert message.startswith("US (United States): module ")
    assert "does not fit" in message
    assert "module 3 (processor to processor), or module 2 where the client signs them directly" in message
    assert "give 'module 2' or 'module 3'" in message
    assert "locations.0.mechanism_detail: US (United States)" in response.json["message"]


def test_scc_without_a_module_asks_for_module_2_or_3(client, headers, body, catalog):
    errors = errors_of(post(client, headers, body(locations=[us(detail=None)])))
    message = errors["locations"]["0"]["mechanism_detail"][0]
    assert "does not fit" not in message
    assert "give 'module 2' or 'module 3'" in message


@pytest.mark.parametrize("detail", ["module 2", "Module 3", "3", "modulul 2", "module 2, module 3"])
def test_scc_of_module_2_or_3_with_an_assessment_is_created(client, headers, body, catalog, detail):
    response = post(client, headers, body(locations=[us(detail=detail)]))
    assert response.status_code == 201, response.json
    location = response.json["locations"][0]
    assert (location["mechanism_detail"], location["tia_reference"], location["tia_date"]) == (
        detail,
        "TIA-2026-003",
        "2026-02-20",
    )


# -- derogations ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("detail", ["Art. 49(1)(b)", "(a)", None])
def test_a_derogation_is_refused_naming_mechanism(client, headers, body, catalog, detail):
    location = {"country": "IN", "role": "support", "mechanism": "derogation", "mechanism_detail": detail}
    errors = errors_of(post(client, headers, body(locations=[location])))
    assert errors["locations"] == {
        "0": {
            "mechanism": [
                "IN (India): Art. 49 derogations cover occasional transfers, not a sub-processor's regular "
                "processing: use scc or bcr"
            ]
        }
    }


def test_the_derogation_refusal_offers_what_the_country_can_use(client, headers, body, catalog):
    data = body(dpf_certified=True, locations=[us("derogation", "Art. 49(1)(b)")])
    message = errors_of(post(client, headers, data))["locations"]["0"]["mechanism"][0]
    assert message.endswith("use dpf, scc or bcr")
    data = body(locations=[{"country": "JP", "role": "support", "mechanism": "derogation"}])
    message = errors_of(post(client, headers, data))["locations"]["0"]["mechanism"][0]
    assert message.endswith("use adequacy, scc or bcr")


def test_messages_about_a_missing_safeguard_do_not_offer_a_derogation(client, headers, body, catalog):
    message = errors_of(post(client, headers, body(locations=[{"country": "IN", "role": "support"}])))["locations"]
    assert message["0"]["mechanism"] == ["IN (India): requires a transfer mechanism: scc or bcr"]
    data = body(locations=[{"country": "IN", "role": "support", "mechanism": "eea"}])
    message = errors_of(post(client, headers, data))["locations"]["0"]["mechanism"][0]
    assert message == "IN (India): eea is only for EEA countries; use scc or bcr"


# -- transfer impact assessments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mechanism", "detail"), [("scc", "module 3"), ("scc", "module 2"), ("bcr", None), ("bcr", "Group BCR-P")]
)
@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"tia_reference": None}, ["tia_reference"]),
        ({"tia_reference": "  "}, ["tia_reference"]),
        ({"tia_date": None}, ["tia_date"]),
        ({"tia_reference": None, "tia_date": None}, ["tia_date", "tia_reference"]),
    ],
)
def test_scc_and_bcr_need_the_assessment_reference_and_date(
    client, headers, body, catalog, mechanism, detail, given, missing
):
    response = post(client, headers, body(locations=[us(mechanism, detail, **given)]))
    errors = errors_of(response)["locations"]["0"]
    assert sorted(errors) == missing
    for name in missing:
        assert errors[name][0].startswith(
            "US (United States): transfers under SCCs or BCRs need a transfer impact assessment: give "
        )
        assert f"locations.0.{name}: " in response.json["message"]


def test_omitted_assessment_fields_are_missing_too(client, headers, body, catalog):
    location = {"country": "US", "role": "support", "mechanism": "bcr"}
    errors = errors_of(post(client, headers, body(locations=[location])))["locations"]["0"]
    assert errors == {
        "tia_reference": [
            "US (United States): transfers under SCCs or BCRs need a transfer impact assessment: "
            "give its reference (and its date)"
        ],
        "tia_date": [
            "US (United States): transfers under SCCs or BCRs need a transfer impact assessment: "
            "give the date it was done (and its reference)"
        ],
    }


@pytest.mark.parametrize("mechanism", ["scc", "bcr"])
def test_an_assessment_dated_after_today_is_refused(client, headers, body, catalog, mechanism):
    # the clock says 2026-11-20
    errors = errors_of(post(client, headers, body(locations=[us(mechanism, tia_date="2026-11-21")])))
    assert errors["locations"]["0"] == {
        "tia_date": [
            "US (United States): the transfer impact assessment is dated 2026-11-21, after 2026-11-20: an assessment "
            "not yet done does not cover the transfer; give the date it was done"
        ]
    }
    response = post(client, headers, body(locations=[us(mechanism, tia_date="2026-11-20")]))
    assert response.status_code == 201, response.json


def test_eea_adequacy_and_dpf_locations_need_no_assessment(client, headers, body, catalog):
    data = body(
        dpf_certified=True,
        locations=[
            {"country": "DE", "role": "storage"},
            {"country": "FR", "role": "backup", "mechanism": "eea"},
            {"country": "CH", "role": "support", "mechanism": "adequacy"},
            {"country": "JP", "role": "support"},
            {"country": "US", "role": "processing", "mechanism": "dpf"},
            {"country": "US", "role": "support"},
        ],
    )
    response = post(client, headers, data)
    assert response.status_code == 201, response.json
    assert [location["mechanism"] for location in response.json["locations"]] == [
        "eea",
        "eea",
        "adequacy",
        "adequacy",
        "dpf",
        "dpf",
    ]
    assert {location["tia_reference"] for location in response.json["locations"]} == {None}


def test_a_retired_subprocessor_only_needs_a_mechanism(client, headers, body, catalog):
    data = body(
        status="retired",
        locations=[us(detail="module 1", tia_reference=None, tia_date=None), us("derogation", "Art. 49(1)(b)")],
    )
    assert post(client, headers, data).status_code == 201


# -- through a PATCH: locations stored before the rules -----------------------------------------------------------


def _strip_assessments(subprocessor_id, **values):
    """Make the stored locations what they were before the sub-processor rules (no check runs)."""
    db.session.execute(
        update(Location)
        .where(Location.subprocessor_id == subprocessor_id, Location.country != "DE")
        .values({"tia_reference": None, "tia_date": None, **values})
    )
    db.session.commit()
    db.session.expire_all()


def test_a_location_stored_without_an_assessment_does_not_block_unrelated_edits(create, patch):
    created = create()  # AWS: DE (eea) and US (scc module 3)
    _strip_assessments(created["id"])
    response = patch(created["id"], {"legal_name": "AWS EMEA SARL", "address": "Luxembourg"})
    assert response.status_code == 200, response.json
    assert response.json["locations"][1]["tia_reference"] is None
    # the proposal's locations sent again as they are, with one more: only the new one needs the new rules
    kept = response.json["locations"]
    response = patch(created["id"], {"locations": [*kept, us(detail="module 1")]})
    assert list(response.json["errors"]["json"]["locations"]) == ["2"]
    response = patch(created["id"], {"locations": [*kept, {"country": "IE", "role": "backup"}]})
    assert response.status_code == 200, response.json


def test_a_changed_location_must_pass_the_new_rules(create, patch):
    created = create()
    _strip_assessments(created["id"])
    location = {**created["locations"][1], "tia_reference": None, "tia_date": None, "label": "Support, Seattle"}
    response = patch(created["id"], {"locations": [created["locations"][0], location]})
    assert response.status_code == 422
    assert sorted(response.json["errors"]["json"]["locations"]["1"]) == ["tia_date", "tia_reference"]


def test_a_stored_derogation_does_not_block_unrelated_edits_but_is_not_accepted_anew(create, patch):
    created = create()
    _strip_assessments(created["id"], mechanism="derogation", mechanism_detail="Art. 49(1)(b)", country="IN")
    assert patch(created["id"], {"purpose": "Backups only"}).status_code == 200
    stored = patch(created["id"], {"website": "https://aws.example/"}).json["locations"]
    assert stored[1]["mechanism"] == "derogation"
    moved = {**stored[1], "country": "BR"}
    response = patch(created["id"], {"locations": [stored[0], moved]})
    assert "occasional transfers" in response.json["errors"]["json"]["locations"]["1"]["mechanism"][0]


def test_a_change_taking_effect_is_not_checked_again_against_the_new_rules(create, apply_change):
    """Its announcement checked them: a change announced before the rules still takes effect."""
    created = create(status="active")
    state = apply_change(created["id"], {"locations": [us(detail="module 1", tia_reference=None, tia_date=None)]})
    assert state["locations"][0]["mechanism_detail"] == "module 1"


# -- through the import -----------------------------------------------------------------------------------------


def _import(runner, tmp_path, rows):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return runner.invoke(args=["subprocessors", "import", str(path)])


def test_the_import_refuses_each_row_naming_the_field(runner, body, catalog, tmp_path):
    rows = [
        body(name="Fine", locations=[us()]),
        body(name="Module 1", locations=[us(detail="module 1")]),
        body(name="Derogation", locations=[us("derogation", "Art. 49(1)(b)")]),
        body(name="No TIA", locations=[us("bcr", None, tia_reference=None, tia_date=None)]),
        body(name="Future TIA", locations=[us(tia_date="2027-01-01")]),
    ]
    result = _import(runner, tmp_path, rows)
    assert result.exit_code == 1, result.output
    assert "row 1" not in result.output
    assert "row 2: locations.0.mechanism_detail: US (United States): module 1 does not fit" in result.output
    assert "row 3: locations.0.mechanism: US (United States): Art. 49 derogations cover occasional" in result.output
    assert "row 4: locations.0.tia_reference: US (United States): transfers under SCCs or BCRs" in result.output
    assert "row 4: locations.0.tia_date: US (United States): transfers under SCCs or BCRs" in result.output
    assert "row 5: locations.0.tia_date: US (United States): the transfer impact assessment is dated" in result.output
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(SubProcessor.id)) is None


def test_the_import_keeps_a_stored_location_without_an_assessment(runner, create, body, tmp_path):
    created = create(status="active")
    _strip_assessments(created["id"])
    export = runner.invoke(args=["subprocessors", "export"])
    assert export.exit_code == 0, export.output
    rows = json.loads(export.stdout)
    rows[0]["legal_name"] = "AWS EMEA SARL"
    result = _import(runner, tmp_path, rows)
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output


# -- announcing a change ----------------------------------------------------------------------------------------


def test_announcing_an_update_that_proposes_a_derogation_is_refused(world, create, headers):
    created = create(status="active")
    proposed = {"locations": [created["locations"][0], us("derogation", "Art. 49(1)(b)")]}
    change = world.change(created["id"], kind="update", proposed=proposed)
    response = world.post_announce(change["id"])
    assert response.status_code == 422, response.json
    (problem,) = response.json["errors"]["json"]["locations"]
    assert problem.startswith("location 2 (US): US (United States): Art. 49 derogations cover occasional transfers")
    assert db.session.get(Change, change["id"]).status == "draft"


def test_announcing_needs_the_assessment_done_by_today_not_by_the_effective_date(world, create):
    created = create(status="active")
    proposed = {"locations": [created["locations"][0], us(tia_date="2026-11-21")]}  # the clock says 2026-11-20
    change = world.change(created["id"], kind="update", proposed=proposed)
    assert change["effective_on"] > "2026-11-21"
    response = world.post_announce(change["id"])
    assert response.status_code == 422, response.json
    (problem,) = response.json["errors"]["json"]["locations"]
    assert "the transfer impact assessment is dated 2026-11-21, after 2026-11-20" in problem


def test_announcing_an_update_of_a_subprocessor_without_an_assessment_is_refused(world, create):
    """What the change makes the sub-processor must pass the rules: the update can add the missing assessment."""
    created = create(status="active")
    _strip_assessments(created["id"])
    change = world.change(created["id"], kind="update", proposed={"purpose": "Backups only"})
    response = world.post_announce(change["id"])
    assert response.status_code == 422, response.json
    assert all("transfer impact assessment" in problem for problem in response.json["errors"]["json"]["locations"])
    db.session.rollback()  # as the failed request's end does outside tests: the hold goes too
    fixed = world.change(
        created["id"],
        kind="update",
        proposed={"purpose": "Backups only", "locations": [created["locations"][0], us()]},
    )
    response = world.post_announce(fixed["id"])
    assert response.status_code == 200, response.json


# -- transfers check --------------------------------------------------------------------------------------------


def test_transfers_check_lists_stored_locations_that_miss_the_new_rules(runner, create):
    fine = create(name="Fine", status="active")
    no_tia = create(name="No TIA", status="active")
    _strip_assessments(no_tia["id"])
    old_module = create(name="Module 1", status="active")
    _strip_assessments(old_module["id"], mechanism_detail="module 1", tia_reference="TIA-1", tia_date=None)
    derogation = create(name="Derogation", status="proposed")
    _strip_assessments(derogation["id"], mechanism="derogation", mechanism_detail="Art. 49(1)(b)")
    result = runner.invoke(args=["transfers", "check"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert not any(line.startswith("Fine ") for line in lines), fine
    by_name = {line.split(" (id ")[0]: line for line in lines}
    assert (
        "US, support, scc (module 3): US (United States): transfers under SCCs or BCRs need a transfer"
        in (by_name["No TIA"])
    )
    assert "give its reference" in by_name["No TIA"] and "give the date it was done" in by_name["No TIA"]
    assert "module 1 does not fit" in by_name["Module 1"] and "give the date it was done" in by_name["Module 1"]
    assert "Art. 49 derogations cover occasional transfers" in by_name["Derogation"]
    assert "3 location(s) without a valid transfer basis on 2026-11-20" in result.stderr


def test_an_assessment_is_recorded_on_an_active_subprocessor_without_an_announced_change(create, patch):
    """The assessment documents a transfer clients were already told of: adding it is paperwork, not a change."""
    created = create(status="active")
    _strip_assessments(created["id"])
    stored = patch(created["id"], {"legal_name": "AWS EMEA SARL"}).json["locations"]
    assessed = {**stored[1], **TIA}
    response = patch(created["id"], {"locations": [stored[0], assessed]})
    assert response.status_code == 200, response.json
    assert response.json["locations"][1]["tia_reference"] == TIA["tia_reference"]
    # ...but what clients are told of the location still changes only through an announced change
    moved = {**assessed, "label": "Support, Seattle"}
    refused = patch(created["id"], {"locations": [stored[0], moved]})
    assert refused.status_code == 409, refused.json
    assert "locations" in refused.json["errors"]
