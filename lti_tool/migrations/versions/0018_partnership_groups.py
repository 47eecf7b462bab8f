"""partnership groups: partners in one activity answer alone, the group sees the spread of views

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partnership_code_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_pk"],
            ["lti_user.id"],
            name=op.f("fk_partnership_code_failure_user_pk_lti_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_code_failure")),
    )
    with op.batch_alter_table("partnership_code_failure", schema=None) as batch_op:
        batch_op.create_index("ix_partnership_code_failure_user_at", ["user_pk", "created_at"], unique=False)

    op.create_table(
        "partnership_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_link_pk", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("name_key", sa.String(length=150), nullable=False),
        sa.Column("instrument_version", sa.Integer(), nullable=False),
        sa.Column("created_by_pk", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_pk"],
            ["lti_user.id"],
            name=op.f("fk_partnership_group_created_by_pk_lti_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resource_link_pk"],
            ["resource_link.id"],
            name=op.f("fk_partnership_group_resource_link_pk_resource_link"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_group")),
        sa.UniqueConstraint("resource_link_pk", "name_key", name="uq_partnership_group_link_name"),
    )
    op.create_table(
        "partnership_code",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["partnership_group.id"],
            name=op.f("fk_partnership_code_group_id_partnership_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_partnership_code")),
    )
    with op.batch_alter_table("partnership_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnership_code_group_id"), ["group_id"], unique=False)

    op.create_table(
        "partnership_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("resource_link_pk", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("invited_by_pk", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["partnership_group.id"],
            name=op.f("fk_partnership_invite_group_id_partnership_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_pk"],
            ["lti_user.id"],
            name=op.f("fk_partnership_invite_invited_by_pk_lti_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resource_link_pk"],
            ["resource_link.id"],
            name=op.f("fk_partnership_invite_resource_link_pk_resource_link"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_invite")),
        sa.UniqueConstraint("group_id", "sub", name="uq_partnership_invite_group_sub"),
    )
    op.create_table(
        "partnership_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("resource_link_pk", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("organization", sa.String(length=150), nullable=False),
        sa.Column("named", sa.Boolean(), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["partnership_group.id"],
            name=op.f("fk_partnership_member_group_id_partnership_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_link_pk"],
            ["resource_link.id"],
            name=op.f("fk_partnership_member_resource_link_pk_resource_link"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_pk"],
            ["lti_user.id"],
            name=op.f("fk_partnership_member_user_pk_lti_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_member")),
        sa.UniqueConstraint("resource_link_pk", "user_pk", name="uq_partnership_member_link_user"),
    )
    with op.batch_alter_table("partnership_member", schema=None) as batch_op:
        batch_op.create_index("ix_partnership_member_group", ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("partnership_member", schema=None) as batch_op:
        batch_op.drop_index("ix_partnership_member_group")

    op.drop_table("partnership_member")
    op.drop_table("partnership_invite")
    with op.batch_alter_table("partnership_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_code_group_id"))

    op.drop_table("partnership_code")
    op.drop_table("partnership_group")
    with op.batch_alter_table("partnership_code_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_partnership_code_failure_user_at")

    op.drop_table("partnership_code_failure")
