"""grades: each activity's points (the LMS's line item is the scale); deployments learned
from a first launch

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_scale",
        sa.Column("resource_link_pk", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("line_item_url", sa.String(length=1000), nullable=True),
        sa.Column("graded", sa.Boolean(), nullable=False),
        sa.Column("problem", sa.String(length=500), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["resource_link_pk"], ["resource_link.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_link_pk"),
    )
    with op.batch_alter_table("deployment") as batch:
        batch.add_column(sa.Column("learned_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deployment") as batch:
        batch.drop_column("learned_at")
    op.drop_table("activity_scale")
