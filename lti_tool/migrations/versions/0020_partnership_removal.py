"""a member the teacher removed from a partnership group is told so (decision 0048)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partnership_removal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_link_pk", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(length=150), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_link_pk"],
            ["resource_link.id"],
            name=op.f("fk_partnership_removal_resource_link_pk_resource_link"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_pk"],
            ["lti_user.id"],
            name=op.f("fk_partnership_removal_user_pk_lti_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_removal")),
        sa.UniqueConstraint("resource_link_pk", "user_pk", name="uq_partnership_removal_link_user"),
    )


def downgrade() -> None:
    op.drop_table("partnership_removal")
