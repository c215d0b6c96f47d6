import pytest
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.profile import services
from registry.profile.models import ProcessorProfile


def _get(client, headers, role="admin"):
    response = client.get("/api/v1/profile", headers=headers(role))
    assert response.status_code == 200, response.json
    return response


def test_profile_needs_a_token(client):
    assert client.get("/api/v1/profile").status_code == 401
    assert client.patch("/api/v1/profile", json={"legal_name": "X"}).status_code == 401


@pytest.mark.parametrize("role", ["viewer", "account_manager", "legal", "admin"])
def test_every_role_reads_the_profile(client, headers, role):
    response = _get(client, headers, role)
    assert response.json["id"] == 1
    assert response.headers["ETag"]


@pytest.mark.parametrize("role", ["viewer", "account_manager", "legal"])
def test_only_admin_edits_the_profile(client, headers, role):
    etag = _get(client, headers).headers["ETag"]
    response = client.patch("/api/v1/profile", json={"legal_name": "X"}, headers=headers(role, If_Match=etag))
    assert response.status_code == 403


def test_first_read_creates_the_profile_with_anspdcp_and_defaults(client, headers):
    profile = _get(client, headers).json
    assert profile["authority_name"].startswith("Autoritatea Națională de Supraveghere a Prelucrării Datelor")
    assert "Magheru 28-30" in profile["authority_address"]
    assert profile["authority_phone"] == "+40 31 805 9211"
    assert profile["authority_email"] == "anspdcp@dataprotection.ro"
    assert "dataprotection.ro" in profile["authority_website"]
    assert profile["default_notice_period_days"] == 30
    assert profile["version"] == 1
    for key, words in (("toms_en", ["TLS", "AES-256", "Multi-factor", "restore", "24 hours"]), ("toms_ro", ["TLS"])):
        lines = profile[key].splitlines()
        assert len(lines) >= 10
        assert all(line.strip() for line in lines)
        for word in words:
            assert word in profile[key]
    assert "Pseudonimizare" in profile["toms_ro"]
    assert "încălcărilor securității datelor" in profile["toms_ro"]
    # one row, created once, audited once
    _get(client, headers, "viewer")
    assert db.session.scalar(select(db.func.count()).select_from(ProcessorProfile)) == 1
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profile.created")).all()
    assert len(created) == 1
    assert created[0].actor == "system"


def test_get_profile_service_returns_the_same_row(app):
    first = services.get_profile()
    assert services.get_profile() is first
    assert first.id == 1


def test_admin_edits_the_profile_with_if_match(client, headers):
    etag = _get(client, headers).headers["ETag"]
    body = {
        "legal_name": "Societatea Ștefănescu & Fiii SRL",
        "registration_number": "J40/14190/2013",
        "dpo_email": "dpo@stefanescu.ro",
        "default_notice_period_days": 45,
        "toms_en": "Encryption at rest.\nMFA for staff.",
    }
    response = client.patch("/api/v1/profile", json=body, headers=headers(If_Match=etag))
    assert response.status_code == 200, response.json
    assert response.json["legal_name"] == "Societatea Ștefănescu & Fiii SRL"
    assert response.json["default_notice_period_days"] == 45
    assert response.json["version"] == 2
    assert response.headers["ETag"] != etag
    again = _get(client, headers, "viewer")
    assert again.json["legal_name"] == "Societatea Ștefănescu & Fiii SRL"
    assert again.json["toms_en"] == "Encryption at rest.\nMFA for staff."
    assert again.headers["ETag"] == response.headers["ETag"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profile.updated")).one()
    assert event.actor == "admin@example.test"
    assert event.before["default_notice_period_days"] == 30
    assert event.after["default_notice_period_days"] == 45
    assert event.after["legal_name"] == "Societatea Ștefănescu & Fiii SRL"
    assert "authority_name" not in event.after


def test_patch_without_if_match_is_428_and_stale_is_412(client, headers):
    etag = _get(client, headers).headers["ETag"]
    assert client.patch("/api/v1/profile", json={"phone": "1"}, headers=headers()).status_code == 428
    assert client.patch("/api/v1/profile", json={"phone": "2"}, headers=headers(If_Match=etag)).status_code == 200
    stale = client.patch("/api/v1/profile", json={"phone": "3"}, headers=headers(If_Match=etag))
    assert stale.status_code == 412
    assert _get(client, headers).json["phone"] == "2"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"default_notice_period_days": 0}, "default_notice_period_days"),
        ({"default_notice_period_days": 366}, "default_notice_period_days"),
        ({"dpo_email": "not-an-email"}, "dpo_email"),
        ({"authority_email": "x@"}, "authority_email"),
        ({"authority_name": "  "}, "authority_name"),
        ({"legal_name": "x" * 301}, "legal_name"),
    ],
)
def test_invalid_profile_is_422_naming_the_field(client, headers, body, field):
    etag = _get(client, headers).headers["ETag"]
    response = client.patch("/api/v1/profile", json=body, headers=headers(If_Match=etag))
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_empty_optional_emails_are_allowed(client, headers):
    etag = _get(client, headers).headers["ETag"]
    response = client.patch("/api/v1/profile", json={"dpo_email": "", "email": ""}, headers=headers(If_Match=etag))
    assert response.status_code == 200
