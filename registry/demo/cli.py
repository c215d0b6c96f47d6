"""`flask --app registry demo load`: a living registry for a newcomer, loaded through the same services as the API."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import select

from registry import clock, deadlines
from registry.audit.services import Actor
from registry.auth import services as auth_services
from registry.auth.models import User
from registry.changes import confirmations, evidence
from registry.changes import responses as change_responses
from registry.changes import services as change_services
from registry.changes import standing as change_standing
from registry.changes.links import RespondLink
from registry.changes.models import Answer, Change, ChangeResponse, Resolution
from registry.clients.models import Client
from registry.db import utcnow
from registry.demo import builders
from registry.dpas import services as dpa_services
from registry.dpas.models import Dpa
from registry.errors import NotFound
from registry.extensions import db
from registry.profile import services as profile_services
from registry.profile.schemas import ProfileSchema
from registry.subprocessors import imports as subprocessor_imports
from registry.subprocessors import services as subprocessor_services
from registry.subprocessors.models import SubProcessor

demo_cli = AppGroup("demo", help="Demo data.")

DEMO = Actor("demo")


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("registry.demo").joinpath("demo.json").read_text("utf-8"))
    return data


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the registry already has sub-processors.")
def load(if_empty: bool) -> None:
    """Load the demo processor, services, sub-processors, clients, users and changes that are missing.

    Idempotent and never destructive: what exists (including anything edited since) is left as it is.
    """
    if if_empty and db.session.scalar(select(SubProcessor.id).limit(1)) is not None:
        click.echo("the registry already has data: demo not loaded")
        return
    data = demo_data()
    if not profile_services.get_profile().legal_name:  # never overwrite a profile someone has filled in
        profile_services.update_profile(ProfileSchema(partial=True).load(data["profile"]), actor=DEMO)
    for raw in data["services"]:
        try:
            subprocessor_services.get_service(raw["slug"])
        except NotFound:
            builders.service_from(raw, actor=DEMO)
    existing = set(db.session.scalars(select(SubProcessor.name)))
    result = subprocessor_imports.import_rows(
        [row for row in data["subprocessors"] if row["name"] not in existing], actor=DEMO
    )
    onward = 0
    for raw in data["onward_subprocessors"]:  # each after the sub-processor that engages it
        if raw["name"] not in existing:
            parent = db.session.scalar(select(SubProcessor.id).where(SubProcessor.name == raw["engaged_by"]))
            row = {name: value for name, value in raw.items() if name != "engaged_by"}
            builders.subprocessor_from({**row, "parent_id": parent}, actor=DEMO)
            onward += 1
    clients = 0
    for raw in data["clients"]:
        if db.session.scalar(select(Client.id).where(Client.legal_name == raw["legal_name"])) is None:
            builders.client_from(raw, actor=DEMO)
            clients += 1
    tokens = _users(data["users"])
    changes = _changes(clock.today())
    dpas = _dpas(clock.today())
    db.session.commit()
    click.echo(
        f"demo loaded: {result.created + onward} sub-processors, {clients} clients, {changes} changes, "
        f"{dpas} DPAs created"
    )
    for email, role, token in tokens:
        click.echo(f"  {role:<16} {email:<32} token: {token}")
    if tokens:
        click.echo("Keep these tokens: they are shown once (`flask --app registry users token EMAIL` makes more).")


def _users(users: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """Create the demo users that are missing; return (email, role, token) for each one created."""
    created = []
    for raw in users:
        if db.session.scalar(select(User.id).where(User.email == raw["email"])) is not None:
            continue
        user = auth_services.create_user(raw["email"], raw["role"], name=raw["name"], actor=DEMO)
        _, token = auth_services.issue_token(user, label="demo", actor=DEMO)
        created.append((user.email, user.role.value, token))
    return created


def _changes(today: date) -> int:
    """An announced addition with an objection and an answer waiting for its contact's confirmation, an announced
    update approved by a specific-authorisation client, an update in effect that an open objection (confirmed by an
    email filed with it) holds for one client, and a draft removal: the legal team's inbox on a normal day. The
    notices of today's announcements go out when the worker runs (`make run`), which starts each client's term.
    Only on a registry without changes."""
    if db.session.scalar(select(Change.id).limit(1)) is not None:
        return 0
    by_name = {sp.name: sp for sp in db.session.scalars(select(SubProcessor))}
    by_legal_name = {c.legal_name: c for c in db.session.scalars(select(Client))}

    brevo = builders.create_change(
        by_name["Brevo"].id,
        actor=DEMO,
        kind="add",
        summary="Brevo (Sendinblue SAS, Paris) will send the invitation and reminder emails of Lumen Live events.",
        reason="Better deliverability and EU-only processing for event emails.",
        effective_on=(today + timedelta(days=50)).isoformat(),
    )
    change_services.announce(brevo, today=today, actor=DEMO)
    _answer(
        brevo,
        by_legal_name["Smith & Co Events Ltd"],
        Answer.OBJECT,
        "Jane Smith <jane@smithco.example>",
        "Our events team already uses another email provider under its own contract; we would rather not add a "
        "second one.",
        today,
    )
    _pending_confirmation(brevo, by_legal_name["Budai Szolgáltató és Tanácsadó Kft."], today)

    google = by_name["Google Workspace"]
    google_update = builders.create_change(
        google.id,
        actor=DEMO,
        kind="update",
        summary="Google will also keep backups of Workspace data in its EU data centre in Eemshaven (Netherlands).",
        reason="A second EU location for disaster recovery.",
        proposed={
            "locations": [
                {"country": "IE", "label": "EU (Dublin)", "role": "processing"},
                {"country": "NL", "label": "EU (Eemshaven)", "role": "backup"},
            ],
        },
        effective_on=max(today + timedelta(days=61), deadlines.earliest_effective(utcnow(), 60)).isoformat(),
    )
    change_services.announce(google_update, today=today, actor=DEMO)
    _answer(google_update, by_legal_name[CLINIC], Answer.APPROVE, ELENA, "", today)

    _held_objection(today, by_name["LINK Mobility (SMSAPI)"], by_legal_name)

    builders.create_change(
        by_name["Apple iCloud"].id,
        actor=DEMO,
        kind="remove",
        summary="Calendar synchronisation through Apple iCloud will be discontinued.",
        reason="The CRM's own calendar replaces it.",
        effective_on=(today + timedelta(days=90)).isoformat(),
    )
    return 4


CLINIC = "Clinica Medicală Sfânta Maria S.R.L."
ELENA = "Elena Pop <conducere@clinica-sfmaria.example>"


def _answer(
    change: Change, client: Client, answer: Answer, respondent: str, reason: str, today: date
) -> ChangeResponse | None:
    """The client's answer through its respond link ("Name <email>" answering), if the change was announced to it."""
    affected = change_standing.find_affected(change.id, client.id)
    if affected is None:
        return None
    name, email = respondent.rstrip(">").split(" <")
    return change_responses.record_response(
        affected,
        answer=answer,
        respondent_name=name,
        respondent_email=email,
        reason=reason,
        ip=None,
        now=datetime.combine(today, time(12), tzinfo=UTC),
    )


