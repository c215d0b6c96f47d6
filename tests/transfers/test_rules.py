from datetime import date

import pytest

from registry.transfers.rules import (
    Basis,
    CountryRule,
    LocationCheck,
    Mechanism,
    all_countries,
    check_location,
    country_name,
    country_rule,
    is_country,
    mechanism_text,
    rules_version,
)

ON = date(2026, 11, 1)
EU = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]  # fmt: skip
ADEQUATE = ["AD", "AR", "CA", "FO", "GG", "IL", "IM", "JP", "JE", "NZ", "KR", "CH", "GB", "UY", "US", "BR"]


def check(
    country: str,
    mechanism: str | None = None,
    detail: str | None = None,
    *,
    dpf_certified: bool = False,
    dpf_recheck_on: date | None = None,
    on: date = ON,
) -> LocationCheck:
    return check_location(country, mechanism, detail, dpf_certified=dpf_certified, dpf_recheck_on=dpf_recheck_on, on=on)


# -- data file -----------------------------------------------------------------------------------------


def test_version_comes_from_the_first_line() -> None:
    assert rules_version() == "2026-11-01"


def test_every_eea_member_is_listed() -> None:
    assert len(EU) == 27
    for code in [*EU, "IS", "LI", "NO"]:
        rule = country_rule(code)
        assert rule.basis is Basis.EEA, code
        assert rule.in_force(ON)
        assert rule.in_force(date(1990, 1, 1))


def test_eu_outermost_regions_are_inside_the_eea() -> None:
    for code in ["AX", "GF", "GP", "MF", "MQ", "RE", "YT"]:
        assert country_rule(code).basis is Basis.EEA, code
    assert check("RE").mechanism is Mechanism.EEA


def test_every_adequacy_decision_is_listed_with_its_reference() -> None:
    for code in ADEQUATE:
        rule = country_rule(code)
        assert rule.basis is Basis.ADEQUACY, code
        assert rule.decision, code
        assert rule.scope in {"full", "partial"}, code
        assert rule.in_force_from is not None, code


def test_rows_carry_decision_scope_and_note() -> None:
    assert country_rule("US") == CountryRule(
        code="US",
        name="United States",
        basis=Basis.ADEQUACY,
        decision="(EU) 2023/1795",
        scope="partial",
        in_force_from=date(2023, 7, 10),
        in_force_until=None,
        note="only organisations certified under the EU-US Data Privacy Framework",
    )
    assert country_rule("CA").note == "commercial organisations subject to PIPEDA"
    assert country_rule("GR").note == "EU documents write EL"


def test_uk_decision_lapses_on_its_until_date() -> None:
    gb = country_rule("GB")
    assert gb.decision.startswith("(EU) 2021/1772")
    assert gb.in_force_until == date(2031, 12, 27)
    assert gb.in_force(date(2031, 12, 26))
    assert not gb.in_force(date(2031, 12, 27))


def test_brazil_decision_is_in_force_from_its_adoption() -> None:
    br = country_rule("BR")
    assert br.decision == "(EU) 2026/179"
    assert br.in_force_from == date(2026, 1, 26)
    assert not br.in_force(date(2026, 1, 25))
    assert br.in_force(date(2026, 1, 26))
    assert br.in_force_until is None


def test_unlisted_country_is_a_third_country_with_its_english_name() -> None:
    rule = country_rule("CN")
    assert rule.basis is Basis.THIRD
    assert rule.name == "China"
    assert rule.decision == ""
    assert not rule.in_force(ON)


@pytest.mark.parametrize("code", ["XX", "us", "EL", "UK", "USA", "", "U1"])
def test_unknown_code_is_rejected(code: str) -> None:
    assert not is_country(code)
    with pytest.raises(ValueError, match="ISO 3166-1"):
        country_rule(code)


def test_is_country() -> None:
    assert is_country("DE")
    assert is_country("US")
    assert is_country("AQ")


def test_all_countries_covers_iso_sorted_by_code() -> None:
    countries = all_countries()
    codes = [rule.code for rule in countries]
    assert len(codes) == 249
    assert codes == sorted(codes)
    by_code = {rule.code: rule for rule in countries}
    assert by_code["RO"].basis is Basis.EEA
    assert by_code["JP"].basis is Basis.ADEQUACY
    assert by_code["IN"].basis is Basis.THIRD


# -- localisation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "language", "name"),
    [
        ("DE", "ro", "Germania"),
        ("HU", "ro", "Ungaria"),
        ("US", "en", "United States"),
        ("DE", "ro_RO", "Germania"),
        ("DE", "xx", "Germany"),  # unknown locale: ISO English name
    ],
)
def test_country_name(code: str, language: str, name: str) -> None:
    assert country_name(code, language) == name


def test_country_name_rejects_unknown_code() -> None:
    with pytest.raises(ValueError):
        country_name("XX", "en")


# -- check_location: country and mechanism values -----------------------------------------------------


def test_country_must_be_iso_alpha_2() -> None:
    result = check("Germany", "eea")
    assert not result.ok
    assert "country" in result.problems


