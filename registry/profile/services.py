"""The processor profile: the company running the registry, as documents, emails and feeds present it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

from registry.audit import services as audit
from registry.audit.services import SYSTEM, Actor
from registry.extensions import db
from registry.profile.models import ProcessorProfile

PROFILE_ID = 1
DEFAULT_NOTICE_PERIOD_DAYS = 30

# The competent supervisory authority for a processor established in Romania (GDPR Art. 51, Legea 102/2005).
ANSPDCP: dict[str, str] = {
    "authority_name": ("Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal (ANSPDCP)"),
    "authority_address": "B-dul G-ral. Gheorghe Magheru 28-30, Sector 1, București, România",
    "authority_phone": "+40 31 805 9211",
    "authority_email": "anspdcp@dataprotection.ro",
    "authority_website": "https://www.dataprotection.ro",
}

# Annex II (Decision 2021/914 and 2021/915): technical and organisational measures, one per line. A starting point
# that admins adapt to what the company actually does.
DEFAULT_TOMS_EN = "\n".join(
    [
        "Encryption in transit: all connections to the services and between our systems use TLS 1.2 or later; "
        "plain-text protocols are disabled.",
        "Encryption at rest: databases, file storage and backups are encrypted with AES-256; keys are kept in a "
        "key management service, separate from the data, and rotated.",
        "Pseudonymisation and minimisation: personal data is pseudonymised where the purpose allows (analytics, "
        "testing, support exports); only the data needed for the service is collected; production data is not "
        "used in development or test environments.",
        "Identification and authorisation: individual accounts only, least-privilege roles reviewed every quarter, "
        "access removed on the day a person leaves.",
        "Multi-factor authentication is required for all staff access to production systems, administration "
        "consoles, source code and e-mail.",
        "Logging and monitoring: access to personal data and administrative actions are logged centrally, kept for "
        "at least 12 months, protected against alteration and monitored with alerts.",
        "Backups: encrypted daily backups kept in a separate EU location for 30 days; restores are tested at least "
        "every quarter and the results are recorded.",
        "Availability and resilience: redundant infrastructure in EU data centres, capacity monitoring and a "
        "documented business continuity and disaster recovery plan, tested every year.",
        "Secure configuration and development: hardened baseline configurations, security patches applied within "
        "defined deadlines, code review and dependency vulnerability scanning before every release.",
        "Regular testing: vulnerability scans every month and an independent penetration test every year; findings "
        "are tracked until fixed.",
        "Physical security: data centres with access control, video surveillance, fire protection and redundant "
        "power (certified ISO/IEC 27001 by the hosting provider); office equipment with encrypted disks and screen "
        "lock.",
        "Staff confidentiality: everyone with access to personal data is bound by a confidentiality obligation, "
        "trained in data protection on joining and every year.",
        "Incident response: a documented procedure to detect, contain, assess and record personal data breaches; "
        "the client is notified without undue delay and at the latest within 24 hours of our becoming aware.",
        "Sub-processors: engaged only under a written contract with the same data protection obligations, after a "
        "security assessment, and reviewed every year.",
        "Retention and erasure: personal data is deleted or returned at the end of the services as the client "
        "chooses, backups expire within their retention period; data can be exported in a structured, commonly "
        "used format.",
        "Assistance to the client: documented procedures to help the client answer data subject requests and "
        "carry out data protection impact assessments.",
        "Governance: a designated data protection contact, an information security policy reviewed every year, and "
        "records of processing activities (GDPR Art. 30(2)).",
    ]
)

DEFAULT_TOMS_RO = "\n".join(
    [
        "Criptarea în tranzit: toate conexiunile către servicii și între sistemele noastre folosesc TLS 1.2 sau mai "
        "nou; protocoalele necriptate sunt dezactivate.",
        "Criptarea datelor stocate: bazele de date, fișierele și copiile de siguranță sunt criptate cu AES-256; "
        "cheile sunt păstrate într-un serviciu de gestiune a cheilor, separat de date, și sunt rotite periodic.",
        "Pseudonimizare și minimizare: datele cu caracter personal sunt pseudonimizate acolo unde scopul permite "
        "(statistici, testare, exporturi pentru suport); se colectează doar datele necesare serviciului; datele "
        "din producție nu sunt folosite în mediile de dezvoltare sau testare.",
        "Identificare și autorizare: doar conturi individuale, roluri cu privilegii minime revizuite trimestrial, "
        "accesul este retras în ziua plecării persoanei.",
        "Autentificarea multi-factor este obligatorie pentru tot accesul personalului la sistemele de producție, "
        "consolele de administrare, codul sursă și e-mail.",
        "Jurnalizare și monitorizare: accesul la datele cu caracter personal și acțiunile administrative sunt "
        "înregistrate centralizat, păstrate cel puțin 12 luni, protejate împotriva modificării și monitorizate "
        "cu alerte.",
        "Copii de siguranță: copii zilnice criptate, păstrate 30 de zile într-o locație separată din UE; "
        "restaurarea este testată cel puțin trimestrial, iar rezultatele sunt consemnate.",
        "Disponibilitate și reziliență: infrastructură redundantă în centre de date din UE, monitorizarea "
        "capacității și un plan documentat de continuitate a activității și de recuperare în caz de dezastru, "
        "testat anual.",
        "Configurare și dezvoltare sigure: configurații de bază securizate, actualizări de securitate aplicate în "
        "termene stabilite, revizuirea codului și scanarea vulnerabilităților dependențelor înaintea fiecărei "
        "versiuni.",
        "Testare periodică: scanări lunare de vulnerabilități și un test de penetrare independent în fiecare an; "
        "constatările sunt urmărite până la remediere.",
        "Securitate fizică: centre de date cu control al accesului, supraveghere video, protecție la incendiu și "
        "alimentare redundantă (certificate ISO/IEC 27001 de furnizorul de găzduire); echipamentele de birou au "
        "discuri criptate și blocarea ecranului.",
        "Confidențialitatea personalului: toate persoanele cu acces la date cu caracter personal au o obligație "
        "de confidențialitate și sunt instruite privind protecția datelor la angajare și anual.",
        "Gestionarea incidentelor: o procedură documentată pentru detectarea, limitarea, evaluarea și "
        "înregistrarea încălcărilor securității datelor cu caracter personal; clientul este notificat fără "
        "întârzieri nejustificate și cel târziu în 24 de ore de la constatare.",
        "Alte persoane împuternicite: angajate doar pe baza unui contract scris cu aceleași obligații de protecție "
        "a datelor, după o evaluare de securitate, și reevaluate anual.",
        "Păstrare și ștergere: la încetarea serviciilor, datele sunt șterse sau returnate, la alegerea clientului, "
        "iar copiile de siguranță expiră în perioada lor de păstrare; datele pot fi exportate într-un format "
        "structurat, utilizat în mod curent.",
        "Asistarea clientului: proceduri documentate pentru a ajuta clientul să răspundă cererilor persoanelor "
        "vizate și să realizeze evaluări ale impactului asupra protecției datelor.",
        "Guvernanță: o persoană de contact desemnată pentru protecția datelor, o politică de securitate a "
        "informației revizuită anual și evidența activităților de prelucrare (art. 30 alin. (2) GDPR).",
    ]
)

EDITABLE = (
    "legal_name",
    "address",
    "registration_number",
    "vat_id",
    "email",
    "phone",
    "website",
    "representative_name",
    "representative_title",
    "dpo_name",
    "dpo_email",
    "dpo_phone",
    "authority_name",
    "authority_address",
    "authority_email",
    "authority_phone",
    "authority_website",
    "default_notice_period_days",
    "backup_retention_days",
    "toms_ro",
    "toms_en",
)


def snapshot(profile: ProcessorProfile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in EDITABLE}


def get_profile() -> ProcessorProfile:
    """Return the processor profile, creating it with the defaults on first use (flushes, never commits)."""
    profile = db.session.get(ProcessorProfile, PROFILE_ID)
    if profile is not None:
        return profile
    profile = ProcessorProfile(
        id=PROFILE_ID,
        default_notice_period_days=DEFAULT_NOTICE_PERIOD_DAYS,
        toms_ro=DEFAULT_TOMS_RO,
        toms_en=DEFAULT_TOMS_EN,
        **ANSPDCP,
    )
    try:
        with db.session.begin_nested():
            db.session.add(profile)
    except IntegrityError:  # another transaction created it first
        existing = db.session.get(ProcessorProfile, PROFILE_ID)
        if existing is None:
            raise
        return existing
    audit.record("profile.created", profile, actor=SYSTEM, after=snapshot(profile))
    return profile


def update_profile(data: Mapping[str, Any], *, actor: Actor) -> ProcessorProfile:
    """Apply the given fields; the version goes up so a concurrent save fails (StaleDataError)."""
    profile = get_profile()
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    before = snapshot(profile)
    for name, value in data.items():
        setattr(profile, name, value)
    after = snapshot(profile)
    changed = [name for name in EDITABLE if before[name] != after[name]]
    if changed:
        profile.version = profile.version + 1
        db.session.flush()
        audit.record_changes(
            "profile.updated",
            profile,
            actor=actor,
            before={name: before[name] for name in EDITABLE},
            after={name: after[name] for name in EDITABLE},
        )
    return profile
