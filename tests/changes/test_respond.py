"""The respond pages: what a client sees, what it may answer, and links that do not work."""

import json
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy

import pytest
from babel.dates import format_date
from itsdangerous import URLSafeSerializer
from itsdangerous.encoding import base64_encode
from sqlalchemy import select

from registry import deadlines
from registry.audit.services import Actor
from registry.auth.models import User
from registry.changes import links, responses, services, standing
from registry.changes.models import ChangeResponse
from registry.db import utcnow
from registry.extensions import db
from registry.notices import emails
from registry.notices.context import notice_context as told  # what the notice says, as its renderer reads it
from tests.changes.conftest import LEGAL_EMAIL, MAILJET, TODAY, count, csrf_of, deadline_after, earliest, notices


@pytest.fixture
def scene(make_subprocessor, make_client, make_change, announce):
    """A general (ro) and a specific (en) client, told of the addition of Mailjet."""
    general = make_client("Alfa", language="ro")
    specific = make_client("Beta", authorization="specific", language="en", notice_period_days=40)
    mailjet = make_subprocessor("Mailjet", **MAILJET)
    change = make_change(
        mailjet["id"],
        summary="We add a transactional email provider.",
        reason="Better deliverability.",
        effective_on=earliest(40).isoformat(),
    )
    announce(change["id"])
    return {"general": general, "specific": specific, "change": change, "subprocessor": mailjet}


def test_the_page_shows_who_what_where_and_when(client, scene, link):
    change, specific = scene["change"], scene["specific"]
    page = client.get(link(change["id"], specific["id"]))
    assert page.status_code == 200
    assert page.mimetype == "text/html"  # a browser must show the page, not its source
    assert page.headers["Cache-Control"] == "no-store"
    text = page.text
    assert '<html lang="en">' in text
    for expected in (
        "Addition of a new sub-processor",
        "We add a transactional email provider.",  # summary
        "Better deliverability.",  # reason
        "Mailjet SAS",  # legal name
        "13-13 bis, rue de l&#39;Aubrac, 75012 Paris",  # address
        "France",
        "Jeanne Martin, DPO",  # contact person
        "dpo@mailjet.test",
        "Sending transactional emails",  # purpose
        "email address, name",  # data categories
        "client users",  # data subjects
        "EU (Paris)",
        "EEA (no transfer)",
        "United States",
        "Standard contractual clauses (Decision (EU) 2021/914), module 3",
        earliest(40).isoformat(),  # the effective date
        deadline_after(40).isoformat(),  # the deadline, the day before
        "needs your prior approval",
        "Beta SRL",
    ):
        assert expected in text, expected


def test_the_page_gives_the_deadline_with_its_time_and_zone(client, scene, link):
    change = scene["change"]
    general = client.get(link(change["id"], scene["general"]["id"])).text
    specific = client.get(link(change["id"], scene["specific"]["id"])).text
    ro_deadline = f"{format_date(deadline_after(30), 'd MMMM y', locale='ro')}, ora 24:00 (ora României)"
    assert f"puteți formula obiecții la această modificare până la {ro_deadline}." in " ".join(general.split())
    en_deadline = f"{format_date(deadline_after(40), 'd MMMM y', locale='en')}, 24:00 (Bucharest time)"
    assert f"Please approve or refuse it by {en_deadline}." in " ".join(specific.split())


def test_the_page_is_in_romanian_for_a_romanian_client(client, scene, link):
    page = client.get(link(scene["change"]["id"], scene["general"]["id"]))
    assert '<html lang="ro">' in page.text
    assert "Adăugarea unui nou sub-împuternicit" in page.text
    assert "Statele Unite" in page.text
    assert "Clauze contractuale standard (Decizia (UE) 2021/914), modulul 3" in page.text
    assert "puteți formula obiecții" in page.text
    assert "Trimiteți obiecția" in page.text


