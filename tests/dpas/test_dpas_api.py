import hashlib
import io
import shutil
from datetime import date, timedelta
from urllib.parse import unquote

import pytest

from registry.audit.models import AuditEvent
from registry.audit.services import Actor
from registry.dpas import pdf
from registry.dpas.models import Dpa
from registry.extensions import db
from registry.i18n import calendar_days_text, days_text
from registry.subprocessors import services as subprocessors
from registry.subprocessors.schemas import SubProcessorPatchSchema
from tests.dpas.dpa_data import PROFILE, SMITH, STEFANESCU, SZOLG, docx_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TODAY = date.today()


def _assert_no_tags(text):
    for tag in ("{{", "}}", "{%", "%}", "{#"):
        assert tag not in text


def test_romanian_dpa_has_the_parties_the_annex_and_general_authorisation(world, generate, download):
    client_id = world["clients"]["ro"]["id"]
    dpa = generate(client_id)
    assert dpa["language"] == "ro"
    assert dpa["number"] == f"DPA-{TODAY.year}-{client_id:04d}"
    assert dpa["version"] == 1
    assert dpa["status"] == "draft"
    document = download(dpa["id"])
    assert hashlib.sha256(document).hexdigest() == dpa["sha256"]
    text = docx_text(document)
    _assert_no_tags(text)
    # Parties, verbatim
    assert STEFANESCU in text
    assert "J40/14190/2013" in text and "RO14399840" in text
    assert "Ana Ștefănescu" in text
    for value in (PROFILE["legal_name"], PROFILE["registration_number"], PROFILE["vat_id"], PROFILE["dpo_email"]):
        assert value in text
    assert "ANSPDCP" in text
    # Romanian text, localised date
    assert "Acord de prelucrare a datelor cu caracter personal" in text
    months = ["ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie",
              "octombrie", "noiembrie", "decembrie"]  # fmt: skip
    assert f"{TODAY.day} {months[TODAY.month - 1]} {TODAY.year}" in text
    # General authorisation with the client's notice period
    assert "Autorizație generală" in text
    # Romanian terms as the Romanian text of the regulation has them
    assert "din GDPR" not in text and "„RGPD” înseamnă Regulamentul (UE) 2016/679" in text  # (the TOMs are data)
    assert "în temeiul Cadrului UE-SUA privind confidențialitatea datelor" in text
    # Clause 5 covers every material change, counts the objection window from receipt, and only informs of removals
    assert "orice modificare preconizată a locațiilor de prelucrare, a garanțiilor pentru transfer" in text
    assert "în termen de 45 de zile calendaristice de la primirea informării" in text
    assert "Data recrutării nu poate fi anterioară zilei următoare expirării acestui termen" in text
    assert "eliminarea unui sub-împuternicit se notifică doar spre informare" in text
    # 5.8: where the list is kept; the client's private feed is named, not its secret link
    assert "o publică la adresa http://registry.test/subprocessors?lang=ro" in text
    assert "într-un flux privat al Operatorului, a cărui adresă Persoana împuternicită o comunică" in text
    assert world["clients"]["ro"]["feed_url"] not in text
    # The standard-form clauses are accepted expressly (Civil Code art. 1203), with their own signature
    assert (
        "acceptă în mod expres, în sensul art. 1203 din Codul civil, clauzele privind dreptul Persoanei "
        "împuternicite de a suspenda executarea unei instrucțiuni (art. 4.2), considerarea modificării ca acceptată "
        "în lipsa obiecțiilor (art. 5.4), ștergerea Datelor în lipsa opțiunii comunicate (art. 10.2)" in text
    )
    assert "Acceptarea expresă a clauzelor enumerate la art. 15.4, semnătura Operatorului:" in text
    # an answer through a forwarded link counts once a designated person confirms it (the confirmation flow)
    assert (
        "Un răspuns dat prin linkul dintr-o notificare în numele altei persoane decât cea căreia i-a fost trimisă "
        "notificarea produce efecte după ce una dintre persoanele desemnate îl confirmă, în termenul de răspuns"
    ) in text
    # How a period is counted (as the registry counts deadlines), and 11.2 limited to data subjects
    assert "un termen stabilit pe zile curge din ziua următoare evenimentului care îl declanșează" in text
    assert "11.2. Față de persoanele vizate," in text
    assert "nu limitează răspunderea Persoanei împuternicite față de Operator potrivit prezentului Acord" in text
    assert "Autorizație specifică" not in text
    assert "cel puțin 45 de zile" in text or "cel puțin 45 zile" in text
    # An urgent replacement may start before the period ends, and the client keeps its full period to object
    assert "Prin excepție, atunci când un sub-împuternicit trebuie înlocuit fără întârziere" in text
    assert "iar Operatorul poate formula obiecții în termen de 45 de zile calendaristice de la primirea acestei" in text
    # Annex III: every applicable sub-processor with its locations and safeguards, hostile names verbatim
    for name in (SMITH, SZOLG, "Alpine Analytics AG"):
        assert name in text
    assert "Texto SMS SRL" not in text and "Future Mail GmbH" not in text
    assert "1 Main St & 2nd Ave, Springfield, IL 62701" in text
    assert "Customer support tickets <priority> & chat" in text
    assert "Jane Doe, DPO, privacy@smith.example, +1 555 0100" in text
    assert (
        "Statele Unite ale Americii — Virginia, suport tehnic: "
        "Clauze contractuale standard (Decizia (UE) 2021/914), modulul 3" in text
    )
    assert "Ungaria — Budapest, stocare: SEE (fără transfer)" in text
    assert "Germania — EU (Frankfurt), copii de siguranță: SEE (fără transfer)" in text
    assert "Elveția — Zürich, prelucrare: Decizie de adecvare 2000/518/CE" in text
    # Annex II (TOMs, several lines)
    assert "Criptarea în tranzit" in text


