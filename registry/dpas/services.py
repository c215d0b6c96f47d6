"""DPA templates and generated DPA versions: validate, store, render, send, sign, and spot outdated annexes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from registry import clock, links
from registry.audit import services as audit
from registry.audit.services import SYSTEM, Actor
from registry.clients import services as clients
from registry.clients.models import Client, ClientStatus
from registry.db import page_of, utcnow
from registry.dpas import pdf, rendering
from registry.dpas.models import Dpa, DpaStatus, DpaTemplate
from registry.dpas.validation import validate_template
from registry.errors import Conflict, Invalid, NotFound, RegistryError
from registry.extensions import db
from registry.i18n import LANGUAGES
from registry.profile import services as profile_services

log = logging.getLogger(__name__)

BUILTIN_KEY = "dpa"


def builtin_template_file(language: str) -> Traversable:
    """contracts/dpa.<language>.docx, found in the checkout and in an installed wheel alike.

    The top-level contracts/ folder is the only copy; registry/contracts links to it and the wheel installs it
    as registry/contracts/ (package data, see pyproject.toml).
    """
    return resources.files("registry") / "contracts" / f"{BUILTIN_KEY}.{language}.docx"


# -- templates ------------------------------------------------------------------------------------------------


def template_snapshot(template: DpaTemplate) -> dict[str, Any]:
    return {
        "key": template.key,
        "language": template.language,
        "version": template.version,
        "filename": template.filename,
        "sha256": template.sha256,
        "variables": template.variables,
        "active": template.active,
    }


def list_templates(filters: Mapping[str, Any], page: int, page_size: int) -> tuple[list[DpaTemplate], int]:
    """Templates by key, language and newest version first; filters `key`, `language`, `active`."""
    stmt = select(DpaTemplate)
    for name in ("key", "language", "active"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(DpaTemplate, name) == filters[name])
    stmt = stmt.order_by(DpaTemplate.key, DpaTemplate.language, DpaTemplate.version.desc())
    return page_of(db.session(), stmt, page, page_size)


def get_template(template_id: int) -> DpaTemplate:
    template = db.session.get(DpaTemplate, template_id)
    if template is None:
        raise NotFound(f"No DPA template {template_id}.")
    return template


def active_template(key: str, language: str) -> DpaTemplate | None:
    return db.session.scalar(
        select(DpaTemplate).where(DpaTemplate.key == key, DpaTemplate.language == language, DpaTemplate.active)
    )


def _has_versions(key: str, language: str) -> bool:
    stmt = select(DpaTemplate.id).where(DpaTemplate.key == key, DpaTemplate.language == language).limit(1)
    return db.session.scalar(stmt) is not None


def ensure_builtin_templates() -> list[DpaTemplate]:
    """Load contracts/dpa.<language>.docx as version 1 of key "dpa" for each language that has no version yet.

    Loading the shipped reference templates is the system's act, whoever's request happens to need them first.

    Returns the templates loaded now (none once they are in the database). A missing file is skipped.
    """
    loaded: list[DpaTemplate] = []
    for language in LANGUAGES:
        path = builtin_template_file(language)
        if _has_versions(BUILTIN_KEY, language) or not path.is_file():
            continue
        data = path.read_bytes()
        check = validate_template(data, language)
        template = DpaTemplate(
            key=BUILTIN_KEY,
            language=language,
            version=1,
            filename=path.name,
            content=data,
            sha256=rendering.sha256(data),
            variables=check.variables,
            active=True,
            created_by=SYSTEM.label,
        )
        try:
            with db.session.begin_nested():
                db.session.add(template)
        except IntegrityError:  # loaded at the same moment by another transaction
            continue
        audit.record("dpa_template.loaded", template, actor=SYSTEM, after=template_snapshot(template))
        loaded.append(template)
    return loaded


def add_template(data: bytes, *, key: str, language: str, filename: str, actor: Actor) -> DpaTemplate:
    """Validate an uploaded template and make it the active version for (key, language).

    :raise Invalid: the file is not a usable template (see `validate_template`).
    :raise Conflict: another version was uploaded at the same moment.
    """
    _check_language(language)
    check = validate_template(data, language)
    ensure_builtin_templates()
    latest = db.session.scalar(
        select(func.max(DpaTemplate.version)).where(DpaTemplate.key == key, DpaTemplate.language == language)
    )
    previous = active_template(key, language)
    template = DpaTemplate(
        key=key,
        language=language,
        version=(latest or 0) + 1,
        filename=filename or f"{key}.{language}.docx",
        content=data,
        sha256=rendering.sha256(data),
        variables=check.variables,
        active=True,
        created_by=actor.label,
    )
    try:
        with db.session.begin_nested():
            if previous is not None:
                previous.active = False
            db.session.add(template)
    except IntegrityError:
        message = f"Another version of template {key!r} ({language}) was uploaded at the same time: retry."
        raise Conflict(message) from None
    audit.record(
        "dpa_template.uploaded",
        template,
        actor=actor,
        before=template_snapshot(previous) if previous is not None else None,
        after=template_snapshot(template),
    )
    log.info("template %s/%s v%s uploaded by %s", key, language, template.version, actor.label)
    return template


# -- generating a DPA version -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DpaInputs:
    """Everything a DPA version is rendered from, read from the database (the first step of generation)."""

    client_id: int
    number: str
    version: int
    template_id: int
    template: bytes
    language: str
    as_of: date
    dated: date
    context: dict[str, Any]
    annex_digest: str
    translates: int | None = None
    """The id of the language version this one translates (same number, version and date), if any."""


@dataclass(frozen=True)
class PreparedDpa:
    """A rendered DPA version not stored yet (the second step of generation; `store_dpa` is the third)."""

    client_id: int
    number: str
    version: int
    template_id: int
    language: str
    as_of: date
    dated: date
    context: dict[str, Any]
    annex_digest: str
    document: bytes
    sha256: str
    translates: int | None = None


def _number(client: Client, on: date) -> str:
    """ "DPA-<year of the client's first DPA>-<client id:04d>": every version of a client's DPA shares it."""
    first = db.session.scalar(select(Dpa.number).where(Dpa.client_id == client.id).order_by(Dpa.version).limit(1))
    return first or f"DPA-{on.year}-{client.id:04d}"


