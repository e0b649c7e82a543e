"""a call's audit events found by the call (who is on its line, its consultation)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-11 11:00:00
"""

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_object", "audit_events", ["object_type", "object_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_object", table_name="audit_events")