def test_a_general_client_objects(client, headers, scene, link, answer, legal_email):
    change, general = scene["change"], scene["general"]
    path = link(change["id"], general["id"])
    missing = answer(path, name="", email="not-an-email", reason="")
    assert missing.status_code == 422
    assert "Câmp obligatoriu." in missing.text
    assert "Indicați o adresă de e-mail validă." in missing.text
    assert count(ChangeResponse) == 0

    posted = answer(path, name="Ion Pop", reason="Nu dorim transfer în afara UE.")
    assert posted.status_code == 303
    [response] = client.get(f"/api/v1/changes/{change['id']}/responses", headers=headers("legal")).json
    assert response["answer"] == "object"
    assert response["reason"] == "Nu dorim transfer în afara UE."
    assert response["respondent_name"] == "Ion Pop"
    assert response["respondent_email"] == "dpo@alfa.test"
    assert response["client_id"] == general["id"]
    assert response["current"] is True
    [ack] = notices(template="response.acknowledged")
    assert (ack.recipient, ack.language, ack.client_id) == ("dpo@alfa.test", "ro", general["id"])
    assert told(ack)["response"].answer == "object"
    assert ack.payload["response_id"] == response["id"]
    receipt = message_from_bytes(emails.render(ack, now=utcnow()).data, policy=policy.default)
    recorded = datetime.fromisoformat(response["created_at"])
    # when, in words and in Bucharest time, as the deadline is given (not "2026-12-01 22:05 UTC")
    assert f"Înregistrat: {deadlines.moment_text(recorded, 'ro')}" in receipt.get_body(("plain",)).get_content()
    [legal] = notices(template="response.legal")
    assert legal.recipient == LEGAL_EMAIL
    rows = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert {row["name"]: row["answer"] for row in rows} == {"Alfa": "object", "Beta": None}


def test_a_general_client_cannot_approve_instead(client, scene, link):
    path = link(scene["change"]["id"], scene["general"]["id"])
    page = client.get(path)
    form = {"answer": "approve", "name": "I", "email": "dpo@alfa.test", "reason": "r"}
    posted = client.post(path, data={"csrf": csrf_of(page.text), **form})
    assert posted.status_code == 303  # the form of a general client only objects
    assert db.session.scalars(db.select(ChangeResponse.answer)).all() == ["object"]


def test_a_specific_client_approves_or_refuses(client, headers, scene, link, answer):
    change, specific = scene["change"], scene["specific"]
    path = link(change["id"], specific["id"])
    nothing = answer(path, name="Jane")
    assert nothing.status_code == 422
    assert "Choose an answer." in nothing.text
    assert 'value="dpo@beta.test"' in nothing.text  # what was typed is kept
    assert "Reasons (optional)" in nothing.text

    # A refusal needs no reasons: the law asks only for the prior authorisation, which is withheld.
    assert answer(path, answer="refuse", name="Jane", reason=" ").status_code == 303
    assert answer(path, answer="refuse", name="Jane", reason="US support").status_code == 303
    assert answer(path, answer="approve", name="John").status_code == 303
    responses = client.get(f"/api/v1/changes/{change['id']}/responses", headers=headers("legal")).json
    # Each answer supersedes the one before; all are kept.
    assert [(r["answer"], r["current"], r["superseded_at"] is not None) for r in responses] == [
        ("refuse", False, True),
        ("refuse", False, True),
        ("approve", True, False),
    ]
    page = client.get(path)
    assert "John" in page.text
    assert "approval" in page.text
    rows = client.get(f"/api/v1/changes/{change['id']}/clients", headers=headers("viewer")).json
    assert {row["name"]: row["answer"] for row in rows}["Beta"] == "approve"
    assert len(notices(template="response.acknowledged")) == 3
    # Without REGISTRY_LEGAL_EMAIL the legal team's copies go to every admin and legal user: never to nobody.
    team = set(db.session.scalars(select(User.email).where(User.role.in_(["admin", "legal"]))))
    assert team and {n.recipient for n in notices(template="response.legal")} == team


def test_the_form_needs_its_anti_forgery_value(client, scene, link):
    path = link(scene["change"]["id"], scene["general"]["id"])
    fields = {"name": "Ion", "email": "ion@alfa.test", "reason": "r"}
    assert client.post(path, data=fields).status_code == 400
    assert client.post(path, data={**fields, "csrf": "forged"}).status_code == 400
    other = link(scene["change"]["id"], scene["specific"]["id"])
    borrowed = csrf_of(client.get(other).text)  # rendered for another link
    refused = client.post(path, data={**fields, "csrf": borrowed})
    assert refused.status_code == 400
    assert "Formularul a expirat" in refused.text
    assert count(ChangeResponse) == 0


def test_an_expired_link_says_so_with_the_deadline(
    client, app, make_subprocessor, make_client, make_change, link, answer
):
    alfa = make_client("Alfa", language="en")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"], effective_on=(TODAY + timedelta(days=5)).isoformat())
    # Announced 40 days ago: the 30-day deadline has passed.
    services.announce(services.get_change(change["id"]), today=TODAY - timedelta(days=40), actor=Actor("test"))
    told = datetime.combine(TODAY - timedelta(days=40), time(12), tzinfo=UTC)
    services.notice_delivered(change["id"], alfa["id"], at=told)
    db.session.commit()
    deadline = deadlines.answer_deadline(told, 30)
    path = link(change["id"], alfa["id"])
    page = client.get(path)
    assert page.status_code == 410
    assert "This link has expired" in page.text
    written = format_date(deadline, "d MMMM y", locale="en")
    assert f"The deadline to answer this change was {written}, 24:00 (Bucharest time)." in page.text
    assert format_date(deadline, "long", locale="en") not in page.text  # "January 4, 2027": not as the notices wrote it
    assert "Traceback" not in page.text
    posted = client.post(path, data={"csrf": links.form_token(path.rsplit("/", 1)[1]), "name": "x"})
    assert posted.status_code == 410
    assert count(ChangeResponse) == 0