def _next_version(client_id: int) -> int:
    latest = db.session.scalar(select(func.max(Dpa.version)).where(Dpa.client_id == client_id))
    return (latest or 0) + 1


def _template_for(key: str, language: str) -> DpaTemplate:
    template = active_template(key, language)
    if template is None and key == BUILTIN_KEY:
        ensure_builtin_templates()
        template = active_template(key, language)
    if template is None:
        message = f"No active DPA template {key!r} in language {language!r}: upload one first."
        raise Invalid(message, {"template": [message]})
    return template


def _language_refusal(language: str) -> Invalid | None:
    """Why a DPA cannot be written in `language`, or None."""
    if language in LANGUAGES:
        return None
    return Invalid(f"Unsupported language {language!r}.", {"language": [f"Must be one of: {', '.join(LANGUAGES)}."]})


def _check_language(language: str) -> None:
    refusal = _language_refusal(language)
    if refusal is not None:
        raise refusal


def _inputs(
    client: Client,
    template: DpaTemplate,
    *,
    language: str,
    number: str,
    version: int,
    as_of: date,
    dated: date,
    prevailing_language: str,
    translates: int | None = None,
) -> DpaInputs:
    applicable = clients.applicable_subprocessors(client, as_of)
    context = rendering.build_context(
        client,
        profile_services.get_profile(),
        applicable,
        language=language,
        number=number,
        version=version,
        as_of=as_of,
        today=dated,
        list_url=links.absolute(f"/subprocessors?lang={language}"),
        feed_url=clients.feed_url(client) or "",
        prevailing_language=prevailing_language,
    )
    return DpaInputs(
        client_id=client.id,
        number=number,
        version=version,
        template_id=template.id,
        template=template.content,
        language=language,
        as_of=as_of,
        dated=dated,
        context=context,
        annex_digest=rendering.annex_digest(applicable),
        translates=translates,
    )


