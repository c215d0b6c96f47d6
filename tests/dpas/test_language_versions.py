"""The language versions of one DPA version are one agreement: a translation shares the number, version and date,
never supersedes the text it translates, and the original's language prevails (clause 15.3)."""

from datetime import date

from registry.audit.models import AuditEvent
from registry.extensions import db
from tests.dpas.dpa_data import docx_text

TODAY = date.today()
EN_CLAUSE = (
    "15.3. Language versions. This Agreement may be made in more than one language; its language versions share its "
    "number, version and date and form one agreement. If they differ, the {} version prevails."
)
RO_CLAUSE = (
    "15.3. Versiuni lingvistice. Acordul poate fi încheiat în mai multe limbi; versiunile sale lingvistice au același "
    "număr, aceeași versiune și aceeași dată și constituie un singur acord. În caz de neconcordanță, prevalează "
    "versiunea în limba {}."
)


def _versions(client, headers, client_id):
    listed = client.get(f"/api/v1/clients/{client_id}/dpas", headers=headers("viewer")).json
    return sorted((d["version"], d["language"], d["status"]) for d in listed)


def _patch_client(client, headers, client_id, body, role="account_manager"):
    path = f"/api/v1/clients/{client_id}"
    etag = client.get(path, headers=headers("viewer")).headers["ETag"]
    changed = client.patch(path, json=body, headers=headers(role, If_Match=etag))
    assert changed.status_code == 200, changed.json


def _sign(client, headers, dpa_id, who="Ana Ștefănescu"):
    return client.post(
        f"/api/v1/dpas/{dpa_id}/sign",
        json={"signed_on": str(TODAY), "signatory": who},
        headers=headers("account_manager"),
    )


def test_the_english_text_of_a_romanian_agreement_is_the_same_version_and_the_romanian_prevails(
    world, generate, download, client, headers
):
    client_id = world["clients"]["ro"]["id"]
    original = generate(client_id)
    english = generate(client_id, language="en")
    assert (english["number"], english["version"], english["dated"]) == (original["number"], 1, original["dated"])
    assert english["language"] == "en" and english["context"]["agreement"]["prevailing_language"] == "Romanian"
    assert _versions(client, headers, client_id) == [(1, "en", "draft"), (1, "ro", "draft")]
    en_text, ro_text = docx_text(download(english["id"])), docx_text(download(original["id"]))
    assert EN_CLAUSE.format("Romanian") in en_text
    assert RO_CLAUSE.format("română") in ro_text
    # each text is version 1 of one agreement: the translation supersedes nothing
    assert f"No. {original['number']} | Version 1 |" in en_text
    assert f"(D) This is the first version of Agreement No. {original['number']}." in en_text
    assert f"(D) Aceasta este prima versiune a Acordului nr. {original['number']}." in ro_text
    assert f"Nr. {original['number']} | Versiunea 1 |" in ro_text
    events = db.session.query(AuditEvent).filter_by(action="dpa.translated").all()
    assert [(e.entity_id, e.after["translates"]) for e in events] == [(str(english["id"]), original["id"])]


def test_a_change_since_makes_a_new_version_whose_own_language_prevails(world, generate, download, client, headers):
    client_id = world["clients"]["ro"]["id"]
    original = generate(client_id)
    _patch_client(client, headers, client_id, {"signatory": {"name": "Ion Pop", "title": "Director"}})
    refused = client.post(
        f"/api/v1/dpas/{original['id']}/translations", json={"language": "en"}, headers=headers("account_manager")
    )
    assert refused.status_code == 409
    assert "changed since" in refused.json["message"] and "generate a new version" in refused.json["message"]
    english = generate(client_id, language="en")
    assert english["version"] == 2
    text = docx_text(download(english["id"]))
    assert EN_CLAUSE.format("English") in text
    assert f"(D) This version (2) of Agreement No. {original['number']} supersedes, from its entry into force" in text
    assert _versions(client, headers, client_id) == [(1, "ro", "draft"), (2, "en", "draft")]


def test_a_translation_cannot_repeat_a_language_or_replace_a_superseded_text(world, generate, client, headers):
    client_id = world["clients"]["ro"]["id"]
    am = headers("account_manager")
    original = generate(client_id)
    same = client.post(f"/api/v1/dpas/{original['id']}/translations", json={"language": "ro"}, headers=am)
    assert same.status_code == 422 and "written in ro" in same.json["errors"]["json"]["language"][0]
    unknown = client.post(f"/api/v1/dpas/{original['id']}/translations", json={"language": "fr"}, headers=am)
    assert unknown.status_code == 422 and "language" in unknown.json["errors"]["json"]
    assert (
        client.post(f"/api/v1/dpas/{original['id']}/translations", json={"language": "en"}, headers=am).status_code
        == 201
    )
    twice = client.post(f"/api/v1/dpas/{original['id']}/translations", json={"language": "en"}, headers=am)
    assert twice.status_code == 409 and "already has a en version" in twice.json["message"]
    # asked again in English, generation makes a new version (the English text of v1 exists)
    again = generate(client_id, language="en")
    assert again["version"] == 2
    assert _sign(client, headers, original["id"]).status_code == 200
    assert _sign(client, headers, again["id"]).status_code == 200
    refused = client.post(f"/api/v1/dpas/{again['id']}/translations", json={"language": "ro"}, headers=am)
    assert refused.status_code == 201  # v2 is in force
    viewer = client.post(f"/api/v1/dpas/{again['id']}/translations", json={"language": "ro"}, headers=headers("viewer"))
    assert viewer.status_code == 403


def test_signing_one_text_signs_the_version_and_a_newer_signature_supersedes_all_its_texts(
    world, generate, client, headers
):
    client_id = world["clients"]["ro"]["id"]
    original = generate(client_id)
    english = generate(client_id, language="en")
    assert _sign(client, headers, english["id"]).status_code == 200
    assert _versions(client, headers, client_id) == [(1, "en", "signed"), (1, "ro", "signed")]
    signed_ro = client.get(f"/api/v1/dpas/{original['id']}", headers=headers("viewer")).json
    assert (signed_ro["signed_on"], signed_ro["signatory"]) == (str(TODAY), "Ana Ștefănescu")
    assert _sign(client, headers, original["id"]).status_code == 409  # already signed, as one agreement
    _patch_client(client, headers, client_id, {"notice_period_days": 60})
    newer = generate(client_id)
    assert newer["version"] == 2
    assert _sign(client, headers, newer["id"]).status_code == 200
    assert _versions(client, headers, client_id) == [
        (1, "en", "superseded"),
        (1, "ro", "superseded"),
        (2, "ro", "signed"),
    ]


def test_the_translation_of_a_signed_version_is_signed_with_it(world, generate, client, headers):
    client_id = world["clients"]["en"]["id"]
    original = generate(client_id)
    assert _sign(client, headers, original["id"], who="John Smith").status_code == 200
    romanian = client.post(
        f"/api/v1/dpas/{original['id']}/translations", json={"language": "ro"}, headers=headers("account_manager")
    )
    assert romanian.status_code == 201, romanian.json
    assert (romanian.json["status"], romanian.json["signatory"], romanian.json["version"]) == (
        "signed",
        "John Smith",
        1,
    )
    assert romanian.json["context"]["agreement"]["prevailing_language"] == "engleză"
