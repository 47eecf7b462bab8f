"""assessment: per-area totals of submitted attempts, for the class view

Revision ID: 0011
Revises: 0010
"""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_area_total",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["assessment_attempt.id"],
            name=op.f("fk_assessment_area_total_attempt_id_assessment_attempt"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "dimension_id", name=op.f("pk_assessment_area_total")),
    )
    _backfill()


@dataclass
class _AreaTotal:
    """One area's running sums in one attempt (the rows of assessment_area_total)."""

    total: int = 0
    rated: int = 0
    importance: int | None = None


def _backfill() -> None:
    """Totals of the attempts submitted before this table existed, from their answers."""
    from lti_tool.assessment.instrument import instruments_by_version

    bind = op.get_bind()
    area_of = {s.id: d.id for i in instruments_by_version().values() for d, s in i.statements()}
    attempts = sa.table(
        "assessment_attempt", sa.column("id"), sa.column("status"), sa.column("instrument_version")
    )
    answers = sa.table("assessment_answer", sa.column("attempt_id"), sa.column("item"), sa.column("value"))
    totals = sa.table(
        "assessment_area_total",
        sa.column("attempt_id"),
        sa.column("dimension_id"),
        sa.column("total"),
        sa.column("rated"),
        sa.column("importance"),
    )
    versions = instruments_by_version()
    submitted = bind.execute(
        sa.select(attempts.c.id, attempts.c.instrument_version).where(attempts.c.status == "submitted")
    ).all()
    for start in range(0, len(submitted), 500):
        batch = dict(submitted[start : start + 500])
        found: defaultdict[tuple[int, str], _AreaTotal] = defaultdict(_AreaTotal)
        for attempt_id, item, value in bind.execute(
            sa.select(answers.c.attempt_id, answers.c.item, answers.c.value).where(
                answers.c.attempt_id.in_(list(batch))
            )
        ):
            if item.startswith("importance:"):
                found[(attempt_id, item.split(":", 1)[1])].importance = None if value == "na" else int(value)
            elif value != "na" and item in area_of:
                entry = found[(attempt_id, area_of[item])]
                entry.total += int(value)
                entry.rated += 1
        rows = [
            {
                "attempt_id": a,
                "dimension_id": d,
                "total": e.total,
                "rated": e.rated,
                "importance": e.importance,
            }
            for (a, d), e in found.items()
            if d in versions[batch[a]].dimension_ids
        ]
        if rows:
            bind.execute(totals.insert(), rows)


def downgrade() -> None:
    op.drop_table("assessment_area_total")
