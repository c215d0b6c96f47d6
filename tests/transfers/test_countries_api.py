import json
from datetime import UTC, datetime

import pytest

from registry.transfers import rules

URL = "/api/v1/countries"


def by_code(response):
    assert response.status_code == 200, response.json
    return {country["code"]: country for country in response.json}


def test_countries_need_a_token(client):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("role", ["viewer", "account_manager", "legal", "admin"])
def test_every_role_reads_countries(client, headers, role):
    assert client.get(URL, headers=headers(role)).status_code == 200


def test_every_country_with_its_basis_and_the_rules_version(client, headers):
    response = client.get(URL, headers=headers("viewer"))
    countries = by_code(response)
    assert len(countries) == len(rules.all_countries())
    assert json.loads(response.headers["X-Pagination"])["total"] == len(countries)
    assert response.headers["X-Rules-Version"] == rules.rules_version()
    assert set(countries["DE"]) == {
        "code",
        "name",
        "basis",
        "decision",
        "scope",
        "in_force_from",
        "in_force_until",
        "in_force",
        "note",
    }
    assert countries["DE"] == {**countries["DE"], "name": "Germany", "basis": "eea", "in_force": True}
    assert countries["CN"] == {**countries["CN"], "basis": "third", "decision": "", "in_force": False}
    gb = countries["GB"]
    assert gb["basis"] == "adequacy"
    assert gb["decision"] == "(EU) 2021/1772 (renewed 2025-12-19)"
    assert gb["in_force_from"] == "2021-06-28" and gb["in_force_until"] == "2031-12-27"
    assert gb["in_force"] is rules.country_rule("GB").in_force(datetime.now(UTC).date())
    assert countries["US"]["scope"] == "partial" and "Data Privacy Framework" in countries["US"]["note"]


def test_names_in_romanian(client, headers):
    countries = by_code(client.get(f"{URL}?lang=ro", headers=headers("viewer")))
    assert countries["DE"]["name"] == "Germania"
    assert countries["US"]["name"] == "Statele Unite ale Americii"
    assert countries["HU"]["name"] == "Ungaria"


def test_unknown_language_is_422(client, headers):
    response = client.get(f"{URL}?lang=xx", headers=headers("viewer"))
    assert response.status_code == 422
    assert "lang" in response.json["errors"]["query"]


def test_countries_can_be_paged(client, headers):
    response = client.get(f"{URL}?page_size=10&page=2", headers=headers("viewer"))
    assert len(response.json) == 10
    assert response.json[0]["code"] == rules.all_countries()[10].code
