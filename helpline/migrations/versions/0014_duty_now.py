"""supervisor actions on duty: ad-hoc shifts and calls handed to a named person; an
escalation closed with an item unticked keeps why

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalation_notifications") as batch:
        batch.add_column(sa.Column("skipped_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("escalation_notifications") as batch:
        batch.drop_column("skipped_reason")
