"""Deadlines counted from the delivery of each client's notice: its term (notice_days), when its notice first reached
it (delivered_at; the deadline is None until then), and whether a change in effect waits for its term (waiting_since)

Revision ID: 13b87ed10c42
Revises: 7633a19c56ff
Create Date: 2026-12-01 22:11:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '13b87ed10c42'
down_revision = '7633a19c56ff'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('affected_client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('deadline', existing_type=sa.DATE(), nullable=True)
    # Rows written before: their deadline was set when they were told, so count them as delivered then; their term is
    # the client's notice period; a late joiner excluded and not held was waiting for its term.
    op.execute(
        "UPDATE affected_client SET delivered_at = notified_at, notice_days = "
        "(SELECT client.notice_period_days FROM client WHERE client.id = affected_client.client_id)"
    )
    op.execute(
        "UPDATE affected_client SET waiting_since = notified_at "
        "WHERE joined_late AND excluded AND held_at IS NULL"
    )
    with op.batch_alter_table('affected_client', schema=None) as batch_op:
        batch_op.alter_column('notice_days', existing_type=sa.Integer(), nullable=False)


def downgrade():
    op.execute("DELETE FROM change_response WHERE affected_id IN (SELECT id FROM affected_client WHERE deadline IS NULL)")
    op.execute("DELETE FROM affected_client WHERE deadline IS NULL")  # clients never told had no deadline before
    with op.batch_alter_table('affected_client', schema=None) as batch_op:
        batch_op.alter_column('deadline', existing_type=sa.DATE(), nullable=False)
        batch_op.drop_column('waiting_since')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('notice_days')
