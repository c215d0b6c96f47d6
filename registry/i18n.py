"""The languages the registry speaks: documents, pages, emails and feeds are written in each of them."""

from datetime import date

from babel import Locale
from babel.dates import format_date

LANGUAGES = ("ro", "en")
FALLBACK_LANGUAGE = "en"
"""Used when a language is unknown (an Accept-Language header, an old record)."""


def language_of(value: str | None) -> str:
    """One of LANGUAGES: the value's primary language if known ("ro-RO", "RO" -> "ro"), else FALLBACK_LANGUAGE."""
    code = (value or "").replace("_", "-").split("-", 1)[0].lower()
    return code if code in LANGUAGES else FALLBACK_LANGUAGE


def days_text(count: int, language: str) -> str:
    """A number of days in words: `30 days` / `30 de zile` (Romanian puts "de" after numbers from 20 up, unless they
    end in 01 to 19: `19 zile`, `101 zile`, `120 de zile`)."""
    if language_of(language) == "ro":
        if count == 1:
            return "1 zi"
        return f"{count} de zile" if count >= 20 and not 1 <= count % 100 <= 19 else f"{count} zile"
    return "1 day" if count == 1 else f"{count} days"


def calendar_days_text(count: int, language: str) -> str:
    """A term in calendar days, as an agreement writes it: `45 calendar days` / `45 de zile calendaristice`,
    `1 calendar day` / `1 zi calendaristică`."""
    if language_of(language) == "ro":
        return "1 zi calendaristică" if count == 1 else f"{days_text(count, 'ro')} calendaristice"
    return "1 calendar day" if count == 1 else f"{count} calendar days"


def language_name(code: str, language: str) -> str:
    """A language's name in `language`, as a sentence uses it: `Romanian` / `română`, `English` / `engleză`."""
    return str(Locale.parse(language_of(language)).languages[code])


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
    "ro": {
        "storage": "stocare",
        "processing": "prelucrare",
        "support": "suport tehnic",
        "backup": "copii de siguranță",
    },
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


SPECIAL_CATEGORY_LABELS: dict[str, dict[str, str]] = {  # Art. 9(1) and 10 GDPR, in the wording of the regulation
    "en": {
        "health": "data concerning health",
        "genetic": "genetic data",
        "biometric": "biometric data for the purpose of uniquely identifying a natural person",
        "racial_or_ethnic_origin": "data revealing racial or ethnic origin",
        "political_opinions": "data revealing political opinions",
        "religious_or_philosophical_beliefs": "data revealing religious or philosophical beliefs",
        "trade_union_membership": "data revealing trade union membership",
        "sex_life_or_orientation": "data concerning a natural person's sex life or sexual orientation",
        "criminal_convictions": "personal data relating to criminal convictions and offences",
    },
    "ro": {
        "health": "date privind sănătatea",
        "genetic": "date genetice",
        "biometric": "date biometrice pentru identificarea unică a unei persoane fizice",
        "racial_or_ethnic_origin": "date care dezvăluie originea rasială sau etnică",
        "political_opinions": "date care dezvăluie opiniile politice",
        "religious_or_philosophical_beliefs": "date care dezvăluie confesiunea religioasă sau convingerile filozofice",
        "trade_union_membership": "date care dezvăluie apartenența la sindicate",
        "sex_life_or_orientation": "date privind viața sexuală sau orientarea sexuală a unei persoane fizice",
        "criminal_convictions": "date cu caracter personal privind condamnări penale și infracțiuni",
    },
}

SENSITIVE_DATA_TEXT: dict[str, dict[str, str]] = {  # Annex I of the DPA: what special data the processing concerns
    "en": {
        "none": "the processing does not concern special categories of personal data or personal data relating to "
        "criminal convictions and offences, except as provided in Clause 3.3 of the Agreement",
        "some": "the processing concerns the following data referred to in Article 9(1) or Article 10 GDPR: "
        "{categories}; the additional safeguards agreed for them (Clause 3.3) are: {safeguards}",
    },
    "ro": {
        "none": "prelucrarea nu are ca obiect categorii speciale de date cu caracter personal sau date privind "
        "condamnări penale și infracțiuni, cu excepția cazului prevăzut la art. 3.3 din Acord",
        "some": "prelucrarea are ca obiect următoarele date dintre cele prevăzute la art. 9 alin. (1) sau la art. 10 "
        "din RGPD: {categories}; garanțiile suplimentare convenite pentru acestea (art. 3.3) sunt: {safeguards}",
    },
}


def sensitive_data_text(categories: list[str], safeguards: str | None, language: str) -> str:
    """Annex I's sentence on special categories of data, in `language` (without its label or final full stop)."""
    lang = language_of(language)
    if not categories:
        return SENSITIVE_DATA_TEXT[lang]["none"]
    labels = SPECIAL_CATEGORY_LABELS[lang]
    named = "; ".join(labels.get(category, category) for category in categories)
    agreed = (safeguards or "").strip().rstrip(".")  # the document's sentence ends with its own full stop
    return SENSITIVE_DATA_TEXT[lang]["some"].format(categories=named, safeguards=agreed)
