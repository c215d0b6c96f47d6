"""The backup retention the DPA gives, from the processor profile (processor_profile.backup_retention_days)

Revision ID: 54228fd87c12
Revises: 2fda971d8c0c
Create Date: 2026-12-01 23:36:56.987489

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '54228fd87c12'
down_revision = '2fda971d8c0c'
branch_labels = None
depends_on = None


def upgrade():
    # not a batch: SQLite adds the column in place
    op.add_column('processor_profile', sa.Column('backup_retention_days', sa.Integer(), server_default='30', nullable=False))


def downgrade():
    op.execute("ALTER TABLE processor_profile DROP COLUMN backup_retention_days")
