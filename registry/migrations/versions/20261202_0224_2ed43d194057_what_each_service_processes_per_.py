"""What each service processes for a client, per language: the client's DPA Annex I.B (service.processing)

Revision ID: 2ed43d194057
Revises: 072d8e45f119
Create Date: 2026-12-02 02:24:10.796139

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2ed43d194057'
down_revision = '072d8e45f119'
branch_labels = None
depends_on = None


def upgrade():
    # not a batch: service is referenced by other tables, and SQLite adds the column in place
    op.add_column('service', sa.Column('processing', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    op.execute("ALTER TABLE service DROP COLUMN processing")
