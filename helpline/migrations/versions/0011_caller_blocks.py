"""caller blocks: time-limited blocks of a keyed caller token

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 18:30:00
"""

import sqlalchemy as sa
from alembic import op

import helpline.orm

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OUTCOMES_OLD = ("'answered', 'abandoned_in_menu', 'abandoned_in_queue', 'no_one_available', 'failed', "
                "'interrupted'")
OUTCOMES_NEW = OUTCOMES_OLD + ", 'blocked'"


def _outcomes(values: str) -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint('outcome_known', type_='check')
        batch_op.create_check_constraint('outcome_known', f"outcome IS NULL OR outcome IN ({values})")


def upgrade() -> None:
    op.create_table('caller_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caller_token', sa.String(length=64), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=32), nullable=True),
    sa.Column('starts_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('lifted_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_caller_blocks_ends_after_start')),
    sa.CheckConstraint("reason IN ('abuse', 'prank', 'threats', 'silent', 'other')",
                       name=op.f('ck_caller_blocks_reason_known')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_caller_blocks_call_id_calls'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_caller_blocks_centre_id_centres'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_caller_blocks_created_by_users')),
    sa.ForeignKeyConstraint(['lifted_by'], ['users.id'], name=op.f('fk_caller_blocks_lifted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caller_blocks'))
    )
    with op.batch_alter_table('caller_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_caller_blocks_lookup', ['caller_token', 'centre_id', 'ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_caller_blocks_centre_id'), ['centre_id'], unique=False)
    _outcomes(OUTCOMES_NEW)


def downgrade() -> None:
    op.execute("UPDATE calls SET outcome = 'failed' WHERE outcome = 'blocked'")
    _outcomes(OUTCOMES_OLD)
    with op.batch_alter_table('caller_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caller_blocks_centre_id'))
        batch_op.drop_index('ix_caller_blocks_lookup')
    op.drop_table('caller_blocks')
