"""Annex I.B is built from the client's services (what each one does with its data, in the document's language),
never from the sub-processors' storage details."""

import pytest

from tests.dpas.dpa_data import CLIENT_RO, SMITH, docx_text

CRM = {
    "en": {
        "nature": "Storage, organisation and retrieval of the client's contact and sales records.",
        "purpose": "Managing the client's relationships with its customers.",
        "data_categories": ["identification data", "contact data", "sales data"],
        "data_subjects": ["the client's customers", "the client's staff who use the Services"],
        "retention": "For the term of the Main Agreement.",
    },
    "ro": {
        "nature": "Stocarea, organizarea și consultarea înregistrărilor de contact și de vânzări ale clientului.",
        "purpose": "Gestionarea relațiilor clientului cu clienții săi.",
        "data_categories": ["date de identificare", "date de contact", "date privind vânzările"],
        "data_subjects": ["clienții clientului", "personalul clientului care utilizează Serviciile"],
        "retention": "Pe durata Contractului principal.",
    },
}
SMS = {
    "en": {
        "purpose": "Sending the client's text messages.",
        "data_categories": ["Contact data", "message content"],
        "data_subjects": ["The client's customers"],
    }
}
LABELS = {
    "en": ("B. Description of the processing", "C. Competent", "Nature: ", "Purpose: ", "Retention: "),
    "ro": ("B. Descrierea prelucrării", "C. Autoritatea", "Natura: ", "Scopul: ", "Durata de stocare: "),
}


def _patch_service(client, headers, slug, body, status=200):
    path = f"/api/v1/services/{slug}"
    etag = client.get(path, headers=headers("legal")).headers["ETag"]
    response = client.patch(path, json=body, headers=headers("legal", If_Match=etag))
    assert response.status_code == status, response.json
    return response.json


def _annex_b(text, language):
    start_label, end_label = LABELS[language][:2]
    start = text.index(start_label)
    return text[start : text.index(end_label, start)]


@pytest.mark.parametrize(
    ("country", "language"), [("RO", "ro"), ("RO", "en"), ("HU", "en"), ("HU", "ro"), ("GB", "en")]
)
def test_annex_one_describes_what_the_clients_services_process(
    world, client, headers, generate, download, country, language
):
    _patch_service(client, headers, "crm", {"processing": CRM})
    body = {**CLIENT_RO, "name": f"Client {country}", "country": country, "language": language, "vat_id": None}
    made = client.post("/api/v1/clients", json=body, headers=headers("account_manager"))
    assert made.status_code == 201, made.json
    annex = _annex_b(docx_text(download(generate(made.json["id"])["id"])), language)
    texts = CRM[language]
    _, _, nature, purpose, retention = LABELS[language]
    assert nature + texts["nature"] in annex
    assert purpose + texts["purpose"] in annex
    assert retention + texts["retention"] in annex
    assert ", ".join(texts["data_subjects"]) in annex
    assert ", ".join(texts["data_categories"]) in annex
    # the sub-processors' own fields (Annex III material) are not categories of the client's data
    for artefact in ("support messages", "usage data", "client users", "end customers"):
        assert artefact not in annex


def test_each_language_is_its_own_text_and_a_missing_one_falls_back_to_the_general_words(
    world, client, headers, generate, download
):
    _patch_service(client, headers, "crm", {"processing": {"ro": CRM["ro"]}})
    client_id = world["clients"]["ro"]["id"]
    english = _annex_b(docx_text(download(generate(client_id, language="en")["id"])), "en")
    assert (
        "Categories of data subjects: the data subjects whose data the Controller enters into the Services." in english
    )
    assert "Purpose: Managing" not in english and "Gestionarea" not in english  # no Romanian in the English text
    patched = _patch_service(client, headers, "crm", {"processing": {"en": CRM["en"]}})
    assert set(patched["processing"]) == {"ro", "en"}  # a language given replaces only that language
    assert patched["processing"]["ro"]["purpose"] == CRM["ro"]["purpose"]


def test_the_union_over_several_services_names_each_category_once(world, client, headers, generate, download):
    _patch_service(client, headers, "crm", {"processing": CRM})
    _patch_service(client, headers, "sms", {"processing": SMS})
    body = {**CLIENT_RO, "name": "Two Services SRL", "services": ["crm", "sms"], "language": "en"}
    made = client.post("/api/v1/clients", json=body, headers=headers("account_manager"))
    assert made.status_code == 201, made.json
    annex = _annex_b(docx_text(download(generate(made.json["id"])["id"])), "en")
    assert (
        "Categories of data subjects: the client's customers, the client's staff who use the Services." in annex
    )  # "The client's customers" of the SMS service is the same category
    assert "Categories of personal data: identification data, contact data, sales data, message content." in annex
    assert "Purpose: Sending the client's text messages." in annex


@pytest.mark.parametrize(
    ("processing", "field"),
    [
        ({"fr": CRM["en"]}, "processing"),
        ({"en": {"purpose": "x" * 1001}}, "purpose"),
        ({"en": {"data_categories": "contact data"}}, "data_categories"),
        ({"en": {"data_subjects": [""]}}, "data_subjects"),
        ({"en": {"data_categories": ["x"] * 31}}, "data_categories"),
        ({"en": {"colour": "blue"}}, "colour"),
    ],
)
def test_bad_processing_texts_are_refused_with_the_field_named(world, client, headers, processing, field):
    refused = _patch_service(client, headers, "crm", {"processing": processing}, status=422)
    assert field in str(refused["errors"]["json"])
    assert client.get("/api/v1/services/crm", headers=headers("viewer")).json["processing"] == {}


@pytest.mark.parametrize(
    ("language", "engaged"),
    [("en", "(onward sub-processor engaged by Cloud EU)"), ("ro", "(sub-împuternicit recrutat de Cloud EU)")],
)
def test_annex_three_shows_each_onward_subprocessor_after_the_one_that_engages_it(
    world, client, headers, generate, download, language, engaged
):
    def add(name, **fields):
        body = {
            "name": name,
            "legal_name": f"{name} Ltd",
            "country": "IE",
            "address": "1 Main Street, Dublin 2",
            "category": "hosting",
            "purpose": "Hosting",
            "services": ["crm"],
            "locations": [{"country": "IE", "label": "Dublin", "role": "storage"}],
            "status": "active",
            **fields,
        }
        made = client.post("/api/v1/subprocessors", json=body, headers=headers("legal"))
        assert made.status_code == 201, made.json
        return made.json

    parent = add("Cloud EU")
    add("Zeta Support", parent_id=parent["id"], services=[])
    text = docx_text(download(generate(world["clients"]["ro"]["id"], language=language)["id"]))
    annex = text[text.index("Annex III. List" if language == "en" else "Anexa III. Lista") :]
    assert f"Zeta Support {engaged}" in annex
    # right after its parent, before the sub-processors that follow "Cloud EU" by name
    assert annex.index("Cloud EU") < annex.index("Zeta Support") < annex.index(SMITH)
