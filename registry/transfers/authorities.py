"""The supervisory authority and the national data protection law of each EEA country and the United Kingdom.

Data: `data/supervisory_authorities.csv`, one row per country, each with the published pages it was taken from
(`sources`). A DPA names the controller's authority (Annex I.C) and law (the definition of Data Protection Law) from
it; a country it does not list (outside the EEA and the UK) has none.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from registry.i18n import language_of

_DATA_FILE = "supervisory_authorities.csv"
_COLUMNS = ["country", "name_en", "name_local", "name_ro", "address", "website", "law_en", "law_local", "sources"]
UK = "GB"


@dataclass(frozen=True)
class Authority:
    """A country's supervisory authority and national data protection law, as published."""

    country: str
    name_en: str
    name_local: str
    name_ro: str
    address: str
    website: str
    law_en: str
    law_local: str

    def name(self, language: str) -> str:
        """In English documents the English name with the official one; in Romanian ones the official name. Where
        the country has no single authority (Germany: its Länder), a description in each language."""
        if language_of(language) == "en":
            return self.name_en if self.name_local in ("", self.name_en) else f"{self.name_en} ({self.name_local})"
        return self.name_ro or self.name_local or self.name_en

    def law(self, language: str) -> str:
        """The law's title: in English documents its English title, in Romanian ones its official title."""
        return self.law_en if language_of(language) == "en" else self.law_local


@cache
def _load() -> dict[str, Authority]:
    text = (resources.files(__package__ or "registry.transfers") / "data" / _DATA_FILE).read_text("utf-8")
    reader = csv.DictReader(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    if reader.fieldnames != _COLUMNS:
        raise ValueError(f"{_DATA_FILE}: the columns must be {', '.join(_COLUMNS)}")
    found: dict[str, Authority] = {}
    for row in reader:
        if not (row["country"] and row["name_en"] and row["law_en"] and row["sources"]):
            raise ValueError(
                f"{_DATA_FILE}: {row['country'] or '?'}: country, name_en, law_en and sources are required"
            )
        found[row["country"]] = Authority(**{name: row[name].strip() for name in _COLUMNS if name != "sources"})
    return found


def authority_for(country: str | None) -> Authority | None:
    """The authority of `country` (ISO 3166-1 alpha-2), or None for a country outside the EEA and the UK."""
    return _load().get((country or "").upper())


def countries() -> list[str]:
    return sorted(_load())
