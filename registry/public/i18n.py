"""The words of the public pages and feeds, in English and Romanian."""

from __future__ import annotations

from collections.abc import Callable

from flask import Request

from registry.i18n import FALLBACK_LANGUAGE, LANGUAGES

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "language_name": "English",
        "title": "Our sub-processors",
        "intro": (
            "The companies that process personal data on our behalf for our clients (GDPR Art. 28), where they "
            "process it and the safeguard that covers each transfer."
        ),
        "as_of_title": "Our sub-processors on {date}",
        "last_changed": "Last change to the list: {date}.",
        "never_changed": "The list has not changed yet.",
        "filters": "Filter",
        "service": "Service",
        "category": "Category",
        "country": "Country",
        "as_of": "As of (date)",
        "all": "All",
        "apply": "Show",
        "reset": "Reset",
        "none": "No sub-processor matches these filters.",
        "legal_name": "Legal name",
        "address": "Address",
        "purpose": "Purpose",
        "data_categories": "Personal data",
        "data_subjects": "Data subjects",
        "services": "Services",
        "locations": "Locations",
        "role": "Role",
        "safeguard": "Safeguard",
        "headquarters": "Headquarters",
        "engaged_by": "Engaged by",
        "onward": "Its own sub-processors",
        "website": "Website",
        "change_log": "Change log",
        "compare": "Compare two dates",
        "feeds": "Feeds",
        "subscribe": "Subscribe by email",
        "exports": "Download",
        "upcoming": "Announced changes",
        "changes_title": "Changes to our sub-processors",
        "changes_intro": "Every announced change to the list, newest first.",
        "no_changes": "No change has been announced yet.",
        "announced_on": "Announced",
        "effective_on": "Effective",
        "planned_for": "It was to take effect on",
        "status": "Status",
        "reason": "Reason",
        "kind": "Change",
        "subprocessor": "Sub-processor",
        "replaces": "Replaces",
        "withdrawn_on": "Withdrawn",
        "change_title": "Change #{id}: {phrase}",
        "back_to_list": "Back to the list",
        "back_to_changes": "All changes",
        "compare_title": "What changed between {start} and {end}",
        "compare_intro": "Choose two dates to see the sub-processors added, removed or changed between them.",
        "from": "From",
        "to": "To",
        "added": "Added",
        "removed": "Removed",
        "changed": "Changed",
        "nothing_changed": "Nothing changed between these dates.",
        "field": "Field",
        "before": "Before",
        "after": "After",
        "bad_date": "Use dates as YYYY-MM-DD, the second not before the first.",
        "subscribe_title": "Subscribe to changes",
        "subscribe_intro": (
            "Get an email each time we announce a change to our sub-processors. We send a confirmation email first; "
            "nothing else is sent until you confirm."
        ),
        "email": "Email address",
        "language": "Language",
        "services_optional": "Services (optional; none chosen: all of them)",
        "subscribe_button": "Subscribe",
        "subscribe_sent_title": "Check your inbox",
        "subscribe_sent": (
            "If the address can receive email, a message with a confirmation link is on its way. "
            "The link works for {days} days."
        ),
        "form_expired": "The form had expired: please submit it again.",
        "email_invalid": "Enter a valid email address.",
        "confirm_title": "Confirm your subscription",
        "confirm_intro": "Confirm that {email} should receive an email for every change to our sub-processors.",
        "confirm_button": "Confirm",
        "confirmed_title": "Subscription confirmed",
        "confirmed": "{email} will receive an email for every change to our sub-processors. Each email has a "
        "link to unsubscribe.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_intro": "Stop the emails about changes to our sub-processors sent to {email}?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed_title": "Unsubscribed",
        "unsubscribed": "{email} will receive no more emails from this list.",
        "link_invalid_title": "This link does not work",
        "link_invalid": "The link is not valid: it may have been copied incompletely.",
        "link_expired": "The link has expired.",
        "subscribe_again": "Subscribe again",
        "rate_limited_title": "Too many requests",
        "rate_limited": "Too many subscription requests: please try again in an hour.",
        "status_announced": "announced",
        "status_effective": "in effect",
        "status_withdrawn": "withdrawn",
        "status_draft": "draft",
        "event_announced": "Announced",
        "event_effective": "In effect",
        "event_withdrawn": "Withdrawn",
        "feed_public_title": "Sub-processor changes: {name}",
        "feed_public_subtitle": "Announced, effective and withdrawn changes to the sub-processor list.",
        "feed_client_title": "Sub-processor changes for {client}",
        "feed_client_subtitle": "Changes to the sub-processors that process your data, with your deadline.",
        "deadline": "Your deadline",
        "own_tools": "Our own tools (not sub-processors)",
        "own_tools_note": "We use these services for our own purposes, as a controller (our advertising, our staff's "
        "devices). They process no personal data of our clients, so they are not sub-processors under any data "
        "processing agreement and are not listed in our clients' annexes.",
        "deadline_not_started": "it starts when our notice is first delivered to you (that day is not counted) and "
        "ends at 24:00 Bucharest time on its last day",
        "expectation_objection_window": "You may object until the deadline.",
        "expectation_approval": "Your approval is needed before the deadline; without it the change does not apply "
        "to you.",
        "respond": "Object or approve",
        "details": "Details",
        "urgent": "Urgent",
        "locale_name_en": "English",
        "locale_name_ro": "Română",
        "csv": "CSV",
        "json": "JSON",
        "atom": "Atom",
        "rss": "RSS",
    },
    "ro": {
        "language_name": "Română",
        "title": "Sub-împuterniciții noștri",
        "intro": (
            "Companiile care prelucrează date cu caracter personal în numele nostru pentru clienții noștri "
            "(art. 28 RGPD), unde le prelucrează și garanția care acoperă fiecare transfer."
        ),
        "as_of_title": "Sub-împuterniciții noștri la {date}",
        "last_changed": "Ultima modificare a listei: {date}.",
        "never_changed": "Lista nu a fost modificată încă.",
        "filters": "Filtrare",
        "service": "Serviciu",
        "category": "Categorie",
        "country": "Țară",
        "as_of": "La data",
        "all": "Toate",
        "apply": "Afișează",
        "reset": "Resetează",
        "none": "Niciun sub-împuternicit nu corespunde acestor filtre.",
        "legal_name": "Denumire",
        "address": "Adresă",
        "purpose": "Scopul prelucrării",
        "data_categories": "Date cu caracter personal",
        "data_subjects": "Persoane vizate",
        "services": "Servicii",
        "locations": "Locații",
        "role": "Rol",
        "safeguard": "Garanție",
        "headquarters": "Sediu",
        "engaged_by": "Recrutat de",
        "onward": "Sub-împuterniciții săi",
        "website": "Site",
        "change_log": "Istoricul modificărilor",
        "compare": "Comparați două date",
        "feeds": "Fluxuri",
        "subscribe": "Abonare prin email",
        "exports": "Descărcare",
        "upcoming": "Modificări anunțate",
        "changes_title": "Modificări ale sub-împuterniciților",
        "changes_intro": "Toate modificările anunțate ale listei, cele mai noi primele.",
        "no_changes": "Nu a fost anunțată încă nicio modificare.",
        "announced_on": "Anunțată",
        "effective_on": "Se aplică de la",
        "planned_for": "Urma să se aplice de la",
        "status": "Stare",
        "reason": "Motiv",
        "kind": "Modificare",
        "subprocessor": "Sub-împuternicit",
        "replaces": "Înlocuiește",
        "withdrawn_on": "Retrasă",
        "change_title": "Modificarea nr. {id}: {phrase}",
        "back_to_list": "Înapoi la listă",
        "back_to_changes": "Toate modificările",
        "compare_title": "Ce s-a schimbat între {start} și {end}",
        "compare_intro": "Alegeți două date pentru a vedea sub-împuterniciții adăugați, eliminați sau modificați.",
        "from": "De la",
        "to": "Până la",
        "added": "Adăugați",
        "removed": "Eliminați",
        "changed": "Modificați",
        "nothing_changed": "Nimic nu s-a schimbat între aceste date.",
        "field": "Câmp",
        "before": "Înainte",
        "after": "După",
        "bad_date": "Folosiți date de forma AAAA-LL-ZZ, a doua nu înaintea primei.",
        "subscribe_title": "Abonare la modificări",
        "subscribe_intro": (
            "Primiți un email de fiecare dată când anunțăm o modificare a sub-împuterniciților. Mai întâi trimitem "
            "un email de confirmare; nu trimitem nimic altceva până nu confirmați."
        ),
        "email": "Adresa de email",
        "language": "Limba",
        "services_optional": "Servicii (opțional; dacă nu alegeți, toate)",
        "subscribe_button": "Abonare",
        "subscribe_sent_title": "Verificați-vă căsuța de email",
        "subscribe_sent": (
            "Dacă adresa poate primi email, un mesaj cu un link de confirmare este pe drum. "
            "Linkul funcționează {days} zile."
        ),
        "form_expired": "Formularul expirase: vă rugăm să-l trimiteți din nou.",
        "email_invalid": "Introduceți o adresă de email validă.",
        "confirm_title": "Confirmați abonarea",
        "confirm_intro": "Confirmați că {email} trebuie să primească un email la fiecare modificare a "
        "sub-împuterniciților noștri.",
        "confirm_button": "Confirm",
        "confirmed_title": "Abonare confirmată",
        "confirmed": "{email} va primi un email la fiecare modificare a sub-împuterniciților noștri. Fiecare email "
        "are un link de dezabonare.",
        "unsubscribe_title": "Dezabonare",
        "unsubscribe_intro": "Opriți emailurile despre modificările sub-împuterniciților trimise la {email}?",
        "unsubscribe_button": "Dezabonare",
        "unsubscribed_title": "Dezabonat",
        "unsubscribed": "{email} nu va mai primi emailuri de la această listă.",
        "link_invalid_title": "Acest link nu funcționează",
        "link_invalid": "Linkul nu este valid: poate a fost copiat incomplet.",
        "link_expired": "Linkul a expirat.",
        "subscribe_again": "Abonați-vă din nou",
        "rate_limited_title": "Prea multe cereri",
        "rate_limited": "Prea multe cereri de abonare: vă rugăm să încercați din nou peste o oră.",
        "status_announced": "anunțată",
        "status_effective": "aplicată",
        "status_withdrawn": "retrasă",
        "status_draft": "ciornă",
        "event_announced": "Anunțată",
        "event_effective": "Aplicată",
        "event_withdrawn": "Retrasă",
        "feed_public_title": "Modificări ale sub-împuterniciților: {name}",
        "feed_public_subtitle": "Modificări anunțate, aplicate și retrase ale listei de sub-împuterniciți.",
        "feed_client_title": "Modificări ale sub-împuterniciților pentru {client}",
        "feed_client_subtitle": "Modificări ale sub-împuterniciților care vă prelucrează datele, cu termenul dvs.",
        "deadline": "Termenul dvs.",
        "own_tools": "Instrumentele noastre proprii (nu sunt sub-împuterniciți)",
        "own_tools_note": "Folosim aceste servicii în scopuri proprii, ca operator (publicitatea noastră, "
        "dispozitivele angajaților noștri). Ele nu prelucrează date cu caracter personal ale clienților noștri, "
        "deci nu sunt sub-împuterniciți în temeiul vreunui acord de prelucrare a datelor și nu apar în anexele "
        "clienților.",
        "deadline_not_started": "începe să curgă la prima livrare a notificării noastre (ziua livrării nu se "
        "socotește) și se împlinește la ora 24:00 (ora României) a ultimei zile",
        "expectation_objection_window": "Puteți formula obiecții până la termen.",
        "expectation_approval": "Este necesară aprobarea dumneavoastră până la termen; fără ea, modificarea nu vi se "
        "aplică.",
        "respond": "Obiecție sau aprobare",
        "details": "Detalii",
        "urgent": "Urgent",
        "locale_name_en": "English",
        "locale_name_ro": "Română",
        "csv": "CSV",
        "json": "JSON",
        "atom": "Atom",
        "rss": "RSS",
    },
}


def translator(language: str) -> Callable[..., str]:
    """`t("key", name=...)`: the word in `language`, formatted with the keywords."""
    words = WORDS[language if language in WORDS else "en"]

    def t(key: str, **values: object) -> str:
        text = words.get(key, WORDS["en"].get(key, key))
        return text.format(**values) if values else text

    return t


def pick_language(request: Request) -> str:
    """`?lang=` if it names a language we have, else the best of Accept-Language, else English."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(LANGUAGES, default=FALLBACK_LANGUAGE)
    return best if best in LANGUAGES else FALLBACK_LANGUAGE
