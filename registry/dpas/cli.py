from __future__ import annotations

import sys
from datetime import datetime

import click
from flask.cli import AppGroup

from registry.audit.services import cli_actor
from registry.dpas import bulk, services
from registry.i18n import LANGUAGES

dpas_cli = AppGroup("dpas", help="Generate DPA documents.")


@dpas_cli.command("generate")
@click.argument("client_ids", nargs=-1, type=int)
@click.option("--all", "all_clients", is_flag=True, help="Every active client.")
@click.option("--language", type=click.Choice(LANGUAGES), help="Document language (default: each client's own).")
@click.option("--template", "template_key", default=services.BUILTIN_KEY, show_default=True, help="Template key.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Take the annex lists from this date.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
def generate(
    client_ids: tuple[int, ...],
    all_clients: bool,
    language: str | None,
    template_key: str,
    as_of: datetime | None,
    jobs: int,
) -> None:
    """Generate a new DPA version for the given clients (or --all active clients).

    Failures are reported per client while the others are still generated; the exit code is 1 if any failed.
    """
    if all_clients == bool(client_ids):
        raise click.UsageError("Give client ids or --all (not both).")
    ids = services.active_client_ids() if all_clients else list(client_ids)
    options = bulk.Options(
        actor=cli_actor().label,
        language=language,
        template_key=template_key,
        as_of=as_of.date() if as_of else None,
    )
    outcomes: list[bulk.Outcome] = []
    label = f"Generating {len(ids)} DPA(s)"
    with click.progressbar(length=len(ids), label=label, file=sys.stderr) as bar:
        for outcome in bulk.generate_many(ids, options, jobs=jobs):
            outcomes.append(outcome)
            bar.update(1)
    failed = [o for o in outcomes if not o.ok]
    for outcome in sorted(failed, key=lambda o: o.client_id):
        click.echo(f"failed: client {outcome.client_id} ({outcome.client_name or '?'}): {outcome.error}", err=True)
    click.echo(f"generated {len(outcomes) - len(failed)} DPA(s), {len(failed)} failed")
    if failed:
        raise click.exceptions.Exit(1)
