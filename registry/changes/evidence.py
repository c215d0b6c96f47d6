"""Evidence of an answer: the letter, email or note through which a client answered, attached to its response.

An answer recorded from a letter or an email is only as good as the document behind it, so the legal team attaches
that document as received. Only files a reader opens safely are taken (PDF, PNG, JPEG, an .eml message, plain
text), each checked by its content and not only its name, up to MAX_BYTES. Attachments are never replaced or
deleted; each is audited with its SHA-256, so the audit chain proves which file was filed when.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from sqlalchemy import select

from registry.audit import services as audit
from registry.audit.services import Actor
from registry.changes.models import ChangeResponse, ResponseAttachment
from registry.db import utcnow
from registry.errors import Invalid, NotFound
from registry.extensions import db

MAX_BYTES = 10 * 1024 * 1024


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def _is_message(data: bytes) -> bool:
    """An RFC 5322 message: header lines ("Name: value", or folded) up to the first empty line, each name a token;
    values and body in any charset (UTF-8 headers, RFC 6532; bodies in ISO-8859-2 or windows-1250)."""
    head, separator, _ = data.replace(b"\r\n", b"\n").partition(b"\n\n")
    if not separator or not head or b"\x00" in head:
        return False
    lines = head.decode("latin-1").split("\n")
    return bool(_HEADER.match(lines[0])) and all(line[:1] in (" ", "\t") or _HEADER.match(line) for line in lines)


_HEADER = re.compile(r"[!-9;-~]+:")
"""A header field's name (printable ASCII but the colon) and its colon."""


KINDS: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "pdf": ("application/pdf", lambda data: data.startswith(b"%PDF-")),
    "png": ("image/png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff")),
    "eml": ("message/rfc822", _is_message),
    "txt": ("text/plain", _is_text),
}
"""Extension -> (media type, whether the content is of that kind)."""


def _refuse(message: str) -> Invalid:
    return Invalid(message, {"file": [message]})


def add_attachment(response: ChangeResponse, data: bytes, *, filename: str, actor: Actor) -> ResponseAttachment:
    """Attach a document to an answer.

    :raise Invalid: naming `file`: empty, larger than MAX_BYTES, a kind not taken, or content that is not what its
        name says.
    """
    name = filename.strip()
    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if not data:
        raise _refuse("The file is empty.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if extension not in KINDS:
        raise _refuse(f"Attach a {', '.join(sorted(KINDS))} file (the letter or email as received).")
    media_type, is_kind = KINDS[extension]
    if not is_kind(data):
        raise _refuse(f"The file is named .{extension} but its content is not a {media_type} file.")
    attachment = ResponseAttachment(
        response=response,
        filename=name,
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        added_by=actor.label,
        created_at=utcnow(),
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "change.response_attachment_added",
        attachment,
        actor=actor,
        after={
            "response_id": response.id,
            "filename": attachment.filename,
            "media_type": media_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    return attachment


def get_attachment(response: ChangeResponse, attachment_id: int) -> ResponseAttachment:
    """:raise NotFound: no such attachment of this answer."""
    attachment = db.session.scalar(
        select(ResponseAttachment).where(
            ResponseAttachment.id == attachment_id, ResponseAttachment.response_id == response.id
        )
    )
    if attachment is None:
        raise NotFound(f"Response {response.id} has no attachment {attachment_id}.")
    return attachment
