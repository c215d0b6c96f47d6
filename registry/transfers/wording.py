"""What a location means in words, in the reader's language: its country, its role, its transfer safeguard (with the
adequacy decision behind it) and a postal address ending in the country's name.

The one place every face takes these words from: DPA annexes, notices, respond pages, public pages, feeds and
exports. Locations are mappings in the API's shape (`country`, `label`, `role`, `mechanism`, `mechanism_detail`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.languages import get_official_languages

from registry.i18n import LANGUAGES, ROLE_LABELS, language_of
from registry.transfers.rules import Mechanism, country_name, country_rule, is_country, mechanism_text


def country_label(code: str | None, language: str) -> str:
    """The country's name in `language`; a code that is not a country is shown as given ("" for none)."""
    if not code:
        return ""
    return country_name(code, language) if is_country(code) else code


def role_label(role: str | None, language: str) -> str:
    """What a location is used for ("storage", "stocare", ...); an unknown role as given."""
    return ROLE_LABELS[language_of(language)].get(role or "", role or "")


def safeguard_text(location: Mapping[str, Any], language: str) -> str:
    """A location's transfer safeguard in plain words, with the decision reference where there is one ("" when no
    mechanism is given; an unknown mechanism as given)."""
    mechanism = location.get("mechanism")
    if not mechanism:
        return ""
    try:
        chosen = Mechanism(mechanism)
    except ValueError:
        return str(mechanism)
    country = location.get("country")
    return mechanism_text(chosen, location.get("mechanism_detail"), language, country=country or None)


def decision_reference(location: Mapping[str, Any], language: str) -> str:
    """The adequacy decision behind an `adequacy` or `dpf` location, in `language` (else "")."""
    mechanism, code = location.get("mechanism"), str(location.get("country") or "")
    if mechanism not in (Mechanism.ADEQUACY, Mechanism.DPF) or not is_country(code) or not country_rule(code).decision:
        return ""
    plain = mechanism_text(Mechanism.ADEQUACY, None, language)
    return mechanism_text(Mechanism.ADEQUACY, None, language, country=code)[len(plain) :].strip()


def location_words(location: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The location with `country_name`, `role_label` and `safeguard` added."""
    return {
        **location,
        "country_name": country_label(location.get("country"), language),
        "role_label": role_label(location.get("role"), language),
        "safeguard": safeguard_text(location, language),
    }


def without_country(address: str, country: Any) -> str:
    """The address without the country it may end with after a comma (in the country's own language, Romanian or
    English), for a document that adds the country in its own language: "..., 1055 Budapest, Magyarország" ->
    "..., 1055 Budapest". (`postal_address` instead keeps an address that already ends with its country.)"""
    if not is_country(country):
        return address
    names = {country_name(country, language) for language in (*get_official_languages(country), *LANGUAGES)}
    head, separator, tail = address.rpartition(",")
    if separator and tail.strip().casefold() in {name.casefold() for name in names}:
        return head.rstrip()
    return address


def postal_address(address: str, country: str, language: str) -> str:
    """The address followed by the country's name, unless the address already ends with it (in any language)."""
    if not is_country(country):
        return ", ".join(part for part in (address, country) if part)
    name = country_name(country, language)
    names = {name, *(country_name(country, other) for other in LANGUAGES)}
    if any(address.rstrip(" .").casefold().endswith(known.casefold()) for known in names):
        return address
    return f"{address}, {name}" if address else name