def _held_objection(today: date, sms: SubProcessor, by_legal_name: dict[str, Client]) -> None:
    """An update announced 66 days ago that took effect 5 days ago: Ștefănescu objected, so the change does not apply
    to it (its objection holds); the clinic approved; the legal team then offered an alternative, and told it."""
    announced_on = today - timedelta(days=66)
    # the clinic's 60 days' notice, then the change
    effective_on = deadlines.earliest_effective(datetime.combine(announced_on, time(12), tzinfo=UTC), 60)
    update = builders.create_change(
        sms.id,
        actor=DEMO,
        kind="update",
        summary="LINK Mobility will keep a backup of SMS delivery reports in its Frankfurt data centre (Germany).",
        reason="Disaster recovery for the SMS gateway.",
        proposed={
            "locations": [
                {"country": "PL", "label": "Gliwice", "role": "processing"},
                {"country": "DE", "label": "EU (Frankfurt)", "role": "backup"},
            ]
        },
        effective_on=effective_on.isoformat(),
    )
    change_services.announce(update, today=announced_on, actor=DEMO)
    told = datetime.combine(announced_on, time(12, 5), tzinfo=UTC)
    for affected in update.affected:  # its notices reached the clients that day (the worker records it)
        change_services.notice_delivered(update.id, affected.client_id, at=told)
    objection = _answer(
        update,
        by_legal_name["Societatea Ștefănescu & Fiii SRL"],
        Answer.OBJECT,
        "Ana Ștefănescu <ana@stefanescu.example>",
        "Copiile de siguranță ale rapoartelor SMS nu trebuie să părăsească Polonia, conform contractului nostru cu "
        "clienții.",
        announced_on + timedelta(days=3),
    )
    objection = _confirmed_by_email(update, objection, announced_on + timedelta(days=4)) or objection
    _answer(update, by_legal_name[CLINIC], Answer.APPROVE, ELENA, "", announced_on + timedelta(days=5))
    change_services.apply_due(effective_on, actor=DEMO)
    if objection is not None:
        change_responses.resolve_response(
            objection,
            resolution=Resolution.ALTERNATIVE_OFFERED,
            note="Putem dezactiva copia de siguranță din Frankfurt pentru contul dumneavoastră; rapoartele rămân "
            "doar în Polonia.",
            actor=DEMO,
        )


