"""deep linking: a launch's response is signed once

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("launch") as batch:
        batch.add_column(sa.Column("deep_link_answered_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("launch") as batch:
        batch.drop_column("deep_link_answered_at")
