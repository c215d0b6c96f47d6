"""Public pages (no login): the list, its history, exports, and the email subscription (double opt-in)."""

from __future__ import annotations

import hmac
import secrets
from datetime import date
from itertools import groupby
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, session, url_for
from marshmallow import ValidationError, validate

from registry.changes import messages
from registry.changes.models import ChangeStatus
from registry.errors import Invalid, RegistryError
from registry.extensions import db
from registry.i18n import CATEGORY_LABELS, LANGUAGES, ROLE_LABELS, language_of
from registry.public import i18n, services
from registry.public.schemas import public_list
from registry.subprocessors import services as subprocessor_services
from registry.subprocessors.models import Category
from registry.subscriptions import services as subscriptions
from registry.transfers import rules
from registry.transfers.wording import country_label

blp = Blueprint("public", __name__)

CSRF_KEY = "public.csrf"
_email = validate.Email()


# -- helpers ----------------------------------------------------------------------------------------------------


def _page(template: str, language: str, status: int = 200, **context: Any) -> Response:
    """Render a public page in `language`, with the language switch and the helpers every page uses."""
    response = Response(
        render_template(
            template,
            lang=language,
            t=i18n.translator(language),
            languages=LANGUAGES,
            switch_url=_switch_url,
            categories=CATEGORY_LABELS[language],
            roles=ROLE_LABELS[language],
            **context,
        ),
        status=status,
        mimetype="text/html",
    )
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
    return response


def _switch_url(language: str) -> str:
    """This page in another language (the other query parameters kept)."""
    values: dict[str, Any] = {**request.args.to_dict(flat=False), **(request.view_args or {}), "lang": language}
    return url_for(request.endpoint or "public.subprocessors", **values)


def _date_arg(name: str) -> tuple[date | None, bool]:
    """(the date, whether it was valid) for a YYYY-MM-DD query parameter; empty: (None, True)."""
    value = request.args.get(name, "").strip()
    if not value:
        return None, True
    try:
        return date.fromisoformat(value), True
    except ValueError:
        return None, False


def _filters() -> dict[str, str | None]:
    service = request.args.get("service", "").strip() or None
    category = request.args.get("category", "").strip() or None
    country = request.args.get("country", "").strip().upper() or None
    if category is not None and category not in {c.value for c in Category}:
        category = None
    if country is not None and not rules.is_country(country):
        country = None
    if service is not None and service not in subprocessor_services.service_slugs():
        service = None
    return {"service": service, "category": category, "country": country}


def _csrf_token() -> str:
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def _csrf_ok() -> bool:
    expected = session.get(CSRF_KEY)
    given = request.form.get("csrf_token", "")
    return isinstance(expected, str) and hmac.compare_digest(expected.encode(), given.encode())


def _countries(language: str) -> list[tuple[str, str]]:
    """(code, name) of every country where a current sub-processor has its seat or a location."""
    codes: set[str] = set()
    for state in services.public_states(language=language):
        codes.add(state["country"])
        codes.update(location["country"] for location in state["locations"])
    return sorted(((code, country_label(code, language)) for code in codes), key=lambda item: item[1])


# -- the list ---------------------------------------------------------------------------------------------------


@blp.get("/subprocessors")
def subprocessors() -> Response:
    language = i18n.pick_language(request)
    as_of, as_of_ok = _date_arg("as_of")
    filters = _filters()
    states = services.public_states(language=language, as_of=as_of, **filters)
    order = {category.value: position for position, category in enumerate(Category)}
    states.sort(key=lambda state: (order.get(state["category"], len(order)), state["name"].casefold()))
    own_tools = [state for state in states if not subprocessor_services.processes_client_data(state)]
    states = [state for state in states if subprocessor_services.processes_client_data(state)]
    groups = [(category, list(items)) for category, items in groupby(states, key=lambda state: state["category"])]
    # the chain is shown whatever the filters keep: a parent or an onward sub-processor may be filtered out
    everyone = services.public_states(language=language, as_of=as_of) if any(filters.values()) else states
    by_id = {state["id"]: state for state in everyone}
    onward: dict[int, list[dict[str, Any]]] = {}
    for state in everyone:
        if state.get("parent_id") in by_id:
            onward.setdefault(state["parent_id"], []).append(state)
    return _page(
        "public/subprocessors.html",
        language,
        status=200 if as_of_ok else 400,
        groups=groups,
        parents=by_id,
        onward=onward,
        own_tools=own_tools,
        count=len(states),
        as_of=as_of,
        as_of_ok=as_of_ok,
        filters=filters,
        service_choices=subprocessor_services.service_choices(),
        category_choices=[category.value for category in Category],
        country_choices=_countries(language),
        last_changed=services.last_changed(as_of),
        upcoming=services.published_changes(status=ChangeStatus.ANNOUNCED) if as_of is None else [],
        phrase=messages.headline,
    )


@blp.get("/subprocessors.json")
def subprocessors_json() -> Response:
    language = i18n.pick_language(request)
    as_of, as_of_ok = _date_arg("as_of")
    if not as_of_ok:
        return Response('{"message": "as_of: use YYYY-MM-DD."}', status=400, mimetype="application/json")
    states = services.public_states(language=language, as_of=as_of, **_filters())
    body = public_list.dump(
        {
            "as_of": as_of,
            "language": language,
            "last_changed": services.last_changed(as_of),
            "subprocessors": states,
        }
    )
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept-Language")
    return response


@blp.get("/subprocessors.csv")
def subprocessors_csv() -> Response:
    language = i18n.pick_language(request)
    as_of, as_of_ok = _date_arg("as_of")
    if not as_of_ok:
        return Response("as_of: use YYYY-MM-DD.\n", status=400, mimetype="text/plain")
    states = services.public_states(language=language, as_of=as_of, **_filters())
    name = f"subprocessors-{as_of.isoformat()}.csv" if as_of else "subprocessors.csv"
    response = Response(services.export_csv(states), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept-Language")
    return response


# -- history ----------------------------------------------------------------------------------------------------


@blp.get("/subprocessors/changes")
def changes() -> Response:
    language = i18n.pick_language(request)
    return _page("public/changes.html", language, changes=services.published_changes(), phrase=messages.headline)


@blp.get("/subprocessors/changes/<int:change_id>")
def change(change_id: int) -> Response:
    language = i18n.pick_language(request)
    found = services.published_change(change_id)
    return _page(
        "public/change.html",
        language,
        change=found,
        sp=services.change_state(found, language),
        replaced=services.replaced_state(found, language),
        phrase=messages.headline,
    )


@blp.get("/subprocessors/compare")
def compare() -> Response:
    language = i18n.pick_language(request)
    start, start_ok = _date_arg("from")
    end, end_ok = _date_arg("to")
    valid = start_ok and end_ok and (start is None or end is None or start <= end)
    result = services.diff(start, end, language=language) if valid and start and end else None
    return _page(
        "public/compare.html",
        language,
        status=200 if valid else 400,
        start=start,
        end=end,
        valid=valid,
        result=result,
        show=_show,
    )


def _show(value: Any) -> str:
    """A field value from a saved state, in words, for the compare view."""
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_show(item)}" for key, item in value.items() if item not in (None, ""))
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict) and "country" in item:
                detail = f" {item['mechanism_detail']}" if item.get("mechanism_detail") else ""
                label = f" {item['label']}" if item.get("label") else ""
                parts.append(f"{item['country']}{label} ({item.get('role', '')}, {item.get('mechanism', '')}{detail})")
            else:
                parts.append(_show(item))
        return "; ".join(parts)
    return str(value)


# -- subscriptions ----------------------------------------------------------------------------------------------


@blp.route("/subscribe", methods=["GET", "POST"])
def subscribe() -> Response:
    language = i18n.pick_language(request)
    if request.method == "GET":
        return _subscribe_form(language)
    t = i18n.translator(language)
    if not _csrf_ok():
        return _subscribe_form(language, error=t("form_expired"), status=400)
    email = request.form.get("email", "").strip()
    chosen_language = language_of(request.form.get("language") or language)
    wanted = request.form.getlist("services")
    try:
        _email(email)
        if len(email) > 320:
            raise ValidationError("too long")
    except ValidationError:
        return _subscribe_form(language, error=t("email_invalid"), status=422, email=email)
    try:
        subscriptions.subscribe(email, chosen_language, wanted, ip=request.remote_addr)
    except subscriptions.RateLimited:
        db.session.rollback()
        return _page("public/message.html", language, 429, title=t("rate_limited_title"), message=t("rate_limited"))
    except Invalid as error:
        db.session.rollback()
        return _subscribe_form(language, error=error.message, status=422, email=email)
    return _page(
        "public/message.html",
        language,
        title=t("subscribe_sent_title"),
        message=t("subscribe_sent", days=subscriptions.CONFIRM_MAX_AGE.days),
    )


def _subscribe_form(language: str, *, error: str | None = None, status: int = 200, email: str = "") -> Response:
    return _page(
        "public/subscribe.html",
        language,
        status=status,
        csrf_token=_csrf_token(),
        error=error,
        email=email,
        chosen=request.form.getlist("services") if request.method == "POST" else [],
        service_choices=subprocessor_services.service_choices(),
    )


def _link_problem(error: RegistryError, language: str) -> Response:
    t = i18n.translator(language)
    expired = isinstance(error, subscriptions.LinkExpired)
    return _page(
        "public/link_invalid.html",
        language,
        status=error.status,
        message=t("link_expired") if expired else t("link_invalid"),
    )


@blp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Response:
    language = i18n.pick_language(request)
    try:
        subscriber, asked_language, _ = subscriptions.subscriber_for_confirm_token(token)
    except (subscriptions.LinkInvalid, subscriptions.LinkExpired) as error:
        return _link_problem(error, language)
    if "lang" not in request.args:
        language = asked_language
    t = i18n.translator(language)
    if request.method == "GET":
        return _page("public/confirm.html", language, email=subscriber.email)
    subscriptions.confirm(token)
    return _page(
        "public/message.html",
        language,
        title=t("confirmed_title"),
        message=t("confirmed", email=subscriber.email),
        unsubscribe_url=subscriptions.unsubscribe_url(subscriber),
    )


@blp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Response:
    """GET asks; POST unsubscribes (the page's button, and RFC 8058 one-click `List-Unsubscribe=One-Click`)."""
    language = i18n.pick_language(request)
    try:
        subscriber = subscriptions.subscriber_for_unsubscribe_token(token)
    except subscriptions.LinkInvalid as error:
        return _link_problem(error, language)
    if "lang" not in request.args:
        language = subscriber.language
    t = i18n.translator(language)
    if request.method == "GET":
        return _page("public/unsubscribe.html", language, email=subscriber.email)
    subscriptions.unsubscribe(subscriber)
    return _page(
        "public/message.html",
        language,
        title=t("unsubscribed_title"),
        message=t("unsubscribed", email=subscriber.email),
    )
