"""Each client's own law and authority: Annex I.C names the client's supervisory authority, the definition of Data
Protection Law its national law, and a UK client gets the UK GDPR and the UK restricted-transfer clause (6.6)."""

import csv
import io
from importlib import resources

import pytest

from registry.transfers import authorities
from tests.dpas.dpa_data import CLIENT_RO, docx_text

EEA = set(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()  # noqa: SIM905
)


def _client(client, headers, country, language, name):
    body = {
        **CLIENT_RO,
        "name": name,
        "legal_name": name,
        "country": country,
        "language": language,
        "vat_id": None,
        "registration_number": None,
    }
    made = client.post("/api/v1/clients", json=body, headers=headers("account_manager"))
    assert made.status_code == 201, made.json
    return made.json["id"]


def _text(client_id, language, generate, download):
    return docx_text(download(generate(client_id, language=language)["id"]))


def _annex_c(text, language):
    heading = "C. Competent supervisory authority" if language == "en" else "C. Autoritatea de supraveghere competentă"
    start = text.index(heading)
    return text[start : text.index("Annex II" if language == "en" else "Anexa II", start)]


def _definition(text, language):
    start = text.index("“Data Protection Law” means" if language == "en" else "„Legislația privind protecția datelor”")
    return text[start : text.index("\n", start)]


@pytest.mark.parametrize("language", ["ro", "en"])
def test_a_hungarian_client_gets_naih_and_the_infotv(world, client, headers, generate, download, language):
    client_id = _client(client, headers, "HU", language, "Szolgáltató és Tanácsadó Kft.")
    text = _text(client_id, language, generate, download)
    annex_c = _annex_c(text, language)
    assert "Nemzeti Adatvédelmi és Információszabadság Hatóság" in annex_c
    assert "Falk Miksa utca 9-11, 1055 Budapest, " + ("Hungary" if language == "en" else "Ungaria") in annex_c
    assert "https://naih.hu" in annex_c
    assert "ANSPDCP" not in annex_c and "Autoritatea Națională de Supraveghere" not in annex_c
    definition = _definition(text, language)
    if language == "en":
        assert "National Authority for Data Protection and Freedom of Information (Nemzeti" in annex_c
        assert (
            "Romanian Law No. 190/2018 implementing the GDPR, the data protection law of Hungary, namely Act CXII of "
            "2011 on Informational Self-Determination and Freedom of Information (Infotv.), and any other law"
        ) in definition
    else:
        assert (
            "Legea nr. 190/2018 privind măsuri de punere în aplicare a RGPD, legislația privind protecția datelor din "
            "Ungaria, respectiv 2011. évi CXII. törvény az információs önrendelkezési jogról és az "
            "információszabadságról, precum și"
        ) in definition
    assert "UK GDPR" not in text and "6.6." not in text
    assert "ANSPDCP" in text  # the processor's own authority stays in clause 14.3


@pytest.mark.parametrize("language", ["ro", "en"])
def test_a_uk_client_gets_the_ico_the_uk_gdpr_and_the_uk_transfer_clause(
    world, client, headers, generate, download, language
):
    client_id = _client(client, headers, "GB", language, "Smith Clinics Ltd")
    text = _text(client_id, language, generate, download)
    annex_c = _annex_c(text, language)
    assert "Information Commissioner's Office" in annex_c and "Wycliffe House, Water Lane, Wilmslow" in annex_c
    assert "https://ico.org.uk" in annex_c
    definition = _definition(text, language)
    if language == "en":
        assert "namely UK GDPR and the Data Protection Act 2018" in definition
        assert "of the European Union, of the United Kingdom or of a Member State" in definition
        assert "references to the GDPR include the corresponding provisions of the UK GDPR" in definition
        assert "6.6. Data subject to the UK GDPR. (a) The Controller's transfer of the Data to the Processor" in text
        assert "International Data Transfer Addendum issued by the Information Commissioner under section 119A" in text
        assert "certified under the UK Extension to the EU-U.S. Data Privacy Framework" in text
        assert "and in any event where the Controller so requests in writing" in text
        assert "the Commission's adequacy decision for the United Kingdom under Article 45 GDPR" in text
    else:
        assert "al Uniunii Europene, al Regatului Unit sau al unui stat membru" in definition
        assert "trimiterile la RGPD includ dispozițiile corespunzătoare din UK GDPR" in definition
        assert "6.6. Datele supuse UK GDPR. (a) Transferul Datelor de către Operator" in text
        assert "secțiunii 119A din Data Protection Act 2018 („UK Addendum”)" in text
        assert "extinderii pentru Regatul Unit a Cadrului UE-SUA privind confidențialitatea datelor" in text
        assert "la cererea scrisă a Operatorului" in text


@pytest.mark.parametrize("language", ["ro", "en"])
def test_a_romanian_client_gets_anspdcp_and_law_190_once(world, generate, download, language):
    text = _text(world["clients"]["ro"]["id"], language, generate, download)
    annex_c = _annex_c(text, language)
    assert "Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal" in annex_c
    assert "B-dul G-ral. Gheorghe Magheru 28-30, Sector 1, 010336 București, " in annex_c
    definition = _definition(text, language)
    assert definition.count("190/2018") == 1
    assert "data protection law of" not in definition and "legislația privind protecția datelor din" not in definition
    assert "6.6." not in text


def test_a_german_client_is_pointed_to_its_land_authority(world, client, headers, generate, download):
    client_id = _client(client, headers, "DE", "en", "Müller Praxis GmbH")
    annex_c = _annex_c(_text(client_id, "en", generate, download), "en")
    assert "The supervisory authority of the German Land in which the Controller has its main establishment" in annex_c
    assert "Address:" not in annex_c and "BDSG))" not in annex_c  # no single address to give, no German aside


def test_a_client_outside_the_eea_and_the_uk_gets_the_processors_authority(world, client, headers, generate, download):
    text = _text(_client(client, headers, "CH", "en", "Zürich Treuhand AG"), "en", generate, download)
    assert "ANSPDCP" in _annex_c(text, "en")
    assert "data protection law of" not in _definition(text, "en")


def test_the_table_covers_the_eea_and_the_uk_with_its_sources():
    text = (resources.files("registry.transfers") / "data" / "supervisory_authorities.csv").read_text("utf-8")
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    assert {row["country"] for row in rows} == EEA | {"GB"}
    assert authorities.countries() == sorted(EEA | {"GB"})
    for row in rows:
        assert row["sources"].strip(), row["country"]
        assert row["law_en"] and row["law_local"], row["country"]
        if row["website"]:
            assert row["website"].startswith(("https://", "http://")), row["country"]
    assert authorities.authority_for("hu").name("ro") == "Nemzeti Adatvédelmi és Információszabadság Hatóság"
    assert authorities.authority_for("US") is None and authorities.authority_for(None) is None


@pytest.mark.parametrize(("language", "country"), [("en", "Hungary"), ("ro", "Ungaria")])
def test_an_address_that_ends_with_its_country_gets_it_once_in_the_documents_language(
    world, client, headers, generate, download, language, country
):
    made = client.post(
        "/api/v1/clients",
        json={
            **CLIENT_RO,
            "name": "Budai Kft.",
            "legal_name": "Budai Kft.",
            "country": "HU",
            "language": language,
            "vat_id": None,
            "registration_number": None,
            "address": "1027 Budapest, Margit körút 5., Magyarország",
        },
        headers=headers("account_manager"),
    )
    assert made.status_code == 201, made.json
    text = _text(made.json["id"], language, generate, download)
    assert f"1027 Budapest, Margit körút 5., {country}" in text
    assert "Magyarország" not in text
