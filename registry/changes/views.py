"""The respond pages: a client reads an announced change and objects, approves or refuses through a signed link."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_datetime, get_timezone
from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from registry import deadlines
from registry.changes import confirmations, links, responses, standing, states
from registry.changes.links import RespondLink
from registry.changes.models import AffectedClient, Change, ChangeKind, Expectation, PendingAnswer
from registry.changes.texts import FIELD_NAMES, TEXT
from registry.db import utcnow
from registry.errors import Conflict, Invalid
from registry.extensions import db
from registry.i18n import change_kind_words, language_of, long_date
from registry.profile import services as profile
from registry.transfers import wording

blp = Blueprint("respond", __name__)

FORM_FIELDS = ("answer", "name", "email", "reason")
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
"""The pages carry a secret link: no cache keeps them, no Referer leaks the link."""


def _now() -> datetime:
    return utcnow()


def _language(affected: AffectedClient | None) -> str | None:
    return None if affected is None else language_of(affected.client.language)


def _date(value: date, lang: str) -> str:
    return long_date(value, lang)


def _closed(status: int, key: str, lang: str | None, **values: Any) -> Response:
    """A page saying why the link cannot be used: in the client's language, or in both when it is unknown."""
    languages = [lang] if lang else ["ro", "en"]
    messages = [
        {"lang": code, "title": TEXT[code][f"{key}_title"], "text": TEXT[code][key].format(**values)}
        for code in languages
    ]
    page = render_template("respond/closed.html", lang=lang or "ro", messages=messages, status=status)
    return Response(page, status=status, headers=NO_STORE, mimetype="text/html")


def _closed_link(state: responses.LinkState, affected: AffectedClient, lang: str) -> Response:
    """410: the change was withdrawn, took effect, or the client's deadline passed."""
    change = affected.change
    if state == responses.LinkState.WITHDRAWN:
        return _closed(410, "withdrawn", lang)
    if state == responses.LinkState.EFFECTIVE:
        took_effect = change.effective_at.date() if change.effective_at is not None else change.effective_on
        if affected.excluded:  # held by its open objection, or excluded: say so, not just "it took effect"
            key = "held" if standing.is_held(affected) else "not_applied"
            return _closed(410, key, lang, effective_on=_date(took_effect, lang))
        return _closed(410, "effective", lang, effective_on=_date(took_effect, lang))
    assert affected.deadline is not None  # a link expires at the end of the client's deadline
    deadline = deadlines.deadline_text(affected.deadline, lang)
    return _closed(410, "expired", lang, deadline=deadline, consequence=_expired_consequence(affected, lang))


def _expired_consequence(affected: AffectedClient, lang: str) -> str:
    """What the passed deadline means for this client, from where it stands: its open objection holds the change, an
    objection resolved by exclusion keeps it out, otherwise general authorisation applies the change and specific
    authorisation without an approval keeps the sub-processor from the client's data (as the notice said)."""
    change = affected.change
    response = standing.current_response(affected)
    values = {
        "name": change.subprocessor.name,
        "replaces": change.replaces.name if change.replaces is not None else "",
        "effective_on": _date(change.effective_on, lang),
    }
    if standing.is_open_objection(response):
        key = "expired_objection"
    elif response is not None and response.resolution in responses.EXCLUDING:
        key = "expired_excluded"
    elif affected.expectation == Expectation.OBJECTION_WINDOW or standing.approved(response):
        key = "expired_applies" if response is not None else "expired_silence"
    else:
        without = (
            "expired_without_update"
            if change.kind == ChangeKind.UPDATE
            else "expired_without_replace"
            if change.kind == ChangeKind.REPLACE and change.replaces is not None
            else "expired_without"
        )
        prefix = TEXT[lang]["expired_refused" if response is not None else "expired_no_approval"]
        return f"{prefix} {TEXT[lang][without].format(**values)}"
    return TEXT[lang][key].format(**values)


