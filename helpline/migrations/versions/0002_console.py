"""console: users, presence, offers, contact records, escalations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:08:24.204314
"""

import sqlalchemy as sa
from alembic import op

import helpline.orm

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('name_ru', sa.String(length=120), nullable=False),
    sa.Column('name_kk', sa.String(length=120), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topics')),
    sa.UniqueConstraint('code', name=op.f('uq_topics_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=True),
    sa.Column('languages', sa.String(length=32), nullable=False),
    sa.Column('ui_language', sa.String(length=8), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role = 'administrator' OR centre_id IS NOT NULL", name=op.f('ck_users_staff_have_centre')),
    sa.CheckConstraint("role IN ('psychologist', 'supervisor', 'administrator')", name=op.f('ck_users_role_known')),
    sa.CheckConstraint("ui_language IN ('kk', 'ru', 'en')", name=op.f('ck_users_ui_language_known')),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_users_failed_logins_not_negative')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_users_centre_id_centres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('public_id', name=op.f('uq_users_public_id')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_centre_id'), ['centre_id'], unique=False)

    op.create_table('agent_presence',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('state_since', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('connections', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=32), nullable=True),
    sa.CheckConstraint("state IN ('available', 'on_call', 'wrap_up', 'break', 'offline')", name=op.f('ck_agent_presence_state_known')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_agent_presence_call_id_calls')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agent_presence_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_agent_presence'))
    )
    op.create_table('contact_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('caller_type', sa.String(length=16), nullable=True),
    sa.Column('age_band', sa.String(length=16), nullable=True),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('risk_level', sa.String(length=16), nullable=True),
    sa.Column('consent', sa.String(length=24), nullable=True),
    sa.Column('referrals', sa.String(length=200), nullable=False),
    sa.Column('follow_up_needed', sa.Boolean(), nullable=False),
    sa.Column('follow_up_due', sa.Date(), nullable=True),
    sa.Column('notes_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("age_band IS NULL OR age_band IN ('under_10', '10_13', '14_15', '16_17', '18_plus', 'unknown')", name=op.f('ck_contact_records_age_band_known')),
    sa.CheckConstraint("consent IS NULL OR consent IN ('parent_consent', 'not_required', 'immediate_threat')", name=op.f('ck_contact_records_consent_known')),
    sa.CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'not_said')", name=op.f('ck_contact_records_gender_known')),
    sa.CheckConstraint("risk_level IS NULL OR risk_level IN ('none', 'low', 'medium', 'high', 'immediate')", name=op.f('ck_contact_records_risk_level_known')),
    sa.CheckConstraint('follow_up_due IS NULL OR follow_up_needed', name=op.f('ck_contact_records_due_needs_follow_up')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_contact_records_author_id_users')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_contact_records_call_id_calls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_records')),
    sa.UniqueConstraint('call_id', name=op.f('uq_contact_records_call_id'))
    )
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=32), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=True),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('closed_at IS NULL OR closed_at >= raised_at', name=op.f('ck_escalations_closes_after_raise')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_escalations_call_id_calls')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_escalations_centre_id_centres')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_escalations_closed_by_id_users')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_escalations_raised_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_centre_id'), ['centre_id'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('offered_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', helpline.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('is_backup', sa.Boolean(), nullable=False),
    sa.CheckConstraint("state IN ('ringing', 'accepted', 'declined', 'expired', 'withdrawn')", name=op.f('ck_offers_state_known')),
    sa.CheckConstraint('expires_at > offered_at', name=op.f('ck_offers_expires_after_offer')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_offers_call_id_calls')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_offers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_call_id'), ['call_id'], unique=False)
        batch_op.create_index('ix_offers_ringing', ['state', 'expires_at'], unique=False)
        batch_op.create_index('uq_offers_ringing_user', ['user_id'], unique=True,
                              sqlite_where=sa.text("state = 'ringing'"),
                              postgresql_where=sa.text("state = 'ringing'"))
        batch_op.create_index('uq_offers_ringing_call', ['call_id'], unique=True,
                              sqlite_where=sa.text("state = 'ringing'"),
                              postgresql_where=sa.text("state = 'ringing'"))
        batch_op.create_index(batch_op.f('ix_offers_user_id'), ['user_id'], unique=False)

    op.create_table('contact_record_topics',
    sa.Column('contact_record_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_record_id'], ['contact_records.id'], name=op.f('fk_contact_record_topics_contact_record_id_contact_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_contact_record_topics_topic_id_topics')),
    sa.PrimaryKeyConstraint('contact_record_id', 'topic_id', name=op.f('pk_contact_record_topics'))
    )
    op.create_table('escalation_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=24), nullable=False),
    sa.Column('notified_at', helpline.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notified_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("body IN ('health', 'police', 'child_rights', 'guardianship', 'parents')", name=op.f('ck_escalation_notifications_body_known')),
    sa.CheckConstraint('(notified_at IS NULL) = (notified_by_id IS NULL)', name=op.f('ck_escalation_notifications_ticked_with_whom')),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_notifications_escalation_id_escalations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notified_by_id'], ['users.id'], name=op.f('fk_escalation_notifications_notified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_notifications')),
    sa.UniqueConstraint('escalation_id', 'body', name=op.f('uq_escalation_notifications_escalation_id'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_calls_agent_id'), ['agent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_calls_agent_id_users'), 'users', ['agent_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calls_agent_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_calls_agent_id'))
        batch_op.drop_column('agent_id')

    op.drop_table('escalation_notifications')
    op.drop_table('contact_record_topics')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_user_id'))
        batch_op.drop_index('ix_offers_ringing')
        batch_op.drop_index('uq_offers_ringing_user')
        batch_op.drop_index('uq_offers_ringing_call')
        batch_op.drop_index(batch_op.f('ix_offers_call_id'))

    op.drop_table('offers')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_centre_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_call_id'))

    op.drop_table('escalations')
    op.drop_table('contact_records')
    op.drop_table('agent_presence')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_centre_id'))

    op.drop_table('users')
    op.drop_table('topics')
