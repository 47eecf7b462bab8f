"""readings a teacher can complete: a course's own link or note for any reading of the workshop

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reading_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("context_pk", sa.Integer(), nullable=False),
        sa.Column("workshop_slug", sa.String(length=100), nullable=False),
        sa.Column("reading_key", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_pk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["context_pk"],
            ["course_context.id"],
            name=op.f("fk_reading_link_context_pk_course_context"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_pk"],
            ["lti_user.id"],
            name=op.f("fk_reading_link_updated_by_pk_lti_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_link")),
        sa.UniqueConstraint(
            "context_pk", "workshop_slug", "reading_key", name=op.f("uq_reading_link_ctx_reading")
        ),
    )


def downgrade() -> None:
    op.drop_table("reading_link")
