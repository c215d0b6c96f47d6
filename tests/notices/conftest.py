"""Fixtures for delivery tests: the app sending through the test SMTP server (tests/fixtures/smtp.py), and an
announced change with one Romanian and one English client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.demo.builders import us_support_location
from tests.factories import World, contact_data
from tests.fixtures.smtp import SmtpServer

LEGAL = "legal@processor.test"


@pytest.fixture
def mail_config(app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """Send through the test SMTP server; legal alerts to LEGAL; webhooks may reach 127.0.0.1."""
    monkeypatch.setitem(app.config, "MAIL_FROM", "registry@processor.test")
    monkeypatch.setitem(app.config, "LEGAL_EMAIL", LEGAL)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    return smtp


# Data: an announced change --------------------------------------------------------------------------------------


@dataclass
class Scene:
    change_id: int
    ro_client: dict[str, Any]
    en_client: dict[str, Any]
    subprocessor: dict[str, Any]


NIMBUS: dict[str, Any] = {  # what the notices are read for
    "legal_name": "Nimbus Cloud Services GmbH",
    "website": "https://nimbus.example/",
    "contact": {"name": "Jana Weber", "position": "DPO", "email": "dpo@nimbus.example", "phone": None},
    "purpose": "Hosting of the CRM database",
    "data_categories": ["contact data", "call recordings"],
    "locations": [
        {"country": "DE", "label": "EU (Frankfurt)", "role": "storage"},
        us_support_location(),
    ],
}


def seed_world(
    client: FlaskClient,
    headers: Callable[[str], dict[str, str]],
    announce: bool = True,
    before_announce: Callable[[Scene], None] | None = None,
) -> Scene:
    """Create the crm service, a proposed sub-processor, a Romanian (general) and an English (specific) client and
    a draft `add` change through the API; announce it unless told not to (`before_announce` runs first)."""
    world = World(client, headers)
    world.service("crm")
    subprocessor = world.subprocessor("Nimbus & Co <Cloud>", **NIMBUS)
    ro_client = world.customer("Ștefănescu", contacts=[contact_data("ana@stefanescu.ro")])
    en_client = world.customer(
        "Acme Europe",
        language="en",
        authorization="specific",
        contacts=[contact_data("privacy@acme.example")],
    )
    change = world.change(
        subprocessor["id"],
        summary="Nimbus hosts the CRM database from March.",
        reason="More capacity in Frankfurt.",
        effective_on=(date.today() + timedelta(days=45)).isoformat(),
    )
    scene = Scene(change["id"], ro_client, en_client, subprocessor)
    if before_announce is not None:
        before_announce(scene)
    if announce:
        world.announce(scene.change_id)
    return scene


def announce_change(client: FlaskClient, headers: Callable[[str], dict[str, str]], change_id: int) -> None:
    World(client, headers).announce(change_id)


@pytest.fixture
def make_world(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> Callable[..., Scene]:
    """`seed_world` in the test's database (rolled back afterwards)."""

    def make(announce: bool = True, before_announce: Callable[[Scene], None] | None = None) -> Scene:
        return seed_world(client, headers, announce, before_announce)

    return make
