"""per-estate service rules: an estate's own values for some of the rules (null: the installation's)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('estates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_overrides', sa.JSON().with_variant(sa.JSON(), 'sqlite'), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('estates', schema=None) as batch_op:
        batch_op.drop_column('rule_overrides')
