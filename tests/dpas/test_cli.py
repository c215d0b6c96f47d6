import io

from registry.dpas.models import Dpa
from registry.extensions import db
from tests.dpas.dpa_data import SMITH, STEFANESCU, docx_text


def _dpas():
    return db.session.scalars(db.select(Dpa).order_by(Dpa.client_id, Dpa.version)).all()


def test_generate_all_in_process(world, runner):
    result = runner.invoke(args=["dpas", "generate", "--all", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "generated 2 DPA(s), 0 failed" in result.output
    dpas = _dpas()
    assert {(d.client_id, d.version, d.language) for d in dpas} == {
        (world["clients"]["ro"]["id"], 1, "ro"),
        (world["clients"]["en"]["id"], 1, "en"),
    }
    assert all(d.created_by.startswith("cli:") for d in dpas)
    assert STEFANESCU in docx_text(next(d for d in dpas if d.language == "ro").document)


def test_generate_in_one_language_and_again(world, runner):
    assert runner.invoke(args=["dpas", "generate", "--all", "--language", "en"]).exit_code == 0
    assert runner.invoke(args=["dpas", "generate", str(world["clients"]["ro"]["id"])]).exit_code == 0
    versions = [(d.client_id, d.version, d.language) for d in _dpas()]
    ro, en = world["clients"]["ro"]["id"], world["clients"]["en"]["id"]
    assert sorted(versions) == sorted([(ro, 1, "en"), (ro, 2, "ro"), (en, 1, "en")])


def test_failures_are_reported_per_client_and_the_rest_generated(world, runner, client, headers, small_template):
    form = {"file": (io.BytesIO(small_template), "short.docx"), "key": "short", "language": "ro"}
    assert client.post("/api/v1/templates", data=form, headers=headers("legal")).status_code == 201
    result = runner.invoke(args=["dpas", "generate", "--all", "--template", "short", "--jobs", "1"])
    assert result.exit_code == 1
    en = world["clients"]["en"]["id"]
    assert f"failed: client {en} ({SMITH}): No active DPA template 'short' in language 'en'" in result.output
    assert "generated 1 DPA(s), 1 failed" in result.output
    assert [(d.client_id, d.language) for d in _dpas()] == [(world["clients"]["ro"]["id"], "ro")]


def test_unknown_client_is_a_failure(world, runner):
    result = runner.invoke(args=["dpas", "generate", "999999"])
    assert result.exit_code == 1
    assert "failed: client 999999 (?): No client 999999." in result.output


def test_ids_or_all_but_not_both(runner):
    assert runner.invoke(args=["dpas", "generate"]).exit_code == 2
    assert runner.invoke(args=["dpas", "generate", "--all", "1"]).exit_code == 2
