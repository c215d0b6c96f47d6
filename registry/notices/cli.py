"""`flask worker` (deliver notices) and `flask notices list|retry`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from registry.audit.services import cli_actor
from registry.extensions import db
from registry.notices import delivery
from registry.notices.worker import Worker
from registry.outbox.models import Channel, NoticeStatus

notices_cli = AppGroup("notices", help="The notice outbox: delivery log and retries.")

_RETRY_CHUNK = 500


@click.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000), help="Notices per claim.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.1), help="Seconds between passes.")
@with_appcontext
def worker_command(once: bool, batch: int, interval: float) -> None:
    """Deliver notices (email, webhooks), apply due changes and send reminders, until SIGTERM/SIGINT."""
    worker = Worker(current_app._get_current_object(), batch=batch, interval=interval, report=click.echo)  # type: ignore[attr-defined]  # proxy
    if not once:
        click.echo(f"worker: delivering every {interval:g} s (Ctrl-C stops after the notice in hand)")
    total = worker.run(once=once)
    click.echo(f"worker: sent {total.sent}, failed {total.failed}, dead {total.dead}")


@notices_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in NoticeStatus]))
@click.option("--change", "change_id", type=int, help="Only the notices of this change.")
@click.option("--channel", type=click.Choice([c.value for c in Channel]))
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
def list_notices(status: str | None, change_id: int | None, channel: str | None, limit: int) -> None:
    """Show the delivery log, newest first."""
    filters = {"status": status, "change_id": change_id, "channel": channel}
    notices, total = delivery.list_notices(filters, 1, limit)
    for notice in notices:
        sent = f"{notice.sent_at:%Y-%m-%d %H:%M:%S}" if notice.sent_at else "-"
        click.echo(
            f"{notice.id}\t{notice.status}\t{notice.channel}\t{notice.recipient}\t{notice.template}\t"
            f"attempts {notice.attempts}\tsent {sent}\t{notice.last_error or ''}".rstrip()
        )
    click.echo(f"{len(notices)} of {total} notices")


@notices_cli.command("retry")
@click.option("--failed", "failed", is_flag=True, required=True, help="Failed and dead notices back to pending.")
@click.option("--change", "change_id", type=int, help="Only the notices of this change.")
def retry(failed: bool, change_id: int | None) -> None:
    """Queue failed and dead notices again, due now (the worker sends them on its next pass)."""
    ids = delivery.retryable_ids(change_id)
    actor = cli_actor()
    done = 0
    with click.progressbar(length=len(ids), label="re-queueing", show_pos=True) as bar:
        for start in range(0, len(ids), _RETRY_CHUNK):
            chunk = ids[start : start + _RETRY_CHUNK]
            done += delivery.retry(chunk, actor=actor)
            db.session.commit()
            bar.update(len(chunk))
    click.echo(f"{done} notices queued again")
