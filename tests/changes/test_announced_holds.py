"""What was announced stays what was announced: the hold on the sub-processors of an announced change, deadlines
before the effective date, answers closed once the change took effect, and If-Match on announce."""

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select, update

from registry import deadlines
from registry.audit.models import AuditEvent
from registry.changes import views
from registry.changes.models import AffectedClient, ChangeResponse
from registry.extensions import db
from registry.subprocessors.models import SubProcessor
from tests.changes.conftest import (
    DEADLINE,
    EFFECTIVE,
    LEGAL_EMAIL,
    TODAY,
    apply_due,
    count,
    csrf_of,
    names_on,
    notices,
)

SP_URL = "/api/v1/subprocessors"
CN = {
    "country": "CN",
    "label": "Shanghai",
    "role": "support",
    "mechanism": "scc",
    "mechanism_detail": "module 3",
    "tia_reference": "TIA-2024-011",
    "tia_date": "2024-11-15",
}


@pytest.fixture
def patch_sp(client, headers):
    """PATCH a sub-processor as legal with the ETag of a fresh GET; return the response."""

    def patch(subprocessor_id, changes):
        path = f"{SP_URL}/{subprocessor_id}"
        etag = client.get(path, headers=headers("viewer")).headers["ETag"]
        return client.patch(path, json=changes, headers=headers("legal", If_Match=etag))

    return patch


def _held_by(subprocessor_id):
    return db.session.scalar(select(SubProcessor.announced_change_id).where(SubProcessor.id == subprocessor_id))


def _with_location(subprocessor, extra):
    return [*subprocessor["locations"], extra]


# -- the hold -----------------------------------------------------------------------------------------------------


def test_an_announced_addition_cannot_be_edited_until_it_is_withdrawn(
    client, headers, make_subprocessor, make_client, make_change, announce, link, patch_sp
):
    alfa = make_client("Alfa", language="en")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"])
    announce(change["id"])
    assert _held_by(mailjet["id"]) == change["id"]

    sneaky = patch_sp(mailjet["id"], {"locations": _with_location(mailjet, CN)})
    assert sneaky.status_code == 409, sneaky.json
    assert (
        f"'Mailjet' is announced in change {change['id']}; withdraw it to change what was announced (locations)."
        == sneaky.json["message"]
    )
    assert list(sneaky.json["errors"]) == ["locations"]
    assert patch_sp(mailjet["id"], {"status": "retired"}).status_code == 409
    page = client.get(link(change["id"], alfa["id"]))
    assert "China" not in page.text and "Shanghai" not in page.text
    # What clients were not told of stays editable.
    assert patch_sp(mailjet["id"], {"contact": {"email": "privacy@mailjet.test"}}).status_code == 200

    withdrawn = client.post(
        f"/api/v1/changes/{change['id']}/withdraw", json={"reason": "Rethinking"}, headers=headers("legal")
    )
    assert withdrawn.status_code == 200
    assert _held_by(mailjet["id"]) is None
    assert patch_sp(mailjet["id"], {"locations": _with_location(mailjet, CN)}).status_code == 200


def test_the_hold_ends_when_the_change_takes_effect(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, patch_sp
):
    make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    effective = EFFECTIVE
    change = make_change(mailjet["id"], effective_on=effective.isoformat())
    announce(change["id"])
    assert "1 change(s) took effect" in apply_due(runner, effective)
    assert _held_by(mailjet["id"]) is None
    [entry, *_] = client.get(f"{SP_URL}/{mailjet['id']}/history", headers=headers("viewer")).json
    assert entry["status"] == "active"
    assert entry["actor"].startswith("cli:") and entry["actor"].endswith(f"(change {change['id']})")
    # Now active: its notice fields change through an update change.
    response = patch_sp(mailjet["id"], {"purpose": "Marketing emails"})
    assert response.status_code == 409
    assert "Announce an update (or remove) change" in response.json["message"]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "subprocessor").order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "subprocessor.created",
        "subprocessor.held_for_change",
        "subprocessor.change_applied",
        "subprocessor.released_from_change",
    ]


def test_a_replacement_holds_both_sub_processors(
    headers, make_subprocessor, make_client, make_change, announce, patch_sp
):
    make_client("Alfa")
    old = make_subprocessor("SendGrid", status="active")
    new = make_subprocessor("Mailjet")
    change = make_change(new["id"], kind="replace", replaces_id=old["id"], summary="Mailjet replaces SendGrid")
    announce(change["id"])
    assert (_held_by(old["id"]), _held_by(new["id"])) == (change["id"], change["id"])
    for subprocessor in (old, new):
        response = patch_sp(subprocessor["id"], {"data_subjects": ["everyone"]})
        assert response.status_code == 409
        assert f"announced in change {change['id']}" in response.json["message"]