def test_english_dpa_for_specific_authorisation(world, generate, download):
    client_id = world["clients"]["en"]["id"]
    dpa = generate(client_id)
    assert dpa["language"] == "en"
    text = docx_text(download(dpa["id"]))
    _assert_no_tags(text)
    assert 'Smith & <Co> "Ltd" Europe' in text
    assert "Specific authorisation" in text
    assert "General authorisation" not in text
    assert "By way of exception" not in text  # under specific authorisation urgency changes nothing
    assert "execution of an instruction (Clause 4.2), the right to terminate after a refusal (Clause 5.5)" in text
    assert "Express acceptance of the clauses listed in Clause 15.4, Controller's signature:" in text
    assert (
        "An answer given through the link in a notice in the name of a person other than the one to whom that notice "
        "was sent counts once one of the designated persons confirms it, within the period for answering"
    ) in text
    assert "or implement the change, before it has received the written approval" in text
    assert "60" in text
    assert f"{TODAY.day} {TODAY:%B} {TODAY.year}" in text
    assert "United States — Virginia, support: Standard contractual clauses (Decision (EU) 2021/914), module 3" in text
    assert SZOLG in text
    assert "Sub-processor" in text


def test_language_and_template_can_be_chosen(world, generate, download, client, headers, small_template):
    client_id = world["clients"]["ro"]["id"]
    english = generate(client_id, language="en")
    assert english["language"] == "en"
    english_text = docx_text(download(english["id"]))
    assert "Autorizație" not in english_text
    assert "By way of exception, where a Sub-processor must be replaced without delay" in english_text
    assert "the Controller may object within 45 calendar days of receiving that information" in english_text
    assert "a period of days runs from the day after the event that starts it" in english_text
    assert "does not limit the Processor's liability towards the Controller under this Agreement" in english_text
    form = {"file": (io.BytesIO(small_template), "short.docx"), "key": "short", "language": "ro"}
    uploaded = client.post("/api/v1/templates", data=form, headers=headers("legal"))
    assert uploaded.status_code == 201, uploaded.json
    short = generate(client_id, template="short")
    assert short["template"] == {"id": uploaded.json["id"], "key": "short", "language": "ro", "version": 1}
    text = docx_text(download(short["id"]))
    assert f"Between {STEFANESCU} ({STEFANESCU}) and {PROFILE['legal_name']}" in text
    assert "General authorisation, 45 days notice" in text
    missing = client.post(
        f"/api/v1/clients/{client_id}/dpas", json={"template": "short", "language": "en"}, headers=headers("admin")
    )
    assert missing.status_code == 422
    assert "short" in missing.json["errors"]["json"]["template"][0]