def _location_rows(state: dict[str, Any], lang: str) -> list[dict[str, str]]:
    return [
        {
            "country": wording.country_label(location.get("country"), lang),
            "label": location.get("label") or "",
            "role": wording.role_label(location.get("role"), lang),
            "safeguard": wording.safeguard_text(location, lang),
        }
        for location in state.get("locations") or []
    ]


def _explanation(affected: AffectedClient, lang: str, deadline: str) -> str:
    """What the client is asked for and until when; for an urgent replacement, that it applies before the deadline."""
    text = TEXT[lang]
    change = affected.change
    if affected.expectation != Expectation.OBJECTION_WINDOW:
        return text["specific"].format(deadline=deadline)
    explanation = text["general"].format(deadline=deadline)
    if change.urgent:
        urgent = text["urgent_general"].format(
            effective_on=_date(change.effective_on, lang), name=change.subprocessor.name
        )
        explanation = f"{explanation} {urgent}"
    return explanation


def _page_context(affected: AffectedClient, lang: str, token: str, now: datetime) -> dict[str, Any]:
    change: Change = affected.change
    state = states.subprocessor_after(change)
    current = standing.current_response(affected)
    text = TEXT[lang]
    processor = profile.get_profile().legal_name or ""
    deadline_day = standing.deadline_of(affected, now)
    deadline = deadlines.deadline_text(deadline_day, lang)  # with its time and zone, as the notices give it
    return {
        "lang": lang,
        "t": text,
        "token": token,
        "csrf": links.form_token(token),
        "intro": text["intro"].format(processor=processor) if processor else text["intro_anonymous"],
        "change": change,
        "client": affected.client,
        "kind": change_kind_words(str(change.kind), lang)["heading"],
        "replaces": change.replaces.name if change.replaces is not None else None,
        "changed_fields": [FIELD_NAMES[lang].get(name, name) for name in sorted(change.proposed)]
        if change.kind == ChangeKind.UPDATE and change.proposed
        else [],
        "sp": state,
        "sp_country": wording.country_label(state["country"], lang),
        "locations": _location_rows(state, lang),
        "effective_on": change.effective_on,
        "effective_on_text": _date(change.effective_on, lang),
        "deadline": deadline_day,
        "deadline_text": deadline,
        "general": affected.expectation == Expectation.OBJECTION_WINDOW,
        "explanation": _explanation(affected, lang, deadline),
        "current": current,
        "current_text": (
            text["current_answer"].format(
                when=_when(current.created_at, lang),
                name=current.respondent_name,
                answer=text[f"answer_{current.answer}"],
            )
            if current is not None
            else None
        ),
    }


def _when(value: datetime, lang: str) -> str:
    return format_datetime(value, format="medium", tzinfo=get_timezone("Europe/Bucharest"), locale=lang)


