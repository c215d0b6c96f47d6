import json
from datetime import date

import pytest
from docxtpl import Listing
from jinja2.exceptions import SecurityError, UndefinedError

from registry.clients import services as clients
from registry.dpas import rendering
from registry.dpas.validation import sample_context
from registry.profile import services as profile
from tests.dpas.dpa_data import SMITH, STEFANESCU, SZOLG, docx_text

SPEC_KEYS = {
    "agreement": {
        "number",
        "version",
        "date",
        "language",
        "prevailing_language",
        "authorization",
        "notice_period_days",
        "notice_period",
        "as_of",
    },
    "processor": {
        "legal_name",
        "address",
        "registration_number",
        "vat_id",
        "email",
        "phone",
        "website",
        "list_url",
        "backup_retention",
        "representative",
        "dpo",
        "supervisory_authority",
        "toms",
    },
    "client": {
        "name",
        "legal_name",
        "registration_number",
        "vat_id",
        "address",
        "country_name",
        "national_law",
        "uk_gdpr",
        "supervisory_authority",
        "feed_url",
        "signatory",
        "notice_contacts",
    },
    "processing": {"data_categories", "data_subjects", "sensitive_data"},
}
SUBPROCESSOR_KEYS = {
    "name",
    "legal_name",
    "address",
    "country_name",
    "website",
    "contact",
    "category",
    "purpose",
    "data_categories",
    "locations_text",
    "level",
    "engaged_by",
    "locations",
}
LOCATION_KEYS = {"country_name", "label", "role", "mechanism", "mechanism_text", "decision"}
TRANSFER_KEYS = {"subprocessor", "country_name", "label", "role", "mechanism_text"}


def _context(world, language):
    client = clients.get_client(world["clients"]["ro"]["id"])
    return rendering.build_context(
        client,
        profile.get_profile(),
        clients.applicable_subprocessors(client, date(2099, 1, 1)),
        language=language,
        number="DPA-2026-0007",
        version=2,
        as_of=date(2026, 11, 22),
        today=date(2026, 11, 23),
    )


def test_context_has_exactly_the_documented_shape(world):
    context = _context(world, "ro")
    assert set(context) == {"agreement", "processor", "client", "services", "processing", "subprocessors", "transfers"}
    for name, keys in SPEC_KEYS.items():
        assert set(context[name]) == keys, name
    assert set(context["processor"]["representative"]) == {"name", "title"}
    assert set(context["processor"]["dpo"]) == {"name", "email", "phone"}
    assert set(context["processor"]["supervisory_authority"]) == {"name", "address", "email", "phone", "website"}
    assert set(context["client"]["signatory"]) == {"name", "title"}
    assert isinstance(context["processor"]["toms"], Listing)
    assert [set(s) for s in context["services"]] == [
        {"name", "description", "nature", "purpose", "data_categories", "data_subjects", "retention"}
    ]
    assert all(set(s) == SUBPROCESSOR_KEYS for s in context["subprocessors"])
    assert all(set(loc) == LOCATION_KEYS for s in context["subprocessors"] for loc in s["locations"])
    assert all(set(t) == TRANSFER_KEYS for t in context["transfers"])
    assert context["agreement"]["version"] == 2
    assert context["agreement"]["notice_period_days"] == 45


def test_context_is_localised_romanian(world):
    context = _context(world, "ro")
    assert context["agreement"]["date"] == "23 noiembrie 2026"
    assert context["agreement"]["as_of"] == "22 noiembrie 2026"
    assert context["client"]["country_name"] == "România"
    assert context["client"]["notice_contacts"] == "Ana Ștefănescu <ana@stefanescu.ro>"  # not the billing contact
    by_name = {s["name"]: s for s in context["subprocessors"]}
    assert list(by_name) == ["Alpine Analytics AG", SMITH, SZOLG]  # ordered by name; sms and proposed left out
    assert by_name[SZOLG]["category"] == "Găzduire"
    assert by_name[SZOLG]["country_name"] == "Ungaria"
    assert by_name[SZOLG]["locations_text"] == (
        "Ungaria — Budapest, stocare: SEE (fără transfer); "
        "Germania — EU (Frankfurt), copii de siguranță: SEE (fără transfer)"
    )
    smith = by_name[SMITH]["locations"][0]
    assert smith["country_name"] == "Statele Unite ale Americii"
    assert smith["mechanism"] == "scc"
    assert smith["mechanism_text"] == "Clauze contractuale standard (Decizia (UE) 2021/914), modulul 3"
    assert smith["decision"] == ""
    assert by_name[SMITH]["contact"] == "Jane Doe, DPO, privacy@smith.example, +1 555 0100"
    alpine = by_name["Alpine Analytics AG"]["locations"][0]
    assert alpine["mechanism"] == "adequacy"
    assert alpine["decision"] == "2000/518/CE"
    assert [(t["subprocessor"], t["country_name"]) for t in context["transfers"]] == [
        ("Alpine Analytics AG", "Elveția"),
        (SMITH, "Statele Unite ale Americii"),
    ]
    # Annex I.B comes from the client's services (which have no processing texts here), never from the
    # sub-processors' storage details
    assert context["processing"]["data_categories"] == context["processing"]["data_subjects"] == ""