def test_dpa_keeps_its_context_and_annex_digest(world, generate, client, headers):
    dpa = generate(world["clients"]["ro"]["id"], as_of="2099-01-01")
    detail = client.get(f"/api/v1/dpas/{dpa['id']}", headers=headers("viewer"))
    assert detail.status_code == 200
    assert detail.headers["ETag"]
    body = detail.json
    assert body["as_of"] == "2099-01-01"
    assert body["context"]["agreement"]["as_of"] == "1 ianuarie 2099"
    assert isinstance(body["context"]["processor"]["toms"], str)
    assert [s["name"] for s in body["context"]["subprocessors"]] == ["Alpine Analytics AG", SMITH, SZOLG]
    assert len(body["annex_digest"]) == 64
    assert body["created_by"] == "account_manager@example.test"


def test_versions_share_the_number_and_count_up(world, generate, client, headers):
    client_id = world["clients"]["ro"]["id"]
    first, second, third = (generate(client_id) for _ in range(3))
    assert {first["number"], second["number"], third["number"]} == {first["number"]}
    assert [first["version"], second["version"], third["version"]] == [1, 2, 3]
    listed = client.get(f"/api/v1/clients/{client_id}/dpas", headers=headers("viewer"))
    assert [d["version"] for d in listed.json] == [3, 2, 1]
    assert "context" not in listed.json[0]
    assert client.get("/api/v1/clients/999999/dpas", headers=headers("viewer")).status_code == 404


def test_sign_supersedes_the_older_signed_version(world, generate, client, headers):
    client_id = world["clients"]["ro"]["id"]
    v1, v2, v3 = (generate(client_id) for _ in range(3))
    am = headers("account_manager")
    sent = client.post(f"/api/v1/dpas/{v1['id']}/send", headers=am)
    assert sent.status_code == 200 and sent.json["status"] == "sent" and sent.json["sent_at"]
    signed = client.post(
        f"/api/v1/dpas/{v1['id']}/sign", json={"signed_on": str(TODAY), "signatory": "Ana"}, headers=am
    )
    assert signed.status_code == 200, signed.json
    assert (signed.json["status"], signed.json["signed_on"], signed.json["signatory"]) == ("signed", str(TODAY), "Ana")
    client.post(f"/api/v1/dpas/{v2['id']}/send", headers=am)
    resigned = client.post(
        f"/api/v1/dpas/{v3['id']}/sign", json={"signed_on": str(TODAY), "signatory": "Ana"}, headers=am
    )
    assert resigned.status_code == 200
    statuses = {d["version"]: d["status"] for d in client.get(f"/api/v1/clients/{client_id}/dpas", headers=am).json}
    assert statuses == {1: "superseded", 2: "sent", 3: "signed"}  # the sent v2 stays as it was
    again = client.post(f"/api/v1/dpas/{v1['id']}/sign", json={"signed_on": str(TODAY), "signatory": "Ana"}, headers=am)
    assert again.status_code == 409
    assert "superseded" in again.json["message"]
    older = client.post(f"/api/v1/dpas/{v2['id']}/sign", json={"signed_on": str(TODAY), "signatory": "Ana"}, headers=am)
    assert older.status_code == 409
    assert (
        client.post(
            f"/api/v1/dpas/{v3['id']}/sign", json={"signed_on": str(TODAY), "signatory": "X"}, headers=am
        ).status_code
        == 409
    )
    assert client.post(f"/api/v1/dpas/{v1['id']}/send", headers=am).status_code == 409
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.entity_type == "dpa").order_by(AuditEvent.id)
    ).all()
    assert actions == ["dpa.generated"] * 3 + ["dpa.sent", "dpa.signed", "dpa.sent", "dpa.superseded", "dpa.signed"]


