"""ticket search and the SLA-first queue: SQLite FTS5 trigram index kept by triggers, PostgreSQL pg_trgm GIN
indexes; tickets.sla_due (the deadline that counts now, a stored generated column) and its index

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 04:30:00
"""

from alembic import op
import sqlalchemy as sa

import estate.core.types
from estate.tickets.models import SLA_DUE
from estate.tickets.search import drop_statements, index_statements


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sla_due", estate.core.types.UTCDateTime(), sa.Computed(SLA_DUE, persisted=True), nullable=True
            )
        )
        batch_op.create_index("ix_tickets_sla", ["urgency", "sla_due", "id"], unique=False)
    # repairs already open get the resolve deadline new ones get (their dispatch deadline plus the default
    # 24-hour grace, after which they go to the deputy GM), so they show a badge and count as overdue
    plus_grace = {"sqlite": "datetime(dispatch_due, '+24 hours') || '.000000'"}.get(
        op.get_bind().dialect.name, "dispatch_due + interval '24 hours'"
    )
    op.execute(
        sa.text(
            f"UPDATE tickets SET resolve_due = {plus_grace} "
            "WHERE kind = 'repair' AND resolve_due IS NULL AND dispatch_due IS NOT NULL"
        )
    )
    # the same DDL as create_all's, plus the tickets and messages already there
    for statement in index_statements(op.get_bind().dialect.name, backfill=True):
        op.execute(sa.text(statement))


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(sa.text(statement))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_sla")
        batch_op.drop_column("sla_due")
