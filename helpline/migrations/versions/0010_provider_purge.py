"""provider purge: deletion runs at the voice provider

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 18:30:00
"""

import sqlalchemy as sa
from alembic import op

import helpline.orm

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provider_purge_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('calls_deleted', sa.Integer(), nullable=False),
    sa.Column('calls_not_final', sa.Integer(), nullable=False),
    sa.Column('calls_failed', sa.Integer(), nullable=False),
    sa.Column('alerts_kept', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=False),
    sa.CheckConstraint('calls_deleted >= 0 AND calls_not_final >= 0 AND calls_failed >= 0 '
                       'AND alerts_kept >= 0',
                       name=op.f('ck_provider_purge_runs_counts_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_purge_runs'))
    )
    with op.batch_alter_table('provider_purge_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_purge_runs_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('provider_purge_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_purge_runs_at'))
    op.drop_table('provider_purge_runs')
