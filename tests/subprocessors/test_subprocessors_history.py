from datetime import UTC, date, datetime

from registry.subprocessors import findings, history, services
from registry.subprocessors.models import Status

URL = "/api/v1/subprocessors"


def at(day, hour=10, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def listed(client, headers, query=""):
    response = client.get(f"{URL}?{query}", headers=headers("viewer"))
    assert response.status_code == 200, response.json
    return {item["name"]: item for item in response.json}


# -- history ----------------------------------------------------------------------------------------------------


def test_history_lists_every_saved_state_newest_first(client, headers, create, patch, apply_change, clock):
    clock.set(at(1))
    sid = create()["id"]
    clock.set(at(2))
    assert patch(sid, {"purpose": "Backups"}).status_code == 200  # a proposal is edited freely
    clock.set(at(3))
    apply_change(sid, {"status": "active"}, change_id=41, actor="admin@example.test")  # an add change takes effect
    clock.set(at(4))
    apply_change(sid, {"locations": [{"country": "FR", "role": "storage"}]}, change_id=42)  # an update change

    response = client.get(f"{URL}/{sid}/history", headers=headers("viewer"))
    assert response.status_code == 200
    entries = response.json
    assert [e["version"] for e in entries] == [4, 3, 2, 1]
    assert [e["status"] for e in entries] == ["active", "active", "proposed", "proposed"]
    assert [e["actor"] for e in entries] == [
        "legal@example.test (change 42)",
        "admin@example.test (change 41)",
        "legal@example.test",
        "legal@example.test",
    ]
    assert entries[0]["valid_from"] == "2026-11-04T10:00:00+00:00" and entries[0]["valid_to"] is None
    assert entries[3]["valid_from"] == "2026-11-01T10:00:00+00:00"
    assert entries[3]["valid_to"] == entries[2]["valid_from"] == "2026-11-02T10:00:00+00:00"
    assert entries[3]["state"]["purpose"] == "Encrypted static files and backups"
    assert entries[2]["state"]["purpose"] == "Backups"
    assert [loc["country"] for loc in entries[1]["state"]["locations"]] == ["DE", "US"]
    assert [loc["country"] for loc in entries[0]["state"]["locations"]] == ["FR"]
    assert entries[0]["state"] == client.get(f"{URL}/{sid}", headers=headers("viewer")).json

    page = client.get(f"{URL}/{sid}/history?page_size=1&page=4", headers=headers("viewer"))
    assert [e["version"] for e in page.json] == [1]


# -- as of ------------------------------------------------------------------------------------------------------


def test_as_of_shows_the_state_at_the_end_of_the_day(client, headers, create, apply_change, clock):
    clock.set(at(10))
    sid = create(status="active")["id"]
    clock.set(at(12, 23, 30))
    apply_change(sid, {"purpose": "Only backups"})

    assert listed(client, headers, "as_of=2026-11-09") == {}
    assert listed(client, headers, "as_of=2026-11-10")["AWS"]["purpose"] == "Encrypted static files and backups"
    assert listed(client, headers, "as_of=2026-11-11")["AWS"]["purpose"] == "Encrypted static files and backups"
    assert listed(client, headers, "as_of=2026-11-12")["AWS"]["purpose"] == "Only backups"
    assert listed(client, headers)["AWS"]["purpose"] == "Only backups"
    assert listed(client, headers, "as_of=2026-11-11")["AWS"]["version"] == 1


def test_as_of_applies_the_filters_to_the_state_of_that_day(client, headers, create, apply_change, clock):
    clock.set(at(10))
    sid = create()["id"]
    clock.set(at(11))
    apply_change(
        sid, {"status": "active", "services": ["livestream"], "locations": [{"country": "FR", "role": "storage"}]}
    )
    assert list(listed(client, headers, "as_of=2026-11-10&status=proposed&service=crm&country=US")) == ["AWS"]
    assert listed(client, headers, "as_of=2026-11-10&status=active") == {}
    assert list(listed(client, headers, "as_of=2026-11-11&status=active&service=livestream&country=FR")) == ["AWS"]
    assert listed(client, headers, "as_of=2026-11-11&country=US") == {}


def test_list_as_of_for_other_features(create, apply_change, clock):
    clock.set(at(1))
    aws = create(status="active")
    hetzner = create(name="Hetzner", country="DE", services=["crm", "livestream"], status="active")
    create(name="Proposed Co", services=["crm"])
    clock.set(at(5))
    apply_change(aws["id"], {"status": "retired"})

    on_2 = services.list_as_of(date(2026, 11, 2), statuses=[Status.ACTIVE], service_slugs=["crm"])
    assert [s["name"] for s in on_2] == ["AWS", "Hetzner"]
    assert on_2[1] == {**on_2[1], "id": hetzner["id"], "services": ["crm", "livestream"]}
    assert [s["name"] for s in services.list_as_of(date(2026, 11, 5), statuses=[Status.ACTIVE])] == ["Hetzner"]
    assert [s["name"] for s in services.list_as_of(statuses=[Status.RETIRED])] == ["AWS"]
    excluded = services.list_as_of(date(2026, 11, 2), statuses=[Status.ACTIVE], exclude_ids=[aws["id"]])
    assert [s["name"] for s in excluded] == ["Hetzner"]
    assert services.list_as_of(date(2026, 11, 2), service_slugs=[]) == []
    assert [s["name"] for s in services.list_as_of()] == ["AWS", "Hetzner", "Proposed Co"]


# -- diff -------------------------------------------------------------------------------------------------------


def test_diff_between_two_dates(client, headers, create, apply_change, clock):
    clock.set(at(1))
    aws = create(status="active")
    hetzner = create(name="Hetzner", country="DE", status="active", locations=[{"country": "DE", "role": "storage"}])
    untouched = create(name="Finacont", country="RO", status="active", locations=[{"country": "RO", "role": "storage"}])
    clock.set(at(4))
    sendgrid = create(name="SendGrid", country="US", category="email", dpf_certified=True, status="active")
    apply_change(aws["id"], {"purpose": "Backups only", "locations": [{"country": "DE", "role": "storage"}]})
    apply_change(hetzner["id"], {"status": "retired"}, change_id=42)
    create(name="Still proposed")

    response = client.get(f"{URL}/diff?from=2026-11-02&to=2026-11-05", headers=headers("viewer"))
    assert response.status_code == 200, response.json
    diff = response.json
    assert diff["from"] == "2026-11-02" and diff["to"] == "2026-11-05"
    assert [s["name"] for s in diff["added"]] == ["SendGrid"]
    assert diff["added"][0]["id"] == sendgrid["id"]
    assert [s["name"] for s in diff["removed"]] == ["Hetzner"]
    assert diff["removed"][0]["status"] == "active"  # as it was on the first date
    assert [c["name"] for c in diff["changed"]] == ["AWS"]
    changed = diff["changed"][0]
    assert changed["id"] == aws["id"]
    assert set(changed["fields"]) == {"purpose", "locations"}
    assert changed["fields"]["purpose"] == {"before": "Encrypted static files and backups", "after": "Backups only"}
    assert [loc["country"] for loc in changed["fields"]["locations"]["after"]] == ["DE"]
    assert untouched["id"] not in [c["id"] for c in diff["changed"]]

    same_day = client.get(f"{URL}/diff?from=2026-11-02&to=2026-11-03", headers=headers("viewer")).json
    assert same_day["added"] == same_day["removed"] == same_day["changed"] == []


def test_diff_service_function_and_service_filter(create, apply_change, clock):
    clock.set(at(1))
    aws = create(status="active")
    create(name="Hetzner", country="DE", services=["livestream"], status="active")
    clock.set(at(3))
    apply_change(aws["id"], {"services": ["livestream"]})
    diff = history.diff_lists(date(2026, 11, 2), date(2026, 11, 3), service_slugs=["crm"])
    assert [s["name"] for s in diff.removed] == ["AWS"] and diff.added == [] and diff.changed == []
    diff = history.diff_lists(date(2026, 11, 2), date(2026, 11, 3), service_slugs=["livestream"])
    assert [s["name"] for s in diff.added] == ["AWS"]
    diff = history.diff_lists(date(2026, 11, 2), date(2026, 11, 3))
    assert [(c.name, c.fields) for c in diff.changed] == [("AWS", {"services": (["crm"], ["livestream"])})]


def test_diff_needs_both_dates_in_order(client, headers):
    response = client.get(f"{URL}/diff?from=2026-11-05", headers=headers("viewer"))
    assert response.status_code == 422
    assert "to" in response.json["errors"]["query"]
    response = client.get(f"{URL}/diff?from=2026-11-05&to=2026-11-01", headers=headers("viewer"))
    assert response.status_code == 422
    assert "to" in response.json["errors"]["query"]


# -- transfer findings ------------------------------------------------------------------------------------------


def test_transfer_findings_flag_lapsed_and_expired_bases(create, patch):
    uk = create(name="UK Hosting", country="GB", status="active", locations=[{"country": "GB", "role": "storage"}])
    create(
        name="US Mail",
        country="US",
        services=["crm", "livestream"],
        dpf_certified=True,
        dpf_recheck_on="2027-03-01",
        locations=[{"country": "US", "role": "processing"}],
    )
    retired = create(name="Old UK", country="GB", locations=[{"country": "GB", "role": "storage"}])
    patch(retired["id"], {"status": "retired"})
    create(name="EU only", country="DE", locations=[{"country": "DE", "role": "storage"}])

    assert findings.transfer_findings(date(2026, 12, 1)) == []
    found = findings.transfer_findings(date(2027, 6, 1))
    assert [(f.subprocessor.name, f.location.country) for f in found] == [("US Mail", "US")]
    assert "recheck date 2027-03-01 has passed" in found[0].problem
    assert found[0].services == ("crm", "livestream")
    found = findings.transfer_findings(date(2032, 1, 1))
    assert [(f.subprocessor.name, f.location.country) for f in found] == [("UK Hosting", "GB"), ("US Mail", "US")]
    assert found[0].subprocessor.id == uk["id"]
    assert "lapsed on 2031-12-27" in found[0].problem
    assert found[0].services == ("crm",)
