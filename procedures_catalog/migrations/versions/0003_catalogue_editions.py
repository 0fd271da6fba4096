"""catalogue editions with effective dates

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_editions_effective_from'), ['effective_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_editions_status'), ['status'], unique=False)

    op.create_table('edition_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('edition_id', 'code', name='uq_edition_entry_code')
    )
    with op.batch_alter_table('edition_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edition_entries_edition_id'), ['edition_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('edition_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_edition_entries_edition_id'))
    op.drop_table('edition_entries')
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_editions_status'))
        batch_op.drop_index(batch_op.f('ix_editions_effective_from'))
    op.drop_table('editions')
