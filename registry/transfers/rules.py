"""Transfer rules: which safeguard a data location needs (GDPR Chapter V).

Pure functions over the shipped, versioned data file ``data/transfer_rules.csv``
(EEA members and EU adequacy decisions). No Flask, no database.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources

import pycountry
from babel import Locale, UnknownLocaleError

from registry.i18n import language_of

__all__ = [
    "SUBPROCESSOR_SCC_MODULES",
    "Basis",
    "CountryRule",
    "LocationCheck",
    "Mechanism",
    "all_countries",
    "check_location",
    "check_subprocessor_location",
    "country_name",
    "country_rule",
    "is_country",
    "mechanism_text",
    "rules_version",
]

_DATA_FILE = "transfer_rules.csv"
_COLUMNS = ["code", "name", "basis", "decision", "scope", "in_force_from", "in_force_until", "note"]
_VERSION_PREFIX = "# version:"
_US = "US"
SUBPROCESSOR_SCC_MODULES = frozenset({"2", "3"})
"""SCC modules that fit a sub-processor: 3 (processor to processor), or 2 where the client signs them directly."""

# A module number 1-4, alone ("3") or after "module"/"modul"/"modulul" ("Module 3", "modulul 3").
_SCC_MODULE = re.compile(r"(?:^\s*|\bmodul(?:e|ul)?\s*[:#.]?\s*)([1-4])\b", re.IGNORECASE)
# An Art. 49(1) point (a)-(g): "b", "(b)", "49(1)(b)", "Art. 49(1)(b)", "art. 49 alin. (1) lit. b)".
_DEROGATION_POINT = re.compile(
    r"^\s*(?:art(?:icle|\.)?\s*)?"
    r"(?:49\s*(?:\(\s*1\s*\)|alin\.\s*\(\s*1\s*\))\s*(?:lit\.\s*)?)?"
    r"(?:\(\s*([a-g])\s*\)|([a-g])\b\)?)",
    re.IGNORECASE,
)


class Mechanism(StrEnum):
    """Transfer mechanism recorded on a location."""

    EEA = "eea"
    ADEQUACY = "adequacy"
    DPF = "dpf"
    SCC = "scc"
    BCR = "bcr"
    DEROGATION = "derogation"


class Basis(StrEnum):
    """Where a country stands: inside the EEA, covered by an adequacy decision, or a third country."""

    EEA = "eea"
    ADEQUACY = "adequacy"
    THIRD = "third"


@dataclass(frozen=True)
class CountryRule:
    code: str
    name: str
    basis: Basis
    decision: str
    scope: str
    in_force_from: date | None
    in_force_until: date | None
    note: str

    def in_force(self, on: date) -> bool:
        """Tell whether the adequacy decision is in force on ``on``.

        Always true inside the EEA, never for a third country. ``in_force_until`` is the
        date the decision lapses: it is no longer in force on that date.
        """
        if self.basis is Basis.EEA:
            return True
        if self.basis is Basis.THIRD:
            return False
        if self.in_force_from is not None and on < self.in_force_from:
            return False
        return self.in_force_until is None or on < self.in_force_until

    @property
    def label(self) -> str:
        """Code and English name, as used in messages: ``US (United States)``."""
        return f"{self.code} ({self.name})"


@dataclass(frozen=True)
class LocationCheck:
    mechanism: Mechanism | None
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


# -- data file ---------------------------------------------------------------------------------------


def _parse_date(value: str, code: str, column: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{_DATA_FILE}: {code}: bad {column} {value!r}") from exc


@cache
def _load() -> tuple[str, dict[str, CountryRule]]:
    """Read the data file once: its version and the listed countries by code."""
    text = (resources.files(__package__ or "registry.transfers") / "data" / _DATA_FILE).read_text("utf-8")
    lines = text.splitlines()
    version = ""
    if lines and lines[0].startswith(_VERSION_PREFIX):
        version = lines[0][len(_VERSION_PREFIX) :].strip()
    if not version:
        raise ValueError(f"{_DATA_FILE}: the first line must be '{_VERSION_PREFIX} <version>'")
    reader = csv.DictReader(line for line in lines if line.strip() and not line.lstrip().startswith("#"))
    if reader.fieldnames != _COLUMNS:
        raise ValueError(f"{_DATA_FILE}: columns must be {','.join(_COLUMNS)}, not {reader.fieldnames}")
    rules: dict[str, CountryRule] = {}
    for row in reader:
        code = row["code"].strip()
        if not is_country(code):
            raise ValueError(f"{_DATA_FILE}: {code!r} is not an ISO 3166-1 alpha-2 code")
        if code in rules:
            raise ValueError(f"{_DATA_FILE}: {code} is listed twice")
        basis = Basis(row["basis"].strip())
        if basis is Basis.THIRD:
            raise ValueError(f"{_DATA_FILE}: {code}: only eea and adequacy countries are listed")
        if basis is Basis.ADEQUACY and not row["decision"].strip():
            raise ValueError(f"{_DATA_FILE}: {code}: an adequacy row needs its decision reference")
        rules[code] = CountryRule(
            code=code,
            name=row["name"].strip(),
            basis=basis,
            decision=row["decision"].strip(),
            scope=row["scope"].strip(),
            in_force_from=_parse_date(row["in_force_from"], code, "in_force_from"),
            in_force_until=_parse_date(row["in_force_until"], code, "in_force_until"),
            note=row["note"].strip(),
        )
    return version, rules


def rules_version() -> str:
    """Return the version of the shipped data file (its ``# version:`` line)."""
    return _load()[0]


# -- countries ---------------------------------------------------------------------------------------


def is_country(code: str) -> bool:
    """Tell whether ``code`` is an ISO 3166-1 alpha-2 code, in upper case."""
    return (
        isinstance(code, str)
        and len(code) == 2
        and code.isascii()
        and code.isalpha()
        and code.isupper()
        and pycountry.countries.get(alpha_2=code) is not None
    )


def _iso_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    common = getattr(country, "common_name", None)
    return str(common) if common else str(country.name)


def country_rule(code: str) -> CountryRule:
    """Return the rule for a country; an unlisted ISO country is a third country.

    :raise ValueError: ``code`` is not an upper-case ISO 3166-1 alpha-2 code.
    """
    if not is_country(code):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    listed = _load()[1].get(code)
    if listed is not None:
        return listed
    return CountryRule(
        code=code,
        name=_iso_name(code),
        basis=Basis.THIRD,
        decision="",
        scope="",
        in_force_from=None,
        in_force_until=None,
        note="",
    )


@cache
def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def country_name(code: str, language: str) -> str:
    """Return the country's name in ``language`` (CLDR via Babel), else its ISO English name.

    :raise ValueError: ``code`` is not an upper-case ISO 3166-1 alpha-2 code.
    """
    if not is_country(code):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    locale = _locale(language)
    if locale is not None:
        name = locale.territories.get(code)
        if isinstance(name, str) and name:
            return name
    return _iso_name(code)


def all_countries() -> list[CountryRule]:
    """Return the rule of every ISO 3166-1 country, listed or third, sorted by code."""
    return sorted((country_rule(c.alpha_2) for c in pycountry.countries), key=lambda rule: rule.code)


# -- location check ----------------------------------------------------------------------------------


def _dpf_usable(rule: CountryRule, dpf_certified: bool, dpf_recheck_on: date | None, on: date) -> bool:
    return rule.code == _US and rule.in_force(on) and dpf_certified and (dpf_recheck_on is None or dpf_recheck_on >= on)


def _adequacy_problem(rule: CountryRule, on: date) -> str | None:
    """Say why ``adequacy`` cannot be used for this country on ``on``, or None if it can."""
    if rule.basis is Basis.THIRD:
        return f"{rule.label}: no EU adequacy decision covers this country"
    if rule.code == _US:
        return (
            f"{rule.label}: the adequacy decision {rule.decision} covers only organisations certified "
            "under the EU-US Data Privacy Framework: use dpf"
        )
    if rule.in_force_from is not None and on < rule.in_force_from:
        return (
            f"{rule.label}: the adequacy decision {rule.decision} is in force only from "
            f"{rule.in_force_from.isoformat()}"
        )
    if rule.in_force_until is not None and on >= rule.in_force_until:
        return f"{rule.label}: the adequacy decision {rule.decision} lapsed on {rule.in_force_until.isoformat()}"
    return None


def _dpf_problem(rule: CountryRule, dpf_certified: bool, dpf_recheck_on: date | None, on: date) -> str | None:
    """Say why ``dpf`` cannot be used, or None if it can."""
    if rule.code != _US:
        return f"{rule.label}: dpf applies only to organisations in the United States"
    if not rule.in_force(on):
        return f"{rule.label}: the EU-US Data Privacy Framework decision {rule.decision} is not in force"
    if not dpf_certified:
        return f"{rule.label}: dpf needs the organisation's certification under the EU-US Data Privacy Framework"
    if dpf_recheck_on is not None and dpf_recheck_on < on:
        return f"{rule.label}: DPF certification recheck date {dpf_recheck_on.isoformat()} has passed"
    return None


def _safeguards(derogation: bool) -> list[str]:
    """The safeguards open to any country outside the EEA; a sub-processor's cannot rest on a derogation."""
    return ["scc", "bcr", "derogation"] if derogation else ["scc", "bcr"]


def _either(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1]


def _needs_mechanism(
    rule: CountryRule, dpf_certified: bool, dpf_recheck_on: date | None, on: date, *, derogation: bool = True
) -> str:
    """Say that the country needs a safeguard, with why adequacy or dpf does not cover it (no label)."""
    message = f"requires a transfer mechanism: {_either(_safeguards(derogation))}"
    reason: str | None = None
    if rule.code == _US:
        reason = _dpf_problem(rule, dpf_certified, dpf_recheck_on, on)
    elif rule.basis is Basis.ADEQUACY:
        reason = _adequacy_problem(rule, on)
    if reason:
        return f"{message} ({reason.split(': ', 1)[1]})"
    return message


def _usable(
    rule: CountryRule, dpf_certified: bool, dpf_recheck_on: date | None, on: date, *, derogation: bool = True
) -> str:
    """List the mechanisms a non-EEA country can use on ``on``: "adequacy, scc, bcr or derogation"."""
    names = _safeguards(derogation)
    if _dpf_usable(rule, dpf_certified, dpf_recheck_on, on):
        names.insert(0, "dpf")
    elif rule.basis is Basis.ADEQUACY and rule.code != _US and rule.in_force(on):
        names.insert(0, "adequacy")
    return _either(names)


def _derive(
    rule: CountryRule, dpf_certified: bool, dpf_recheck_on: date | None, on: date, *, derogation: bool = True
) -> tuple[Mechanism | None, str | None]:
    if rule.basis is Basis.EEA:
        return Mechanism.EEA, None
    if rule.code == _US:
        if _dpf_usable(rule, dpf_certified, dpf_recheck_on, on):
            return Mechanism.DPF, None
    elif rule.basis is Basis.ADEQUACY and rule.in_force(on):
        return Mechanism.ADEQUACY, None
    return None, f"{rule.label}: {_needs_mechanism(rule, dpf_certified, dpf_recheck_on, on, derogation=derogation)}"


def _parse_mechanism(value: str) -> Mechanism | None:
    try:
        return Mechanism(value.strip().lower())
    except ValueError:
        return None


def check_location(
    country: str,
    mechanism: str | None,
    detail: str | None,
    *,
    dpf_certified: bool,
    dpf_recheck_on: date | None,
    on: date,
) -> LocationCheck:
    """Check a location's country and transfer mechanism on date ``on``.

    An empty mechanism is derived where the law gives one (EEA, an adequacy decision in force,
    a DPF-certified US organisation). Problems are keyed by field: ``country``, ``mechanism``,
    ``mechanism_detail``.
    """
    return _check(
        country,
        mechanism,
        detail,
        dpf_certified=dpf_certified,
        dpf_recheck_on=dpf_recheck_on,
        on=on,
        subprocessor=False,
    )


def check_subprocessor_location(
    country: str,
    mechanism: str | None,
    detail: str | None,
    *,
    tia_reference: str | None,
    tia_date: date | None,
    dpf_certified: bool,
    dpf_recheck_on: date | None,
    on: date,
    today: date | None = None,
) -> LocationCheck:
    """Check a sub-processor's location: `check_location`, and what a sub-processor's transfer needs.

    A sub-processor is always a processor-to-processor transfer that happens as a matter of course: its SCCs are
    module 3, or module 2 where the client signs them directly; an Art. 49 derogation (for occasional transfers)
    cannot cover it; SCCs and BCRs need a transfer impact assessment done by ``today`` (default ``on``): its
    reference and date. Problems are keyed by field as for `check_location`, plus ``tia_reference``, ``tia_date``.
    """
    check = _check(
        country, mechanism, detail, dpf_certified=dpf_certified, dpf_recheck_on=dpf_recheck_on, on=on, subprocessor=True
    )
    if check.mechanism not in (Mechanism.SCC, Mechanism.BCR) or {"country", "mechanism"} & check.problems.keys():
        return check
    label = country_rule(country).label
    need = f"{label}: transfers under SCCs or BCRs need a transfer impact assessment"
    problems = dict(check.problems)
    if not (tia_reference or "").strip():
        problems["tia_reference"] = f"{need}: give its reference (and its date)"
    done_by = today or on
    if tia_date is None:
        problems["tia_date"] = f"{need}: give the date it was done (and its reference)"
    elif tia_date > done_by:
        problems["tia_date"] = (
            f"{label}: the transfer impact assessment is dated {tia_date.isoformat()}, after "
            f"{done_by.isoformat()}: an assessment not yet done does not cover the transfer; "
            "give the date it was done"
        )
    return LocationCheck(check.mechanism, problems)


def _scc_module_problem(rule: CountryRule, detail: str | None, *, subprocessor: bool) -> str | None:
    """Say why the SCC detail does not name a module that fits, or None if it does."""
    modules = _SCC_MODULE.findall(detail or "")
    if not subprocessor:
        if modules:
            return None
        return f"{rule.label}: standard contractual clauses need the module (1-4), e.g. 'module 3'"
    if modules and set(modules) <= SUBPROCESSOR_SCC_MODULES:
        return None
    wrong = sorted(set(modules) - SUBPROCESSOR_SCC_MODULES)
    given = f"module {' and '.join(wrong)} does not fit: " if wrong else ""
    return (
        f"{rule.label}: {given}a sub-processor's SCCs are module 3 (processor to processor), or module 2 where "
        "the client signs them directly: give 'module 2' or 'module 3'"
    )


def _check(
    country: str,
    mechanism: str | None,
    detail: str | None,
    *,
    dpf_certified: bool,
    dpf_recheck_on: date | None,
    on: date,
    subprocessor: bool,
) -> LocationCheck:
    """`check_location`; ``subprocessor``: with the mechanism rules of a sub-processor's location (SCC module 2 or 3,
    no derogation), and messages that offer only what a sub-processor may use."""
    derogation = not subprocessor
    problems: dict[str, str] = {}
    chosen: Mechanism | None = None
    if mechanism is not None and mechanism.strip():
        chosen = _parse_mechanism(mechanism)
        if chosen is None:
            allowed = ", ".join(m.value for m in Mechanism)
            problems["mechanism"] = f"unknown transfer mechanism {mechanism!r}: use one of {allowed}"
    if not is_country(country):
        problems["country"] = f"{country!r} is not an ISO 3166-1 alpha-2 country code (e.g. DE, US)"
        return LocationCheck(chosen, problems)
    if "mechanism" in problems:
        return LocationCheck(None, problems)

    rule = country_rule(country)
    if chosen is None:
        derived, missing = _derive(rule, dpf_certified, dpf_recheck_on, on, derogation=derogation)
        if missing:
            problems["mechanism"] = missing
        return LocationCheck(derived, problems)

    if rule.basis is Basis.EEA:
        if chosen is not Mechanism.EEA:
            problems["mechanism"] = f"{rule.label}: no transfer safeguard is needed inside the EEA: use eea"
        return LocationCheck(chosen, problems)

    problem: str | None = None
    if chosen is Mechanism.EEA:
        usable = _usable(rule, dpf_certified, dpf_recheck_on, on, derogation=derogation)
        problem = f"{rule.label}: eea is only for EEA countries; use {usable}"
    elif chosen is Mechanism.ADEQUACY:
        problem = _adequacy_problem(rule, on)
        if problem is not None and rule.code != _US:
            problem += f"; use {_either(_safeguards(derogation))}"
    elif chosen is Mechanism.DPF:
        problem = _dpf_problem(rule, dpf_certified, dpf_recheck_on, on)
    elif chosen is Mechanism.SCC:
        module_problem = _scc_module_problem(rule, detail, subprocessor=subprocessor)
        if module_problem is not None:
            problems["mechanism_detail"] = module_problem
    elif chosen is Mechanism.DEROGATION:
        if subprocessor:
            usable = _usable(rule, dpf_certified, dpf_recheck_on, on, derogation=False)
            problem = (
                f"{rule.label}: Art. 49 derogations cover occasional transfers, not a sub-processor's regular "
                f"processing: use {usable}"
            )
        elif not detail or not _DEROGATION_POINT.match(detail):
            problems["mechanism_detail"] = (
                f"{rule.label}: a derogation needs the Art. 49(1) point, (a) to (g), e.g. 'Art. 49(1)(b)'"
            )
    # bcr: allowed for any country outside the EEA, detail optional.
    if problem is not None:
        problems["mechanism"] = problem
    return LocationCheck(chosen, problems)


# -- plain words ---------------------------------------------------------------------------------------

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "eea": "EEA (no transfer)",
        "adequacy": "Adequacy decision",
        "dpf": "EU-US Data Privacy Framework (Decision (EU) 2023/1795)",
        "scc": "Standard contractual clauses (Decision (EU) 2021/914)",
        "module": "module {n}",
        "bcr": "Binding corporate rules (Art. 47 GDPR)",
        "derogation": "Derogation, Art. 49(1)({point}) GDPR",
        "derogation_unknown": "Derogation (Art. 49 GDPR)",
    },
    "ro": {
        "eea": "SEE (fără transfer)",
        "adequacy": "Decizie de adecvare",
        "dpf": "Cadrul UE-SUA privind confidențialitatea datelor (Decizia (UE) 2023/1795)",
        "scc": "Clauze contractuale standard (Decizia (UE) 2021/914)",
        "module": "modulul {n}",
        "bcr": "Reguli corporatiste obligatorii (art. 47 RGPD)",
        "derogation": "Derogare, art. 49 alin. (1) lit. {point}) RGPD",
        "derogation_unknown": "Derogare (art. 49 RGPD)",
    },
}

