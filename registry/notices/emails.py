"""Email notices: rendered from templates/emails/<template>.<language>.txt|html, sent over one SMTP connection per
batch, or written as .eml files to the instance outbox when no SMTP server is configured."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from registry import links
from registry.notices.context import Lookup, notice_context
from registry.notices.outcome import Outcome
from registry.outbox.models import Notice

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30.0
"""Seconds to wait for the SMTP server at each step."""


def message_id(notice_id: int) -> str:
    """The notice's Message-ID: the same on every attempt, so a resend after a crash is recognisable."""
    host = urlsplit(links.base_url()).hostname or "localhost"
    return f"<notice-{notice_id}@{host}>"


@dataclass(frozen=True)
class RenderedEmail:
    """A rendered notice: the complete message (CRLF line ends, as sent over SMTP) and its envelope."""

    recipient: str
    message_id: str
    data: bytes


def render(notice: Notice, *, now: datetime, lookup: Lookup | None = None) -> RenderedEmail:
    """The notice as a multipart/alternative (text + HTML) email in its recipient's language."""
    context = notice_context(notice, lookup, now)
    language = context["language"]
    env = current_app.jinja_env
    text_module = env.get_template(f"emails/{notice.template}.{language}.txt").make_module(context)
    subject = " ".join(str(getattr(text_module, "subject", "")).split())  # one line, whatever the template did
    text = str(text_module).strip() + "\n"
    html = env.get_template(f"emails/{notice.template}.{language}.html").render(
        {**context, "subject": subject, "text": text}
    )
    config = current_app.config
    mid = message_id(notice.id)
    headers = [
        ("From", _address(str(config["MAIL_FROM"]))),
        ("To", _address(notice.recipient)),
        ("Subject", _text(subject, "Subject")),
        ("Date", format_datetime(now)),
        ("Message-ID", mid),
    ]
    reply_to = config.get("LEGAL_EMAIL") or context["processor"].dpo_email  # a reply (an objection) reaches a person
    if reply_to:
        headers.append(("Reply-To", _address(str(reply_to))))
    headers += [("Content-Language", language), ("Auto-Submitted", "auto-generated")]
    if context.get("unsubscribe_url"):  # public subscribers: one-click unsubscribe (RFC 8058)
        headers.append(("List-Unsubscribe", f"<{_one_line(context['unsubscribe_url'])}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return RenderedEmail(notice.recipient, mid, mime_alternative(headers, text, html, boundary=f"=_{mid[1:-1]}"))


def mime_alternative(headers: list[tuple[str, str]], text: str, html: str, *, boundary: str) -> bytes:
    """A multipart/alternative message: the text part quoted-printable (readable in the raw message), the HTML part
    base64. Assembled directly: the `email` package's message objects cost several times more per message, which
    shows when thousands of notices go out. A boundary starting with "=_" cannot occur in either encoding."""
    lines = [f"{name}: {value}" for name, value in headers]
    lines += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    for subtype, encoding, body in (
        ("plain", "quoted-printable", binascii.b2a_qp(text.replace("\n", "\r\n").encode(), istext=True)),
        ("html", "base64", base64.encodebytes(html.encode()).replace(b"\n", b"\r\n")),
    ):
        lines += [
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            f"Content-Transfer-Encoding: {encoding}",
            "",
            body.decode("ascii").rstrip("\r\n"),
        ]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("ascii")


def _one_line(value: str) -> str:
    """No CR/LF (or other runs of whitespace) can reach a header and inject another one."""
    return " ".join(value.split())


def _text(value: str, name: str) -> str:
    """An unstructured header value, RFC 2047-encoded (and folded) when it is not ASCII."""
    value = _one_line(value)
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _address(value: str) -> str:
    """An address header: the display name, if any, encoded when not ASCII; the address itself as given."""
    name, address = parseaddr(_one_line(value))
    return formataddr((name, address), charset="utf-8") if name else address


def outbox_folder(app: Flask) -> Path:
    return Path(app.config.get("INSTANCE_OUTBOX") or Path(app.instance_path) / "outbox")


class Mailer:
    """Sends messages over one SMTP connection, opened on first use and reused until `close`.

    Without MAIL_SERVER, messages are written to the outbox folder as <message id>.eml instead. A connection that
    cannot be opened is not retried for the rest of the batch: every message of the batch fails for the same reason.
    """

    def __init__(self, config: Mapping[str, Any], outbox: Path) -> None:
        self.config = config
        self.outbox = outbox
        self._smtp: smtplib.SMTP | None = None
        self._broken: str | None = None

    @classmethod
    def for_app(cls, app: Flask) -> Mailer:
        return cls(app.config, outbox_folder(app))

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def send(self, message: RenderedEmail) -> Outcome:
        mid, recipient = message.message_id, message.recipient
        if not self.config.get("MAIL_SERVER"):
            return self._write(message)
        if self._broken is not None:
            return Outcome.failed(self._broken)
        try:
            smtp = self._connection()
        except (OSError, smtplib.SMTPException) as error:
            self._broken = f"cannot reach the SMTP server: {_describe(error)}"
            return Outcome.failed(self._broken)
        try:
            smtp.sendmail(parseaddr(str(self.config["MAIL_FROM"]))[1], [recipient], message.data)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = error.recipients.get(recipient, next(iter(error.recipients.values()), (0, b"")))
            return _refused(code, text)
        except smtplib.SMTPSenderRefused as error:  # our From address: a setting to fix, not this notice's fault
            refused = _refused(error.smtp_code, error.smtp_error)
            return Outcome.failed(f"{refused.error} (the sender address {error.sender} was refused)")
        except smtplib.SMTPServerDisconnected as error:
            self._drop()
            return Outcome.failed(f"the SMTP server closed the connection: {error}")
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server is closing the connection
                self._drop()
            return _refused(error.smtp_code, error.smtp_error)
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            return Outcome.failed(_describe(error))
        return Outcome.sent(mid)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            host, port = str(self.config["MAIL_SERVER"]), int(self.config.get("MAIL_PORT") or 0)
            smtp: smtplib.SMTP
            if _flag(self.config.get("MAIL_USE_SSL")):
                smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
            try:
                if _flag(self.config.get("MAIL_USE_TLS")):
                    smtp.starttls(context=ssl.create_default_context())
                if self.config.get("MAIL_USERNAME"):
                    smtp.login(str(self.config["MAIL_USERNAME"]), str(self.config.get("MAIL_PASSWORD") or ""))
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _write(self, message: RenderedEmail) -> Outcome:
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._@-]", "", message.message_id) or "message"
        path = self.outbox / f"{name}.eml"
        partial = path.with_suffix(".eml.part")
        partial.write_bytes(message.data)
        os.replace(partial, path)
        return Outcome.sent(message.message_id)


def _flag(value: Any) -> bool:
    """A boolean setting, whether it came from Python or from the environment ("true", "1", "yes")."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _refused(code: int, text: bytes | str) -> Outcome:
    """A reply the server gave: 5xx is permanent (the notice dies), 4xx is temporary (retried)."""
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return Outcome.failed(f"SMTP {code} {words}".strip(), permanent=500 <= code < 600)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
