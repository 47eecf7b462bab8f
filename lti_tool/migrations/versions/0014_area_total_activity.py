"""assessment: area totals carry their activity, indexed in the order the class view groups them

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_area_total") as batch:
        batch.add_column(sa.Column("resource_link_pk", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE assessment_area_total SET resource_link_pk = "
        "(SELECT resource_link_pk FROM assessment_attempt WHERE assessment_attempt.id = assessment_area_total.attempt_id)"
    )
    with op.batch_alter_table("assessment_area_total") as batch:
        batch.alter_column("resource_link_pk", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_assessment_area_total_resource_link_pk_resource_link"),
            "resource_link",
            ["resource_link_pk"],
            ["id"],
            ondelete="CASCADE",
        )
        # The class view's GROUP BY walks this index instead of sorting every total.
        batch.create_index(
            "ix_area_total_link_group",
            ["resource_link_pk", "dimension_id", "total", "rated", "importance"],
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_area_total") as batch:
        batch.drop_index("ix_area_total_link_group")
        batch.drop_constraint("fk_assessment_area_total_resource_link_pk_resource_link", type_="foreignkey")
        batch.drop_column("resource_link_pk")