def test_sign_validates_its_input(world, generate, client, headers):
    dpa = generate(world["clients"]["ro"]["id"])
    am = headers("account_manager")
    future = client.post(
        f"/api/v1/dpas/{dpa['id']}/sign",
        json={"signed_on": str(TODAY + timedelta(days=3)), "signatory": "A"},
        headers=am,
    )
    assert future.status_code == 422
    assert "signed_on" in future.json["errors"]["json"]
    missing = client.post(f"/api/v1/dpas/{dpa['id']}/sign", json={"signed_on": "2026-01-02"}, headers=am)
    assert missing.status_code == 422
    assert "signatory" in missing.json["errors"]["json"]
    blank = client.post(
        f"/api/v1/dpas/{dpa['id']}/sign", json={"signed_on": "2026-01-02", "signatory": "  "}, headers=am
    )
    assert blank.status_code == 422
    assert (
        client.post(
            "/api/v1/dpas/999999/sign", json={"signed_on": "2026-01-02", "signatory": "A"}, headers=am
        ).status_code
        == 404
    )


def test_annex_outdated_after_a_location_change(world, generate, client, headers):
    ro, en = world["clients"]["ro"]["id"], world["clients"]["en"]["id"]
    am = headers("account_manager")
    for client_id in (ro, en):
        dpa = generate(client_id)
        signed = client.post(
            f"/api/v1/dpas/{dpa['id']}/sign", json={"signed_on": str(TODAY), "signatory": "S"}, headers=am
        )
        assert signed.status_code == 200
    assert client.get("/api/v1/dpas/annex-outdated", headers=headers("viewer")).json == []

    szolg = world["subprocessors"][SZOLG]
    locations = [*szolg["locations"], {"country": "AT", "label": "Wien", "role": "backup"}]
    # An update change announced to the clients adds a location; it takes effect as `changes apply-due` applies it.
    subprocessors.update_subprocessor(
        subprocessors.get_subprocessor(szolg["id"]),
        SubProcessorPatchSchema().load({"locations": locations}),
        actor=Actor("legal@example.test"),
        through_change=1,
    )
    db.session.commit()

    outdated = client.get("/api/v1/dpas/annex-outdated", headers=headers("viewer"))
    assert outdated.status_code == 200
    rows = outdated.json
    assert {row["client_id"] for row in rows} == {ro, en}
    row = next(r for r in rows if r["client_id"] == ro)
    assert row["client_name"] == STEFANESCU
    assert row["version"] == 1 and row["signed_on"] == str(TODAY) and row["number"].startswith("DPA-")

    # A new version with the new annex, once signed, is up to date again
    fresh = generate(ro)
    assert (
        "Austria — Wien"
        in client.get(f"/api/v1/dpas/{fresh['id']}", headers=am).json["context"]["subprocessors"][2]["locations_text"]
    )
    client.post(f"/api/v1/dpas/{fresh['id']}/sign", json={"signed_on": str(TODAY), "signatory": "S"}, headers=am)
    assert [r["client_id"] for r in client.get("/api/v1/dpas/annex-outdated", headers=am).json] == [en]


