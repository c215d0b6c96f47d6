"""`check_subprocessor_location`: the general rules plus what a sub-processor's location needs."""

from datetime import date

import pytest

from registry.transfers.rules import LocationCheck, Mechanism, check_location, check_subprocessor_location

ON = date(2026, 11, 1)
DONE = {"tia_reference": "TIA-2026-003", "tia_date": date(2026, 2, 20)}


def check(
    country: str,
    mechanism: str | None = None,
    detail: str | None = None,
    *,
    tia_reference: str | None = "TIA-2026-003",
    tia_date: date | None = date(2026, 2, 20),
    dpf_certified: bool = False,
    on: date = ON,
    today: date | None = None,
) -> LocationCheck:
    return check_subprocessor_location(
        country,
        mechanism,
        detail,
        tia_reference=tia_reference,
        tia_date=tia_date,
        dpf_certified=dpf_certified,
        dpf_recheck_on=None,
        on=on,
        today=today,
    )


@pytest.mark.parametrize("detail", ["3", "module 2", "Module 3", "modulul 3", "Module: 2", "module 2, module 3"])
def test_scc_module_2_or_3(detail: str) -> None:
    assert check("US", "scc", detail) == LocationCheck(Mechanism.SCC, {})


@pytest.mark.parametrize(("detail", "wrong"), [("1", "1"), ("module 4", "4"), ("module 1, module 4", "1 and 4")])
def test_scc_other_modules_are_refused(detail: str, wrong: str) -> None:
    assert check("US", "scc", detail).problems == {
        "mechanism_detail": f"US (United States): module {wrong} does not fit: a sub-processor's SCCs are module 3 "
        "(processor to processor), or module 2 where the client signs them directly: give 'module 2' or 'module 3'"
    }


@pytest.mark.parametrize("detail", [None, "", "the 2021 clauses"])
def test_scc_without_a_module(detail: str | None) -> None:
    assert (
        check("CN", "scc", detail)
        .problems["mechanism_detail"]
        .startswith("CN (China): a sub-processor's SCCs are module 3")
    )


@pytest.mark.parametrize("detail", ["Art. 49(1)(b)", "consent", None])
def test_derogation_is_refused(detail: str | None) -> None:
    result = check("IN", "derogation", detail)
    assert result.mechanism is Mechanism.DEROGATION
    assert result.problems == {
        "mechanism": "IN (India): Art. 49 derogations cover occasional transfers, not a sub-processor's regular "
        "processing: use scc or bcr"
    }


def test_the_general_rules_still_accept_a_derogation_and_any_module() -> None:
    on = {"dpf_certified": False, "dpf_recheck_on": None, "on": ON}
    assert check_location("IN", "derogation", "Art. 49(1)(b)", **on).ok
    assert check_location("US", "scc", "module 1", **on).ok
    assert "scc, bcr or derogation" in check_location("IN", None, None, **on).problems["mechanism"]


@pytest.mark.parametrize("mechanism", ["scc", "bcr"])
def test_scc_and_bcr_need_an_assessment_done_by_today(mechanism: str) -> None:
    detail = "module 3" if mechanism == "scc" else None
    assert check("US", mechanism, detail).ok
    missing = check("US", mechanism, detail, tia_reference=" ", tia_date=None).problems
    assert sorted(missing) == ["tia_date", "tia_reference"]
    assert check("US", mechanism, detail, tia_date=ON).ok
    late = check("US", mechanism, detail, tia_date=date(2026, 11, 2)).problems
    assert list(late) == ["tia_date"] and "dated 2026-11-02, after 2026-11-01" in late["tia_date"]
    # checked for a later effective date: the assessment must still be done by today
    early = check("US", mechanism, detail, tia_date=date(2026, 11, 2), on=date(2026, 12, 1), today=ON).problems
    assert list(early) == ["tia_date"]


@pytest.mark.parametrize(
    ("country", "mechanism", "dpf"),
    [("DE", None, False), ("FR", "eea", False), ("CH", None, False), ("JP", "adequacy", False), ("US", "dpf", True)],
)
def test_no_assessment_without_scc_or_bcr(country: str, mechanism: str | None, dpf: bool) -> None:
    assert check(country, mechanism, tia_reference=None, tia_date=None, dpf_certified=dpf).ok


def test_a_wrong_mechanism_is_reported_alone() -> None:
    assert check("DE", "scc", "module 1", tia_reference=None, tia_date=None).problems == {
        "mechanism": "DE (Germany): no transfer safeguard is needed inside the EEA: use eea"
    }
    assert list(check("XX", "bcr", tia_reference=None, tia_date=None).problems) == ["country"]
