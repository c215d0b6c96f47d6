"""The processor's own tools (its advertising, its staff's devices) process no client data: they are no client's
sub-processors, so they never appear in a client's list, DPA annex or notices; the public page lists them apart."""

from __future__ import annotations

import pytest

from tests.changes.conftest import TODAY, names_on, notices
from tests.dpas.dpa_data import docx_text


@pytest.fixture
def tools(make_subprocessor, make_client):
    alfa = make_client("Alfa", language="en")
    make_subprocessor("Hetzner", status="active")
    ads = make_subprocessor(
        "Meta Ads", status="active", processes_client_data=False, purpose="Retargeting visitors of our website"
    )
    return {"alfa": alfa, "ads": ads}


def test_an_own_tool_is_not_in_a_clients_list_nor_its_dpa(client, headers, tools):
    alfa = tools["alfa"]
    assert tools["ads"]["processes_client_data"] is False
    assert names_on(client, headers, alfa["id"], TODAY) == ["Hetzner"]
    dpa = client.post(f"/api/v1/clients/{alfa['id']}/dpas", json={}, headers=headers("account_manager"))
    assert dpa.status_code == 201, dpa.json
    document = client.get(f"/api/v1/dpas/{dpa.json['id']}/document", headers=headers("viewer")).data
    text = docx_text(document)
    assert "Hetzner" in text
    assert "Meta Ads" not in text


def test_announcing_an_own_tool_tells_no_client(make_subprocessor, make_change, announce, tools):
    pixel = make_subprocessor("LinkedIn Insight", processes_client_data=False)
    change = make_change(pixel["id"])
    announce(change["id"])
    assert [n for n in notices(template="change.announced") if n.client_id is not None] == []


def test_an_active_tool_becomes_a_sub_processor_only_through_an_announced_change(
    client, headers, world, make_change, announce, tools
):
    ads, alfa = tools["ads"], tools["alfa"]
    patched = world.patch(f"/subprocessors/{ads['id']}", {"processes_client_data": True})
    assert patched.status_code == 409
    assert "processes_client_data" in patched.json["message"]
    change = make_change(ads["id"], kind="update", proposed={"processes_client_data": True})
    announce(change["id"])
    [told] = [n for n in notices(template="change.announced") if n.client_id == alfa["id"]]
    assert told.recipient == "dpo@alfa.test"  # every client of its services is asked, as for an addition


def test_the_public_page_lists_own_tools_apart(client, tools):
    page = client.get("/subprocessors?lang=en").text
    own = page.index('<section id="own-tools">')
    assert "Our own tools (not sub-processors)" in page
    assert page.index("Meta Ads") > own  # only in that section
    assert page.index("Hetzner") < own
