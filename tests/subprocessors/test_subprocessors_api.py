import json
from datetime import date

import pytest

from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.subprocessors.models import SubProcessor, SubProcessorVersion

URL = "/api/v1/subprocessors"


def post(client, headers, data, role="legal"):
    return client.post(URL, json=data, headers=headers(role))


def errors_of(response):
    assert response.status_code == 422, response.json
    return response.json["errors"]["json"]


# -- create and read --------------------------------------------------------------------------------------------


def test_create_returns_the_api_md_shape(client, headers, body, catalog):
    response = post(client, headers, body())
    assert response.status_code == 201, response.json
    created = response.json
    expected = {key: value for key, value in body().items() if key != "locations"}
    assert created == {**created, **expected}
    assert created["locations"] == [
        {
            "country": "DE",
            "label": "EU (Frankfurt)",
            "role": "storage",
            "mechanism": "eea",
            "mechanism_detail": None,
            "tia_reference": None,
            "tia_date": None,
        },
        {
            "country": "US",
            "label": "",
            "role": "support",
            "mechanism": "scc",
            "mechanism_detail": "module 3",
            "tia_reference": "TIA-2024-011",
            "tia_date": "2024-11-15",
        },
    ]
    assert created["version"] == 1
    assert created["created_at"] == created["updated_at"] == "2026-11-20T10:00:00+00:00"
    for key in ("id", "registration_id", "certifications", "dpa_reference", "dpa_date", "dpf_recheck_on"):
        assert key in created
    fetched = client.get(f"{URL}/{created['id']}", headers=headers("viewer"))
    assert fetched.status_code == 200
    assert fetched.json == created


def test_all_fields_round_trip(client, headers, body, catalog):
    data = body(
        registration_id="B 186 284",
        contact={"name": "Ana Pop", "position": "DPO", "email": "dpo@example.com", "phone": "+40 21 000 0000"},
        certifications=["ISO 27001", "SOC 2"],
        dpa_reference="AWS GDPR DPA",
        dpa_date="2025-03-01",
        dpf_certified=True,
        dpf_recheck_on="2027-06-30",
        services=["livestream", "crm"],
        locations=[
            {
                "country": "US",
                "label": "us-east-1",
                "role": "processing",
                "tia_reference": "TIA-7",
                "tia_date": "2026-01-15",
            }
        ],
    )
    created = post(client, headers, data).json
    assert created["contact"] == data["contact"]
    assert created["services"] == ["crm", "livestream"]
    assert created["dpa_date"] == "2025-03-01" and created["dpf_recheck_on"] == "2027-06-30"
    assert created["locations"][0]["mechanism"] == "dpf"  # derived: a certified US organisation
    assert created["locations"][0]["tia_reference"] == "TIA-7"
    assert created["locations"][0]["tia_date"] == "2026-01-15"


def test_unicode_is_stored_and_returned_verbatim(client, headers, body, catalog):
    data = body(
        name="Ștefănescu & Fiii <SRL>",
        legal_name="Societatea Ștefănescu, Țuțea și Ălămoaie & Co. <SRL>",
        purpose="Kovács Ődön és Űrhajó Kft. — facturare, ș ț ă Ș Ț Ă",
        data_categories=["nume & prenume", "<adresă>"],
        locations=[{"country": "HU", "label": "Győr <DC> & Pécs", "role": "storage"}],
    )
    created = post(client, headers, data).json
    fetched = client.get(f"{URL}/{created['id']}", headers=headers("viewer")).json
    for key in ("name", "legal_name", "purpose", "data_categories"):
        assert fetched[key] == data[key]
    assert fetched["locations"][0]["label"] == "Győr <DC> & Pécs"
    stored = db.session.get(SubProcessor, created["id"])
    assert stored.name == "Ștefănescu & Fiii <SRL>"
    assert stored.purpose == data["purpose"]


def test_duplicate_name_is_a_conflict(client, headers, create, body):
    create()
    response = post(client, headers, body())
    assert response.status_code == 409
    assert "AWS" in response.json["message"]


