"""Benchmark DPA generation: `python bench/dpa_generation.py` (from the repository root, in the virtualenv).

1. Per document: the service path (context from the database + sandboxed render + store, committed) against a raw
   docxtpl render (plain `DocxTemplate.render` + save) of the same template and context, in the same run.
2. Bulk: the engine of `flask dpas generate --all` over 120 clients with `--jobs 2` against `--jobs 1`: overall
   (including the ~1 s each spawned worker takes to import the app) and once the workers are running.

Everything runs on a temporary SQLite file, migrated with Alembic, with ~15 realistic sub-processors.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import flask_migrate
from docxtpl import DocxTemplate
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere: find `registry`

from registry import create_app
from registry.audit.services import Actor
from registry.clients import services as clients
from registry.demo import builders
from registry.dpas import bulk, rendering, services
from registry.extensions import db
from registry.profile import services as profile

PER_DOCUMENT_RUNS = 15
BULK_CLIENTS = 120
ACTOR = Actor("bench")


def _location(country: str, label: str, role: str, mechanism: str | None = None, detail: str | None = None) -> Any:
    location: dict[str, Any] = {"country": country, "label": label, "role": role}
    if mechanism:
        location["mechanism"] = mechanism
    if detail:
        location["mechanism_detail"] = detail
    if mechanism in ("scc", "bcr"):  # a sub-processor's SCCs and BCRs need a transfer impact assessment
        location["tia_reference"] = f"TIA-{country}-{role}"
        location["tia_date"] = "2024-11-15"
    return location


def _subprocessor(name: str, country: str, category: str, purpose: str, *locations: Any, **extra: Any) -> Any:
    """An active sub-processor of crm with a DPO to write to (registry/demo/builders.py for the rest)."""
    return builders.subprocessor_data(
        name,
        country=country,
        category=category,
        purpose=purpose,
        locations=list(locations),
        contact={"name": None, "position": "DPO", "email": "privacy@example.com"},
        data_categories=["identification data", "contact data"],
        data_subjects=["client users", "end customers"],
        status="active",
        **extra,
    )


SUBPROCESSORS = [
    _subprocessor(
        "T-Systems",
        "DE",
        "hosting",
        "Hosting of the CRM application and databases",
        _location("DE", "Biere", "storage"),
        _location("DE", "Magdeburg", "backup"),
        legal_name="T-Systems International GmbH",
        address="Hahnstraße 43d, 60528 Frankfurt am Main",
    ),
    _subprocessor(
        "AWS",
        "LU",
        "backup",
        "Encrypted static files and backups",
        _location("DE", "EU (Frankfurt)", "storage"),
        _location("US", "", "support", "scc", "module 3"),
        legal_name="Amazon Web Services EMEA SARL",
        address="38 Avenue John F. Kennedy, L-1855 Luxembourg",
    ),
    _subprocessor(
        "Google",
        "IE",
        "email",
        "Email and calendar for account managers",
        _location("IE", "Dublin", "processing"),
        _location("US", "", "processing", "dpf"),
        legal_name="Google Ireland Limited",
        address="Gordon House, Barrow Street, Dublin 4",
        dpf_certified=True,
    ),
    _subprocessor(
        "Meta",
        "IE",
        "advertising",
        "Lead forms & <custom audiences>",
        _location("US", "", "processing", "dpf"),
        legal_name="Meta Platforms Ireland Ltd.",
        dpf_certified=True,
    ),
    _subprocessor(
        "Apple", "IE", "other", "Push notifications", _location("US", "", "processing", "dpf"), dpf_certified=True
    ),
    _subprocessor(
        "Arenim", "RO", "telephony", "Call centre", _location("RO", "București", "processing"), legal_name="Arenim SRL"
    ),
    _subprocessor("LINK Mobility", "NO", "sms", "SMS delivery", _location("NO", "Oslo", "processing")),
    _subprocessor(
        "Finacont", "HU", "accounting", "Invoicing and accounting", _location("HU", "Budapest", "processing")
    ),
    _subprocessor("OVH", "FR", "hosting", "Secondary hosting", _location("DE", "Frankfurt", "storage")),
    _subprocessor("MVPS", "CY", "hosting", "Virtual servers", _location("CY", "Limassol", "storage")),
    _subprocessor("OPTICNET SERV", "RO", "hosting", "Colocation", _location("RO", "Iași", "storage")),
    _subprocessor("Mailgun", "US", "email", "Transactional email", _location("US", "", "processing", "scc", "3")),
    _subprocessor(
        "Zendesk",
        "US",
        "support",
        "Support tickets",
        _location("DE", "EU", "storage"),
        _location("US", "", "support", "bcr"),
    ),
    _subprocessor(
        "Cloudflare",
        "US",
        "cdn",
        "CDN and DDoS protection",
        _location("US", "", "processing", "dpf"),
        dpf_certified=True,
    ),
    _subprocessor(
        "Szolgáltató és Tanácsadó Kft.", "HU", "analytics", "Usage statistics", _location("CH", "Zürich", "processing")
    ),
]

STEFANESCU = "Societatea Ștefănescu & Fiii SRL"
CLIENT = {  # a Romanian client of crm (registry/demo/builders.py) with its CUI, signatory and DPO
    "legal_name": STEFANESCU,
    "vat_id": "RO14399840",
    "signatory": {"name": "Ana Ștefănescu", "title": "Administrator"},
    "contacts": [builders.contact_data("ana@stefanescu.ro", name="Ana Ștefănescu")],
}


def _seed(app: Flask) -> list[int]:
    """Through the services, as the API creates them: the profile, crm, the sub-processors and BULK_CLIENTS clients
    (every other one in English)."""
    with app.app_context():
        flask_migrate.upgrade()
        profile.get_profile()
        builders.create_service("crm", actor=ACTOR)
        for body in SUBPROCESSORS:
            builders.subprocessor_from(body, actor=ACTOR)
        ids = [
            builders.create_client(f"{STEFANESCU} {n}", actor=ACTOR, language="ro" if n % 2 else "en", **CLIENT).id
            for n in range(BULK_CLIENTS)
        ]
        db.session.commit()
        db.session.remove()
        return ids


def _per_run(function: Callable[[], Any], runs: int) -> float:
    function()  # warm-up (loads the built-in templates, imports, caches)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _per_document(app: Flask, client_id: int) -> tuple[float, float]:
    with app.app_context():
        client = clients.get_client(client_id)

        def service_path() -> None:
            services.generate_dpa(client, actor=ACTOR)
            db.session.commit()

        service = _per_run(service_path, PER_DOCUMENT_RUNS)
        template = services.active_template(services.BUILTIN_KEY, client.language)
        assert template is not None
        content = template.content
        context = rendering.build_context(
            client,
            profile.get_profile(),
            clients.applicable_subprocessors(client),
            language=client.language,
            number="DPA-2026-0001",
            version=1,
            as_of=date.today(),
            today=date.today(),
        )
        db.session.remove()

    def raw_docxtpl() -> None:
        document = DocxTemplate(io.BytesIO(content))
        document.render(context, autoescape=True)
        document.save(io.BytesIO())

    raw = _per_run(raw_docxtpl, PER_DOCUMENT_RUNS)
    return service, raw


def _bulk(app: Flask, ids: list[int], jobs: int) -> tuple[float, float]:
    """Wall time of `dpas generate` (its engine, `bulk.generate_many`) and the time per client once running."""
    with app.app_context():
        stamps = []
        start = time.perf_counter()
        for outcome in bulk.generate_many(ids, bulk.Options(actor="bench"), jobs=jobs):
            if not outcome.ok:
                sys.exit(f"--jobs {jobs}: client {outcome.client_id} failed: {outcome.error}")
            stamps.append(time.perf_counter() - start)
        db.session.remove()
    return stamps[-1], (stamps[-1] - stamps[0]) / (len(stamps) - 1)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dpa-bench-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work on the machine skews the figures)")
        began = time.perf_counter()
        ids = _seed(app)
        print(
            f"seeded {len(SUBPROCESSORS)} sub-processors and {len(ids)} clients in {time.perf_counter() - began:.1f} s"
        )

        service, raw = _per_document(app, ids[1])
        print(f"per document (median of {PER_DOCUMENT_RUNS}, {len(SUBPROCESSORS)} sub-processors, Romanian template):")
        print(f"  service path (context + sandboxed render + store): {service * 1000:7.1f} ms")
        print(f"  raw docxtpl render of the same template/context:   {raw * 1000:7.1f} ms")
        print(f"  ratio service/raw: {service / raw:.2f}x")

        one, one_each = _bulk(app, ids, 1)
        two, two_each = _bulk(app, ids, 2)
        print(f"bulk generation (`dpas generate --all`) of {len(ids)} clients:")
        print(f"  --jobs 1: {one:6.2f} s, {one_each * 1000:4.0f} ms per client once running")
        print(f"  --jobs 2: {two:6.2f} s, {two_each * 1000:4.0f} ms per client once running (after the workers start)")
        print(f"  speed-up --jobs 2 vs --jobs 1: {one / two:.2f}x overall, {one_each / two_each:.2f}x once running")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
