"""transfers and the staff who took part in a call (transfer count, participants)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from helpline.orm import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_check_constraint('transfers_not_negative', 'transfer_count >= 0')
    op.create_table(
        'call_participants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=24), nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("part IN ('transferred', 'asked_for_help', 'helped', 'joined')",
                           name=op.f('ck_call_participants_part_known')),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_participants_call_id_calls'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_call_participants_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_call_participants')),
        sa.UniqueConstraint('call_id', 'user_id', 'part', name=op.f('uq_call_participants_call_id')),
    )
    with op.batch_alter_table('call_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_participants_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_participants_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_participants_user_id'))
        batch_op.drop_index(batch_op.f('ix_call_participants_call_id'))
    op.drop_table('call_participants')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint('transfers_not_negative', type_='check')
        batch_op.drop_column('transfer_count')
