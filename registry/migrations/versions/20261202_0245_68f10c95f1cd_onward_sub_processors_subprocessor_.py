"""Onward sub-processors: the sub-processor that engages each one (subprocessor.parent_id)

Revision ID: 68f10c95f1cd
Revises: 2ed43d194057
Create Date: 2026-12-02 02:45:51.576477

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '68f10c95f1cd'
down_revision = '2ed43d194057'
branch_labels = None
depends_on = None


def upgrade():
    # not a batch: other tables refer to subprocessor, and SQLite adds the column in place
    op.add_column('subprocessor', sa.Column('parent_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_subprocessor_parent_id'), 'subprocessor', ['parent_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_subprocessor_parent_id'), table_name='subprocessor')
    op.execute("ALTER TABLE subprocessor DROP COLUMN parent_id")