def test_a_second_change_for_a_held_sub_processor_is_refused(
    client, headers, make_subprocessor, make_client, make_change, announce, post_announce
):
    make_client("Alfa")
    hetzner = make_subprocessor("Hetzner", status="active")
    move = make_change(
        hetzner["id"], kind="update", summary="Data moves to Zürich", proposed={"purpose": "Hosting in Zürich"}
    )
    announce(move["id"])
    removal = make_change(hetzner["id"], kind="remove", summary="We stop using Hetzner")  # a draft is fine
    refused = post_announce(removal["id"])
    assert refused.status_code == 409, refused.json
    assert f"'Hetzner' is already under announced change {move['id']}" in refused.json["message"]
    db.session.rollback()  # what the end of a failed request does with its session
    assert client.get(f"/api/v1/changes/{removal['id']}", headers=headers("viewer")).json["status"] == "draft"
    assert count(AffectedClient, change_id=removal["id"]) == 0
    assert _held_by(hetzner["id"]) == move["id"]

    client.post(f"/api/v1/changes/{move['id']}/withdraw", json={"reason": "Plans changed"}, headers=headers("legal"))
    assert post_announce(removal["id"]).status_code == 200
    assert _held_by(hetzner["id"]) == removal["id"]


def test_an_update_change_applies_notice_fields_to_an_active_sub_processor(
    client, headers, runner, make_subprocessor, make_client, make_change, announce, patch_sp
):
    alfa = make_client("Alfa")
    newcomer = make_client("Omega", services=["sms"])
    hetzner = make_subprocessor("Hetzner", status="active")
    proposed = {"locations": [{"country": "CH", "label": "Zürich", "role": "storage"}], "services": ["crm", "sms"]}
    assert patch_sp(hetzner["id"], proposed).status_code == 409  # not silently
    effective = EFFECTIVE
    change = make_change(hetzner["id"], kind="update", summary="Zürich, and SMS too", proposed=proposed)
    assert announce(change["id"])["affected_clients"] == 2
    apply_due(runner, effective)
    after = client.get(f"{SP_URL}/{hetzner['id']}", headers=headers("viewer")).json
    assert [loc["country"] for loc in after["locations"]] == ["CH"]
    assert after["services"] == ["crm", "sms"]
    for client_id in (alfa["id"], newcomer["id"]):
        listed = client.get(f"/api/v1/clients/{client_id}/subprocessors", headers=headers("viewer")).json
        assert [entry["name"] for entry in listed] == ["Hetzner"]
    [entry, *_] = client.get(f"{SP_URL}/{hetzner['id']}/history", headers=headers("viewer")).json
    assert entry["actor"].endswith(f"(change {change['id']})")


# -- deadlines ------------------------------------------------------------------------------------------------------


def test_the_effective_date_must_be_after_today(headers, make_subprocessor, make_client, make_change, post_announce):
    make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=TODAY.isoformat())
    response = post_announce(change["id"])
    assert response.status_code == 422
    assert "must be after today" in response.json["errors"]["json"]["effective_on"][0]
    db.session.rollback()  # what the end of a failed request does with its session
    assert _held_by(mailjet["id"]) is None


# -- answers close at the deadline and when the change takes effect -------------------------------------------------


@pytest.fixture
def specific(make_subprocessor, make_client, make_change, announce):
    """A specific (en) client told today of an addition: it may answer until DEADLINE, 24:00 Bucharest time."""
    beta = make_client("Beta", authorization="specific", language="en")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    return {"client": beta, "change": change, "effective": EFFECTIVE}


def test_an_approval_after_the_deadline_gets_the_closed_page(client, specific, link, freeze_clock):
    path = link(specific["change"]["id"], specific["client"]["id"])
    form = client.get(path)
    assert form.status_code == 200
    # 00:00 in Bucharest after the deadline (22:00 UTC the same day in winter), before apply-due ran
    freeze_clock(views, "_now", deadlines.deadline_end(DEADLINE))
    page = client.get(path)
    assert page.status_code == 410
    assert "This link has expired" in page.text
    posted = client.post(
        path, data={"csrf": csrf_of(form.text), "answer": "approve", "name": "Jane", "email": "jane@beta.test"}
    )
    assert posted.status_code == 410
    assert "This link has expired" in posted.text
    assert count(ChangeResponse) == 0


def test_an_approval_after_the_change_took_effect_is_refused(client, headers, runner, specific, link, legal_email):
    path = link(specific["change"]["id"], specific["client"]["id"])
    form = client.get(path)
    apply_due(runner, specific["effective"])  # 00:05 on the effective date: no approval, so the client is excluded
    [alert] = notices(template="change.excluded")
    assert alert.recipient == LEGAL_EMAIL
    # 10:00 the same day (here: whatever today is, even before the deadline): the answer comes too late.
    page = client.get(path)
    assert page.status_code == 410
    assert "This change has taken effect" in page.text
    posted = client.post(
        path, data={"csrf": csrf_of(form.text), "answer": "approve", "name": "Jane", "email": "jane@beta.test"}
    )
    assert posted.status_code == 410
    assert "This change has taken effect" in posted.text
    assert "recorded" not in posted.text
    assert count(ChangeResponse) == 0
    listed = client.get(f"/api/v1/clients/{specific['client']['id']}/subprocessors", headers=headers("viewer")).json
    assert listed == []