def test_unknown_id_is_404(client, headers):
    assert client.get(f"{URL}/999999", headers=headers("viewer")).status_code == 404
    assert client.get(f"{URL}/999999/history", headers=headers("viewer")).status_code == 404


def test_there_is_no_delete(client, headers, create):
    created = create()
    assert client.delete(f"{URL}/{created['id']}", headers=headers("admin")).status_code == 405


# -- validation -------------------------------------------------------------------------------------------------


def test_eea_location_derives_eea_and_refuses_a_safeguard(client, headers, body, catalog):
    created = post(client, headers, body(locations=[{"country": "DE", "role": "storage"}])).json
    assert created["locations"][0]["mechanism"] == "eea"
    response = post(
        client, headers, body(name="X", locations=[{"country": "DE", "role": "storage", "mechanism": "scc"}])
    )
    message = errors_of(response)["locations"]["0"]["mechanism"][0]
    assert "DE (Germany)" in message and "use eea" in message


def test_adequate_country_derives_adequacy(client, headers, body, catalog):
    data = body(
        locations=[{"country": "CH", "role": "storage"}, {"country": "JP", "role": "support", "mechanism": "adequacy"}]
    )
    created = post(client, headers, data).json
    assert [loc["mechanism"] for loc in created["locations"]] == ["adequacy", "adequacy"]


def test_adequacy_claimed_without_a_decision_names_the_country(client, headers, body, catalog):
    data = body(locations=[{"country": "CN", "role": "support", "mechanism": "adequacy"}])
    message = errors_of(post(client, headers, data))["locations"]["0"]["mechanism"][0]
    assert "CN (China)" in message and "no EU adequacy decision" in message
    data = body(locations=[{"country": "CN", "role": "support"}])
    message = errors_of(post(client, headers, data))["locations"]["0"]["mechanism"][0]
    assert "CN (China)" in message and "scc or bcr" in message  # a sub-processor cannot rest on a derogation


def test_us_needs_dpf_certification_or_a_safeguard(client, headers, body, catalog):
    data = body(locations=[{"country": "US", "role": "support"}])
    response = post(client, headers, data)
    message = errors_of(response)["locations"]["0"]["mechanism"][0]
    assert "US (United States)" in message
    assert "US (United States)" in response.json["message"]
    data = body(locations=[{"country": "US", "role": "support", "mechanism": "dpf"}])
    assert "certification" in errors_of(post(client, headers, data))["locations"]["0"]["mechanism"][0]
    created = post(client, headers, body(dpf_certified=True, locations=[{"country": "US", "role": "support"}])).json
    assert created["locations"][0]["mechanism"] == "dpf"


def test_dpf_recheck_date_passed_is_refused(client, headers, body, catalog):
    data = body(
        dpf_certified=True,
        dpf_recheck_on="2026-11-19",  # the clock says 2026-11-20
        locations=[{"country": "US", "role": "support", "mechanism": "dpf"}],
    )
    message = errors_of(post(client, headers, data))["locations"]["0"]["mechanism"][0]
    assert "recheck date 2026-11-19 has passed" in message


def test_scc_needs_the_module(client, headers, body, catalog):
    data = body(locations=[{"country": "US", "role": "support", "mechanism": "scc"}])
    message = errors_of(post(client, headers, data))["locations"]["0"]["mechanism_detail"][0]
    assert "US (United States)" in message and "module" in message


def test_a_derogation_is_refused_with_or_without_the_art_49_point(client, headers, body, catalog):
    """Art. 49 derogations cover occasional transfers: they were accepted with a point, a sub-processor's are not."""
    data = body(
        locations=[{"country": "IN", "role": "support", "mechanism": "derogation", "mechanism_detail": "consent"}]
    )
    errors = errors_of(post(client, headers, data))["locations"]["0"]
    assert list(errors) == ["mechanism"]
    assert "IN (India)" in errors["mechanism"][0] and "Art. 49" in errors["mechanism"][0]
    data["locations"][0]["mechanism_detail"] = "Art. 49(1)(b)"
    response = post(client, headers, data)
    assert response.status_code == 422
    assert "occasional transfers" in errors_of(response)["locations"]["0"]["mechanism"][0]


