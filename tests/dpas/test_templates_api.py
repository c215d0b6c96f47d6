import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from registry.audit.models import AuditEvent
from registry.dpas import validation
from registry.extensions import db

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def _upload(client, headers, data, *, key="dpa", language="en", role="legal", filename="dpa.docx"):
    form = {"file": (io.BytesIO(data), filename), "key": key, "language": language}
    return client.post("/api/v1/templates", data=form, headers=headers(role), content_type="multipart/form-data")


def test_builtin_templates_are_loaded_as_version_1(client, headers):
    response = client.get("/api/v1/templates", headers=headers("viewer"))
    assert response.status_code == 200
    by_language = {t["language"]: t for t in response.json}
    assert set(by_language) == {"ro", "en"}
    for language, template in by_language.items():
        data = (CONTRACTS / f"dpa.{language}.docx").read_bytes()
        assert template["key"] == "dpa"
        assert template["version"] == 1
        assert template["active"] is True
        assert template["sha256"] == hashlib.sha256(data).hexdigest()
        assert "client.legal_name" in template["variables"]
        assert "subprocessors[].name" in template["variables"]
        assert "content" not in template
    again = client.get("/api/v1/templates", headers=headers("viewer")).json
    assert [t["id"] for t in again] == [t["id"] for t in response.json]


def test_upload_makes_a_new_active_version(client, headers, small_template):
    builtin = client.get("/api/v1/templates?language=en", headers=headers("viewer")).json[0]
    response = _upload(client, headers, small_template, filename="/home/legal/dpa-short.docx")
    assert response.status_code == 201, response.json
    uploaded = response.json
    assert uploaded["version"] == 2
    assert uploaded["active"] is True
    assert uploaded["filename"] == "dpa-short.docx"
    assert uploaded["sha256"] == hashlib.sha256(small_template).hexdigest()
    assert uploaded["created_by"] == "legal@example.test"
    assert "agreement.notice_period_days" in uploaded["variables"]
    assert client.get(f"/api/v1/templates/{builtin['id']}", headers=headers("viewer")).json["active"] is False
    active = client.get("/api/v1/templates?language=en&active=true", headers=headers("viewer")).json
    assert [t["id"] for t in active] == [uploaded["id"]]
    download = client.get(f"/api/v1/templates/{uploaded['id']}/document", headers=headers("viewer"))
    assert download.status_code == 200
    assert download.data == small_template
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in download.headers["Content-Disposition"]
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.entity_type == "dpa_template")).all()
    assert "dpa_template.uploaded" in actions


def test_a_new_key_starts_at_version_1(client, headers, small_template):
    response = _upload(client, headers, small_template, key="dpa-short", language="ro")
    assert response.status_code == 201, response.json
    assert (response.json["key"], response.json["version"]) == ("dpa-short", 1)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7 not a word file", "not a ZIP"),
        (b"", "not a ZIP"),
    ],
)
def test_not_a_docx_is_rejected(client, headers, data, reason):
    response = _upload(client, headers, data)
    assert response.status_code == 422
    assert reason in response.json["message"]
    assert response.json["errors"]["json"]["file"]


def test_a_zip_without_a_document_is_rejected(client, headers):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "{{ client.name }}")
    response = _upload(client, headers, out.getvalue())
    assert response.status_code == 422
    assert "word/document.xml" in response.json["message"]


def test_syntax_error_is_rejected_with_its_line(client, headers, make_template):
    template = make_template(["First paragraph", "Second {{ client.name }}", "Third {{ client.name + }} here"])
    response = _upload(client, headers, template)
    assert response.status_code == 422
    assert "syntax error" in response.json["message"]
    assert "line 3" in response.json["message"]
    assert "Third {{ client.name + }} here" in response.json["message"]
    assert response.json["errors"]["json"]["line"] == ["3"]


def test_unclosed_block_is_rejected(client, headers, make_template):
    response = _upload(client, headers, make_template(["{% if client.name %} open"], table=False))
    assert response.status_code == 422
    assert "'if'" in response.json["message"]


