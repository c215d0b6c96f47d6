"""A respond link is bound to the notice contact it was emailed to: an answer in anyone else's name counts only once a
notice contact confirms it, through a link emailed to them, and only before the client's deadline."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from registry import deadlines
from registry.changes import links, views
from registry.changes.models import ChangeResponse, PendingAnswer
from registry.db import utcnow
from registry.extensions import db
from registry.notices import emails, webhooks
from tests.changes.conftest import DEADLINE, count, csrf_of, notices
from tests.factories import contact_data


@pytest.fixture
def scene(make_subprocessor, make_client, make_change, announce):
    """Alfa (ro, general: its DPO and its office manager receive notices) and Beta (en, specific), told of Mailjet."""
    alfa = make_client(
        "Alfa", contacts=[contact_data("dpo@alfa.test"), contact_data("office@alfa.test", name="Dan Ionescu")]
    )
    beta = make_client("Beta", authorization="specific", language="en")
    change = make_change(make_subprocessor("Mailjet")["id"])
    announce(change["id"])
    return {"alfa": alfa, "beta": beta, "change": change}


def _text(notice) -> str:
    message = message_from_bytes(emails.render(notice, now=utcnow()).data, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def _confirm_path(notice) -> str:
    return "/respond/confirm/" + notice.payload["confirm_url"].rsplit("/", 1)[1]


def test_an_answer_in_another_name_waits_for_the_contact_the_link_was_sent_to(client, scene, link, answer):
    change, beta = scene["change"], scene["beta"]
    path = link(change["id"], beta["id"])  # emailed to dpo@beta.test
    page = client.get(path)
    assert 'value="dpo@beta.test"' in page.text  # the form is in the name of the contact the link was sent to
    assert "This link was sent to dpo@beta.test." in page.text

    posted = answer(path, answer="refuse", name="Mallory", email="mallory@elsewhere.test", reason="Too expensive.")
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith("?pending=1")
    shown = client.get(posted.headers["Location"])
    assert "Your answer is not recorded yet. This link was sent to dpo@beta.test" in shown.text
    assert count(ChangeResponse) == 0  # nothing counts yet

    [request] = notices(template="response.confirm")
    assert (request.recipient, request.language) == ("dpo@beta.test", "en")
    text = _text(request)
    assert "Mallory <mallory@elsewhere.test> gave a refusal in the name of Beta SRL" in text
    assert "Reasons: Too expensive." in text
    assert notices(template="response.acknowledged") == []

    confirm = _confirm_path(request)
    form = client.get(confirm)
    assert form.status_code == 200
    assert "Mallory &lt;mallory@elsewhere.test&gt; gave this answer in the name of Beta SRL" in form.text
    assert count(ChangeResponse) == 0  # opening the link (as a mail scanner does) records nothing
    done = client.post(confirm, data={"csrf": csrf_of(form.text)})
    assert done.status_code == 303
    assert "The answer is recorded" in client.get(confirm).text
    [response] = db.session.scalars(db.select(ChangeResponse)).all()
    assert (response.answer, response.respondent_email, response.confirmed_by) == (
        "refuse",
        "mallory@elsewhere.test",
        "dpo@beta.test",
    )
    assert [n.recipient for n in notices(template="response.acknowledged")] == ["mallory@elsewhere.test"]
    again = client.post(confirm, data={"csrf": csrf_of(form.text)})
    assert "The answer is recorded" in again.text
    assert count(ChangeResponse) == 1


def test_an_answer_through_a_link_sent_to_no_one_is_confirmed_by_a_notice_contact(client, scene, link, answer):
    """A webhook's respond link names no contact: every notice contact is asked, the first to confirm counts."""
    change, alfa = scene["change"], scene["alfa"]
    path = link(change["id"], alfa["id"], None)
    posted = answer(path, name="Ana Pop", email="dpo@alfa.test", reason="Datele rămân în UE.")
    assert posted.status_code == 303
    shown = client.get(posted.headers["Location"])
    assert "Am solicitat prin e-mail persoanelor de contact ale Alfa SRL" in shown.text
    requests = notices(template="response.confirm")
    assert sorted(n.recipient for n in requests) == ["dpo@alfa.test", "office@alfa.test"]
    office = next(n for n in requests if n.recipient == "office@alfa.test")
    assert "Ana Pop <dpo@alfa.test> a transmis o obiecție în numele Alfa SRL" in _text(office)
    # what not confirming means: silence is acceptance (clause 5.4)
    assert "nu este înregistrată nicio obiecție, modificarea se consideră acceptată (art. 5.4" in _text(office)
    confirm = _confirm_path(office)
    client.post(confirm, data={"csrf": csrf_of(client.get(confirm).text)})
    [response] = db.session.scalars(db.select(ChangeResponse)).all()
    assert (response.answer, response.confirmed_by) == ("object", "office@alfa.test")


