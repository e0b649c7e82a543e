"""call recovery: interrupted outcome, resumed entries, carrier activity, bridging, failed offers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:20:00
"""

import sqlalchemy as sa
from alembic import op

import helpline.orm

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OUTCOMES_OLD = "'answered', 'abandoned_in_menu', 'abandoned_in_queue', 'no_one_available', 'failed'"
OUTCOMES_NEW = OUTCOMES_OLD + ", 'interrupted'"
OFFERS_OLD = "'ringing', 'accepted', 'declined', 'expired', 'withdrawn'"
OFFERS_NEW = OFFERS_OLD + ", 'failed'"


def _checks(calls_outcomes: str, offer_states: str) -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint('outcome_known', type_='check')
        batch_op.create_check_constraint('outcome_known', f"outcome IS NULL OR outcome IN ({calls_outcomes})")
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_constraint('state_known', type_='check')
        batch_op.create_check_constraint('state_known', f"state IN ({offer_states})")


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_resumed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('last_activity_at', helpline.orm.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('agent_joined_at', helpline.orm.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('bridged_at', helpline.orm.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('agent_lost_at', helpline.orm.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', helpline.orm.UTCDateTime(timezone=True), nullable=True))
    _checks(OUTCOMES_NEW, OFFERS_NEW)


def downgrade() -> None:
    _checks(OUTCOMES_OLD, OFFERS_OLD)
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_column('accepted_at')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('agent_lost_at')
        batch_op.drop_column('bridged_at')
        batch_op.drop_column('agent_joined_at')
        batch_op.drop_column('last_activity_at')
        batch_op.drop_column('is_resumed')
