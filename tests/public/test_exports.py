"""/subprocessors.json and /subprocessors.csv: the current list or as of a date; a CSV safe to open in Excel."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from registry.demo.builders import us_support_location
from registry.public.services import neutralise


@pytest.fixture
def listed(world: Any) -> dict[str, Any]:
    world.service("crm")
    aws = world.subprocessor(
        "AWS",
        status="active",
        locations=[
            {"country": "DE", "label": "EU (Frankfurt)", "role": "storage"},
            us_support_location(),
        ],
        contact={"name": "Jane Doe", "position": "DPO", "email": "jane@aws.example", "phone": "+352 1"},
    )
    evil = world.subprocessor(
        '=HYPERLINK("http://evil.example","click")',
        status="active",
        legal_name="+cmd|' /C calc'!A0",
        address="-2+3",
        purpose="@SUM(1+1)",
        data_categories=["\tTabbed", "\rReturn", "plain"],
    )
    world.subprocessor("Proposed Only")
    return {"aws": aws, "evil": evil}


def test_json_export(client: FlaskClient, listed: dict[str, Any]) -> None:
    response = client.get("/subprocessors.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json
    assert body["as_of"] is None and body["language"] == "en" and body["last_changed"]
    names = [entry["name"] for entry in body["subprocessors"]]
    assert names == ['=HYPERLINK("http://evil.example","click")', "AWS"]  # active only, by name
    aws = body["subprocessors"][1]
    assert aws["locations"][1]["safeguard"] == "Standard contractual clauses (Decision (EU) 2021/914), module 3"
    assert aws["locations"][0]["country_name"] == "Germany"
    assert "contact" not in aws  # people's contact details stay internal
    assert client.get("/subprocessors.json?lang=ro").json["subprocessors"][1]["locations"][0]["country_name"] == (
        "Germania"
    )


def test_json_and_csv_as_of_a_date(client: FlaskClient, listed: dict[str, Any]) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert client.get(f"/subprocessors.json?as_of={yesterday}").json["subprocessors"] == []
    response = client.get(f"/subprocessors.csv?as_of={yesterday}")
    assert f'filename="subprocessors-{yesterday}.csv"' in response.headers["Content-Disposition"]
    assert len(list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))) == 1  # the header alone
    today = date.today().isoformat()
    assert len(client.get(f"/subprocessors.json?as_of={today}").json["subprocessors"]) == 2
    assert client.get("/subprocessors.json?as_of=13/01/2026").status_code == 400
    assert client.get("/subprocessors.csv?as_of=nope").status_code == 400


def test_csv_opens_with_neutralised_cells_and_a_bom(client: FlaskClient, listed: dict[str, Any]) -> None:
    response = client.get("/subprocessors.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="subprocessors.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert [row["name"] for row in rows] == ['\'=HYPERLINK("http://evil.example","click")', "AWS"]
    evil, aws = rows
    assert evil["legal_name"] == "'+cmd|' /C calc'!A0"
    assert evil["address"] == "'-2+3"
    assert evil["purpose"] == "'@SUM(1+1)"
    assert evil["data_categories"] == "'\tTabbed; \rReturn; plain"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert aws["locations"] == (
        "DE (EU (Frankfurt)), storage: EEA (no transfer); "
        "US, support: Standard contractual clauses (Decision (EU) 2021/914), module 3"
    )
    assert aws["services"] == "crm"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("ok", "ok")],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected
