"""The DPA template context (docs/dpa-context.md) and the sandboxed docxtpl renderer.

Pure functions: no database, no Flask. `build_context` turns a client, the processor profile and the client's
applicable sub-processors into the localised context; `render` fills a Word template with it.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from babel.dates import format_date
from docxtpl import DocxTemplate, Listing
from jinja2 import StrictUndefined, Template, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from registry.clients.models import Client
from registry.i18n import (
    CATEGORY_LABELS,
    LANGUAGES,
    ROLE_LABELS,
    calendar_days_text,
    days_text,
    language_name,
    sensitive_data_text,
)
from registry.profile.models import ProcessorProfile
from registry.subprocessors import chain
from registry.transfers.authorities import UK, authority_for
from registry.transfers.rules import Basis, Mechanism, country_name, country_rule, is_country, mechanism_text
from registry.transfers.wording import without_country

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The top-level names a template may use (docs/dpa-context.md).
CONTEXT_NAMES = frozenset({"agreement", "processor", "client", "services", "processing", "subprocessors", "transfers"})

_BABEL_LOCALE = {"ro": "ro", "en": "en_GB"}  # "22 noiembrie 2026" / "22 November 2026"

# Characters XML 1.0 does not allow, plus the ones docxtpl's Listing reads as layout (\a paragraph, \f page).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def _line(value: Any) -> str:
    """One line of clean text: None -> "", control characters dropped, line breaks -> ", "."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value)).strip()
    return _LINE_BREAKS.sub(", ", text)


def _multiline(value: Any) -> str:
    if value is None:
        return ""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()


def _join(values: Iterable[Any], separator: str = ", ") -> str:
    return separator.join(text for text in (_line(v) for v in values) if text)


def _unique(values: Iterable[Any]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        text = _line(value)
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())


def localised_date(value: date, language: str) -> str:
    return format_date(value, format="long", locale=_BABEL_LOCALE[language])


def _country(code: str | None, language: str) -> str:
    if not code:
        return ""
    return country_name(code, language) if is_country(code) else _line(code)


def _decision(mechanism: str, code: str, language: str) -> str:
    """The adequacy decision reference behind `adequacy`/`dpf`, in the document language, else ""."""
    if mechanism not in (Mechanism.ADEQUACY, Mechanism.DPF) or not is_country(code):
        return ""
    if not country_rule(code).decision:
        return ""
    plain = mechanism_text(Mechanism.ADEQUACY, None, language)
    full = mechanism_text(Mechanism.ADEQUACY, None, language, country=code)
    return full[len(plain) :].strip()


def _mechanism_text(mechanism: str, detail: str | None, code: str, language: str) -> str:
    try:
        return mechanism_text(Mechanism(mechanism), detail, language, country=code if is_country(code) else None)
    except ValueError:
        return _line(mechanism)


def _location(raw: Mapping[str, Any], language: str) -> dict[str, str]:
    code = str(raw.get("country") or "")
    mechanism = str(raw.get("mechanism") or "")
    role = str(raw.get("role") or "")
    return {
        "country_name": _country(code, language),
        "label": _line(raw.get("label")),
        "role": ROLE_LABELS[language].get(role, _line(role)),
        "mechanism": mechanism,
        "mechanism_text": _mechanism_text(mechanism, raw.get("mechanism_detail"), code, language),
        "decision": _decision(mechanism, code, language),
    }


def _location_line(location: Mapping[str, str]) -> str:
    """ "Germania — EU (Frankfurt), stocare: SEE (fără transfer)" """
    place = location["country_name"]
    if location["label"]:
        place = f"{place} — {location['label']}" if place else location["label"]
    head = f"{place}, {location['role']}" if location["role"] else place
    return f"{head}: {location['mechanism_text']}" if location["mechanism_text"] else head


def _contact_line(contact: Mapping[str, Any] | None) -> str:
    contact = contact or {}
    return _join(contact.get(key) for key in ("name", "position", "email", "phone"))


def _outside_eea(code: str) -> bool:
    return not is_country(code) or country_rule(code).basis is not Basis.EEA


def _subprocessor(raw: Mapping[str, Any], language: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    locations = [_location(loc, language) for loc in raw.get("locations") or []]
    category = str(raw.get("category") or "")
    entry: dict[str, Any] = {
        "name": _line(raw.get("name")),
        "legal_name": _line(raw.get("legal_name")),
        "address": without_country(_line(raw.get("address")), raw.get("country")),
        "country_name": _country(raw.get("country"), language),
        "website": _line(raw.get("website")),
        "contact": _contact_line(raw.get("contact")),
        "category": CATEGORY_LABELS[language].get(category, _line(category)),
        "purpose": _line(raw.get("purpose")),
        "data_categories": _join(raw.get("data_categories") or []),
        "locations_text": "; ".join(_location_line(loc) for loc in locations),
        "locations": locations,
    }
    transfers = [
        {
            "subprocessor": entry["name"],
            "country_name": location["country_name"],
            "label": location["label"],
            "role": location["role"],
            "mechanism_text": location["mechanism_text"],
        }
        for location, loc in zip(locations, raw.get("locations") or [], strict=True)
        if _outside_eea(str(loc.get("country") or ""))
    ]
    return entry, transfers


def _by_name(raw: Mapping[str, Any]) -> tuple[str, str]:
    return (str(raw.get("name") or "").casefold(), str(raw.get("name") or ""))


PROCESSOR_COUNTRY = "RO"
"""The built-in templates are a Romanian processor's: they name Law No. 190/2018 and Romanian law and courts, so a
client's national law is named beside them only when it is another country's."""


def build_context(
    client: Client,
    profile: ProcessorProfile,
    subprocessors: Sequence[Mapping[str, Any]],
    *,
    language: str,
    number: str,
    version: int,
    as_of: date,
    today: date,
    authorization: str | None = None,
    notice_period_days: int | None = None,
    list_url: str = "",
    feed_url: str = "",
    prevailing_language: str | None = None,
) -> dict[str, Any]:
    """Build the exact template context of docs/dpa-context.md, localised to `language` ("ro" or "en").

    `authorization` and `notice_period_days` default to the client's own; `list_url` is the public list of
    sub-processors, `feed_url` the client's private feed of changes; `prevailing_language` is the language of the
    version's original text (default `language`), which prevails over its translations.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported DPA language {language!r}")
    entries: list[dict[str, Any]] = []
    transfers: list[dict[str, str]] = []
    for raw, level, parent in chain.in_chain_order(subprocessors, key=_by_name):
        entry, outside = _subprocessor(raw, language)
        entry["level"] = level
        entry["engaged_by"] = _line(parent.get("name")) if parent is not None else ""
        entries.append(entry)
        transfers.extend(outside)
    signatory = client.signatory
    toms = profile.toms_ro if language == "ro" else profile.toms_en
    processor_authority = {
        "name": _line(profile.authority_name),
        "address": _line(profile.authority_address),
        "email": _line(profile.authority_email),
        "phone": _line(profile.authority_phone),
        "website": _line(profile.authority_website),
    }
    authority = authority_for(client.country)
    notice_days = int(notice_period_days if notice_period_days is not None else client.notice_period_days)
    texts = [(service.processing or {}).get(language) or {} for service in client.services]
    services = [
        {
            "name": _line(service.name),
            "description": _line(service.description),
            "nature": _line(text.get("nature")),
            "purpose": _line(text.get("purpose")),
            "data_categories": ", ".join(_unique(text.get("data_categories") or [])),
            "data_subjects": ", ".join(_unique(text.get("data_subjects") or [])),
            "retention": _line(text.get("retention")),
        }
        for service, text in zip(client.services, texts, strict=True)
    ]
    return {
        "agreement": {
            "number": _line(number),
            "version": int(version),
            "date": localised_date(today, language),
            "language": language,
            "prevailing_language": language_name(prevailing_language or language, language),
            "authorization": str(authorization or client.authorization),
            "notice_period_days": notice_days,
            "notice_period": calendar_days_text(notice_days, language),
            "as_of": localised_date(as_of, language),
        },
        "processor": {
            "legal_name": _line(profile.legal_name),
            "address": _line(profile.address),
            "registration_number": _line(profile.registration_number),
            "vat_id": _line(profile.vat_id),
            "email": _line(profile.email),
            "phone": _line(profile.phone),
            "website": _line(profile.website),
            "list_url": _line(list_url),
            "backup_retention": days_text(int(profile.backup_retention_days or 30), language),
            "representative": {
                "name": _line(profile.representative_name),
                "title": _line(profile.representative_title),
            },
            "dpo": {
                "name": _line(profile.dpo_name),
                "email": _line(profile.dpo_email),
                "phone": _line(profile.dpo_phone),
            },
            "supervisory_authority": processor_authority,
            "toms": Listing(_multiline(toms)),
        },
        "client": {
            "name": _line(client.name),
            "legal_name": _line(client.legal_name),
            "registration_number": _line(client.registration_number),
            "vat_id": _line(client.vat_id),
            "address": without_country(_line(client.address), client.country),
            "country_name": _country(client.country, language),
            "national_law": authority.law(language) if authority and client.country != PROCESSOR_COUNTRY else "",
            "uk_gdpr": client.country == UK,
            "supervisory_authority": (
                {
                    "name": authority.name(language),
                    "address": f"{authority.address}, {country_name(client.country, language)}"
                    if authority.address
                    else "",
                    "website": authority.website,
                }
                if authority is not None
                else {k: processor_authority[k] for k in ("name", "address", "website")}
            ),
            "feed_url": _line(feed_url),
            "signatory": {"name": _line(signatory.get("name")), "title": _line(signatory.get("title"))},
            "notice_contacts": "; ".join(
                f"{_line(c.name)} <{_line(c.email)}>" if _line(c.name) else _line(c.email)
                for c in client.contacts
                if c.receives_notices and _line(c.email)
            ),
        },
        "services": services,
        "processing": {
            "data_categories": ", ".join(_unique(c for t in texts for c in t.get("data_categories") or [])),
            "data_subjects": ", ".join(_unique(s for t in texts for s in t.get("data_subjects") or [])),
            "sensitive_data": _line(
                sensitive_data_text(
                    list(client.special_categories or []), client.special_categories_safeguards, language
                )
            ),
        },
        "subprocessors": entries,
        "transfers": transfers,
    }


# -- snapshots and digests ------------------------------------------------------------------------------


def to_snapshot(context: Any) -> Any:
    """The context as JSON-safe data (a Listing becomes its plain text), for storing with the document."""
    if isinstance(context, Listing):
        return html.unescape(context.xml)
    if isinstance(context, Mapping):
        return {str(key): to_snapshot(value) for key, value in context.items()}
    if isinstance(context, list | tuple):
        return [to_snapshot(value) for value in context]
    return context


ANNEX_FIELDS = ("name", "legal_name", "address", "country", "contact", "purpose", "data_categories")
ANNEX_LOCATION_FIELDS = ("country", "label", "role", "mechanism", "mechanism_detail")


def _canonical(value: Any) -> Any:
    """Blank and missing read the same ("" / None / absent), whatever shape the list came in."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def annex_digest(subprocessors: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 of what the signed annex says about each sub-processor, independent of language and order.

    Covers who (names, address, contact), what (purpose, data categories) and where (locations with their
    safeguards); a change to anything else (website, services, internal notes) leaves the annex valid.
    """
    annex = sorted(
        (
            {
                "id": raw.get("id"),
                **{key: _canonical(raw.get(key)) for key in ANNEX_FIELDS},
                "locations": [
                    {key: _canonical(loc.get(key)) for key in ANNEX_LOCATION_FIELDS}
                    for loc in raw.get("locations") or []
                ],
            }
            for raw in subprocessors
        ),
        key=lambda item: (item["id"] is None, item["id"] or 0, str(item["name"])),
    )
    canonical = json.dumps(annex, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# -- rendering --------------------------------------------------------------------------------------------


class RenderError(Exception):
    """The template rendered to something that is not a sound Word document."""


class _SourceCache:
    """A small thread-safe LRU for pure functions of a (large) source text: the same template, rendered again,
    is not cleaned up and compiled again."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, source: str, make: Callable[[str], Any]) -> Any:
        with self._lock:
            if source in self._items:
                self._items.move_to_end(source)
                return self._items[source]
        value = make(source)
        with self._lock:
            self._items[source] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_patched_xml = _SourceCache()


class _StrictDocxTemplate(DocxTemplate):  # type: ignore[misc]  # docxtpl ships no type hints
    """docxtpl parses the rendered body with `recover=True`, which silently drops broken markup: refuse it.

    Its tag clean-up (`patch_xml`, a pure function of the part's XML) is cached per template part.
    """

    def patch_xml(self, src_xml: str) -> str:
        patched: str = _patched_xml.get(src_xml, super().patch_xml)
        return patched

    def fix_tables(self, xml: str) -> Any:
        try:
            etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as error:
            raise RenderError(
                "the template produces malformed Word XML (a {% for %} or {% if %} crossing paragraphs or table "
                f"cells? use {{%p ...%}} / {{%tr ...%}}): {error}"
            ) from error
        return super().fix_tables(xml)

    def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        # Core properties (title, subject...) are plain strings that python-docx escapes itself: no autoescape.
        super().render_properties(context, environment(autoescape=False))


MAX_NUMBER = 100_000
"""The largest number a template may compute with: enough for any document, too small to exhaust memory."""


class _Sandbox(SandboxedEnvironment):
    """The Jinja sandbox, also closed to the cheap denial-of-service tricks (`'x' * 10**9`, `range()` nests)."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in ("range", "lipsum"):  # loops run over the context's lists, never over made-up ranges
            self.globals.pop(name, None)
        self._compiled = _SourceCache()

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,  # Jinja's own parameter name
        template_class: type[Template] | None = None,
    ) -> Template:
        """Compile once per distinct source (docxtpl compiles every part of the document on every render)."""
        if isinstance(source, str) and globals is None and template_class is None:
            compiled: Template = self._compiled.get(source, super().from_string)
            return compiled
        return super().from_string(source, globals, template_class)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("the ** operator is not allowed in DPA templates")
        if not (isinstance(left, int | float) and isinstance(right, int | float)):
            raise SecurityError(f"the {operator} operator works on numbers only in DPA templates")
        result = super().call_binop(context, operator, left, right)
        if abs(result) > MAX_NUMBER:
            raise SecurityError(f"numbers above {MAX_NUMBER} are not allowed in DPA templates")
        return result


def environment(*, autoescape: bool = True) -> SandboxedEnvironment:
    """The only Jinja environment templates run in: sandboxed, autoescaped, failing on unknown names.

    One per process (and per `autoescape`), so compiled templates are reused; it is never changed after creation.
    """
    return _environment(autoescape)


@cache
def _environment(autoescape: bool) -> SandboxedEnvironment:
    return _Sandbox(autoescape=autoescape, undefined=StrictUndefined)


def render(template_bytes: bytes, context: Mapping[str, Any]) -> bytes:
    """Render a .docx template with `context`; return the document bytes.

    :raise jinja2.TemplateError: syntax errors, unknown variables (UndefinedError), sandbox violations
        (SecurityError).
    :raise RenderError: the result would not be a well-formed document.
    """
    template = _StrictDocxTemplate(io.BytesIO(template_bytes))
    template.render(dict(context), jinja_env=environment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
