"""Who a change is told to: an affected client without a contact who receives notices cannot be told, so its
silence cannot count; the change is not announced until every affected client can be reached."""

from __future__ import annotations

from tests.changes.conftest import notices


def test_announce_refuses_while_an_affected_client_has_no_notice_contact(
    client, headers, make_subprocessor, make_client, make_change, post_announce, announce
):
    silent = make_client(
        "Tacit", contacts=[{"name": "Ana", "email": "ana@tacit.test", "role": "billing", "receives_notices": False}]
    )
    make_client("Alfa")
    mailjet = make_subprocessor("Mailjet")
    change = make_change(mailjet["id"])
    refused = post_announce(change["id"])
    assert refused.status_code == 422, refused.json
    assert refused.json["errors"]["json"]["clients"] == [f"Tacit (client {silent['id']})"]
    assert "no contact who receives notices" in refused.json["message"]
    assert client.get(f"/api/v1/changes/{change['id']}", headers=headers("viewer")).json["status"] == "draft"
    assert notices() == []

    path = f"/api/v1/clients/{silent['id']}"
    etag = client.get(path, headers=headers("viewer")).headers["ETag"]
    contacts = [{"name": "Ana", "email": "ana@tacit.test", "role": "DPO", "receives_notices": True}]
    patched = client.patch(path, json={"contacts": contacts}, headers=headers("account_manager", If_Match=etag))
    assert patched.status_code == 200, patched.json
    assert announce(change["id"])["status"] == "announced"
    assert {n.recipient for n in notices(template="change.announced")} == {"ana@tacit.test", "dpo@alfa.test"}
