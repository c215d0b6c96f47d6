import csv
import io
import json

import pytest
from sqlalchemy import delete, func, select

from registry.extensions import db
from registry.subprocessors.models import Location, SubProcessor, SubProcessorVersion, subprocessor_service


@pytest.fixture
def registry_content(create, patch):
    """A varied registry: Unicode, every optional field, each status, derived and explicit mechanisms."""
    create(
        name="Ștefănescu & Fiii <SRL>",
        legal_name="Societatea Ștefănescu, Țuțea & Co. SRL",
        registration_id="J40/14190/2013",
        country="RO",
        address="Str. Dacia 12,\nBucurești",
        website="https://stefanescu.example.ro/",
        contact={"name": "Ődön Kovács", "position": "DPO", "email": "dpo@stefanescu.example.ro", "phone": "+40 1"},
        category="accounting",
        purpose='Facturare; "contabilitate" ș ț ă',
        certifications=["ISO 27001"],
        dpa_reference="DPA-2025/7",
        dpa_date="2025-02-03",
        services=["crm", "livestream"],
        locations=[{"country": "RO", "label": "București", "role": "storage", "tia_reference": "", "tia_date": None}],
        status="active",
    )
    create(
        name="AWS",
        dpf_certified=True,
        dpf_recheck_on="2027-06-30",
        locations=[
            {"country": "DE", "label": "EU (Frankfurt)", "role": "storage"},
            {"country": "US", "role": "support", "tia_reference": "TIA-1", "tia_date": "2026-01-15"},
            {
                "country": "IN",
                "role": "support",
                "mechanism": "bcr",
                "mechanism_detail": "BCR-P approved by the CNIL",
                "tia_reference": "TIA-2",
                "tia_date": "2026-02-01",
            },
        ],
    )
    retired = create(name="Old Mail", registration_id="", category="email", services=[], locations=[])
    assert patch(retired["id"], {"status": "retired"}).status_code == 200


def empty_registry():
    for table in (SubProcessorVersion.__table__, Location.__table__, subprocessor_service, SubProcessor.__table__):
        db.session.execute(delete(table))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SubProcessor)) == 0


def invoke(runner, *args):
    return runner.invoke(args=list(args))


