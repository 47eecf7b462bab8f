"""security: registration links bound and spent, refusal kinds, single-use storage confirmation,
server-side administrator sessions

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registration_link") as batch:
        batch.add_column(sa.Column("issuer", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("launch_failure") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="launch"))
    with op.batch_alter_table("oidc_state") as batch:
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "admin_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_admin_session")),
    )
    with op.batch_alter_table("admin_session") as batch:
        batch.create_index(batch.f("ix_admin_session_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_session") as batch:
        batch.drop_index(batch.f("ix_admin_session_expires_at"))
    op.drop_table("admin_session")
    with op.batch_alter_table("oidc_state") as batch:
        batch.drop_column("confirmed_at")
    with op.batch_alter_table("launch_failure") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("registration_link") as batch:
        batch.drop_column("failed_attempts")
        batch.drop_column("issuer")
