"""`subprocessors export|import` (JSON or CSV files in the API's input shape) and `transfers check`."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from marshmallow import fields

from registry.audit.services import cli_actor
from registry.errors import RegistryError
from registry.subprocessors import findings, imports, schemas, services
from registry.transaction import committed

FORMATS = ("json", "csv")

subprocessors_cli = AppGroup("subprocessors", help="Export and import the sub-processor registry.")
transfers_cli = AppGroup("transfers", help="Check transfer safeguards against the transfer rules.")


def _json_cells() -> set[str]:
    """Columns whose CSV cells hold JSON text: the nested objects and lists."""
    return {
        name
        for name, field in schemas.subprocessor_row.fields.items()
        if isinstance(field, fields.List | fields.Nested)
    }


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: list[dict[str, Any]]) -> str:
    """One line per sub-processor; nested objects and lists as JSON text, no value as an empty cell."""
    columns = list(schemas.subprocessor_row.fields)
    nested = _json_cells()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for name in columns:
            value = row.get(name)
            if name in nested:
                cells.append(json.dumps(value, ensure_ascii=False))
            elif value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return out.getvalue()


def from_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a CSV export as input objects; an empty cell means "not given" (the field's default)."""
    nested = _json_cells()
    rows = []
    for record in csv.DictReader(io.StringIO(text, newline="")):
        row: dict[str, Any] = {}
        for name, cell in record.items():
            if name is None:  # more cells than columns: let the schema name them
                row["_extra_cells"] = cell
                continue
            if cell is None or cell == "":
                continue
            if name in nested:
                try:
                    row[name] = json.loads(cell)
                except json.JSONDecodeError:
                    row[name] = cell  # the schema rejects it, naming the column
            else:
                row[name] = cell
        rows.append(row)
    return rows


def _format_of(path: str | None, given: str | None) -> str:
    if given:
        return given
    suffix = Path(path).suffix.lower().lstrip(".") if path else ""
    if path and suffix not in FORMATS:
        raise click.UsageError(f"Cannot tell the format of {path}: name it .json or .csv (or pass --format).")
    return suffix or "json"


@subprocessors_cli.command("export")
@click.option(
    "--format", "format_", type=click.Choice(FORMATS), default=None, help="Default: from --output, else json."
)
@click.option(
    "--output", "output", type=click.Path(dir_okay=False), default=None, help="File to write (default stdout)."
)
def export(format_: str | None, output: str | None) -> None:
    """Write every sub-processor, in the API's input shape, as JSON (a list) or CSV (one row each), UTF-8."""
    rows = imports.export_rows()
    text = to_csv(rows) if _format_of(output, format_) == "csv" else to_json(rows)
    if output is None:
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="") as file:
        file.write(text)
    click.echo(f"exported {len(rows)} sub-processors to {output}", err=True)


@subprocessors_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@committed
def import_(path: str) -> None:
    """Create or update (matched by name) the sub-processors of a .json or .csv file.

    Every row is checked first; if any is invalid, each error is listed with its row number and nothing is imported.
    """
    format_ = _format_of(path, None)
    with open(path, encoding="utf-8-sig", newline="") as file:
        text = file.read()
    if format_ == "csv":
        rows: Any = from_csv(text)
    else:
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as bad_json:
            raise click.ClickException(f"{path} is not valid JSON: {bad_json}") from None
        if not isinstance(rows, list):
            raise click.ClickException(f"{path} must hold a list of sub-processor objects.")
    try:
        result = imports.import_rows(rows, actor=cli_actor())
    except imports.RowsInvalid as invalid:
        for error in invalid.row_errors:
            click.echo(f"row {error.row}: {error.field}: {error.message}", err=True)
        click.echo(invalid.message, err=True)
        raise SystemExit(1) from None
    except RegistryError as error:
        raise click.ClickException(f"{error.message} Nothing was imported.") from None
    click.echo(
        f"imported {result.created + result.updated + result.unchanged} sub-processors: "
        f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
    )


@transfers_cli.command("check")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Check on this date (YYYY-MM-DD); default today (UTC).",
)
def check(as_of: datetime | None) -> None:
    """List every location of a proposed or active sub-processor without a valid transfer basis, and every one with
    no Art. 28(4) contract recorded (dpa_reference, dpa_date) or no contact person or full address; exit 1 if any.

    That includes locations saved before the sub-processor rules: SCCs other than module 2 or 3, a derogation, SCCs or
    BCRs without a transfer impact assessment (reference and date).
    """
    on = as_of.date() if as_of is not None else services.today()
    found = findings.transfer_findings(on)
    for finding in found:
        location = finding.location
        where = f"{location.country} {location.label!r}" if location.label else location.country
        mechanism = location.mechanism + (f" ({location.mechanism_detail})" if location.mechanism_detail else "")
        click.echo(
            f"{finding.subprocessor.name} (id {finding.subprocessor.id}): {where}, {location.role}, {mechanism}: "
            f"{finding.problem} [services: {', '.join(finding.services) or 'none'}]"
        )
    unsigned = findings.contract_findings()
    for subprocessor, missing in unsigned:
        click.echo(
            f"{subprocessor.name} (id {subprocessor.id}, {subprocessor.status}): no Art. 28(4) contract recorded "
            f"({' and '.join(missing)}); a change bringing it in waits for it"
        )
    incomplete = findings.identity_findings()
    for subprocessor, missing in incomplete:
        click.echo(
            f"{subprocessor.name} (id {subprocessor.id}, {subprocessor.status}): its Annex III entry lacks "
            f"{', '.join(missing)}; a change to it cannot be announced until it is complete"
        )
    if found:
        click.echo(f"{len(found)} location(s) without a valid transfer basis on {on.isoformat()}", err=True)
    if unsigned:
        click.echo(f"{len(unsigned)} sub-processor(s) without an Art. 28(4) contract recorded", err=True)
    if incomplete:
        click.echo(f"{len(incomplete)} sub-processor(s) without a contact person or a full address", err=True)
    if found or unsigned or incomplete:
        raise SystemExit(1)
    click.echo(
        f"all transfer bases valid on {on.isoformat()}; every sub-processor's contract, contact person and address "
        "recorded"
    )
