"""learner progress: sessions opened and private reflections

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 15:50:48.112634

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("context_pk", sa.Integer(), nullable=True),
        sa.Column("workshop_slug", sa.String(length=100), nullable=False),
        sa.Column("session_slug", sa.String(length=100), nullable=False),
        sa.Column("first_opened_at", sa.DateTime(), nullable=False),
        sa.Column("last_opened_at", sa.DateTime(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=False),
        sa.Column("reflection_saved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["context_pk"],
            ["course_context.id"],
            name=op.f("fk_session_progress_context_pk_course_context"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_pk"],
            ["lti_user.id"],
            name=op.f("fk_session_progress_user_pk_lti_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_progress")),
        sa.UniqueConstraint(
            "user_pk",
            "context_pk",
            "workshop_slug",
            "session_slug",
            name="uq_session_progress_user_ctx_session",
        ),
    )


def downgrade() -> None:
    op.drop_table("session_progress")
