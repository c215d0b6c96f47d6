"""Fixtures for delivery tests: a real SMTP server (aiosmtpd), a real HTTP server for webhooks, and an announced
change with one Romanian and one English client."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

LEGAL = "legal@processor.test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpSink:
    """An aiosmtpd handler that keeps every message; `rcpt_reply` makes it refuse every recipient (e.g. "550 ..."),
    `refuse` only the addresses it names."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.rcpt_reply: str | None = None
        self.refuse: dict[str, str] = {}
        self.arrived = threading.Condition()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.rcpt_reply or address in self.refuse:
            return self.rcpt_reply or self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]


@dataclass
class SmtpServer:
    sink: SmtpSink
    port: int
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.sink.messages


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(SmtpSink(), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_config(app: Flask, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """Send through the test SMTP server; legal alerts to LEGAL; webhooks may reach 127.0.0.1."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "registry@processor.test")
    monkeypatch.setitem(app.config, "LEGAL_EMAIL", LEGAL)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    return smtp_server


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookServer:
    """Records every POST; answers with the statuses queued in `replies` (then 204)."""

    url: str
    received: list[Received] = field(default_factory=list)
    replies: list[int] = field(default_factory=list)


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    state: dict[str, WebhookServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            server = state["server"]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            server.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = server.replies.pop(0) if server.replies else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["server"] = WebhookServer(f"http://127.0.0.1:{httpd.server_address[1]}/hooks/registry")
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state["server"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


# Data: an announced change --------------------------------------------------------------------------------------


@dataclass
class World:
    change_id: int
    ro_client: dict[str, Any]
    en_client: dict[str, Any]
    subprocessor: dict[str, Any]


SUBPROCESSOR = {
    "name": "Nimbus & Co <Cloud>",
    "legal_name": "Nimbus Cloud Services GmbH",
    "country": "DE",
    "address": "Hauptstraße 1, 10115 Berlin",
    "website": "https://nimbus.example/",
    "contact": {"name": "Jana Weber", "position": "DPO", "email": "dpo@nimbus.example", "phone": None},
    "category": "hosting",
    "purpose": "Hosting of the CRM database",
    "data_categories": ["contact data", "call recordings"],
    "data_subjects": ["client users"],
    "services": ["crm"],
    "locations": [
        {"country": "DE", "label": "EU (Frankfurt)", "role": "storage"},
        {"country": "US", "role": "support", "mechanism": "scc", "mechanism_detail": "module 3"},
    ],
    "status": "proposed",
}


def client_body(name: str, language: str, authorization: str, email: str) -> dict[str, Any]:
    return {
        "name": name,
        "legal_name": f"{name} SRL",
        "country": "RO",
        "address": "Str. Dacia 12, București",
        "language": language,
        "services": ["crm"],
        "authorization": authorization,
        "notice_period_days": 30,
        "contacts": [{"name": "Ana", "email": email, "role": "DPO", "receives_notices": True}],
    }


def seed_world(
    client: FlaskClient,
    headers: Callable[[str], dict[str, str]],
    announce: bool = True,
    before_announce: Callable[[World], None] | None = None,
) -> World:
    """Create the crm service, a proposed sub-processor, a Romanian (general) and an English (specific) client and
    a draft `add` change through the API; announce it unless told not to (`before_announce` runs first)."""
    response = client.post(
        "/api/v1/services", json={"slug": "crm", "name": "CRM", "description": ""}, headers=headers("legal")
    )
    assert response.status_code == 201, response.json
    response = client.post("/api/v1/subprocessors", json=SUBPROCESSOR, headers=headers("legal"))
    assert response.status_code == 201, response.json
    subprocessor = response.json
    clients = []
    for body in (
        client_body("Ștefănescu", "ro", "general", "ana@stefanescu.ro"),
        client_body("Acme Europe", "en", "specific", "privacy@acme.example"),
    ):
        response = client.post("/api/v1/clients", json=body, headers=headers("account_manager"))
        assert response.status_code == 201, response.json
        clients.append(response.json)
    change = {
        "kind": "add",
        "subprocessor_id": subprocessor["id"],
        "summary": "Nimbus hosts the CRM database from March.",
        "reason": "More capacity in Frankfurt.",
        "effective_on": (date.today() + timedelta(days=45)).isoformat(),
    }
    response = client.post("/api/v1/changes", json=change, headers=headers("legal"))
    assert response.status_code == 201, response.json
    world = World(response.json["id"], clients[0], clients[1], subprocessor)
    if before_announce is not None:
        before_announce(world)
    if announce:
        announce_change(client, headers, world.change_id)
    return world


def announce_change(client: FlaskClient, headers: Callable[[str], dict[str, str]], change_id: int) -> None:
    etag = client.get(f"/api/v1/changes/{change_id}", headers=headers("legal")).headers["ETag"]
    response = client.post(f"/api/v1/changes/{change_id}/announce", headers={**headers("legal"), "If-Match": etag})
    assert response.status_code == 200, response.json


@pytest.fixture
def make_world(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> Callable[..., World]:
    """`seed_world` in the test's database (rolled back afterwards)."""

    def make(announce: bool = True, before_announce: Callable[[World], None] | None = None) -> World:
        return seed_world(client, headers, announce, before_announce)

    return make
