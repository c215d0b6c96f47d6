"""Test data for the DPA tests: names that break careless escaping, and a reader for generated documents."""

from __future__ import annotations

import io
from typing import Any

from docx2python import docx2python

SMITH = 'Smith & <Co> "Ltd"'
SZOLG = "Szolgáltató és Tanácsadó Kft."
STEFANESCU = "Societatea Ștefănescu & Fiii SRL"

PROFILE = {
    "legal_name": "Exemplu Software & Cloud SRL",
    "address": "Str. Memorandumului 28, Cluj-Napoca",
    "registration_number": "J12/3456/2015",
    "vat_id": "RO35123456",
    "email": "privacy@exemplu.ro",
    "phone": "+40 264 000 000",
    "website": "https://exemplu.ro",
    "representative_name": "Ion Ionescu",
    "representative_title": "Administrator",
    "dpo_name": "Maria Popescu",
    "dpo_email": "dpo@exemplu.ro",
    "dpo_phone": "+40 264 000 001",
}

SUBPROCESSORS: list[dict[str, Any]] = [
    {
        "name": SMITH,
        "legal_name": f"{SMITH} Holdings",
        "country": "US",
        "address": "1 Main St & 2nd Ave, Springfield, IL 62701",
        "website": "https://smith.example",
        "contact": {"name": "Jane Doe", "position": "DPO", "email": "privacy@smith.example", "phone": "+1 555 0100"},
        "category": "support",
        "purpose": "Customer support tickets <priority> & chat",
        "data_categories": ["contact data", "support messages"],
        "data_subjects": ["client users"],
        "services": ["crm"],
        "locations": [
            {
                "country": "US",
                "label": "Virginia",
                "role": "support",
                "mechanism": "scc",
                "mechanism_detail": "module 3",
                "tia_reference": "TIA-2024-011",
                "tia_date": "2024-11-15",
            }
        ],
        "status": "active",
    },
    {
        "name": SZOLG,
        "legal_name": SZOLG,
        "country": "HU",
        "address": "1125 Budapest, Szilágyi Erzsébet fasor 22/c",
        "category": "hosting",
        "purpose": "Hosting of the application and its database",
        "data_categories": ["identification data", "contact data"],
        "data_subjects": ["client users", "end customers"],
        "services": ["crm"],
        "locations": [
            {"country": "HU", "label": "Budapest", "role": "storage"},
            {"country": "DE", "label": "EU (Frankfurt)", "role": "backup"},
        ],
        "status": "active",
    },
    {
        "name": "Alpine Analytics AG",
        "legal_name": "Alpine Analytics AG",
        "country": "CH",
        "address": "Bahnhofstrasse 1, 8001 Zürich",
        "category": "analytics",
        "purpose": "Usage statistics",
        "data_categories": ["usage data"],
        "data_subjects": ["client users"],
        "services": ["crm"],
        "locations": [{"country": "CH", "label": "Zürich", "role": "processing"}],
        "status": "active",
    },
    {  # serves another service: never in the crm clients' annex
        "name": "Texto SMS SRL",
        "legal_name": "Texto SMS SRL",
        "country": "RO",
        "address": "Bd. Unirii 1, București",
        "category": "sms",
        "purpose": "SMS delivery",
        "services": ["sms"],
        "locations": [{"country": "RO", "label": "București", "role": "processing"}],
        "status": "active",
    },
    {  # proposed, not active yet: not in any annex
        "name": "Future Mail GmbH",
        "legal_name": "Future Mail GmbH",
        "country": "DE",
        "address": "Hauptstraße 1, Berlin",
        "category": "email",
        "purpose": "Transactional email",
        "services": ["crm"],
        "locations": [{"country": "DE", "label": "Berlin", "role": "processing"}],
        "status": "proposed",
    },
]

CLIENT_RO: dict[str, Any] = {
    "name": STEFANESCU,
    "legal_name": STEFANESCU,
    "registration_number": "J40/14190/2013",
    "vat_id": "RO14399840",
    "address": "Str. Dacia 12, București",
    "country": "RO",
    "language": "ro",
    "services": ["crm"],
    "authorization": "general",
    "notice_period_days": 45,
    "signatory": {"name": "Ana Ștefănescu", "title": "Administrator"},
    "contacts": [
        {"name": "Ana Ștefănescu", "email": "ana@stefanescu.ro", "role": "DPO", "receives_notices": True},
        {"name": "Contabil", "email": "contabil@stefanescu.ro", "role": "billing", "receives_notices": False},
    ],
}

CLIENT_EN: dict[str, Any] = {
    "name": SMITH,
    "legal_name": f"{SMITH} Europe",
    "registration_number": "HRB 12345",
    "vat_id": "DE123456789",
    "address": "Friedrichstraße 10, 10117 Berlin",
    "country": "DE",
    "language": "en",
    "services": ["crm"],
    "authorization": "specific",
    "notice_period_days": 60,
    "signatory": {"name": "John Smith", "title": "Managing Director"},
    "contacts": [{"name": "John Smith", "email": "john@smith.example", "role": "CEO", "receives_notices": True}],
}


def docx_text(document: bytes) -> str:
    with docx2python(io.BytesIO(document)) as content:
        return str(content.text)
