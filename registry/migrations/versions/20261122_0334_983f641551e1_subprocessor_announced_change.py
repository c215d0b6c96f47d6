"""subprocessor.announced_change_id: the announced change that fixes what a sub-processor's clients were told

Revision ID: 983f641551e1
Revises: fd3cb91464c0
Create Date: 2026-11-22 03:34:24.085162

A plain integer (no foreign key: `changes` depends on `subprocessors`, not the reverse). The upgrade sets it for the
changes already announced: on the sub-processor of each, and on the one a replacement replaces (the earliest change
wins where an older registry announced two for the same sub-processor).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "983f641551e1"
down_revision = "fd3cb91464c0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subprocessor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced_change_id", sa.Integer(), nullable=True))

    change = sa.table(
        "change",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("status", sa.String),
        sa.column("subprocessor_id", sa.Integer),
        sa.column("replaces_id", sa.Integer),
    )
    subprocessor = sa.table("subprocessor", sa.column("id", sa.Integer), sa.column("announced_change_id", sa.Integer))
    connection = op.get_bind()
    announced = connection.execute(
        sa.select(change.c.id, change.c.kind, change.c.subprocessor_id, change.c.replaces_id)
        .where(change.c.status == "announced")
        .order_by(change.c.id)
    ).all()
    for change_id, kind, subprocessor_id, replaces_id in announced:
        held = [subprocessor_id] + ([replaces_id] if kind == "replace" and replaces_id is not None else [])
        connection.execute(
            sa.update(subprocessor)
            .where(subprocessor.c.id.in_(held), subprocessor.c.announced_change_id.is_(None))
            .values(announced_change_id=change_id)
        )


def downgrade():
    # A plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35 has it): batch mode would copy the table, which other
    # tables reference, and SQLite refuses to drop it while foreign keys are enforced.
    op.drop_column("subprocessor", "announced_change_id")
