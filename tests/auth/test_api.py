from registry.auth.models import ApiToken
from registry.extensions import db


def test_me_requires_a_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["code"] == 401
    assert "Bearer" in response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_rejected(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer rgt_nope"})
    assert response.status_code == 401


def test_me_returns_the_caller(client, headers):
    response = client.get("/api/v1/me", headers=headers("viewer"))
    assert response.status_code == 200
    assert response.json["email"] == "viewer@example.test"
    assert response.json["role"] == "viewer"


def test_only_admin_manages_users(client, headers):
    for role in ("viewer", "account_manager", "legal"):
        assert client.get("/api/v1/users", headers=headers(role)).status_code == 403
        assert (
            client.post("/api/v1/users", json={"email": "x@y.z", "role": "viewer"}, headers=headers(role)).status_code
            == 403
        )
    assert client.get("/api/v1/users", headers=headers("admin")).status_code == 200


def test_admin_creates_user_whose_token_works_and_is_stored_hashed(client, headers):
    response = client.post(
        "/api/v1/users", json={"email": "Ana@Example.ro", "role": "legal", "name": "Ana Pop"}, headers=headers()
    )
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["user"]["email"] == "ana@example.ro"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["email"] == "ana@example.ro"
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


def test_invalid_user_gets_422_naming_the_field(client, headers):
    response = client.post("/api/v1/users", json={"email": "not-an-email", "role": "boss"}, headers=headers())
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"email", "role"}


def test_duplicate_user_is_a_conflict(client, headers):
    body = {"email": "dup@example.ro", "role": "viewer"}
    assert client.post("/api/v1/users", json=body, headers=headers()).status_code == 201
    response = client.post("/api/v1/users", json=body, headers=headers())
    assert response.status_code == 409
    assert "dup@example.ro" in response.json["message"]


def test_revoked_token_stops_working(client, headers):
    created = client.post("/api/v1/users", json={"email": "r@example.ro", "role": "viewer"}, headers=headers()).json
    token = created["token"]
    assert client.delete(f"/api/v1/tokens/{token[:12]}", headers=headers()).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
