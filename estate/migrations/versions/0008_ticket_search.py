"""ticket search: SQLite FTS5 trigram index kept by triggers, PostgreSQL pg_trgm GIN indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 04:30:00
"""

from alembic import op
import sqlalchemy as sa

from estate.tickets.search import drop_statements, index_statements


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the same DDL as create_all's, plus the tickets and messages already there
    for statement in index_statements(op.get_bind().dialect.name, backfill=True):
        op.execute(sa.text(statement))


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(sa.text(statement))
