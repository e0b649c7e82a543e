"""routing's indexes: open calls by state in every centre, and a call's offers

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-11 10:00:00
"""

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_calls_open", "calls", ["state", "queued_at"])
    op.create_index("ix_offers_call", "offers", ["call_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_offers_call", table_name="offers")
    op.drop_index("ix_calls_open", table_name="calls")
