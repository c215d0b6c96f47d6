from __future__ import annotations

import click
from flask.cli import AppGroup

from registry.audit import services

audit_cli = AppGroup("audit", help="Inspect the audit log.")


@audit_cli.command("verify")
def verify() -> None:
    """Check the hash chain; exit 1 and name the first broken event if it was tampered with."""
    report = services.verify_chain()
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events checked")
        return
    click.echo(
        f"audit chain BROKEN at event {report.broken_at}: {report.reason} "
        f"({report.checked} events before it are intact)",
        err=True,
    )
    raise SystemExit(1)