def test_the_closed_page_is_in_the_clients_language(
    client, runner, make_subprocessor, make_client, make_change, announce, link
):
    alfa = make_client("Alfa", language="ro")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    apply_due(runner, EFFECTIVE)
    page = client.get(link(change["id"], alfa["id"]))
    assert page.status_code == 410
    assert "Această modificare se aplică" in page.text
    assert format_date(TODAY, "long", locale="ro") in page.text  # when it took effect


def test_a_change_waits_for_a_client_whose_deadline_is_still_open(
    runner, headers, client, link, answer, scene_late_deadline
):
    """A client whose deadline had not passed when the change took effect (its notice reached it late): the change
    applies to everyone else, waits for it, and applies to it once its own deadline passes without an objection."""
    change, beta, effective = scene_late_deadline
    assert "1 change(s) took effect" in apply_due(runner, effective)
    assert names_on(client, headers, beta["id"], effective) == []
    [row] = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert row["excluded"] is True
    assert notices(template="change.effective")[0].payload["waiting"] is True
    assert client.get(link(change["id"], beta["id"])).status_code == 200  # it may still object: its term runs
    apply_due(runner, effective + timedelta(days=1))  # its deadline passed, no objection
    assert names_on(client, headers, beta["id"], effective + timedelta(days=1)) == ["Mailjet"]
    assert [n.event for n in notices(template="change.effective")][-1].endswith("/applied")


@pytest.fixture
def scene_late_deadline(make_subprocessor, make_client, make_change, announce):
    """A general client whose deadline is the effective date itself (its notice was delivered a day late)."""
    beta = make_client("Beta")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    db.session.execute(update(AffectedClient).values(deadline=EFFECTIVE))
    db.session.commit()
    return change, beta, EFFECTIVE


# -- If-Match on announce ------------------------------------------------------------------------------------------


def test_announce_needs_the_etag_of_the_text_it_announces(
    client, headers, make_subprocessor, make_client, make_change, post_announce
):
    make_client("Alfa")
    change = make_change(make_subprocessor("Mailjet")["id"])
    path = f"/api/v1/changes/{change['id']}"
    missing = client.post(f"{path}/announce", headers=headers("legal"))
    assert missing.status_code == 428
    read = client.get(path, headers=headers("viewer")).headers["ETag"]
    other = client.patch(path, json={"summary": "Edited meanwhile"}, headers=headers("legal", If_Match=read))
    assert other.status_code == 200
    stale = client.post(f"{path}/announce", headers=headers("legal", If_Match=read))
    assert stale.status_code == 412
    assert client.get(path, headers=headers("viewer")).json["status"] == "draft"
    assert notices() == []
    fresh = client.post(f"{path}/announce", headers=headers("legal", If_Match=other.headers["ETag"]))
    assert fresh.status_code == 200, fresh.json
    assert fresh.json["summary"] == "Edited meanwhile"
    assert fresh.headers["ETag"] == client.get(path, headers=headers("viewer")).headers["ETag"]


def test_the_respond_page_names_what_an_update_changes_in_words(
    client, make_subprocessor, make_client, make_change, announce, link
):
    alfa = make_client("Alfa", language="ro")
    hetzner = make_subprocessor("Hetzner", status="active")
    proposed = {"locations": [{"country": "CH", "label": "Zürich", "role": "storage"}], "dpf_certified": False}
    change = make_change(hetzner["id"], kind="update", summary="Datele se mută la Zürich", proposed=proposed)
    announce(change["id"])
    page = client.get(link(change["id"], alfa["id"])).text
    assert "locațiile și garanțiile pentru transfer" in page
    assert "certificarea în Cadrul privind confidențialitatea datelor UE-SUA" in page
    assert "dpf_certified" not in page and "locations," not in page


def test_a_client_that_approved_does_not_wait_for_the_end_of_its_term(
    runner, headers, client, link, answer, make_subprocessor, make_client, make_change, announce
):
    beta = make_client("Beta", authorization="specific", language="en")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=EFFECTIVE.isoformat())
    announce(change["id"])
    db.session.execute(update(AffectedClient).values(deadline=EFFECTIVE))  # told a day late: its term still runs
    db.session.commit()
    assert answer(link(change["id"], beta["id"]), answer="approve", name="Ana Pop").status_code == 303
    apply_due(runner, EFFECTIVE)
    assert names_on(client, headers, beta["id"], EFFECTIVE) == ["Mailjet"]