def test_an_answer_after_the_deadline_is_refused_by_the_service(scene):
    """The link closes at 24:00 Bucharest time on the deadline, as the notice says: not at the end of the UTC day."""
    change, general = scene["change"], scene["general"]
    affected = standing.find_affected(change["id"], general["id"])
    end = deadlines.deadline_end(affected.deadline)
    assert end.astimezone(deadlines.ZONE).date() == affected.deadline + timedelta(days=1)

    def object_at(now: datetime) -> None:
        responses.record_response(
            affected, answer="object", respondent_name="I", respondent_email="i@a.test", reason="r", ip=None, now=now
        )

    with pytest.raises(responses.LinkClosed):
        object_at(end)  # 00:00 in Bucharest, still the deadline's day in UTC
    object_at(end - timedelta(minutes=1))  # 23:59 in Bucharest on the deadline: still taken


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "eyJjaGFuZ2UiOjEsImNsaWVudCI6MX0.forged-signature",
        URLSafeSerializer("another-secret-key", salt="respond").dumps({"change": 1, "client": 1}),
        URLSafeSerializer("test-secret-key", salt="another-salt").dumps({"change": 1, "client": 1}),
    ],
)
def test_a_forged_link_gets_a_clear_404_page(client, scene, token):
    page = client.get(f"/respond/{token}")
    assert page.status_code == 404
    assert "This link is not valid" in page.text
    assert "Acest link nu este valid" in page.text  # the client is unknown: both languages
    assert client.post(f"/respond/{token}", data={"name": "x"}).status_code == 404


def test_a_client_cannot_turn_its_link_into_another_clients(client, scene, link):
    change, general, specific = scene["change"], scene["general"], scene["specific"]
    own = link(change["id"], general["id"]).rsplit("/", 1)[1]
    signature = own.rsplit(".", 1)[1]
    # The client id changed in the payload, this client's signature kept: the signature no longer matches.
    edited = base64_encode(json.dumps({"change": change["id"], "client": specific["id"]})).decode()
    assert client.get(f"/respond/{edited}.{signature}").status_code == 404
    theirs = links.respond_token(change["id"], specific["id"]).rsplit(".", 1)[0]
    assert client.get(f"/respond/{theirs}.{signature}").status_code == 404
    # A genuine link only ever shows its own client's page.
    page = client.get(f"/respond/{own}")
    assert "Alfa SRL" in page.text
    assert "Beta SRL" not in page.text


def test_a_genuine_link_for_a_client_not_told_is_unknown(client, scene, make_client):
    stranger = make_client("Omega", services=["livestream"])
    token = links.respond_token(scene["change"]["id"], stranger["id"])
    assert client.get(f"/respond/{token}").status_code == 404


def test_hostile_text_is_escaped(client, make_subprocessor, make_client, make_change, announce, link):
    alfa = make_client("Alfa", legal_name='<img src=x onerror="alert(1)"> & Co', language="en")
    evil = make_subprocessor(
        "<script>alert('sp')</script>",
        legal_name="Evil <b>Corp</b>",
        purpose="</dd><script>alert(2)</script>",
        locations=[{"country": "DE", "label": "<i>Frankfurt</i>", "role": "storage"}],
    )
    change = make_change(evil["id"], summary="<script>alert(3)</script>", reason="a & b < c")
    announce(change["id"])
    page = client.get(link(change["id"], alfa["id"]))
    assert page.status_code == 200
    text = page.text
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "<b>Corp</b>" not in text
    assert "<i>Frankfurt</i>" not in text
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in text
    assert "Evil &lt;b&gt;Corp&lt;/b&gt;" in text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Co" in text
    assert "a &amp; b &lt; c" in text


def test_hostile_answers_are_stored_verbatim_and_shown_escaped(client, headers, scene, link, answer):
    change, specific = scene["change"], scene["specific"]
    path = link(change["id"], specific["id"])
    posted = answer(path, answer="approve", name="<script>alert(1)</script>", reason="")
    assert posted.status_code == 303
    page = client.get(path)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    [response] = client.get(f"/api/v1/changes/{change['id']}/responses", headers=headers("legal")).json
    assert response["respondent_name"] == "<script>alert(1)</script>"
