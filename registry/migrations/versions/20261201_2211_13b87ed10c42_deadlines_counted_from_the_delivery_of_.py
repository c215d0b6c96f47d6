"""Deadlines counted from the delivery of each client's notice: its term (notice_days), when its notice first reached
it (delivered_at; the deadline is None until then), and whether a change in effect waits for its term (waiting_since)

Revision ID: 13b87ed10c42
Revises: 7633a19c56ff
Create Date: 2026-12-01 22:11:00

"""
import contextlib
import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '13b87ed10c42'
down_revision = '7633a19c56ff'
branch_labels = None
depends_on = None


@contextlib.contextmanager
def _foreign_keys_off():
    """SQLite changes a column's NULL constraint only by recreating the table, which its foreign key checks refuse
    while answers refer to its rows: turn them off around it. SQLite ignores the pragma inside a transaction, so the
    transaction is committed first and the pragma sent on the raw connection (the app's engine begins every
    transaction itself, even in autocommit mode)."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        bind.commit()
        bind.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if sqlite:
            bind.commit()
            bind.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def upgrade():
    with _foreign_keys_off():
        _upgrade()


def _upgrade():
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
    op.execute(  # not those excluded by a resolution: they do not wait, the resolution keeps them out
        "UPDATE affected_client SET waiting_since = notified_at "
        "WHERE joined_late AND excluded AND held_at IS NULL AND NOT EXISTS ("
        "SELECT 1 FROM change_response r WHERE r.affected_id = affected_client.id AND r.superseded_at IS NULL "
        "AND r.resolution IN ('excluded_for_client', 'contract_terminated'))"
    )
    with op.batch_alter_table('affected_client', schema=None) as batch_op:
        batch_op.alter_column('notice_days', existing_type=sa.Integer(), nullable=False)


def downgrade():
    # Before, a deadline was set at announcement and only late joiners waited: a client never told gets the deadline
    # its notice would give if it arrived on the day the downgrade runs, and waits as a late joiner.
    bind = op.get_bind()
    untold = bind.execute(sa.text("SELECT id, notice_days FROM affected_client WHERE deadline IS NULL")).all()
    for row_id, notice_days in untold:  # a conservative deadline: the term plus the longest run of holidays
        deadline = datetime.date.today() + datetime.timedelta(days=notice_days + 4)
        bind.execute(
            sa.text("UPDATE affected_client SET deadline = :deadline, joined_late = :late WHERE id = :id"),
            {"deadline": deadline, "late": True, "id": row_id},
        )
    bind.execute(sa.text("UPDATE affected_client SET joined_late = :late WHERE waiting_since IS NOT NULL"), {"late": True})
    # Native statements, not a batch: recreating affected_client would break the answers' foreign keys on SQLite,
    # which cannot make a column NOT NULL again in place (it stays nullable there, every row has a deadline).
    if bind.dialect.name != "sqlite":
        op.alter_column('affected_client', 'deadline', existing_type=sa.DATE(), nullable=False)
    for column in ('waiting_since', 'delivered_at', 'notice_days'):
        op.execute(f"ALTER TABLE affected_client DROP COLUMN {column}")
