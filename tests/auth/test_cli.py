def test_users_create_prints_token_alone_on_last_line(runner, client):
    result = runner.invoke(args=["users", "create", "legal@firma.ro", "--role", "legal", "--name", "Ioana Ștefănescu"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("rgt_") and " " not in token
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json == {**me.json, "email": "legal@firma.ro", "role": "legal", "name": "Ioana Ștefănescu"}


def test_users_create_rejects_unknown_role(runner):
    result = runner.invoke(args=["users", "create", "x@firma.ro", "--role", "boss"])
    assert result.exit_code != 0
    assert "boss" in result.output


def test_revoke_via_cli(runner, client):
    token = runner.invoke(args=["users", "create", "v@firma.ro", "--role", "viewer"]).output.strip().splitlines()[-1]
    result = runner.invoke(args=["users", "revoke", token[:12]])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
