"""no lost update: a version on each answer and on each reflection, so a stale tab cannot
overwrite what another tab saved since

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_answer") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("session_progress") as batch:
        batch.add_column(sa.Column("reflection_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("session_progress") as batch:
        batch.drop_column("reflection_version")
    with op.batch_alter_table("assessment_answer") as batch:
        batch.drop_column("version")