def _field_errors(error: Invalid, text: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in error.errors or {}:
        if name == "email":
            errors[name] = text["bad_email"]
        elif name == "answer":
            errors[name] = text["bad_answer"]
        else:
            errors[name] = text["required"]
    return errors


@blp.route("/respond/<token>", methods=["GET", "POST"])
def respond(token: str) -> Any:
    """Show a change to a client and take its answer: at once in the name of the notice contact the link was sent
    to, after that contact's confirmation in anyone else's (`confirmations`)."""
    now = _now()
    found = responses.affected_for_token(token)
    if found is None:
        return _closed(404, "unknown", None)
    affected, respond_link = found
    lang = _language(affected) or "en"
    state = responses.link_state(affected, now)
    if state == responses.LinkState.WITHDRAWN:
        return _closed_link(state, affected, lang)
    if affected.expectation == Expectation.INFORMATION:  # a removal: the client is told, nothing is asked of it
        change = affected.change
        return _closed(
            200, "information", lang, name=change.subprocessor.name, effective_on=_date(change.effective_on, lang)
        )
    if state != responses.LinkState.OPEN:
        return _closed_link(state, affected, lang)

    form = {name: "" for name in FORM_FIELDS} | {"email": respond_link.to or ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not links.check_form_token(token, request.form.get("csrf", "")):
            return _closed(400, "stale", lang)
        form = {name: request.form.get(name, "") for name in FORM_FIELDS}
        if affected.expectation == Expectation.OBJECTION_WINDOW:  # object, or withdraw an earlier objection
            form["answer"] = "accept" if form["answer"] == "accept" else "object"
        try:
            given = confirmations.answer_through_link(
                affected,
                respond_link,
                answer=form["answer"],
                respondent_name=form["name"],
                respondent_email=form["email"],
                reason=form["reason"],
                ip=request.remote_addr,
                now=now,
            )
            outcome = "pending" if isinstance(given, PendingAnswer) else "recorded"
        except responses.LinkClosed:
            db.session.rollback()
            return _closed_link(responses.link_state(affected, now), affected, lang)
        except Invalid as error:
            db.session.rollback()
            errors = _field_errors(error, TEXT[lang])
            status = 422
        else:
            return redirect(f"{url_for('.respond', token=token)}?{outcome}=1", 303)

    context = _page_context(affected, lang, token, now)
    page = render_template(
        "respond/page.html",
        **context,
        form=form,
        errors=errors,
        recorded=request.args.get("recorded") == "1",
        pending_text=_pending_text(affected, respond_link, lang) if request.args.get("pending") == "1" else None,
        bound_text=_bound_text(affected, respond_link, lang),
        bound_to=respond_link.to or "",
    )
    return Response(page, status=status, headers=NO_STORE, mimetype="text/html")


def _pending_text(affected: AffectedClient, respond_link: RespondLink, lang: str) -> str:
    if respond_link.to is not None:
        return TEXT[lang]["pending_sent"].format(to=respond_link.to)
    return TEXT[lang]["pending_sent_any"].format(client=affected.client.legal_name)


def _bound_text(affected: AffectedClient, respond_link: RespondLink, lang: str) -> str:
    if respond_link.to is not None:
        return TEXT[lang]["bound_hint"].format(to=respond_link.to)
    return TEXT[lang]["unbound_hint"].format(client=affected.client.legal_name)


@blp.route("/respond/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Any:
    """A notice contact confirms an answer someone else gave in the client's name (GET shows it, POST confirms)."""
    now = _now()
    found = confirmations.pending_for_token(token)
    if found is None:
        return _closed(404, "confirm_unknown", None)
    pending, by = found
    affected = pending.affected
    lang = _language(affected) or "en"
    if pending.response_id is not None:
        return _closed(200, "confirmed", lang)
    state = responses.link_state(affected, now)
    if state != responses.LinkState.OPEN:
        return _closed_link(state, affected, lang)
    if request.method == "POST":
        if not links.check_form_token(token, request.form.get("csrf", "")):
            return _closed(400, "stale", lang)
        try:
            confirmations.confirm_answer(pending, by=by, now=now)
        except responses.LinkClosed:
            db.session.rollback()
            return _closed_link(responses.link_state(affected, now), affected, lang)
        except Conflict:
            db.session.rollback()
            if pending.response_id is None:  # the client answered again since: that answer counts
                return _closed(409, "confirm_superseded", lang)
        return redirect(url_for(".confirm", token=token), 303)
    text = TEXT[lang]
    change = affected.change
    page = render_template(
        "respond/confirm.html",
        lang=lang,
        t=text,
        token=token,
        csrf=links.form_token(token),
        pending=pending,
        intro=text["confirm_intro"].format(
            name=pending.respondent_name, email=pending.respondent_email, client=affected.client.legal_name
        ),
        answer=text[f"answer_{pending.answer}"],
        kind=change_kind_words(str(change.kind), lang)["heading"],
        change=change,
        effective_on_text=_date(change.effective_on, lang),
        deadline_text=deadlines.deadline_text(standing.deadline_of(affected, now), lang),
    )
    return Response(page, headers=NO_STORE, mimetype="text/html")
