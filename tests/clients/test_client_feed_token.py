import hashlib

from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.clients import services
from registry.clients.models import Client
from registry.extensions import db


def _token(feed_url):
    prefix = "http://registry.test/feeds/clients/"
    assert feed_url.startswith(prefix)
    assert feed_url.endswith(".atom")
    return feed_url.removeprefix(prefix).removesuffix(".atom")


def _database_text():
    """Every value of every row of every table, as one string."""
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            parts.extend(repr(value) for value in row)
    return "\n".join(parts)


def test_feed_url_is_shown_on_every_read_and_resolves(client, headers, make_client):
    created = make_client()
    token = _token(created["feed_url"])
    assert len(token) >= 40
    for role in ("viewer", "legal", "account_manager"):
        read = client.get(f"/api/v1/clients/{created['id']}", headers=headers(role))
        assert read.json["feed_url"] == created["feed_url"]
    listed = client.get("/api/v1/clients", headers=headers("viewer")).json
    assert listed[0]["feed_url"] == created["feed_url"]
    found = services.client_for_feed_token(token)
    assert found is not None
    assert found.id == created["id"]


def test_only_the_hash_is_stored(client, headers, make_client):
    created = make_client()
    token = _token(created["feed_url"])
    stored = db.session.get(Client, created["id"])
    assert stored.feed_token_hash == hashlib.sha256(token.encode()).hexdigest()
    text = _database_text()
    assert token not in text
    assert created["feed_url"] not in text


def test_each_client_gets_its_own_token(make_client):
    first = make_client(name="Unu")
    second = make_client(name="Doi")
    assert first["feed_url"] != second["feed_url"]
    assert services.client_for_feed_token(_token(second["feed_url"])).id == second["id"]


def test_unknown_token_finds_no_client(make_client):
    make_client()
    assert services.client_for_feed_token("nope") is None
    assert services.client_for_feed_token("") is None


def test_rotation_replaces_the_url_and_the_old_one_stops_working(client, headers, make_client):
    created = make_client()
    cid = created["id"]
    old_token = _token(created["feed_url"])
    old_hash = hashlib.sha256(old_token.encode()).hexdigest()
    etag = client.get(f"/api/v1/clients/{cid}", headers=headers()).headers["ETag"]

    response = client.post(f"/api/v1/clients/{cid}/feed-token/rotate", headers=headers("account_manager"))
    assert response.status_code == 200
    new_url = response.json["feed_url"]
    new_token = _token(new_url)
    assert new_token != old_token

    assert services.client_for_feed_token(old_token) is None
    assert services.client_for_feed_token(new_token).id == cid
    hashes = db.session.scalars(select(Client.feed_token_hash)).all()
    assert old_hash not in hashes
    assert hashlib.sha256(new_token.encode()).hexdigest() in hashes
    text = _database_text()
    assert new_token not in text
    assert old_token not in text

    read = client.get(f"/api/v1/clients/{cid}", headers=headers("viewer"))
    assert read.json["feed_url"] == new_url
    assert read.headers["ETag"] != etag
    stale = client.patch(
        f"/api/v1/clients/{cid}", json={"name": "X"}, headers=headers("account_manager", If_Match=etag)
    )
    assert stale.status_code == 412

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "client.feed_token_rotated")).one()
    assert event.entity_id == str(cid)
    assert event.actor == "account_manager@example.test"


def test_rotating_twice_gives_two_new_urls(client, headers, make_client):
    created = make_client()
    url = f"/api/v1/clients/{created['id']}/feed-token/rotate"
    first = client.post(url, headers=headers("account_manager")).json["feed_url"]
    second = client.post(url, headers=headers("account_manager")).json["feed_url"]
    assert len({created["feed_url"], first, second}) == 3
    assert services.client_for_feed_token(_token(first)) is None
    assert services.client_for_feed_token(_token(second)).id == created["id"]


def test_rotating_an_unknown_client_is_404(client, headers):
    assert (
        client.post("/api/v1/clients/424242/feed-token/rotate", headers=headers("account_manager")).status_code == 404
    )


def test_token_depends_on_the_secret_key(app, make_client):
    created = make_client()
    stored = db.session.get(Client, created["id"])
    token = services.feed_token(stored)
    app.config["SECRET_KEY"] = "another-secret"
    try:
        assert services.feed_token(stored) != token
    finally:
        app.config["SECRET_KEY"] = "test-secret-key"
