"""rota: shifts, absences, swaps, staffing minimums

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:42:15.946484
"""

import sqlalchemy as sa
from alembic import op

import helpline.orm

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staffing_minimums',
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('minimum', sa.Integer(), nullable=False),
    sa.CheckConstraint('hour BETWEEN 0 AND 23', name=op.f('ck_staffing_minimums_hour_range')),
    sa.CheckConstraint('minimum >= 0', name=op.f('ck_staffing_minimums_minimum_not_negative')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_staffing_minimums_weekday_range')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_staffing_minimums_centre_id_centres')),
    sa.PrimaryKeyConstraint('centre_id', 'weekday', 'hour', name=op.f('pk_staffing_minimums'))
    )
    op.create_table('absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('leave', 'sick', 'other')", name=op.f('ck_absences_kind_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_absences_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_absences_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_absences_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absences'))
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absences_user_id'), ['user_id'], unique=False)

    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=16), nullable=False),
    sa.Column('starts_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("duty IN ('line', 'supervisor')", name=op.f('ck_shifts_duty_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_shifts_ends_after_start')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_shifts_centre_id_centres')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shifts_created_by_id_users')),
    sa.ForeignKeyConstraint(['replaces_id'], ['shifts.id'], name=op.f('fk_shifts_replaces_id_shifts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_shifts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shifts_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index('ix_shifts_current', ['centre_id', 'starts_at', 'ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shifts_user_id'), ['user_id'], unique=False)

    op.create_table('swap_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('colleague_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('asked_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('asked', 'accepted', 'approved', 'refused')", name=op.f('ck_swap_requests_state_known')),
    sa.ForeignKeyConstraint(['colleague_id'], ['users.id'], name=op.f('fk_swap_requests_colleague_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_swap_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_swap_requests_requester_id_users')),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_swap_requests_shift_id_shifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_swap_requests'))
    )
    with op.batch_alter_table('swap_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_swap_requests_colleague_id'), ['colleague_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_swap_requests_shift_id'), ['shift_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_calendar_token'), ['calendar_token'])



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')

    with op.batch_alter_table('swap_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_swap_requests_shift_id'))
        batch_op.drop_index(batch_op.f('ix_swap_requests_colleague_id'))

    op.drop_table('swap_requests')
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shifts_user_id'))
        batch_op.drop_index('ix_shifts_current')
        batch_op.drop_index(batch_op.f('ix_shifts_centre_id'))

    op.drop_table('shifts')
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absences_user_id'))

    op.drop_table('absences')
    op.drop_table('staffing_minimums')
