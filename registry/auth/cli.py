from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from registry.audit.services import cli_actor
from registry.auth import services
from registry.auth.models import Role, User
from registry.errors import RegistryError
from registry.extensions import db
from registry.transaction import committed

users_cli = AppGroup("users", help="Manage users and their API tokens.")


@users_cli.command("create")
@committed
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default="", help="Display name.")
def create(email: str, role: str, name: str) -> None:
    """Create a user and print a new API token alone on the last line."""
    actor = cli_actor()
    try:
        user = services.create_user(email, role, name=name, actor=actor)
        _, secret = services.issue_token(user, label="created with the user", actor=actor)
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()  # before the token is shown: a printed token must exist
    click.echo(f"created {user.role} {user.email}; API token (shown once):")
    click.echo(secret)


@users_cli.command("token")
@committed
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
def token(email: str, label: str) -> None:
    """Issue another API token for an existing user; the token is printed alone on the last line."""
    actor = cli_actor()
    try:
        _, secret = services.issue_token(services.get_user(email), label=label, actor=actor)
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()  # before the token is shown: a printed token must exist
    click.echo(secret)


@users_cli.command("revoke")
@committed
@click.argument("prefix")
def revoke(prefix: str) -> None:
    """Revoke a token by its first 12 characters (as `users list` shows them)."""
    try:
        services.revoke_token(prefix, actor=cli_actor())
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"revoked {prefix}")


@users_cli.command("list")
def list_users() -> None:
    """List users with their active token prefixes."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        active = [t.prefix for t in user.tokens if t.revoked_at is None]
        click.echo(f"{user.email}\t{user.role}\t{'active' if user.active else 'inactive'}\t{' '.join(active)}")
