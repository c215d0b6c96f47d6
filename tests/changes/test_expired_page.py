"""The page of a link whose deadline passed tells the client what that means for its data, from where it stands."""

from datetime import timedelta

import pytest
from babel.dates import format_date

from registry import deadlines
from registry.changes import views
from tests.changes.conftest import DEADLINE, EFFECTIVE

LATER = EFFECTIVE + timedelta(days=5)
"""The change takes effect some days after every deadline, so the page is seen between the two."""


def _expired_page(client, freeze_clock, path: str) -> str:
    freeze_clock(views, "_now", deadlines.deadline_end(DEADLINE))  # the deadline passed, the change is not in effect
    page = client.get(path)
    assert page.status_code == 410, page.text
    return page.text


def _long(day, lang: str = "en") -> str:
    return format_date(day, format="d MMMM y", locale=lang)  # as every page and notice writes a date


@pytest.fixture
def addition(make_subprocessor, make_client, make_change, announce):
    authorizations = {"Silent": "general", "Objecting": "general", "Withdrawn": "general"}
    authorizations |= {"Unanswered": "specific", "Refusing": "specific", "Approving": "specific"}
    clients = {name: make_client(name, language="en", authorization=kind) for name, kind in authorizations.items()}
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=LATER.isoformat())
    announce(change["id"])
    return change, clients


ANSWERS = {
    "Objecting": [{"answer": "object", "reason": "Our data must stay in Romania."}],
    "Withdrawn": [{"answer": "object", "reason": "We need to check."}, {"answer": "accept"}],
    "Refusing": [{"answer": "refuse", "reason": "Not in our contract."}],
    "Approving": [{"answer": "approve"}],
}

EXPECTED = {
    "Silent": f"You did not object by then, so the change is considered accepted: it will apply to your data from "
    f"{_long(LATER)}.",
    "Objecting": "Your objection stands: the change will not apply to your data until our legal team has resolved it "
    f"with you, even once it takes effect on {_long(LATER)}.",
    "Withdrawn": f"As you answered, the change will apply to your data from {_long(LATER)}.",
    "Unanswered": "You did not approve this change by then: Mailjet will not be used for your data.",
    "Refusing": "You refused this change: Mailjet will not be used for your data.",
    "Approving": f"As you answered, the change will apply to your data from {_long(LATER)}.",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_expired_page_states_the_consequence_for_the_client(client, freeze_clock, link, answer, addition, name):
    change, clients = addition
    path = link(change["id"], clients[name]["id"])
    for fields in ANSWERS.get(name, []):
        assert answer(path, name="Ana Pop", **fields).status_code == 303  # recorded, then shown again
    text = _expired_page(client, freeze_clock, path)
    assert f"The deadline to answer this change was {_long(DEADLINE)}, 24:00 (Bucharest time)." in text
    assert EXPECTED[name] in text
    others = [sentence for other, sentence in EXPECTED.items() if sentence != EXPECTED[name]]
    assert not [sentence for sentence in others if sentence in text]


def test_an_unapproved_update_says_the_sub_processor_stops_for_the_client(
    client, freeze_clock, link, make_subprocessor, make_client, make_change, announce
):
    beta = make_client("Beta", authorization="specific", language="ro")
    hetzner = make_subprocessor("Hetzner", status="active")
    change = make_change(
        hetzner["id"],
        kind="update",
        summary="Datele se mută la Zürich",
        proposed={"purpose": "Găzduire la Zürich"},
        effective_on=LATER.isoformat(),
    )
    announce(change["id"])
    text = _expired_page(client, freeze_clock, link(change["id"], beta["id"]))
    deadline = f"{_long(DEADLINE, 'ro')}, ora 24:00 (ora României)"
    assert f"Termenul de răspuns pentru această modificare s-a împlinit la {deadline}." in text
    assert (
        "Nu ați aprobat această modificare până la acest termen: Hetzner nu vă va mai prelucra datele de la "
        f"{_long(LATER, 'ro')} (condițiile anterioare nu pot fi păstrate doar pentru dumneavoastră)"
    ) in text


def test_an_unapproved_replacement_says_the_old_one_stops_for_everyone(
    client, freeze_clock, link, make_subprocessor, make_client, make_change, announce
):
    beta = make_client("Beta", authorization="specific", language="en")
    old = make_subprocessor("SendGrid", status="active")
    new = make_subprocessor("Mailjet")
    change = make_change(
        new["id"],
        kind="replace",
        replaces_id=old["id"],
        summary="Mailjet replaces SendGrid",
        effective_on=LATER.isoformat(),
    )
    announce(change["id"])
    text = _expired_page(client, freeze_clock, link(change["id"], beta["id"]))
    assert (
        f"You did not approve this change by then: Mailjet will not be used for your data, while SendGrid stops on "
        f"{_long(LATER)} for everyone"
    ) in text