def test_unknown_mechanism_lists_allowed_values() -> None:
    result = check("CN", "contract")
    assert result.mechanism is None
    message = result.problems["mechanism"]
    for value in ["eea", "adequacy", "dpf", "scc", "bcr", "derogation"]:
        assert value in message


# -- check_location: derived mechanism ----------------------------------------------------------------


@pytest.mark.parametrize("mechanism", [None, ""])
def test_eea_country_derives_eea(mechanism: str | None) -> None:
    assert check("DE", mechanism) == LocationCheck(Mechanism.EEA, {})


def test_adequate_country_derives_adequacy() -> None:
    result = check("JP")
    assert result.ok
    assert result.mechanism is Mechanism.ADEQUACY


def test_certified_us_derives_dpf() -> None:
    assert check("US", dpf_certified=True).mechanism is Mechanism.DPF
    assert check("US", dpf_certified=True, dpf_recheck_on=ON).mechanism is Mechanism.DPF


def test_uncertified_us_needs_a_mechanism() -> None:
    result = check("US")
    assert result.mechanism is None
    message = result.problems["mechanism"]
    assert message.startswith("US (United States): ")
    assert "requires a transfer mechanism: scc, bcr or derogation" in message
    assert "certif" in message


def test_us_with_past_recheck_date_needs_a_mechanism() -> None:
    result = check("US", dpf_certified=True, dpf_recheck_on=date(2026, 10, 31))
    assert result.mechanism is None
    assert "DPF certification recheck date 2026-10-31 has passed" in result.problems["mechanism"]


def test_third_country_needs_a_mechanism() -> None:
    result = check("CN")
    assert result.mechanism is None
    assert result.problems == {"mechanism": "CN (China): requires a transfer mechanism: scc, bcr or derogation"}


def test_lapsed_decision_is_not_derived() -> None:
    result = check("GB", on=date(2032, 1, 1))
    assert result.mechanism is None
    assert "lapsed on 2031-12-27" in result.problems["mechanism"]


# -- check_location: eea ------------------------------------------------------------------------------


def test_eea_only_for_eea_countries() -> None:
    result = check("CN", "eea")
    assert result.problems["mechanism"].startswith("CN (China): eea is only for EEA countries")
    assert not check("CH", "eea").ok


@pytest.mark.parametrize(
    ("mechanism", "detail"),
    [("adequacy", None), ("dpf", None), ("scc", "module 3"), ("bcr", None), ("derogation", "a")],
)
def test_inside_the_eea_only_eea(mechanism: str, detail: str | None) -> None:
    result = check("RO", mechanism, detail, dpf_certified=True)
    assert result.problems["mechanism"] == ("RO (Romania): no transfer safeguard is needed inside the EEA: use eea")


def test_eea_mechanism_value_is_case_insensitive() -> None:
    assert check("NO", "EEA") == LocationCheck(Mechanism.EEA, {})


# -- check_location: adequacy ---------------------------------------------------------------------------


def test_adequacy_where_a_decision_is_in_force() -> None:
    assert check("CH", "adequacy") == LocationCheck(Mechanism.ADEQUACY, {})
    assert check("GB", "adequacy", on=date(2031, 12, 26)).ok


def test_adequacy_not_for_a_third_country() -> None:
    result = check("IN", "adequacy")
    assert result.problems["mechanism"].startswith("IN (India): no EU adequacy decision")


def test_adequacy_never_for_the_us() -> None:
    result = check("US", "adequacy", dpf_certified=True)
    message = result.problems["mechanism"]
    assert message.startswith("US (United States): ")
    assert "use dpf" in message


def test_adequacy_after_the_decision_lapsed() -> None:
    result = check("GB", "adequacy", on=date(2031, 12, 27))
    assert result.problems["mechanism"].startswith("GB (United Kingdom): ")
    assert "lapsed on 2031-12-27" in result.problems["mechanism"]


def test_adequacy_before_the_decision() -> None:
    result = check("BR", "adequacy", on=date(2025, 6, 1))
    assert "in force only from 2026-01-26" in result.problems["mechanism"]


# -- check_location: dpf ------------------------------------------------------------------------------


def test_dpf_for_certified_us() -> None:
    assert check("US", "dpf", dpf_certified=True, dpf_recheck_on=date(2027, 1, 1)).ok


def test_dpf_only_for_the_us() -> None:
    result = check("CA", "dpf", dpf_certified=True)
    assert result.problems["mechanism"].startswith("CA (Canada): dpf applies only")


def test_dpf_needs_certification() -> None:
    result = check("US", "dpf")
    assert "certif" in result.problems["mechanism"]


def test_dpf_recheck_date_passed() -> None:
    result = check("US", "dpf", dpf_certified=True, dpf_recheck_on=date(2026, 10, 1))
    assert result.problems["mechanism"] == ("US (United States): DPF certification recheck date 2026-10-01 has passed")


