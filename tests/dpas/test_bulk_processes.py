"""`dpas generate --jobs 2`: worker processes read committed data, so this test builds its own app on a temporary
SQLite file (migrated with Alembic) instead of the rolled-back test transaction. It runs the same on the PostgreSQL
CI leg: the database here is always its own SQLite file."""

import flask_migrate

from registry import create_app
from registry.audit.services import Actor, verify_chain
from registry.auth import services as auth_services
from registry.dpas.models import Dpa
from registry.extensions import db
from tests.dpas.dpa_data import CLIENT_EN, CLIENT_RO, SUBPROCESSORS, docx_text


def test_generate_all_with_two_worker_processes(tmp_path):
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'bulk.sqlite3'}", "SECRET_KEY": "bulk-test"}
    )
    with app.app_context():
        flask_migrate.upgrade()
        user = auth_services.create_user("admin@example.test", "admin", actor=Actor("test"))
        _, token = auth_services.issue_token(user, actor=Actor("test"))
        db.session.commit()
        http = app.test_client()
        auth = {"Authorization": f"Bearer {token}"}
        for slug in ("crm", "sms"):
            assert http.post("/api/v1/services", json={"slug": slug, "name": slug}, headers=auth).status_code == 201
        for body in SUBPROCESSORS:
            assert http.post("/api/v1/subprocessors", json=body, headers=auth).status_code == 201
        names = []
        for n in range(6):
            body = {**(CLIENT_RO if n % 2 else CLIENT_EN), "name": f"Client {n} & <Fiii>"}
            assert http.post("/api/v1/clients", json=body, headers=auth).status_code == 201
            names.append(body["name"])
        inactive = http.post(
            "/api/v1/clients", json={**CLIENT_RO, "name": "Inactive", "status": "inactive"}, headers=auth
        )
        assert inactive.status_code == 201
        db.session.remove()

        result = app.test_cli_runner().invoke(args=["dpas", "generate", "--all", "--jobs", "2"])
        assert result.exit_code == 0, result.output
        assert "generated 6 DPA(s), 0 failed" in result.output

        dpas = db.session.scalars(db.select(Dpa).order_by(Dpa.client_id)).all()
        assert [d.version for d in dpas] == [1] * 6
        assert len({d.client_id for d in dpas}) == 6
        for dpa, name in zip(dpas, names, strict=True):
            assert name in docx_text(dpa.document)
        assert verify_chain().ok  # the workers' audit events form one unbroken chain
        db.session.remove()
        db.engine.dispose()
