"""The languages the registry speaks: documents, pages, emails and feeds are written in each of them."""

LANGUAGES = ("ro", "en")
FALLBACK_LANGUAGE = "en"
"""Used when a language is unknown (an Accept-Language header, an old record)."""

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
