"""The languages the registry speaks: documents, pages, emails and feeds are written in each of them."""

LANGUAGES = ("ro", "en")
FALLBACK_LANGUAGE = "en"
"""Used when a language is unknown (an Accept-Language header, an old record)."""
