"""The joint report of a partnership group of 20 members, against gunicorn.

    .venv/bin/python benchmarks/group_bench.py [--members 20] [--n 30] [--database-url URL]

An instructor launches into the self-assessment activity; 20 learners' submitted attempts (all
61 answers, and the per-area totals the submission writes) are written straight into the
database (class_bench.populate), then one partnership group with all of them as members (sides
in turn, every other one named). Prints median and p95 of the server time (Server-Timing) and
the round trip of GET /app/assessment/partnership/<id>/report (the teacher may open it; members
get the same page) and of the class view, which lists the group with its divergence.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import sqlalchemy as sa
from _common import served_app, summary
from class_bench import instructor_token, populate, timed
from launch_bench import register

from lti_tool.assessment.instrument import default_instrument
from tests.support.independent_platform import IndependentPlatform

SIDES = ("public", "private", "non-profit", "other")


def make_group(database_url: str) -> int:
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    meta = sa.MetaData()
    meta.reflect(engine, only=["lti_user", "resource_link", "partnership_group", "partnership_member"])
    users, links = meta.tables["lti_user"], meta.tables["resource_link"]
    groups, members = meta.tables["partnership_group"], meta.tables["partnership_member"]
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as db:
        link_pk = db.execute(sa.select(links.c.id)).scalar_one()
        group_id = db.execute(
            groups.insert()
            .values(
                resource_link_pk=link_pk,
                name="Harbour renewal P3",
                name_key="harbour renewal p3",
                instrument_version=default_instrument().version,
                created_at=now,
            )
            .returning(groups.c.id)
        ).scalar_one()
        learners = db.execute(sa.select(users.c.id).where(users.c.sub.like("bench-%")).order_by(users.c.id))
        db.execute(
            members.insert(),
            [
                {
                    "group_id": group_id,
                    "resource_link_pk": link_pk,
                    "user_pk": user_pk,
                    "side": SIDES[i % len(SIDES)],
                    "organization": f"Organization {i}",
                    "named": i % 2 == 0,
                    "joined_at": now,
                }
                for i, user_pk in enumerate(learners.scalars())
            ],
        )
    engine.dispose()
    return int(group_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    platform = IndependentPlatform()
    with served_app(args.database_url) as (base, env):
        register(platform, env)
        token = instructor_token(base, platform)
        # class_bench makes attempts * 5 // 6 learners, one in five with a second attempt.
        populate(env["LTI_TOOL_DATABASE_URL"], args.members * 6 // 5)
        group_id = make_group(env["LTI_TOOL_DATABASE_URL"])
        url = f"{base}/app/assessment/partnership/{group_id}/report"
        timed(url, token, 2, False)  # warm up
        server, trip, size = timed(url, token, args.n, stream=False)
        print(f"group of {args.members} members")
        print(summary("joint report: server time", server))
        print(summary("joint report: round trip", trip) + f"   {size / 1024:.0f} KiB")
        server, trip, size = timed(base + "/app/assessment/", token, max(3, args.n // 3), stream=False)
        print(summary("class view with the group: server time", server))
    platform.stop()


if __name__ == "__main__":
    main()