def test_the_webhook_link_is_bound_to_no_one_and_the_email_link_to_its_recipient(
    app, client, headers, monkeypatch, make_subprocessor, make_client, make_change, announce
):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "hooks.example.com")
    alfa = make_client("Alfa")
    hook = client.post(
        f"/api/v1/clients/{alfa['id']}/webhooks",
        json={"url": "https://hooks.example.com/x"},
        headers=headers("account_manager"),
    )
    assert hook.status_code == 201, hook.json
    announce(make_change(make_subprocessor("Mailjet")["id"])["id"])
    by_channel = {n.channel: n for n in notices(template="change.announced")}
    emailed = re.search(r"/respond/(\S+)", _text(by_channel["email"])).group(1)
    assert links.read_respond_token(emailed).to == "dpo@alfa.test"
    hooked = webhooks.event_data(by_channel["webhook"])["respond_url"].rsplit("/", 1)[1]
    assert links.read_respond_token(hooked).to is None


def test_a_confirmation_after_the_deadline_does_not_count(client, scene, link, answer, freeze_clock):
    change, beta = scene["change"], scene["beta"]
    answer(link(change["id"], beta["id"]), answer="approve", name="Mallory", email="m@elsewhere.test")
    confirm = _confirm_path(notices(template="response.confirm")[0])
    form = client.get(confirm)
    freeze_clock(views, "_now", deadlines.deadline_end(DEADLINE))
    late = client.post(confirm, data={"csrf": csrf_of(form.text)})
    assert late.status_code == 410
    assert "This link has expired" in late.text
    assert count(ChangeResponse) == 0
    assert db.session.scalars(db.select(PendingAnswer.response_id)).all() == [None]


def test_a_forged_or_old_confirmation_link_is_refused(client, scene, link, answer):
    change, beta = scene["change"], scene["beta"]
    answer(link(change["id"], beta["id"]), answer="approve", name="Mallory", email="m@elsewhere.test")
    [request] = notices(template="response.confirm")
    token = request.payload["confirm_url"].rsplit("/", 1)[1]
    assert links.read_confirm_token(token) is not None
    assert links.read_confirm_token(token, max_age=-1) is None  # older than its 7 days
    forged = links.confirm_token(999, "dpo@beta.test")[:-2] + "xx"
    page = client.get(f"/respond/confirm/{forged}")
    assert page.status_code == 404
    assert "This confirmation link is not valid" in page.text
    assert count(ChangeResponse) == 0


def test_a_receipt_to_someone_else_carries_a_link_that_still_needs_confirmation(client, scene, link, answer):
    """The acknowledgement goes to the person who answered: its link must not let that person answer unseen."""
    change, beta = scene["change"], scene["beta"]
    answer(link(change["id"], beta["id"]), answer="refuse", name="Mallory", email="mallory@elsewhere.test")
    confirm = _confirm_path(notices(template="response.confirm")[0])
    client.post(confirm, data={"csrf": csrf_of(client.get(confirm).text)})
    [receipt] = notices(template="response.acknowledged", recipient="mallory@elsewhere.test")
    token = re.search(r"/respond/(\S+)", _text(receipt)).group(1)
    assert links.read_respond_token(token).to is None
    again = answer(f"/respond/{token}", answer="approve", name="Mallory", email="mallory@elsewhere.test")
    assert again.headers["Location"].endswith("?pending=1")
    assert count(ChangeResponse) == 1


def test_a_link_of_a_contact_who_no_longer_receives_notices_needs_confirmation(
    client, headers, world, scene, link, answer
):
    change, alfa = scene["change"], scene["alfa"]
    path = link(change["id"], alfa["id"], "office@alfa.test")
    patched = world.patch(
        f"/clients/{alfa['id']}", {"contacts": [contact_data("dpo@alfa.test")]}, role="account_manager"
    )
    assert patched.status_code == 200, patched.json
    posted = answer(path, name="Dan Ionescu", email="office@alfa.test", reason="Nu.")
    assert posted.headers["Location"].endswith("?pending=1")
    assert [n.recipient for n in notices(template="response.confirm")] == ["dpo@alfa.test"]


def test_a_confirmation_after_a_later_answer_does_not_replace_it(client, scene, link, answer):
    change, beta = scene["change"], scene["beta"]
    path = link(change["id"], beta["id"])
    answer(path, answer="refuse", name="Mallory", email="mallory@elsewhere.test")
    assert answer(path, answer="approve", name="Ana Pop").status_code == 303  # the contact answers herself
    confirm = _confirm_path(notices(template="response.confirm")[0])
    late = client.post(confirm, data={"csrf": csrf_of(client.get(confirm).text)})
    assert late.status_code == 409
    assert "A later answer counts" in late.text
    assert db.session.scalars(db.select(ChangeResponse.answer)).all() == ["approve"]
