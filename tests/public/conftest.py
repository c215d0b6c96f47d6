"""Fixtures for the public pages: registry data built through the API (and the changes service for taking effect,
which the worker does in production)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from registry.feeds import services as feeds
from registry.notices.worker import Worker
from tests.world import World


@pytest.fixture
def world(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> World:
    feeds.cache().clear()
    return World(client, headers)


# -- a real SMTP server ---------------------------------------------------------------------------------------------


class Inbox:
    """Messages an aiosmtpd server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1; the app sends its email there for the test."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def deliver(app: Flask) -> Callable[[], None]:
    """Run the worker once, as `flask worker --once` does."""

    def run() -> None:
        Worker(app).run(once=True)

    return run
