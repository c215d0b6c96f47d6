"""client_version: the saved states of each client, so the sub-processors that applied on any date can be shown

Revision ID: 6b5949a0373e
Revises: 983f641551e1
Create Date: 2026-11-22 04:13:52.153031

The upgrade opens one version per existing client (valid from its creation, by "migration") holding its current
state, shaped as `registry.clients.services.snapshot` gives it (services as slugs).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "6b5949a0373e"
down_revision = "983f641551e1"
branch_labels = None
depends_on = None

_SCALARS = (
    "name",
    "legal_name",
    "registration_number",
    "vat_id",
    "address",
    "country",
    "language",
    "authorization",
    "notice_period_days",
    "status",
)


def upgrade():
    op.create_table(
        "client_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], name=op.f("fk_client_version_client_id_client")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_version")),
        sa.UniqueConstraint("client_id", "version", name="uq_client_version_client_id_version"),
    )
    with op.batch_alter_table("client_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_version_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_version_valid_from"), ["valid_from"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_version_valid_to"), ["valid_to"], unique=False)
    _backfill()


def _backfill():
    # created_at is copied as the database returns it (untyped column), so SQLite's stored text stays as it was.
    client = sa.table(
        "client",
        sa.column("id", sa.Integer),
        *(sa.column(name) for name in _SCALARS),
        sa.column("signatory_name", sa.String),
        sa.column("signatory_title", sa.String),
        sa.column("version", sa.Integer),
        sa.column("created_at"),
    )
    client_service = sa.table("client_service", sa.column("client_id", sa.Integer), sa.column("service_id", sa.Integer))
    service = sa.table("service", sa.column("id", sa.Integer), sa.column("slug", sa.String))
    contact = sa.table(
        "client_contact",
        sa.column("id", sa.Integer),
        sa.column("client_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("email", sa.String),
        sa.column("role", sa.String),
        sa.column("receives_notices", sa.Boolean),
    )
    client_version = sa.table(
        "client_version",
        sa.column("client_id", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("valid_from"),
        sa.column("valid_to"),
        sa.column("actor", sa.String),
        sa.column("state", sa.JSON),
    )
    connection = op.get_bind()
    services = {}
    for client_id, slug in connection.execute(
        sa.select(client_service.c.client_id, service.c.slug)
        .join(service, service.c.id == client_service.c.service_id)
        .order_by(client_service.c.client_id, service.c.slug)
    ):
        services.setdefault(client_id, []).append(slug)
    contacts = {}
    for row in connection.execute(sa.select(contact).order_by(contact.c.client_id, contact.c.id)).mappings():
        contacts.setdefault(row["client_id"], []).append(
            {
                "name": row["name"],
                "email": row["email"],
                "role": row["role"],
                "receives_notices": bool(row["receives_notices"]),
            }
        )
    rows = []
    for row in connection.execute(sa.select(client).order_by(client.c.id)).mappings():
        state = {
            **{name: row[name] for name in _SCALARS},
            "services": services.get(row["id"], []),
            "signatory": {"name": row["signatory_name"], "title": row["signatory_title"]},
            "contacts": contacts.get(row["id"], []),
        }
        rows.append(
            {
                "client_id": row["id"],
                "version": row["version"],
                "valid_from": row["created_at"],
                "valid_to": None,
                "actor": "migration",
                "state": state,
            }
        )
    if rows:
        op.bulk_insert(client_version, rows)


def downgrade():
    with op.batch_alter_table("client_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_version_valid_to"))
        batch_op.drop_index(batch_op.f("ix_client_version_valid_from"))
        batch_op.drop_index(batch_op.f("ix_client_version_client_id"))

    op.drop_table("client_version")