def collect_dpa(
    client: Client,
    *,
    language: str | None = None,
    template_key: str = BUILTIN_KEY,
    as_of: date | None = None,
    on: date | None = None,
) -> DpaInputs:
    """Read what the next DPA version for `client` is rendered from; stores nothing.

    The language it is generated in is the version's original, which prevails over its translations.
    Only loads the built-in templates if they were never loaded (the one write it may do).
    """
    language = language or client.language
    _check_language(language)
    on = on or clock.today()
    return _inputs(
        client,
        _template_for(template_key, language),
        language=language,
        number=_number(client, on),
        version=_next_version(client.id),
        as_of=as_of or on,
        dated=on,
        prevailing_language=language,
    )


def language_versions(client_id: int, version: int) -> list[Dpa]:
    """The language versions of one version of a client's DPA, the original first."""
    stmt = select(Dpa).where(Dpa.client_id == client_id, Dpa.version == version).order_by(Dpa.id)
    return list(db.session.scalars(stmt))


def translation_refusal(dpa: Dpa, language: str) -> RegistryError | None:
    """Why `dpa`'s version cannot be rendered in `language` now, or None: an unsupported language or the one it was
    written in (Invalid); the version superseded, already in `language`, or what it was generated from (the client,
    the processor profile, the sub-processors) changed since, so that a new version is needed (Conflict)."""
    if (refusal := _language_refusal(language)) is not None:
        return refusal
    versions = language_versions(dpa.client_id, dpa.version)
    original = versions[0]
    label = f"DPA {dpa.number} v{dpa.version}"
    if language == original.language:
        return Invalid(f"{label} was written in {language}.", {"language": [f"{label} was written in {language}."]})
    if any(v.language == language for v in versions):
        return Conflict(f"{label} already has a {language} version.")
    if dpa.status == DpaStatus.SUPERSEDED:
        return Conflict(f"{label} is superseded: translate the version in force.")
    if rendering.to_snapshot(_text_of(original, original.template, original.language).context) != original.context:
        return Conflict(
            f"The client, the processor profile or the sub-processors have changed since {label} was generated, "
            "so a translation would not say the same: generate a new version instead."
        )
    return None


def _text_of(original: Dpa, template: DpaTemplate, language: str, translates: int | None = None) -> DpaInputs:
    """The inputs of `original`'s version in `language`: its number, version, dates, and prevailing language."""
    return _inputs(
        original.client,
        template,
        language=language,
        number=original.number,
        version=original.version,
        as_of=original.as_of,
        dated=original.dated,
        prevailing_language=original.language,
        translates=translates,
    )


def collect_translation(dpa: Dpa, *, language: str) -> DpaInputs:
    """Read what the `language` version of `dpa`'s version is rendered from: the same number, version, date and
    annex date, from the same facts, with the original named as the prevailing text.

    :raise Invalid, Conflict: see `translation_refusal`.
    """
    refusal = translation_refusal(dpa, language)
    if refusal is not None:
        raise refusal
    original = language_versions(dpa.client_id, dpa.version)[0]
    return _text_of(original, _template_for(original.template.key, language), language, translates=original.id)


def render_dpa(inputs: DpaInputs) -> PreparedDpa:
    """Render a DPA version; touches no database, so callers can end their transaction first."""
    document = rendering.render(inputs.template, inputs.context)
    return PreparedDpa(
        client_id=inputs.client_id,
        number=inputs.number,
        version=inputs.version,
        template_id=inputs.template_id,
        language=inputs.language,
        as_of=inputs.as_of,
        dated=inputs.dated,
        context=rendering.to_snapshot(inputs.context),
        annex_digest=inputs.annex_digest,
        document=document,
        sha256=rendering.sha256(document),
        translates=inputs.translates,
    )


def dpa_snapshot(dpa: Dpa) -> dict[str, Any]:
    return {
        "client_id": dpa.client_id,
        "number": dpa.number,
        "version": dpa.version,
        "template_id": dpa.template_id,
        "language": dpa.language,
        "as_of": dpa.as_of,
        "dated": dpa.dated,
        "annex_digest": dpa.annex_digest,
        "sha256": dpa.sha256,
        "status": dpa.status,
        "sent_at": dpa.sent_at,
        "signed_on": dpa.signed_on,
        "signatory": dpa.signatory,
    }


