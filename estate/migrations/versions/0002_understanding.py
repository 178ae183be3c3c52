"""staff corrections to the understanding model, unverified emergency alerts

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import estate.core.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'understanding_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('estate_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('intent', sa.String(length=16), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=True),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('created_at', estate.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['estate_id'], ['estates.id'], name=op.f('fk_understanding_corrections_estate_id_estates')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_understanding_corrections_staff_id_staff')),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_understanding_corrections_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_understanding_corrections')),
    )
    op.create_index(op.f('ix_understanding_corrections_estate_id'), 'understanding_corrections', ['estate_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_understanding_corrections_estate_id'), table_name='understanding_corrections')
    op.drop_table('understanding_corrections')
