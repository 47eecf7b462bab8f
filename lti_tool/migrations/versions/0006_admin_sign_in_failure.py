"""admin sign-in failures: wrong passwords, per client, to slow down guessing

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_sign_in_failure")),
    )
    op.create_index(
        "ix_admin_sign_in_failure_client", "admin_sign_in_failure", ["client", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_admin_sign_in_failure_client", table_name="admin_sign_in_failure")
    op.drop_table("admin_sign_in_failure")
