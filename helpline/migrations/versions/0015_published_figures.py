"""public figures: the statistics page's stored figures, and covering indexes for the
monthly counts (calls by centre and outcome, requests by centre and description)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import helpline.orm

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

CALLS_COLUMNS = ['centre_id', 'outcome', 'started_at']
REQUESTS_COLUMNS = ['received_at', 'centre_id', 'channel', 'caller_type', 'age_band', 'risk_level',
                    'topics']


def upgrade() -> None:
    op.create_table('published_figures',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('computed_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tables', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_published_figures'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_month_counts', CALLS_COLUMNS, unique=False)
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index('ix_requests_month_counts', REQUESTS_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_month_counts')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_month_counts')
    op.drop_table('published_figures')
