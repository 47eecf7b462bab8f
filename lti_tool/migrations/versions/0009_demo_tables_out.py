"""the demo LMS's tables leave the tool's schema (dropped only when empty)

Revision ID: 0009
Revises: 0008

Fresh installs never had them (0001 and 0005 no longer create them); the demo creates its own
tables (`flask demo setup`). An existing install's demo tables are dropped when they hold no
rows; otherwise they are kept, untouched, and this migration says so.
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Not under "alembic": env.py's logging set-up would reset it. WARNING shows in `flask db upgrade`.
log = logging.getLogger("lti_tool.migrations")
DEMO_TABLES = ("demo_score", "demo_line_item", "demo_activity")  # children first


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    present = [name for name in DEMO_TABLES if inspector.has_table(name)]
    counts = {name: bind.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar_one() for name in present}
    if any(counts.values()):
        held = ", ".join(f"{name} ({rows} rows)" for name, rows in counts.items() if rows)
        log.warning(
            "Kept the demo LMS's tables: they hold data: %s. They are not part of the tool's schema; "
            "drop them yourself when the demo data is no longer wanted (DROP TABLE %s).",
            held,
            ", ".join(present),
        )
        return
    for name in present:
        op.drop_table(name)
    if present:
        log.warning("Dropped the demo LMS's empty tables: %s.", ", ".join(present))


def downgrade() -> None:
    # Nothing to restore: the demo's tables are the demo's (flask demo setup makes them).
    pass
