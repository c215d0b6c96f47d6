"""The languages the registry speaks: documents, pages, emails and feeds are written in each of them."""

from datetime import date

from babel.dates import format_date

LANGUAGES = ("ro", "en")
FALLBACK_LANGUAGE = "en"
"""Used when a language is unknown (an Accept-Language header, an old record)."""


def language_of(value: str | None) -> str:
    """One of LANGUAGES: the value's primary language if known ("ro-RO", "RO" -> "ro"), else FALLBACK_LANGUAGE."""
    code = (value or "").replace("_", "-").split("-", 1)[0].lower()
    return code if code in LANGUAGES else FALLBACK_LANGUAGE


def long_date(value: date | None, language: str) -> str:
    """A date in words, the one way pages, notices and deadlines write it: `4 January 2027` / `4 ianuarie 2027`
    (empty for no date)."""
    if value is None:
        return ""
    return format_date(value, "d MMMM y", locale=language_of(language))


CATEGORY_LABELS: dict[str, dict[str, str]] = {  # sub-processor categories, in words
    "ro": {
        "hosting": "Găzduire",
        "email": "E-mail",
        "sms": "SMS",
        "accounting": "Contabilitate",
        "analytics": "Analiză și statistici",
        "payments": "Plăți",
        "support": "Asistență pentru clienți",
        "telephony": "Telefonie",
        "backup": "Copii de siguranță",
        "cdn": "Rețea de livrare a conținutului (CDN)",
        "advertising": "Publicitate",
        "other": "Altele",
    },
    "en": {
        "hosting": "Hosting",
        "email": "Email",
        "sms": "SMS",
        "accounting": "Accounting",
        "analytics": "Analytics",
        "payments": "Payments",
        "support": "Customer support",
        "telephony": "Telephony",
        "backup": "Backup",
        "cdn": "Content delivery network (CDN)",
        "advertising": "Advertising",
        "other": "Other",
    },
}

ROLE_LABELS: dict[str, dict[str, str]] = {  # what a location is used for, in words
    "ro": {"storage": "stocare", "processing": "prelucrare", "support": "asistență", "backup": "copii de siguranță"},
    "en": {"storage": "storage", "processing": "processing", "support": "support", "backup": "backup"},
}

CHANGE_KIND_WORDS: dict[str, dict[str, dict[str, str]]] = {
    # noun: in a notice's subject and facts; heading: on the respond page; headline: in change logs and feed titles
    # (with the sub-processor's `name` and, for a replacement, the `old` one's).
    "en": {
        "add": {
            "noun": "new sub-processor",
            "heading": "Addition of a new sub-processor",
            "headline": "new sub-processor {name}",
        },
        "replace": {
            "noun": "sub-processor replacement",
            "heading": "Replacement of a sub-processor",
            "headline": "{old} replaced by {name}",
        },
        "remove": {
            "noun": "sub-processor removal",
            "heading": "Removal of a sub-processor",
            "headline": "{name} no longer used",
        },
        "update": {
            "noun": "sub-processor change",
            "heading": "Change to a sub-processor (location, purpose, safeguard or data)",
            "headline": "change to {name}",
        },
    },
    "ro": {
        "add": {
            "noun": "sub-împuternicit nou",
            "heading": "Adăugarea unui nou sub-împuternicit",
            "headline": "sub-împuternicit nou {name}",
        },
        "replace": {
            "noun": "înlocuirea unui sub-împuternicit",
            "heading": "Înlocuirea unui sub-împuternicit",
            "headline": "{old} înlocuit cu {name}",
        },
        "remove": {
            "noun": "renunțarea la un sub-împuternicit",
            "heading": "Renunțarea la un sub-împuternicit",
            "headline": "renunțare la {name}",
        },
        "update": {
            "noun": "modificarea unui sub-împuternicit",
            "heading": "Modificarea unui sub-împuternicit (locație, scop, garanții sau date)",
            "headline": "modificare la {name}",
        },
    },
}
"""A change's kind (add, replace, remove, update) in words."""


def change_kind_words(kind: str, language: str) -> dict[str, str]:
    """The words for a change kind in `language`; an unknown kind reads as itself."""
    return CHANGE_KIND_WORDS[language_of(language)].get(kind, {"noun": kind, "heading": kind, "headline": kind})
