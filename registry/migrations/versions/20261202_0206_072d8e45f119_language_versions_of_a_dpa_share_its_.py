"""The language versions of a DPA version share its number, version and date (dpa.dated; one row per language)

Revision ID: 072d8e45f119
Revises: 54228fd87c12
Create Date: 2026-12-02 02:06:10.439663

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '072d8e45f119'
down_revision = '54228fd87c12'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('dpa', sa.Column('dated', sa.Date(), nullable=True))
    # a version was dated the day it was generated (UTC), which is when it was stored
    day = "date(created_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(created_at AS DATE)"
    op.execute(f"UPDATE dpa SET dated = {day}")
    # a batch rebuild is safe here: no table refers to dpa
    with op.batch_alter_table('dpa', schema=None) as batch_op:
        batch_op.alter_column('dated', existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_dpa_client_id_version'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_dpa_client_id_version_language'), ['client_id', 'version', 'language']
        )


def downgrade():
    translated = op.get_bind().scalar(
        sa.text("SELECT COUNT(*) FROM (SELECT 1 FROM dpa GROUP BY client_id, version HAVING COUNT(*) > 1) AS t")
    )
    if translated:
        raise RuntimeError(
            f"{translated} DPA versions have more than one language version, which the older schema cannot hold: "
            "export them first (GET /api/v1/dpas/{id}/document), then delete the translations to downgrade."
        )
    with op.batch_alter_table('dpa', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_dpa_client_id_version_language'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_dpa_client_id_version'), ['client_id', 'version'])
        batch_op.drop_column('dated')
