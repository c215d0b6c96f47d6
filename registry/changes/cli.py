from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import AppGroup

from registry import clock
from registry.audit.services import cli_actor
from registry.changes import reminders, services
from registry.transaction import committed

changes_cli = AppGroup("changes", help="Announced changes: reminders and taking effect.")


def _today(value: datetime | None) -> date:
    return value.date() if value is not None else clock.today()


@changes_cli.command("apply-due")
@committed
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Act as if today were this date.")
def apply_due(today: datetime | None) -> None:
    """Send due reminders and make every announced change whose date has come effective."""
    applied = services.apply_due(_today(today), actor=cli_actor())
    for change in applied:
        click.echo(f"change {change.id} ({change.kind} {change.subprocessor.name}) is effective")
    click.echo(f"{len(applied)} change(s) took effect")


@changes_cli.command("remind")
@committed
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Act as if today were this date.")
def remind(today: datetime | None) -> None:
    """Remind the clients whose approval is still missing close to their deadline."""
    reminded = reminders.send_reminders(_today(today), actor=cli_actor())
    click.echo(f"{len(reminded)} client(s) reminded")