def test_dpf_before_the_framework_decision() -> None:
    assert not check("US", "dpf", dpf_certified=True, on=date(2023, 7, 9)).ok
    assert check("US", "dpf", dpf_certified=True, on=date(2023, 7, 10)).ok


# -- check_location: scc, bcr, derogation ---------------------------------------------------------------


@pytest.mark.parametrize(
    "detail", ["module 3", "Module 3", "modul 3", "3", "modulul 3", "Module 2 (controller to processor)"]
)
def test_scc_with_a_module(detail: str) -> None:
    assert check("CN", "scc", detail) == LocationCheck(Mechanism.SCC, {})


@pytest.mark.parametrize("detail", [None, "", "module 5", "13", "2021/914", "yes"])
def test_scc_without_a_valid_module(detail: str | None) -> None:
    result = check("CN", "scc", detail)
    assert result.mechanism is Mechanism.SCC
    assert set(result.problems) == {"mechanism_detail"}
    assert result.problems["mechanism_detail"].startswith("CN (China): ")


@pytest.mark.parametrize("detail", [None, "", "Google group BCR"])
def test_bcr_detail_is_optional(detail: str | None) -> None:
    assert check("IN", "bcr", detail).ok


@pytest.mark.parametrize(
    "detail", ["a", "g", "(b)", "49(1)(b)", "Art. 49(1)(b)", "art. 49 alin. (1) lit. b)", "Article 49(1)(e)"]
)
def test_derogation_with_a_point(detail: str) -> None:
    assert check("IN", "derogation", detail) == LocationCheck(Mechanism.DEROGATION, {})


@pytest.mark.parametrize("detail", [None, "", "h", "Art. 49(1)(h)", "consent", "49"])
def test_derogation_without_a_valid_point(detail: str | None) -> None:
    result = check("IN", "derogation", detail)
    assert set(result.problems) == {"mechanism_detail"}


@pytest.mark.parametrize(
    ("country", "mechanism", "detail"),
    [
        ("JP", "scc", "module 2"),
        ("JP", "bcr", None),
        ("JP", "derogation", "b"),
        ("US", "scc", "module 3"),
        ("US", "bcr", None),
        ("US", "derogation", "Art. 49(1)(b)"),
        ("GB", "scc", "module 3"),
    ],
)
def test_adequate_countries_may_use_other_safeguards(country: str, mechanism: str, detail: str | None) -> None:
    assert check(country, mechanism, detail).ok


# -- mechanism_text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mechanism", "detail", "country", "en", "ro"),
    [
        (Mechanism.EEA, None, None, "EEA (no transfer)", "SEE (fără transfer)"),
        (
            Mechanism.SCC,
            "module 3",
            None,
            "Standard contractual clauses (Decision (EU) 2021/914), module 3",
            "Clauze contractuale standard (Decizia (UE) 2021/914), modulul 3",
        ),
        (
            Mechanism.SCC,
            "Modulul 2",
            None,
            "Standard contractual clauses (Decision (EU) 2021/914), module 2",
            "Clauze contractuale standard (Decizia (UE) 2021/914), modulul 2",
        ),
        (
            Mechanism.DPF,
            None,
            None,
            "EU-US Data Privacy Framework (Decision (EU) 2023/1795)",
            "Cadrul UE-SUA privind confidențialitatea datelor (Decizia (UE) 2023/1795)",
        ),
        (
            Mechanism.ADEQUACY,
            None,
            "JP",
            "Adequacy decision (EU) 2019/419",
            "Decizie de adecvare (UE) 2019/419",
        ),
        (Mechanism.ADEQUACY, None, "AR", "Adequacy decision 2003/490/EC", "Decizie de adecvare 2003/490/CE"),
        (Mechanism.ADEQUACY, None, None, "Adequacy decision", "Decizie de adecvare"),
        (
            Mechanism.BCR,
            None,
            None,
            "Binding corporate rules (Art. 47 GDPR)",
            "Reguli corporatiste obligatorii (art. 47 RGPD)",
        ),
        (
            Mechanism.BCR,
            "Acme group",
            None,
            "Binding corporate rules (Art. 47 GDPR), Acme group",
            "Reguli corporatiste obligatorii (art. 47 RGPD), Acme group",
        ),
        (
            Mechanism.DEROGATION,
            "Art. 49(1)(b)",
            None,
            "Derogation, Art. 49(1)(b) GDPR",
            "Derogare, art. 49 alin. (1) lit. b) RGPD",
        ),
        (
            Mechanism.DEROGATION,
            "a",
            None,
            "Derogation, Art. 49(1)(a) GDPR",
            "Derogare, art. 49 alin. (1) lit. a) RGPD",
        ),
    ],
)
def test_mechanism_text(mechanism: Mechanism, detail: str | None, country: str | None, en: str, ro: str) -> None:
    assert mechanism_text(mechanism, detail, "en", country=country) == en
    assert mechanism_text(mechanism, detail, "ro", country=country) == ro


def test_mechanism_text_other_language_falls_back_to_english() -> None:
    assert mechanism_text(Mechanism.EEA, None, "hu") == "EEA (no transfer)"