def store_dpa(prepared: PreparedDpa, *, actor: Actor) -> Dpa:
    """Store a prepared version as a draft; a translation of a signed version is signed with it.

    :raise Conflict: another version (or this language version) for this client was stored since it was prepared.
    """
    clash = f"Another DPA version for client {prepared.client_id} was generated at the same time: retry."
    if prepared.translates is None and _next_version(prepared.client_id) != prepared.version:
        raise Conflict(clash)
    dpa = Dpa(
        client_id=prepared.client_id,
        number=prepared.number,
        version=prepared.version,
        template_id=prepared.template_id,
        language=prepared.language,
        as_of=prepared.as_of,
        dated=prepared.dated,
        context=prepared.context,
        annex_digest=prepared.annex_digest,
        document=prepared.document,
        sha256=prepared.sha256,
        status=DpaStatus.DRAFT,
        created_by=actor.label,
    )
    original = db.session.get(Dpa, prepared.translates) if prepared.translates is not None else None
    if original is not None and original.status == DpaStatus.SIGNED:
        dpa.status, dpa.signed_on, dpa.signatory = original.status, original.signed_on, original.signatory
    try:
        with db.session.begin_nested():
            db.session.add(dpa)
    except IntegrityError:
        raise Conflict(clash) from None
    if original is None:
        audit.record("dpa.generated", dpa, actor=actor, after=dpa_snapshot(dpa))
        log.info("DPA %s v%s generated by %s", dpa.number, dpa.version, actor.label)
    else:
        audit.record("dpa.translated", dpa, actor=actor, after=dpa_snapshot(dpa) | {"translates": original.id})
        log.info("DPA %s v%s translated into %s by %s", dpa.number, dpa.version, dpa.language, actor.label)
    return dpa


def generate_dpa(
    client: Client,
    *,
    actor: Actor,
    language: str | None = None,
    template_key: str = BUILTIN_KEY,
    as_of: date | None = None,
) -> Dpa:
    """Render and store the next DPA version for `client` (a draft; earlier versions stay as they are).

    Asked in a language its latest version is not written in, with nothing changed since (same template, same
    annex date, same facts), it renders that version in the language instead: a translation, not a new version.
    """
    latest = _latest(client.id)
    wanted = language or client.language
    if (
        latest is not None
        and latest.template.key == template_key
        and as_of in (None, latest.as_of)
        and translation_refusal(latest, wanted) is None
    ):
        return store_dpa(render_dpa(collect_translation(latest, language=wanted)), actor=actor)
    inputs = collect_dpa(client, language=language, template_key=template_key, as_of=as_of)
    return store_dpa(render_dpa(inputs), actor=actor)


def _latest(client_id: int) -> Dpa | None:
    stmt = select(Dpa).where(Dpa.client_id == client_id).order_by(Dpa.version.desc(), Dpa.id).limit(1)
    return db.session.scalar(stmt)


def translate_dpa(dpa: Dpa, *, language: str, actor: Actor) -> Dpa:
    """Render `dpa`'s version in another language: the same agreement (number, version, date), not a new version;
    the original text prevails. See `collect_translation` for what is refused."""
    return store_dpa(render_dpa(collect_translation(dpa, language=language)), actor=actor)


# -- reading ---------------------------------------------------------------------------------------------------


def list_dpas(client: Client, page: int, page_size: int) -> tuple[list[Dpa], int]:
    """A client's DPA versions, newest first."""
    stmt = (
        select(Dpa)
        .options(defer(Dpa.context))
        .where(Dpa.client_id == client.id)
        .order_by(Dpa.version.desc(), Dpa.id.desc())
    )
    return page_of(db.session(), stmt, page, page_size)


def get_dpa(dpa_id: int) -> Dpa:
    dpa = db.session.get(Dpa, dpa_id)
    if dpa is None:
        raise NotFound(f"No DPA {dpa_id}.")
    return dpa


def pdf_document(dpa: Dpa, *, actor: Actor) -> bytes:
    """The PDF copy of a DPA version, converted once and kept.

    :raise NotFound: LibreOffice is not installed.
    """
    if dpa.pdf is not None:
        return dpa.pdf
    data = pdf.docx_to_pdf(dpa.document)
    dpa.pdf = data
    db.session.flush()
    audit.record("dpa.pdf_created", dpa, actor=actor, after={"pdf_sha256": rendering.sha256(data)})
    return data


