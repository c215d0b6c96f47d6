"""Onward sub-processors (EDPB Opinion 22/2024): who engages whom, at most three levels, no loops, the parent's
services; the public page shows the chain."""

import pytest

from registry.subprocessors import chain


def _errors(response):
    assert response.status_code == 422, response.json
    return response.json["errors"]["json"]


def test_an_onward_subprocessor_serves_its_parents_services(world, create, body):
    parent = create(name="AWS EMEA", services=["crm", "livestream"])
    child = create(name="AWS Inc", parent_id=parent["id"], services=[])
    assert child["parent_id"] == parent["id"] and child["services"] == ["crm", "livestream"]
    other = world.client.post(
        "/api/v1/subprocessors",
        json=body(name="Other", parent_id=parent["id"], services=["crm"]),
        headers=world.headers("legal"),
    )
    assert _errors(other) == {"services": ["An onward sub-processor serves its parent's services: crm, livestream."]}


def test_a_chain_has_three_levels_at_most_and_no_loops(world, create, patch, body):
    one = create(name="One")
    two = create(name="Two", parent_id=one["id"])
    three = create(name="Three", parent_id=two["id"])
    four = world.client.post(
        "/api/v1/subprocessors", json=body(name="Four", parent_id=three["id"]), headers=world.headers("legal")
    )
    assert "at most 3 levels" in _errors(four)["parent_id"][0]
    assert "at most 3 levels" in _errors(patch(one["id"], {"parent_id": create(name="Zero")["id"]}))["parent_id"][0]
    assert "already engaged" in _errors(patch(two["id"], {"parent_id": three["id"]}))["parent_id"][0]
    assert _errors(patch(one["id"], {"parent_id": one["id"]})) == {
        "parent_id": ["A sub-processor cannot engage itself."]
    }
    assert _errors(patch(one["id"], {"parent_id": 999999})) == {"parent_id": ["No sub-processor 999999."]}


def test_engaging_an_onward_subprocessor_is_told_to_clients(create, patch):
    parent = create(name="Parent", status="active")
    active = create(name="Active", status="active")
    moved = patch(active["id"], {"parent_id": parent["id"]})
    assert moved.status_code == 409 and list(moved.json["errors"]) == ["parent_id"]


@pytest.mark.parametrize(
    ("lang", "engaged", "onward"),
    [("en", "Engaged by", "Its own sub-processors"), ("ro", "Recrutat de", "Sub-împuterniciții săi")],
)
def test_the_public_page_shows_the_chain(client, create, lang, engaged, onward):
    parent = create(name="Google Workspace", status="active")
    child = create(name="Google LLC", status="active", parent_id=parent["id"])
    page = client.get(f"/subprocessors?lang={lang}").text
    child_entry = page[page.index(f'id="subprocessor-{child["id"]}"') :]
    assert f'<dt>{engaged}</dt><dd><a href="#subprocessor-{parent["id"]}">Google Workspace</a></dd>' in child_entry
    parent_entry = page[page.index(f'id="subprocessor-{parent["id"]}"') :]
    assert f'<dt>{onward}</dt><dd><a href="#subprocessor-{child["id"]}">Google LLC</a></dd>' in parent_entry


def test_a_parent_is_retired_only_after_its_onward_subprocessors(create, patch):
    parent = create(name="Parent")
    child = create(name="Child", parent_id=parent["id"])
    refused = patch(parent["id"], {"status": "retired"})
    assert _errors(refused) == {"status": ["It still engages Child: remove those onward sub-processors first."]}
    assert patch(child["id"], {"status": "retired"}).status_code == 200
    assert patch(parent["id"], {"status": "retired"}).status_code == 200


def test_the_parents_services_follow_to_its_onward_subprocessors(client, headers, create, patch):
    parent = create(name="Parent", services=["crm", "livestream"])
    child = create(name="Child", parent_id=parent["id"], services=[])
    assert patch(parent["id"], {"services": ["livestream"]}).status_code == 200
    assert client.get(f"/api/v1/subprocessors/{child['id']}", headers=headers("viewer")).json["services"] == [
        "livestream"
    ]
    assert patch(child["id"], {"address": "2 Main Street, 1000 Brussels"}).status_code == 200  # unrelated edits pass


def test_a_parent_id_out_of_range_is_a_clear_422(world, body):
    response = world.client.post(
        "/api/v1/subprocessors", json=body(name="Huge", parent_id=2**70), headers=world.headers("legal")
    )
    assert "parent_id" in _errors(response)


def test_every_row_is_listed_once_even_from_a_loop_stored_before_the_checks():
    rows = [{"id": 1, "name": "A", "parent_id": 2}, {"id": 2, "name": "B", "parent_id": 1}, {"id": 3, "name": "C"}]
    ordered = chain.in_chain_order(rows, key=lambda row: row["name"])
    assert sorted(row["name"] for row, _, _ in ordered) == ["A", "B", "C"]
    deep = [{"id": n, "name": f"L{n}", "parent_id": n - 1 if n > 1 else None} for n in range(1, 6)]
    levels = [(row["name"], level) for row, level, _ in chain.in_chain_order(deep, key=lambda row: row["name"])]
    assert levels == [("L1", 1), ("L2", 2), ("L3", 3), ("L4", 1), ("L5", 2)]


def test_the_chain_shows_on_a_filtered_page(client, create):
    parent = create(name="Google Workspace", status="active", locations=[{"country": "IE", "role": "processing"}])
    create(name="Google LLC", status="active", parent_id=parent["id"])
    page = client.get("/subprocessors?lang=en&country=US").text
    assert f'<a href="#subprocessor-{parent["id"]}">Google Workspace</a>' in page  # its parent is filtered out
