"""dashboard indexes: tickets by estate and creation, open tickets' deadlines, bills' sums, surveys by answer time

Revision ID: 0006
Revises: 0005
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.create_index('ix_bills_collection', ['estate_id', 'period', 'amount_cents', 'paid_cents'], unique=False)

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_answered_at'), ['answered_at'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_estate_created', ['estate_id', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_overdue', ['estate_id', 'status', 'dispatch_due', 'resolve_due'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_overdue')
        batch_op.drop_index('ix_tickets_estate_created')

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surveys_answered_at'))

    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.drop_index('ix_bills_collection')