def test_broken_expression_names_the_line(client, headers, make_template):
    response = _upload(client, headers, make_template(["ok", "{{ client.name }"], table=False))
    assert response.status_code == 422
    assert response.json["errors"]["json"]["line"] == ["2"]
    assert "client.name" in response.json["message"]


def test_unknown_variables_are_named(client, headers, make_template):
    template = make_template(
        ["{{ client.nickname }} {{ customer }}", "{% for sp in subprocessors %}{{ sp.ceo }}{% endfor %}"]
    )
    response = _upload(client, headers, template)
    assert response.status_code == 422
    assert response.json["errors"]["json"]["variables"] == ["client.nickname", "customer", "subprocessors[].ceo"]
    for name in ("client.nickname", "customer", "subprocessors[].ceo"):
        assert name in response.json["message"]


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ client['__class__'] }}",
        "{{ client|attr('__class__') }}",
        "{% include 'x' %}",
        "{{ client.name|safe }}",
        "{% autoescape false %}{{ client.name }}{% endautoescape %}",
        "{{ 'x' * 1000000000 }}",
        "{{ client.name * 99 }}",
        "{{ 2 ** 64 }}",
    ],
)
def test_sandbox_violations_are_rejected(client, headers, make_template, payload):
    response = _upload(client, headers, make_template(["Hello", payload], table=False))
    assert response.status_code == 422, response.json
    assert "sandbox" in response.json["message"]
    listed = client.get("/api/v1/templates?language=en", headers=headers("viewer")).json
    assert [t["version"] for t in listed] == [1]


def test_made_up_ranges_are_unknown(client, headers, make_template):
    response = _upload(client, headers, make_template(["{% for i in range(99999) %}{{ i }}{% endfor %}"], table=False))
    assert response.status_code == 422
    assert response.json["errors"]["json"]["variables"] == ["range"]


def test_a_template_failing_on_an_empty_list_is_rejected(client, headers, make_template):
    response = _upload(client, headers, make_template(["First: {{ subprocessors[0].name }}"], table=False))
    assert response.status_code == 422
    assert "empty sample" in response.json["message"]


def test_a_tag_split_by_formatting_is_rejected(client, headers, make_template):
    response = _upload(client, headers, make_template(["Client { { client.name }}"], table=False))
    assert response.status_code == 422
    assert "left in the rendered document" in response.json["message"]


def test_upload_needs_file_and_language(client, headers):
    response = client.post(
        "/api/v1/templates", data={"key": "Bad Key"}, headers=headers("legal"), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert set(response.json["errors"]["form_and_files"]) == {"file", "key", "language"}


def test_template_roles(client, headers, small_template):
    for role in ("viewer", "account_manager", "legal", "admin"):
        assert client.get("/api/v1/templates", headers=headers(role)).status_code == 200
    for role in ("viewer", "account_manager"):
        assert _upload(client, headers, small_template, role=role).status_code == 403
    assert _upload(client, headers, small_template, role="admin").status_code == 201
    template_id = client.get("/api/v1/templates", headers=headers("viewer")).json[0]["id"]
    for role in ("viewer", "account_manager", "legal"):
        assert client.get(f"/api/v1/templates/{template_id}", headers=headers(role)).status_code == 200
        assert client.get(f"/api/v1/templates/{template_id}/document", headers=headers(role)).status_code == 200
    assert client.get("/api/v1/templates/999999", headers=headers("viewer")).status_code == 404


def test_a_template_that_renders_forever_is_rejected_in_time(client, headers, make_template, monkeypatch):
    monkeypatch.setattr(validation, "TRIAL_SECONDS", 2.0)
    loops = "{% for a in ('x'|center(100000))|list %}{% for b in ('y'|center(100000))|list %}{% endfor %}{% endfor %}"
    response = _upload(client, headers, make_template(["Hello", loops], table=False))
    assert response.status_code == 422, response.json
    assert "longer than 2 s" in response.json["message"]
    listed = client.get("/api/v1/templates?language=en", headers=headers("viewer")).json
    assert [t["version"] for t in listed] == [1]
