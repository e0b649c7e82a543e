"""requests register and follow-ups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:08:29.278061
"""

import sqlalchemy as sa
from alembic import op

import helpline.orm

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('call_id', sa.String(length=32), nullable=True),
    sa.Column('received_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('is_immediate_threat', sa.Boolean(), nullable=False),
    sa.Column('due_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('caller_type', sa.String(length=16), nullable=True),
    sa.Column('age_band', sa.String(length=16), nullable=True),
    sa.Column('risk_level', sa.String(length=16), nullable=True),
    sa.Column('topics', sa.String(length=400), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('phone', 'email', 'messenger', 'walk_in', 'school_letter', 'referral_111', 'platform')", name=op.f('ck_requests_channel_known')),
    sa.CheckConstraint("status IN ('open', 'in_progress', 'referred', 'closed')", name=op.f('ck_requests_status_known')),
    sa.CheckConstraint('due_at >= received_at', name=op.f('ck_requests_due_after_received')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_requests_call_id_calls')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_requests_centre_id_centres')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_requests_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
    sa.UniqueConstraint('call_id', name=op.f('uq_requests_call_id'))
    )
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requests_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_status'), ['status'], unique=False)

    op.create_table('request_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('detail_encrypted', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("action IN ('call_back', 'referral_sent', 'meeting', 'authority_informed', 'other')", name=op.f('ck_request_follow_ups_action_known')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_request_follow_ups_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_follow_ups_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_follow_ups'))
    )
    with op.batch_alter_table('request_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_follow_ups_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('request_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_follow_ups_request_id'))

    op.drop_table('request_follow_ups')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requests_status'))
        batch_op.drop_index(batch_op.f('ix_requests_received_at'))
        batch_op.drop_index(batch_op.f('ix_requests_due_at'))
        batch_op.drop_index(batch_op.f('ix_requests_centre_id'))

    op.drop_table('requests')
