"""The letter or email behind an answer recorded offline is attached to it as received: checked by its content, kept
unchanged, downloaded only by the legal team, audited with its SHA-256."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from registry.audit.models import AuditEvent
from registry.extensions import db
from tests.changes.conftest import TODAY

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EML = (
    "From: Maria Ionescu <maria@alfa.test>\r\nTo: legal@processor.test\r\nSubject: Obiecție\r\n\r\n"
    "Ne opunem transferului datelor în afara UE.\r\n"
).encode()


@pytest.fixture
def letter(client, headers, make_subprocessor, make_client, make_change, announce):
    """An objection Alfa sent by letter, recorded by the legal team."""
    alfa = make_client("Alfa")
    change = make_change(make_subprocessor("Mailjet")["id"])
    announce(change["id"])
    body = {
        "client_id": alfa["id"],
        "answer": "object",
        "channel": "letter",
        "received_on": TODAY.isoformat(),
        "respondent": "Maria Ionescu, administrator",
        "reason": "Datele nu pleacă din UE.",
    }
    recorded = client.post(f"/api/v1/changes/{change['id']}/responses", json=body, headers=headers("legal"))
    assert recorded.status_code == 201, recorded.json
    return recorded.json


def _attach(client, headers, response_id, data, filename, role="legal"):
    # encoded in memory: the test client would spool a large body to a temporary file it never closes
    boundary, body = encode_multipart(MultiDict([("file", FileStorage(io.BytesIO(data), filename))]))
    return client.post(
        f"/api/v1/responses/{response_id}/attachments",
        data=body,
        headers=headers(role),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_the_letter_is_attached_as_received_and_downloaded_unchanged(client, headers, letter):
    added = _attach(client, headers, letter["id"], PDF, "scans/2026/scrisoare Ștefănescu.pdf")
    assert added.status_code == 201, added.json
    assert added.json["filename"] == "scrisoare Ștefănescu.pdf"  # without the sender's folders
    assert (added.json["media_type"], added.json["size"]) == ("application/pdf", len(PDF))
    assert added.json["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert _attach(client, headers, letter["id"], EML, "email.eml").status_code == 201

    shown = client.get(f"/api/v1/responses/{letter['id']}", headers=headers("viewer")).json
    assert [a["filename"] for a in shown["attachments"]] == ["scrisoare Ștefănescu.pdf", "email.eml"]
    path = f"/api/v1/responses/{letter['id']}/attachments/{added.json['id']}"
    got = client.get(path, headers=headers("legal"))
    assert got.status_code == 200
    assert got.data == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''scrisoare%20%C8%98tef%C4%83nescu.pdf" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "change.response_attachment_added").limit(1)
    ).all()
    assert event.after["sha256"] == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize(
    ("data", "filename", "says"),
    [
        (b"", "letter.pdf", "The file is empty."),
        (b"not a pdf at all", "letter.pdf", "its content is not a application/pdf file"),
        (b"MZ\x90\x00", "letter.exe", "Attach a eml, jpeg, jpg, pdf, png or txt file"),
        (b"\xff\xfe\x00\x00binary", "note.txt", "its content is not a text/plain file"),
        (b"Just some text, no headers.\r\n", "mail.eml", "its content is not a message/rfc822 file"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf", "larger than 10 MB"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_naming_the_field(client, headers, letter, data, filename, says):
    refused = _attach(client, headers, letter["id"], data, filename)
    assert refused.status_code == 422
    assert says.replace(" or ", ", ") in refused.json["errors"]["json"]["file"][0].replace(" or ", ", ")
    assert client.get(f"/api/v1/responses/{letter['id']}", headers=headers("viewer")).json["attachments"] == []


def test_only_the_legal_team_attaches_and_downloads(client, headers, letter):
    for role in ("viewer", "account_manager"):
        assert _attach(client, headers, letter["id"], PDF, "letter.pdf", role=role).status_code == 403
    added = _attach(client, headers, letter["id"], PDF, "letter.pdf")
    path = f"/api/v1/responses/{letter['id']}/attachments/{added.json['id']}"
    assert client.get(path, headers=headers("viewer")).status_code == 403
    assert client.get(f"/api/v1/responses/{letter['id']}/attachments/999", headers=headers("legal")).status_code == 404


def test_a_body_above_16_mb_is_refused_before_it_is_read(client, headers, letter):
    refused = _attach(client, headers, letter["id"], b"%PDF-" + b"0" * (17 * 1024 * 1024), "huge.pdf")
    assert refused.status_code == 413


def test_an_email_in_a_central_european_charset_is_taken(client, headers, letter):
    """Many mails arrive in ISO-8859-2: headers in ASCII, the body in its own charset."""
    body = "Ne opunem: datele nu pleacă din UE.".encode("iso-8859-2")
    message = (
        b"From: maria@alfa.test\r\nSubject: Obiectie\r\nContent-Type: text/plain; charset=iso-8859-2\r\n\r\n" + body
    )
    assert _attach(client, headers, letter["id"], message, "obiectie.eml").status_code == 201
