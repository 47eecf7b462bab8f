"""a disable ends a platform's sessions for good: re-enabling it lets in only new launches

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("platform") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("launch") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    # A platform disabled now has ended its launches' sessions: they must stay ended once it is
    # enabled again (their epoch, 0, no longer matches).
    platform = sa.table(
        "platform", sa.column("enabled", sa.Boolean()), sa.column("session_epoch", sa.Integer())
    )
    op.execute(platform.update().where(platform.c.enabled.is_(False)).values(session_epoch=1))


def downgrade() -> None:
    with op.batch_alter_table("launch") as batch:
        batch.drop_column("session_epoch")
    with op.batch_alter_table("platform") as batch:
        batch.drop_column("session_epoch")