OBJECTION_EMAIL = """From: Ioana Marin <dpo@stefanescu-fiii.example>
To: legal@lumencloud.example
Subject: Obiectie - LINK Mobility, copie de siguranta in Frankfurt
Content-Type: text/plain; charset=utf-8

Buna ziua,

Confirmam obiectia transmisa de colega noastra Ana Stefanescu: copiile de siguranta ale rapoartelor SMS nu trebuie
sa paraseasca Polonia, conform contractelor noastre cu clientii.

Ioana Marin, responsabil cu protectia datelor
"""


def _confirmed_by_email(change: Change, objection: ChangeResponse | None, received_on: date) -> ChangeResponse | None:
    """The client's DPO confirms the objection by email: the legal team records it as received that day and files
    the email with it (the answer the legal team then resolves)."""
    if objection is None:
        return None
    affected = objection.affected
    recorded = change_responses.record_offline_response(
        affected,
        answer=Answer.OBJECT,
        channel="email",
        received_on=received_on,
        respondent="Ioana Marin, DPO",
        respondent_email="dpo@stefanescu-fiii.example",
        reason=objection.reason,
        today=received_on,
        actor=DEMO,
    )
    evidence.add_attachment(
        recorded, OBJECTION_EMAIL.replace("\n", "\r\n").encode(), filename="obiectie-link-mobility.eml", actor=DEMO
    )
    return recorded


def _pending_confirmation(brevo: Change, client: Client, today: date) -> None:
    """A colleague of Budai's contact answers through the link sent to him: the answer waits for his confirmation."""
    affected = change_standing.find_affected(brevo.id, client.id)
    if affected is None:
        return
    confirmations.request_confirmation(
        affected,
        RespondLink(brevo.id, client.id, "odon.kovacs@budai.example"),
        answer=Answer.OBJECT,
        respondent_name="Réka Tóth",
        respondent_email="reka.toth@budai.example",
        reason="Our event invitations must stay with our current provider until our own contract ends in June.",
        ip=None,
        now=datetime.combine(today, time(12), tzinfo=UTC),
    )


def _dpas(today: date) -> int:
    """A DPA for each client that has none: signed for two of them (a Romanian one with its English text, the same
    version), sent to one, a draft for the last."""
    created = 0
    for client in db.session.scalars(select(Client).order_by(Client.id)):
        if db.session.scalar(select(Dpa.id).where(Dpa.client_id == client.id).limit(1)) is not None:
            continue
        dpa = dpa_services.generate_dpa(client, actor=DEMO)
        created += 1
        if client.country == "HU":
            dpa_services.mark_sent(dpa, actor=DEMO)
        elif client.authorization == "general":
            dpa_services.mark_sent(dpa, actor=DEMO)
            signatory = ", ".join(part for part in (client.signatory_name, client.signatory_title) if part)
            dpa_services.sign(dpa, signed_on=today, signatory=signatory, actor=DEMO)
            if client.language == "ro":
                dpa_services.translate_dpa(dpa, language="en", actor=DEMO)
    return created