def test_error_names_the_nested_location(client, headers, body, catalog):
    data = body(
        locations=[
            {"country": "DE", "role": "storage"},
            {"country": "BR", "role": "support"},
            {"country": "RU", "role": "support", "mechanism": "eea"},
        ]
    )
    errors = errors_of(post(client, headers, data))
    assert set(errors) == {"locations"}
    assert set(errors["locations"]) == {"2"}
    assert "RU (Russian Federation)" in errors["locations"]["2"]["mechanism"][0]


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"country": "XX"}, ["country"]),
        ({"country": "lu"}, ["country"]),
        ({"website": "not a url"}, ["website"]),
        ({"website": "ftp://files.example.com/"}, ["website"]),
        ({"category": "cloud"}, ["category"]),
        ({"status": "deleted"}, ["status"]),
        ({"contact": {"email": "dpo-at-example.com"}}, ["contact", "email"]),
        ({"locations": [{"country": "UK", "role": "storage"}]}, ["locations", "0", "country"]),
        ({"locations": [{"country": "DE", "role": "cache"}]}, ["locations", "0", "role"]),
        ({"locations": [{"country": "DE", "role": "storage", "mechanism": "trust"}]}, ["locations", "0", "mechanism"]),
        ({"name": "  "}, ["name"]),
        ({"id": 5}, ["id"]),
    ],
)
def test_bad_input_is_422_naming_the_field(client, headers, body, catalog, overrides, path):
    errors = errors_of(post(client, headers, body(**overrides)))
    for key in path:
        assert key in errors, errors
        errors = errors[key]


def test_bad_country_code_is_named(client, headers, body, catalog):
    errors = errors_of(post(client, headers, body(country="XX")))
    assert "'XX'" in errors["country"][0]


def test_missing_required_fields_are_named(client, headers, catalog):
    errors = errors_of(post(client, headers, {}))
    assert set(errors) == {"name", "legal_name", "country", "category"}


def test_unknown_service_is_422_naming_it(client, headers, body, catalog):
    response = post(client, headers, body(services=["crm", "no-such-product"]))
    assert "no-such-product" in errors_of(response)["services"][0]
    assert "no-such-product" in response.json["message"]


# -- roles ------------------------------------------------------------------------------------------------------


def test_every_endpoint_needs_a_token(client, create):
    sid = create()["id"]
    for url in (URL, f"{URL}/{sid}", f"{URL}/{sid}/history", f"{URL}/diff?from=2026-11-01&to=2026-11-20"):
        assert client.get(url).status_code == 401, url
    assert client.post(URL, json={}).status_code == 401
    assert client.patch(f"{URL}/{sid}", json={}, headers={"If-Match": '"x"'}).status_code == 401


@pytest.mark.parametrize("role", ["viewer", "account_manager", "legal", "admin"])
def test_every_role_reads(client, headers, create, role):
    sid = create()["id"]
    for url in (URL, f"{URL}/{sid}", f"{URL}/{sid}/history", f"{URL}/diff?from=2026-11-01&to=2026-11-20"):
        assert client.get(url, headers=headers(role)).status_code == 200, url


@pytest.mark.parametrize("role", ["viewer", "account_manager"])
def test_readers_may_not_write(client, headers, body, create, role):
    sid = create()["id"]
    assert post(client, headers, body(name="Other"), role=role).status_code == 403
    etag = client.get(f"{URL}/{sid}", headers=headers(role)).headers["ETag"]
    response = client.patch(f"{URL}/{sid}", json={"purpose": "x"}, headers=headers(role, If_Match=etag))
    assert response.status_code == 403
    assert client.get(f"{URL}/{sid}", headers=headers(role)).json["purpose"] == body()["purpose"]


