"""The one commit point: a request commits after a response below 400 and rolls back otherwise; a command commits
when it returns and rolls back when it fails. Checked on an app of its own with an in-memory database, so that what
is committed is really committed."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from sqlalchemy import text
from sqlalchemy.pool import StaticPool

from registry.extensions import db
from registry.transaction import RegistryFlask, committed


@pytest.fixture
def probe() -> Iterator[RegistryFlask]:
    app = RegistryFlask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SQLALCHEMY_ENGINE_OPTIONS={"poolclass": StaticPool, "connect_args": {"check_same_thread": False}},
    )
    db.init_app(app)

    @app.post("/write/<int:status>")
    def write(status: int) -> tuple[str, int]:
        db.session.execute(text("INSERT INTO probe VALUES (1)"))
        return "", status

    @app.post("/fail")
    def fail() -> str:
        db.session.execute(text("INSERT INTO probe VALUES (1)"))
        raise RuntimeError("the view broke after writing")

    @app.errorhandler(RuntimeError)
    def broken(error: RuntimeError) -> tuple[str, int]:
        return "broken", 500

    @app.cli.command("write")
    @click.option("--fail", is_flag=True)
    @committed
    def write_command(fail: bool) -> None:
        db.session.execute(text("INSERT INTO probe VALUES (1)"))
        if fail:
            raise click.ClickException("the command failed after writing")

    with app.app_context():
        db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def rows(app: RegistryFlask) -> int:
    with app.app_context():
        return int(db.session.scalar(text("SELECT count(*) FROM probe")) or 0)


@pytest.mark.parametrize(("status", "kept"), [(200, 1), (201, 1), (303, 1), (404, 0), (409, 0), (422, 0)])
def test_a_request_commits_only_below_400(probe: RegistryFlask, status: int, kept: int) -> None:
    assert probe.test_client().post(f"/write/{status}").status_code == status
    assert rows(probe) == kept


def test_a_view_that_raises_after_writing_leaves_nothing(probe: RegistryFlask) -> None:
    assert probe.test_client().post("/fail").status_code == 500
    assert rows(probe) == 0


def test_a_command_commits_when_it_returns_and_rolls_back_when_it_fails(probe: RegistryFlask) -> None:
    runner = probe.test_cli_runner()
    assert runner.invoke(args=["write"]).exit_code == 0
    assert rows(probe) == 1
    failed = runner.invoke(args=["write", "--fail"])
    assert failed.exit_code == 1
    assert "the command failed after writing" in failed.output
    assert rows(probe) == 1
