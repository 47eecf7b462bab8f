"""assessment: the partnership an attempt assesses, named by the learner at the start

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_attempt") as batch:
        batch.add_column(
            sa.Column("partnership_name", sa.String(length=150), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_attempt") as batch:
        batch.drop_column("partnership_name")