def test_download_headers(world, generate, client, headers):
    dpa = generate(world["clients"]["ro"]["id"])
    dpa = generate(world["clients"]["ro"]["id"])
    response = client.get(f"/api/v1/dpas/{dpa['id']}/document", headers=headers("viewer"))
    assert response.status_code == 200
    assert response.mimetype == DOCX
    disposition = response.headers["Content-Disposition"]
    expected = f"{dpa['number']}-v2-ro-societatea-stefanescu-fiii-srl.docx"
    assert disposition.startswith("attachment;")
    assert f'filename="{expected}"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == f"{dpa['number']}-v2-ro-societatea-ștefănescu-fiii-srl.docx"
    assert response.headers["ETag"] == f'"{dpa["sha256"]}"'
    cached = client.get(
        f"/api/v1/dpas/{dpa['id']}/document", headers=headers("viewer", If_None_Match=response.headers["ETag"])
    )
    assert cached.status_code == 304
    hostile = client.get(
        f"/api/v1/dpas/{generate(world['clients']['en']['id'])['id']}/document", headers=headers("viewer")
    )
    assert 'filename="DPA-' in hostile.headers["Content-Disposition"]
    assert '-v1-en-smith-co-ltd.docx"' in hostile.headers["Content-Disposition"]
    assert client.get("/api/v1/dpas/999999/document", headers=headers("viewer")).status_code == 404


