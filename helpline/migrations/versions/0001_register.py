"""register: centres, lines, calls

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:50:45.859294
"""

import sqlalchemy as sa
from alembic import op

import helpline.orm

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('centres',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('languages', sa.String(length=32), nullable=False),
    sa.Column('max_wait_seconds', sa.Integer(), nullable=False),
    sa.Column('created_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("languages <> ''", name=op.f('ck_centres_has_language')),
    sa.CheckConstraint('max_wait_seconds > 0', name=op.f('ck_centres_positive_max_wait')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centres')),
    sa.UniqueConstraint('name', name=op.f('uq_centres_name'))
    )
    op.create_table('calls',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=True),
    sa.Column('dialled_line', sa.String(length=20), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('queued_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dequeued_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('wait_seconds', sa.Integer(), nullable=True),
    sa.Column('talk_seconds', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('caller_type', sa.String(length=16), nullable=True),
    sa.Column('is_urgent', sa.Boolean(), nullable=False),
    sa.Column('menu_path', sa.String(length=500), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('caller_token', sa.String(length=64), nullable=True),
    sa.CheckConstraint("caller_type IS NULL OR caller_type IN ('child', 'parent', 'specialist')", name=op.f('ck_calls_caller_type_known')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('answered', 'abandoned_in_menu', 'abandoned_in_queue', 'no_one_available', 'failed')", name=op.f('ck_calls_outcome_known')),
    sa.CheckConstraint("state IN ('in_menu', 'queued', 'answered', 'ended')", name=op.f('ck_calls_state_known')),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_calls_ends_after_start')),
    sa.CheckConstraint('talk_seconds IS NULL OR talk_seconds >= 0', name=op.f('ck_calls_talk_not_negative')),
    sa.CheckConstraint('wait_seconds IS NULL OR wait_seconds >= 0', name=op.f('ck_calls_wait_not_negative')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_calls_centre_id_centres'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_caller_token'), ['caller_token'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_outcome'), ['outcome'], unique=False)
        batch_op.create_index('ix_calls_queue', ['centre_id', 'state', 'is_urgent', 'queued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_started_at'), ['started_at'], unique=False)

    op.create_table('centre_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_centre_lines_centre_id_centres'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_lines')),
    sa.UniqueConstraint('number', name=op.f('uq_centre_lines_number'))
    )
    with op.batch_alter_table('centre_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_centre_lines_centre_id'), ['centre_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('centre_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_centre_lines_centre_id'))

    op.drop_table('centre_lines')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_started_at'))
        batch_op.drop_index('ix_calls_queue')
        batch_op.drop_index(batch_op.f('ix_calls_outcome'))
        batch_op.drop_index(batch_op.f('ix_calls_centre_id'))
        batch_op.drop_index(batch_op.f('ix_calls_caller_token'))

    op.drop_table('calls')
    op.drop_table('centres')