# -- lifecycle ------------------------------------------------------------------------------------------------


def mark_sent(dpa: Dpa, *, actor: Actor) -> Dpa:
    """Record that the document went to the client (again, for a version already sent)."""
    if dpa.status in (DpaStatus.SIGNED, DpaStatus.SUPERSEDED):
        raise Conflict(f"DPA {dpa.number} v{dpa.version} is {dpa.status}: it cannot be sent for signature.")
    before = dpa_snapshot(dpa)
    dpa.status = DpaStatus.SENT
    dpa.sent_at = utcnow()
    db.session.flush()
    audit.record("dpa.sent", dpa, actor=actor, before=before, after=dpa_snapshot(dpa))
    return dpa


def agreement_in_force(client_id: int) -> Dpa | None:
    """The client's DPA that governs it now: its signed version, else the latest one sent for signature."""
    return next(iter(agreements_in_force([client_id])), None)


def agreements_in_force(client_ids: list[int]) -> list[Dpa]:
    """`agreement_in_force` for many clients in one query (at most one DPA per client)."""
    found: dict[int, Dpa] = {}
    rows = db.session.scalars(
        select(Dpa)
        .options(defer(Dpa.document), defer(Dpa.context))
        .where(Dpa.client_id.in_(client_ids), Dpa.status.in_([DpaStatus.SIGNED, DpaStatus.SENT]))
        .order_by(Dpa.client_id, Dpa.version.desc(), Dpa.id)  # of one version, its original text
    )
    for dpa in rows:
        current = found.get(dpa.client_id)
        if current is None or (current.status != DpaStatus.SIGNED and dpa.status == DpaStatus.SIGNED):
            found[dpa.client_id] = dpa
    return list(found.values())


def latest_possible_today() -> date:
    """The latest date that is not in the future anywhere (UTC+14)."""
    return (utcnow() + timedelta(hours=14)).date()


def sign(dpa: Dpa, *, signed_on: date, signatory: str, actor: Actor) -> Dpa:
    """Record the client's signature of `dpa`'s version, in all its language versions (they are one agreement);
    the previously signed version becomes `superseded`.

    :raise Invalid: `signed_on` in the future, or an empty signatory.
    :raise Conflict: this version is superseded or already signed, or a newer version is signed.
    """
    signatory = signatory.strip()
    if signed_on > latest_possible_today():
        raise Invalid("The signature date is in the future.", {"signed_on": ["Must not be in the future."]})
    if not signatory:
        raise Invalid("Say who signed.", {"signatory": ["Must not be empty."]})
    if dpa.status == DpaStatus.SUPERSEDED:
        raise Conflict(f"DPA {dpa.number} v{dpa.version} is superseded by a newer signed version.")
    if dpa.status == DpaStatus.SIGNED:
        raise Conflict(f"DPA {dpa.number} v{dpa.version} is already signed (on {dpa.signed_on}).")
    newer = db.session.scalar(
        select(Dpa.version).where(
            Dpa.client_id == dpa.client_id, Dpa.status == DpaStatus.SIGNED, Dpa.version > dpa.version
        )
    )
    if newer is not None:
        raise Conflict(f"A newer version (v{newer}) of DPA {dpa.number} is already signed.")
    older = list(
        db.session.scalars(
            select(Dpa).where(Dpa.client_id == dpa.client_id, Dpa.status == DpaStatus.SIGNED, Dpa.version < dpa.version)
        )
    )
    for old in older:
        old_before = dpa_snapshot(old)
        old.status = DpaStatus.SUPERSEDED
        db.session.flush()
        audit.record("dpa.superseded", old, actor=actor, before=old_before, after=dpa_snapshot(old))
    for text in language_versions(dpa.client_id, dpa.version):
        before = dpa_snapshot(text)
        text.status = DpaStatus.SIGNED
        text.signed_on = signed_on
        text.signatory = signatory
        db.session.flush()
        audit.record("dpa.signed", text, actor=actor, before=before, after=dpa_snapshot(text))
    return dpa


def active_client_ids() -> list[int]:
    return list(db.session.scalars(select(Client.id).where(Client.status == ClientStatus.ACTIVE).order_by(Client.id)))