@pytest.mark.parametrize("role", ["legal", "admin"])
def test_legal_and_admin_write(client, headers, body, catalog, patch, role):
    response = post(client, headers, body(), role=role)
    assert response.status_code == 201
    assert patch(response.json["id"], {"purpose": "Backups only"}, role=role).status_code == 200


# -- ETag / If-Match --------------------------------------------------------------------------------------------


def test_patch_needs_if_match(client, headers, create):
    sid = create()["id"]
    response = client.patch(f"{URL}/{sid}", json={"purpose": "x"}, headers=headers("legal"))
    assert response.status_code == 428


def test_patch_with_a_stale_etag_is_412(client, headers, create):
    sid = create()["id"]
    url = f"{URL}/{sid}"
    etag = client.get(url, headers=headers("legal")).headers["ETag"]
    first = client.patch(url, json={"purpose": "First"}, headers=headers("legal", If_Match=etag))
    assert first.status_code == 200
    assert first.json["version"] == 2
    assert first.headers["ETag"] != etag
    second = client.patch(url, json={"purpose": "Second"}, headers=headers("legal", If_Match=etag))
    assert second.status_code == 412
    assert client.get(url, headers=headers("legal")).json["purpose"] == "First"
    third = client.patch(url, json={"purpose": "Third"}, headers=headers("legal", If_Match=first.headers["ETag"]))
    assert third.status_code == 200


def test_patch_is_partial_and_replaces_locations_whole(create, patch):
    created = create(registration_id="R-1")
    response = patch(created["id"], {"locations": [{"country": "IE", "label": "Dublin", "role": "backup"}]})
    assert response.status_code == 200, response.json
    updated = response.json
    assert [(loc["country"], loc["mechanism"]) for loc in updated["locations"]] == [("IE", "eea")]
    assert updated["registration_id"] == "R-1"
    assert updated["purpose"] == created["purpose"]
    assert updated["services"] == ["crm"]


def test_patch_checks_every_location_against_the_new_values(create, patch):
    created = create(dpf_certified=True, locations=[{"country": "US", "role": "support"}])
    assert created["locations"][0]["mechanism"] == "dpf"
    response = patch(created["id"], {"dpf_certified": False})
    assert response.status_code == 422
    assert "US (United States)" in response.json["errors"]["json"]["locations"]["0"]["mechanism"][0]


def test_patch_without_changes_keeps_the_version(create, patch):
    created = create()
    response = patch(created["id"], {"purpose": created["purpose"]})
    assert response.status_code == 200
    assert response.json["version"] == 1


def test_rename_to_a_taken_name_is_a_conflict(create, patch):
    create()
    other = create(name="Hetzner")
    assert patch(other["id"], {"name": "AWS"}).status_code == 409


# -- lifecycle --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [["active"], ["active", "retired"], ["retired"]])
def test_allowed_status_changes(client, headers, create, apply_change, path):
    """The lifecycle, as changes taking effect move it (add: active; remove: retired; a proposal dropped)."""
    sid = create()["id"]
    for status in path:
        assert apply_change(sid, {"status": status})["status"] == status
        assert client.get(f"{URL}/{sid}", headers=headers("viewer")).json["status"] == status


@pytest.mark.parametrize(
    ("path", "refused"),
    [(["active"], "proposed"), (["retired"], "active"), (["retired"], "proposed"), (["active", "retired"], "active")],
)
def test_refused_status_changes_are_409(create, patch, apply_change, path, refused):
    sid = create()["id"]
    for status in path:
        apply_change(sid, {"status": status})
    response = patch(sid, {"status": refused})
    assert response.status_code == 409
    assert f"from {path[-1]} to {refused}" in response.json["message"]


def test_post_may_create_active_entries(create):
    assert create(status="active")["status"] == "active"


def test_retiring_is_allowed_when_a_basis_has_lapsed(create, patch, apply_change, clock):
    created = create(status="active", locations=[{"country": "GB", "role": "storage"}])
    clock.set(clock.now.replace(year=2032))
    response = patch(created["id"], {"legal_name": "Still here Ltd"})  # every save checks every location
    assert response.status_code == 422
    assert "GB" in response.json["message"]
    assert apply_change(created["id"], {"status": "retired"})["status"] == "retired"  # a remove change applies