@pytest.mark.parametrize("suffix", ["json", "csv"])
def test_export_import_export_round_trip_is_exact(runner, registry_content, tmp_path, suffix):
    first = tmp_path / f"registry.{suffix}"
    result = invoke(runner, "subprocessors", "export", "--output", str(first))
    assert result.exit_code == 0, result.output
    stdout = invoke(runner, "subprocessors", "export", "--format", suffix)
    assert stdout.stdout_bytes == first.read_bytes()

    empty_registry()
    result = invoke(runner, "subprocessors", "import", str(first))
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged" in result.output

    second = tmp_path / f"again.{suffix}"
    assert invoke(runner, "subprocessors", "export", "--output", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    assert "Ștefănescu & Fiii <SRL>".encode() in first.read_bytes()  # UTF-8, not escaped

    versions = db.session.scalars(select(SubProcessorVersion)).all()
    assert len(versions) == 3
    assert all(v.version == 1 and v.actor.startswith("cli:") for v in versions)
    assert {v.status for v in versions} == {"active", "proposed", "retired"}


def test_json_export_is_a_list_in_the_input_shape(runner, registry_content):
    rows = json.loads(invoke(runner, "subprocessors", "export").stdout)
    assert [row["name"] for row in rows] == ["AWS", "Old Mail", "Ștefănescu & Fiii <SRL>"]
    assert not {"id", "version", "created_at", "updated_at"} & set(rows[0])
    assert rows[0]["locations"][1]["mechanism"] == "dpf"
    assert rows[0]["contact"] == {
        "name": "AWS EMEA Privacy",
        "position": "Data protection",
        "email": "aws-eu-privacy@amazon.com",
        "phone": None,
    }


def test_csv_export_has_one_row_each_with_json_cells(runner, registry_content):
    rows = list(csv.DictReader(io.StringIO(invoke(runner, "subprocessors", "export", "--format", "csv").stdout)))
    assert [row["name"] for row in rows] == ["AWS", "Old Mail", "Ștefănescu & Fiii <SRL>"]
    assert json.loads(rows[2]["contact"])["name"] == "Ődön Kovács"
    assert json.loads(rows[2]["services"]) == ["crm", "livestream"]
    assert rows[2]["address"] == "Str. Dacia 12,\nBucurești"
    assert rows[0]["dpf_certified"] == "true" and rows[0]["website"] == "https://aws.amazon.com/"


def test_import_updates_by_name_with_history(runner, registry_content, tmp_path):
    rows = json.loads(invoke(runner, "subprocessors", "export").stdout)
    rows[0]["purpose"] = "Only backups"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = invoke(runner, "subprocessors", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated, 2 unchanged" in result.output
    aws = db.session.scalar(select(SubProcessor).where(SubProcessor.name == "AWS"))
    assert aws.purpose == "Only backups" and aws.version == 2
    versions = db.session.scalars(
        select(SubProcessorVersion)
        .where(SubProcessorVersion.subprocessor_id == aws.id)
        .order_by(SubProcessorVersion.version)
    ).all()
    assert [v.state["purpose"] for v in versions] == ["Encrypted static files and backups", "Only backups"]
    assert versions[1].actor.startswith("cli:")


def test_import_with_bad_rows_reports_each_and_imports_nothing(runner, catalog, body, tmp_path):
    rows = [
        body(name="Fine Co"),
        body(name="Bad Country", country="XX", category="cloud"),
        body(name="Bad Transfer", locations=[{"country": "US", "role": "support"}], services=["crm", "nope"]),
    ]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    result = invoke(runner, "subprocessors", "import", str(path))
    assert result.exit_code == 1
    assert "row 2: country: 'XX' is not an ISO 3166-1 alpha-2 country code" in result.output
    assert "row 2: category:" in result.output
    assert "row 3: locations.0.mechanism: US (United States)" in result.output
    assert "row 3: services: Unknown service 'nope'" in result.output
    assert "row 1" not in result.output
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(SubProcessor)) == 0


def test_csv_import_with_bad_rows_names_row_and_column(runner, registry_content, tmp_path):
    text = invoke(runner, "subprocessors", "export", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["locations"] = "[{not json"
    rows[2]["website"] = "stefanescu dot ro"
    rows[1]["status"] = "active"  # retired -> active is not allowed
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "bad.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = invoke(runner, "subprocessors", "import", str(path))
    assert result.exit_code == 1
    assert "row 1: locations:" in result.output
    assert "row 2: status: A sub-processor cannot go from retired to active" in result.output
    assert "row 3: website:" in result.output
    assert db.session.scalar(select(SubProcessor.version).where(SubProcessor.name == "AWS")) == 1


def test_import_rejects_the_same_name_twice(runner, catalog, body, tmp_path):
    path = tmp_path / "twice.json"
    path.write_text(json.dumps([body(), body()]), encoding="utf-8")
    result = invoke(runner, "subprocessors", "import", str(path))
    assert result.exit_code == 1
    assert "row 2: name: 'AWS' is also on row 1" in result.output


def test_import_needs_a_known_format(runner, tmp_path):
    path = tmp_path / "registry.txt"
    path.write_text("[]", encoding="utf-8")
    result = invoke(runner, "subprocessors", "import", str(path))
    assert result.exit_code != 0
    assert ".json or .csv" in result.output


# -- transfers check --------------------------------------------------------------------------------------------


def test_transfers_check_flags_a_lapsed_adequacy_decision(runner, create):
    create(
        name="UK Support Ltd",
        country="GB",
        services=["crm", "livestream"],
        status="active",
        locations=[{"country": "GB", "label": "London", "role": "support"}],
    )
    result = invoke(runner, "transfers", "check", "--as-of", "2027-01-01")
    assert result.exit_code == 0, result.output
    assert "all transfer bases valid on 2027-01-01" in result.output

    result = invoke(runner, "transfers", "check", "--as-of", "2032-01-01")
    assert result.exit_code == 1
    line = result.stdout.splitlines()[0]
    assert "UK Support Ltd" in line and "GB 'London'" in line and "adequacy" in line
    assert "lapsed on 2031-12-27" in line
    assert "services: crm, livestream" in line


def test_transfers_check_defaults_to_today(runner, create):
    create(status="active")
    result = invoke(runner, "transfers", "check")
    assert result.exit_code == 0, result.output
    assert "all transfer bases valid on 2026-11-20" in result.output


def test_transfers_check_ignores_retired_entries(runner, create, patch):
    uk = create(name="UK", country="GB", locations=[{"country": "GB", "role": "support"}])
    patch(uk["id"], {"status": "retired"})
    assert invoke(runner, "transfers", "check", "--as-of", "2032-01-01").exit_code == 0