def test_context_is_localised_english(world):
    context = _context(world, "en")
    assert context["agreement"]["date"] == "23 November 2026"
    assert context["client"]["country_name"] == "Romania"
    smith = next(s for s in context["subprocessors"] if s["name"] == SMITH)
    assert smith["category"] == "Customer support"
    assert smith["locations_text"] == (
        "United States — Virginia, support: Standard contractual clauses (Decision (EU) 2021/914), module 3"
    )


def test_snapshot_is_json_and_keeps_the_toms_text(world):
    context = _context(world, "ro")
    snapshot = rendering.to_snapshot(context)
    assert json.loads(json.dumps(snapshot)) == snapshot
    toms = profile.get_profile().toms_ro
    assert snapshot["processor"]["toms"] == toms


def test_render_keeps_hostile_text_verbatim(small_template):
    document = rendering.render(small_template, sample_context("en"))
    text = docx_text(document)
    assert 'Smith & <Co> "Ltd" — Ștefănescu' in text
    assert STEFANESCU in text
    assert SZOLG in text
    assert "Encryption & pseudonymisation\nAccess control <roles>" in text
    assert "General authorisation, 30 days notice" in text
    assert "Specific authorisation" not in text
    assert "{{" not in text and "{%" not in text


def test_render_builds_a_fresh_template_every_time(small_template):
    first = docx_text(rendering.render(small_template, sample_context("en")))
    second = docx_text(rendering.render(small_template, sample_context("ro")))
    assert "22 November 2026" in first and "22 noiembrie 2026" in second
    assert "22 November 2026" not in second


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ client.__class__ }}",
        "{{ lipsum.__globals__['os'] }}",
    ],
)
def test_render_cannot_run_code(make_template, payload):
    template = make_template(["Hello", payload], table=False)
    with pytest.raises((SecurityError, UndefinedError)):
        rendering.render(template, sample_context("en"))


@pytest.mark.parametrize(
    "payload",
    ["{{ client.name * 100 }}", "{{ 999 * 999 }}", "{{ '%s%s' % (client.name, client.name) }}", "{{ 9 ** 9 }}"],
)
def test_render_refuses_to_blow_up(make_template, payload):
    with pytest.raises(SecurityError):
        rendering.render(make_template([payload], table=False), sample_context("en"))


def test_render_fails_loudly_on_unknown_variables(make_template):
    with pytest.raises(UndefinedError):
        rendering.render(make_template(["{{ client.nickname }}"], table=False), sample_context("en"))
    with pytest.raises(UndefinedError):
        rendering.render(make_template(["{{ nothing }}"], table=False), sample_context("en"))


def test_annex_digest_ignores_order_and_language_but_not_locations(world):
    client = clients.get_client(world["clients"]["ro"]["id"])
    applicable = clients.applicable_subprocessors(client)
    digest = rendering.annex_digest(applicable)
    assert rendering.annex_digest(list(reversed(applicable))) == digest
    moved = json.loads(json.dumps(applicable))
    moved[0]["locations"][0]["country"] = "FR"
    assert rendering.annex_digest(moved) != digest
    renamed_site = json.loads(json.dumps(applicable))
    renamed_site[0]["website"] = "https://elsewhere.example"
    assert rendering.annex_digest(renamed_site) == digest
