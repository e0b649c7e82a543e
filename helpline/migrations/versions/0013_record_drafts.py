"""contact record drafts saved as the psychologist types (encrypted like notes)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from helpline.orm import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'record_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.String(length=32), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('content_encrypted', sa.LargeBinary(), nullable=True),
        sa.Column('deferred_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_record_drafts_author_id_users')),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_record_drafts_call_id_calls'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_record_drafts')),
        sa.UniqueConstraint('call_id', 'author_id', name=op.f('uq_record_drafts_call_id')),
    )
    with op.batch_alter_table('record_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_drafts_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_drafts_call_id'), ['call_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('record_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_drafts_call_id'))
        batch_op.drop_index(batch_op.f('ix_record_drafts_author_id'))
    op.drop_table('record_drafts')