# EU act references in Romanian: (EU) -> (UE), 2010/625/EU -> 2010/625/UE, 2003/490/EC -> 2003/490/CE.
_RO_REFERENCE = [
    (re.compile(r"\bEU\b"), "UE"),
    (re.compile(r"\bEC\b"), "CE"),
    (re.compile(r"\brenewed\b"), "reînnoită"),
]


def _reference(reference: str, language: str) -> str:
    if language == "ro":
        for pattern, replacement in _RO_REFERENCE:
            reference = pattern.sub(replacement, reference)
    return reference


def mechanism_text(mechanism: Mechanism, detail: str | None, language: str, *, country: str | None = None) -> str:
    """Describe a transfer mechanism in plain words, in Romanian or English (other languages: English).

    ``country`` adds the adequacy decision's reference for ``adequacy``.
    """
    lang = language_of(language)
    words = _TEXT[lang]
    detail = (detail or "").strip()
    if mechanism is Mechanism.EEA:
        return words["eea"]
    if mechanism is Mechanism.DPF:
        return words["dpf"]
    if mechanism is Mechanism.ADEQUACY:
        text = words["adequacy"]
        if country is not None and is_country(country):
            rule = country_rule(country)
            if rule.decision:
                text = f"{text} {_reference(rule.decision, lang)}"
        return text
    if mechanism is Mechanism.SCC:
        text = words["scc"]
        module = _SCC_MODULE.search(detail)
        if module:
            return f"{text}, {words['module'].format(n=module.group(1))}"
        return f"{text}, {detail}" if detail else text
    if mechanism is Mechanism.BCR:
        return f"{words['bcr']}, {detail}" if detail else words["bcr"]
    point = _DEROGATION_POINT.match(detail)
    if point:
        return words["derogation"].format(point=(point.group(1) or point.group(2)).lower())
    return f"{words['derogation_unknown']}, {detail}" if detail else words["derogation_unknown"]