def test_pdf_without_libreoffice_is_a_clear_404(world, generate, client, headers, monkeypatch):
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    dpa = generate(world["clients"]["ro"]["id"])
    response = client.get(f"/api/v1/dpas/{dpa['id']}/document?format=pdf", headers=headers("viewer"))
    assert response.status_code == 404
    assert "LibreOffice" in response.json["message"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_is_converted_once_and_kept(world, generate, client, headers):
    dpa = generate(world["clients"]["ro"]["id"])
    response = client.get(f"/api/v1/dpas/{dpa['id']}/document?format=pdf", headers=headers("viewer"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert ".pdf" in response.headers["Content-Disposition"]
    assert db.session.get(Dpa, dpa["id"]).pdf == response.data
    again = client.get(f"/api/v1/dpas/{dpa['id']}/document?format=pdf", headers=headers("viewer"))
    assert again.data == response.data


def test_unknown_format_is_rejected(world, generate, client, headers):
    dpa = generate(world["clients"]["ro"]["id"])
    response = client.get(f"/api/v1/dpas/{dpa['id']}/document?format=odt", headers=headers("viewer"))
    assert response.status_code == 422


def test_generate_validates_its_input(world, client, headers):
    client_id = world["clients"]["ro"]["id"]
    am = headers("account_manager")
    bad = client.post(f"/api/v1/clients/{client_id}/dpas", json={"language": "hu", "as_of": "soon"}, headers=am)
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"language", "as_of"}
    assert client.post("/api/v1/clients/999999/dpas", json={}, headers=am).status_code == 404


def test_role_matrix(world, generate, client, headers):
    client_id = world["clients"]["ro"]["id"]
    dpa_id = generate(client_id)["id"]
    reads = [
        f"/api/v1/clients/{client_id}/dpas",
        f"/api/v1/dpas/{dpa_id}",
        f"/api/v1/dpas/{dpa_id}/document",
        "/api/v1/dpas/annex-outdated",
    ]
    for role in ("viewer", "account_manager", "legal", "admin"):
        for path in reads:
            assert client.get(path, headers=headers(role)).status_code == 200, (role, path)
    sign = {"signed_on": str(TODAY), "signatory": "S"}
    writes = [
        (f"/api/v1/clients/{client_id}/dpas", {}),
        (f"/api/v1/dpas/{dpa_id}/send", None),
        (f"/api/v1/dpas/{dpa_id}/sign", sign),
    ]
    for role in ("viewer", "legal"):
        for path, body in writes:
            assert client.post(path, json=body, headers=headers(role)).status_code == 403, (role, path)
    for role in ("account_manager", "admin"):
        assert client.post(f"/api/v1/clients/{client_id}/dpas", json={}, headers=headers(role)).status_code == 201
    assert client.post(f"/api/v1/dpas/{dpa_id}/send", headers=headers("account_manager")).status_code == 200
    assert client.post(f"/api/v1/dpas/{dpa_id}/sign", json=sign, headers=headers("admin")).status_code == 200
    for path in reads:
        assert client.get(path).status_code == 401


def test_a_clinics_dpa_names_its_special_categories_and_their_safeguards(world, client, headers, generate, download):
    """Annex I names the special categories a client's use involves (Art. 9 and 10 GDPR), with the safeguards agreed,
    in every language; without any it says the processing concerns none."""
    path = f"/api/v1/clients/{world['clients']['ro']['id']}"
    etag = client.get(path, headers=headers("viewer")).headers["ETag"]
    unguarded = client.patch(
        path, json={"special_categories": ["health"]}, headers=headers("account_manager", If_Match=etag)
    )
    assert unguarded.status_code == 422
    assert list(unguarded.json["errors"]["json"]) == ["special_categories_safeguards"]
    unknown = client.patch(
        path, json={"special_categories": ["gossip"]}, headers=headers("account_manager", If_Match=etag)
    )
    assert unknown.status_code == 422
    before = docx_text(download(generate(world["clients"]["ro"]["id"])["id"]))
    assert "Date sensibile: prelucrarea nu are ca obiect categorii speciale" in before
    body = {"special_categories": ["health", "genetic"], "special_categories_safeguards": "Criptare & acces jurnalizat"}
    patched = client.patch(path, json=body, headers=headers("account_manager", If_Match=etag))
    assert patched.status_code == 200, patched.json
    ro = docx_text(download(generate(world["clients"]["ro"]["id"])["id"]))
    assert (
        "Date sensibile: prelucrarea are ca obiect următoarele date dintre cele prevăzute la art. 9 alin. (1) sau la "
        "art. 10 din RGPD: date privind sănătatea; date genetice; garanțiile suplimentare convenite pentru acestea "
        "(art. 3.3) sunt: Criptare & acces jurnalizat." in ro
    )
    en = docx_text(download(generate(world["clients"]["ro"]["id"], language="en")["id"]))
    assert (
        "Sensitive data: the processing concerns the following data referred to in Article 9(1) or Article 10 GDPR: "
        "data concerning health; genetic data; the additional safeguards agreed for them (Clause 3.3) are: Criptare "
        "& acces jurnalizat." in en
    )


def test_the_backup_retention_is_the_profiles_one_figure(world, client, headers, generate, download):
    """Clause 10.3 gives the profile's backup retention (it said 90 days while Annex II said 30)."""
    ro = docx_text(download(generate(world["clients"]["ro"]["id"])["id"]))
    assert "în cel mult 30 de zile de la ștergerea Datelor potrivit art. 10.1 sau 10.2" in ro
    etag = client.get("/api/v1/profile", headers=headers()).headers["ETag"]
    patched = client.patch("/api/v1/profile", json={"backup_retention_days": 14}, headers=headers(If_Match=etag))
    assert patched.status_code == 200, patched.json
    ro = docx_text(download(generate(world["clients"]["ro"]["id"])["id"]))
    assert "în cel mult 14 zile de la ștergerea Datelor" in ro  # no "de" below 20
    en = docx_text(download(generate(world["clients"]["ro"]["id"], language="en")["id"]))
    assert "no later than 14 days after the deletion of the Data under Clause 10.1 or 10.2" in en


@pytest.mark.parametrize(
    ("count", "ro", "en"),
    [
        (1, "1 zi", "1 day"),
        (14, "14 zile", "14 days"),
        (19, "19 zile", "19 days"),
        (20, "20 de zile", "20 days"),
        (30, "30 de zile", "30 days"),
        (101, "101 zile", "101 days"),
        (119, "119 zile", "119 days"),
        (120, "120 de zile", "120 days"),
    ],
)
def test_days_are_written_as_romanian_counts_them(count, ro, en):
    assert (days_text(count, "ro"), days_text(count, "en")) == (ro, en)


@pytest.mark.parametrize(
    ("count", "ro", "en"),
    [
        (1, "1 zi calendaristică", "1 calendar day"),
        (14, "14 zile calendaristice", "14 calendar days"),
        (45, "45 de zile calendaristice", "45 calendar days"),
        (119, "119 zile calendaristice", "119 calendar days"),
    ],
)
def test_a_term_in_calendar_days_is_written_as_romanian_counts_it(count, ro, en):
    assert (calendar_days_text(count, "ro"), calendar_days_text(count, "en")) == (ro, en)