# -- every save is versioned and audited ------------------------------------------------------------------------


def test_every_save_writes_a_version_and_an_audit_event(create, patch, clock):
    created = create()
    clock.advance(hours=1)
    patch(created["id"], {"purpose": "Backups"})
    versions = db.session.scalars(
        db.select(SubProcessorVersion)
        .where(SubProcessorVersion.subprocessor_id == created["id"])
        .order_by(SubProcessorVersion.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].valid_to == versions[1].valid_from == clock.now
    assert versions[1].valid_to is None
    assert versions[1].state["purpose"] == "Backups"
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity_type == "subprocessor").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["subprocessor.created", "subprocessor.updated"]
    assert events[0].before is None and events[0].after == versions[0].state
    assert events[1].before == versions[0].state and events[1].after == versions[1].state
    assert events[1].actor == "legal@example.test"


# -- lists: filters and pagination ------------------------------------------------------------------------------


@pytest.fixture
def three(create):
    aws = create(status="active")
    sendgrid = create(
        name="Twilio SendGrid",
        country="US",
        category="email",
        services=["livestream"],
        dpf_certified=True,
        locations=[{"country": "US", "role": "processing"}],
        status="active",
    )
    finacont = create(
        name="Finacont",
        country="RO",
        category="accounting",
        services=[],
        locations=[{"country": "RO", "role": "storage"}],
    )
    return aws, sendgrid, finacont


def names(response):
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json]


def test_list_is_ordered_by_name(client, headers, three):
    assert names(client.get(URL, headers=headers("viewer"))) == ["AWS", "Finacont", "Twilio SendGrid"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=active", ["AWS", "Twilio SendGrid"]),
        ("status=proposed", ["Finacont"]),
        ("status=retired", []),
        ("category=email", ["Twilio SendGrid"]),
        ("country=US", ["AWS", "Twilio SendGrid"]),  # AWS by a location, SendGrid by its headquarters
        ("country=DE", ["AWS"]),
        ("country=RO", ["Finacont"]),
        ("service=crm", ["AWS"]),
        ("service=livestream&status=active", ["Twilio SendGrid"]),
        ("category=hosting&country=US", ["AWS"]),
    ],
)
def test_list_filters(client, headers, three, query, expected):
    assert names(client.get(f"{URL}?{query}", headers=headers("viewer"))) == expected


@pytest.mark.parametrize("query", ["status=gone", "category=cloud", "country=XX", "as_of=yesterday"])
def test_bad_filters_are_422(client, headers, three, query):
    response = client.get(f"{URL}?{query}", headers=headers("viewer"))
    assert response.status_code == 422
    assert query.split("=")[0] in response.json["errors"]["query"]


def test_unknown_service_filter_is_422_naming_it(client, headers, three):
    response = client.get(f"{URL}?service=nope", headers=headers("viewer"))
    assert response.status_code == 422
    assert "nope" in response.json["message"]


def test_list_is_paginated(client, headers, three):
    first = client.get(f"{URL}?page_size=2", headers=headers("viewer"))
    assert names(first) == ["AWS", "Finacont"]
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 3 and meta["total_pages"] == 2 and meta["next_page"] == 2
    second = client.get(f"{URL}?page_size=2&page=2", headers=headers("viewer"))
    assert names(second) == ["Twilio SendGrid"]


def test_list_items_match_the_single_get(client, headers, three):
    aws = three[0]
    listed = client.get(f"{URL}?service=crm", headers=headers("viewer")).json
    assert listed == [client.get(f"{URL}/{aws['id']}", headers=headers("viewer")).json]


def test_as_of_uses_dates(client, headers, three):
    assert names(client.get(f"{URL}?as_of={date(2026, 11, 19).isoformat()}", headers=headers("viewer"))) == []
    assert len(names(client.get(f"{URL}?as_of=2026-11-20", headers=headers("viewer")))) == 3
