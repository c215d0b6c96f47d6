import re

from registry.demo.cli import demo_data


def _tokens(output):
    return dict(re.findall(r"^\s+(\w+)\s+\S+\s+token: (rgt_\S+)$", output, flags=re.MULTILINE))


def test_demo_load_shows_every_feature_and_prints_working_tokens(runner, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    tokens = _tokens(result.output)
    assert set(tokens) == {"admin", "legal", "account_manager", "viewer"}
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}

    names = {item["name"] for item in client.get("/api/v1/subprocessors?page_size=100", headers=viewer).json}
    data = demo_data()
    assert names == {row["name"] for row in data["subprocessors"] + data["onward_subprocessors"]}
    by_name = {item["name"]: item for item in client.get("/api/v1/subprocessors?page_size=100", headers=viewer).json}
    assert by_name["Google LLC"]["parent_id"] == by_name["Google Workspace"]["id"]  # the onward chain
    clients = client.get("/api/v1/clients?page_size=100", headers=viewer).json
    assert {c["legal_name"] for c in clients} == {row["legal_name"] for row in demo_data()["clients"]}
    changes = client.get("/api/v1/changes", headers=viewer).json
    assert sorted(c["status"] for c in changes) == ["announced", "announced", "draft", "effective"]
    stefanescu = next(c for c in clients if c["legal_name"] == "Societatea Ștefănescu & Fiii SRL")
    # The update in effect: Ștefănescu's objection holds it (an alternative was offered, and told to the client).
    [held] = [c for c in changes if c["status"] == "effective"]
    rows = client.get(f"/api/v1/changes/{held['id']}/clients", headers=viewer).json
    assert {r["name"]: (r["answer"], r["resolution"], r["excluded"]) for r in rows}[stefanescu["name"]] == (
        "object",
        "alternative_offered",
        True,
    )
    # The objection was confirmed by the DPO's email, filed with the answer.
    answers = client.get(f"/api/v1/changes/{held['id']}/responses", headers=viewer).json
    [current] = [a for a in answers if a["current"] and a["client_id"] == stefanescu["id"]]
    assert (current["channel"], [f["filename"] for f in current["attachments"]]) == (
        "email",
        ["obiectie-link-mobility.eml"],
    )
    # An answer given by a colleague through the link sent to Budai's contact waits for his confirmation.
    requests = client.get("/api/v1/notices?page_size=100", headers=viewer).json
    assert [n["recipient"] for n in requests if n["template"] == "response.confirm"] == ["odon.kovacs@budai.example"]
    stefanescu_list = client.get(f"/api/v1/clients/{stefanescu['id']}/subprocessors", headers=viewer).json
    assert "LINK Mobility (SMSAPI)" not in {entry["name"] for entry in stefanescu_list}
    # The processor's own tools (its ads, its staff's devices) are no client's sub-processors; the public page has them
    assert {"Meta Ads", "Apple iCloud"}.isdisjoint(entry["name"] for entry in stefanescu_list)
    public = client.get("/subprocessors?lang=en").text
    assert public.index("Meta Ads") > public.index('<section id="own-tools">')
    # The update the clinic approved (specific authorisation) is announced to it
    [update] = [c for c in changes if c["status"] == "announced" and c["kind"] == "update"]
    names = {item["id"]: item["name"] for item in client.get("/api/v1/subprocessors", headers=viewer).json}
    assert names[update["subprocessor_id"]] == "Google Workspace"
    clinic_rows = client.get(f"/api/v1/changes/{update['id']}/clients", headers=viewer).json
    assert [(r["authorization"], r["answer"]) for r in clinic_rows if r["authorization"] == "specific"] == [
        ("specific", "approve")
    ]
    resolved = client.get(f"/api/v1/notices?change_id={held['id']}&page_size=100", headers=viewer).json
    assert {n["recipient"] for n in resolved if n["template"] == "response.resolved"} >= {"dpo@stefanescu-fiii.example"}
    clinic = next(c for c in clients if c["legal_name"].startswith("Clinica"))
    assert clinic["special_categories"] == ["health"]  # named in its DPA's Annex I with the safeguards
    dpas = client.get(f"/api/v1/clients/{stefanescu['id']}/dpas", headers=viewer).json
    # version 1, signed, with its English text (the same agreement: the Romanian text prevails)
    assert sorted((d["version"], d["language"], d["status"]) for d in dpas) == [
        (1, "en", "signed"),
        (1, "ro", "signed"),
    ]
    assert "Brevo" in client.get("/feeds/subprocessors.atom").text
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_demo_load_is_idempotent_and_keeps_edits(runner, client):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    admin = {
        "Authorization": f"Bearer {runner.invoke(args=['users', 'token', 'admin@lumencloud.example']).output.strip()}"
    }
    etag = client.get("/api/v1/profile", headers=admin).headers["ETag"]
    edited = client.patch("/api/v1/profile", json={"phone": "+40 21 000 0000"}, headers={**admin, "If-Match": etag})
    assert edited.status_code == 200, edited.json

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    assert "0 sub-processors, 0 clients, 0 changes, 0 DPAs created" in again.output
    assert _tokens(again.output) == {}
    assert client.get("/api/v1/profile", headers=admin).json["phone"] == "+40 21 000 0000"


def test_demo_load_if_empty_leaves_a_registry_alone(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert "already has data" in result.output
