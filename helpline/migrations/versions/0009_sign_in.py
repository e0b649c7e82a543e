"""sign-in: throttling, password changes, two-factor sign-in

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 18:30:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import helpline.orm  # noqa: F401

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
