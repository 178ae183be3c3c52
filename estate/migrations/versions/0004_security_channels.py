"""channel hardening: binding limits per address and overall, photo owners, a shared Telegram pace

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import estate.core.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('send_pacing',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('next_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_send_pacing'))
    )
    with op.batch_alter_table('binding_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_address', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_binding_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_binding_attempts_client_address'), ['client_address'], unique=False)
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_account_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachments_channel_account_id'), ['channel_account_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_attachments_channel_account_id_channel_accounts'),
            'channel_accounts', ['channel_account_id'], ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachments_channel_account_id_channel_accounts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachments_channel_account_id'))
        batch_op.drop_column('channel_account_id')
    with op.batch_alter_table('binding_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_binding_attempts_client_address'))
        batch_op.drop_index(batch_op.f('ix_binding_attempts_at'))
        batch_op.drop_column('client_address')
    op.drop_table('send_pacing')
