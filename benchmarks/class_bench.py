"""Class view and results CSV of an activity with 5,000 attempts, against gunicorn.

    .venv/bin/python benchmarks/class_bench.py [--attempts 5000] [--n 30] [--database-url URL]

The activity is made by launching an instructor into it; its learners, attempts (a fifth of the
learners took it twice; 2% are drafts) and answers are then written straight into the database
(every answer of the current instrument, so 61 rows an attempt: ~300,000 answers; and, for
submitted attempts, the per-area totals the submission writes). Prints median
and p95 of the server time (Server-Timing) and the round trip of GET /app/assessment/ (the
class view) and of GET /app/assessment/class/results.csv (streamed; timed to the last byte).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime

import requests
import sqlalchemy as sa
from _common import served_app, server_ms, summary
from launch_bench import launch, launch_token, login, register

from lti_tool.assessment.instrument import default_instrument
from tests.support.independent_platform import IndependentPlatform

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def instructor_token(base: str, platform: IndependentPlatform) -> str:
    with requests.Session() as s:
        state, nonce = login(s, base, platform)
        claims = platform.claims(
            nonce,
            base + "/lti/launch",
            sub="bench-teacher",
            **{CUSTOM: {"p3_item": "partnership-assessment"}, ROLES: [INSTRUCTOR]},
        )
        return launch_token(launch(s, base, platform.sign(claims), state))


def populate(database_url: str, attempts: int, seed: int = 13) -> None:
    """Learners, attempts and answers for the activity the instructor launched into."""
    rng = random.Random(seed)
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    meta = sa.MetaData()
    tables = ["lti_user", "resource_link", "assessment_attempt", "assessment_answer", "assessment_area_total"]
    meta.reflect(engine, only=tables)
    users, links = meta.tables["lti_user"], meta.tables["resource_link"]
    attempt_t, answer_t = meta.tables["assessment_attempt"], meta.tables["assessment_answer"]
    total_t = meta.tables["assessment_area_total"]
    instrument = default_instrument()
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as db:
        link_pk = db.execute(sa.select(links.c.id)).scalar_one()  # the instructor's launch made it
        platform_id = db.execute(sa.select(users.c.platform_id).limit(1)).scalar_one()
        learners = attempts * 5 // 6  # one in five takes it twice
        db.execute(
            users.insert(),
            [
                {
                    "platform_id": platform_id,
                    "sub": f"bench-{i}",
                    "name": f"Learner {i:05d}",
                    "email": "",
                    "updated_at": now,
                }
                for i in range(learners)
            ],
        )
        found = db.execute(sa.select(users.c.id).where(users.c.sub.like("bench-%")).order_by(users.c.id))
        user_pks = list(found.scalars())
        rows = []
        for i, user_pk in enumerate(user_pks):
            for number in (1, 2) if i % 5 == 0 else (1,):
                rows.append((user_pk, number))
        rows = rows[:attempts]
        attempt_rows = [
            {
                "resource_link_pk": link_pk,
                "user_pk": user_pk,
                "launch_id": "bench",
                "number": number,
                "instrument_id": instrument.id,
                "instrument_version": instrument.version,
                "partnership_name": f"Partnership {user_pk}",
                "status": "draft" if k % 50 == 0 else "submitted",
                "created_at": now,
                "updated_at": now,
                "submitted_at": None if k % 50 == 0 else now,
            }
            for k, (user_pk, number) in enumerate(rows)
        ]
        for start in range(0, len(attempt_rows), 1000):
            db.execute(attempt_t.insert(), attempt_rows[start : start + 1000])
        ids = db.execute(
            sa.select(attempt_t.c.id, attempt_t.c.status).where(attempt_t.c.resource_link_pk == link_pk)
        ).all()
        batch: list[dict[str, object]] = []
        totals: list[dict[str, object]] = []
        for attempt_id, status in ids:
            lean = rng.choice((1, 2, 3))
            for dim in instrument.dimensions:
                values = []
                for statement in dim.statements:
                    value = "na" if rng.random() < 0.05 else str(min(5, max(1, lean + rng.choice((0, 1, 2)))))
                    values += [] if value == "na" else [int(value)]
                    batch.append(
                        {"attempt_id": attempt_id, "item": statement.id, "value": value, "saved_at": now}
                    )
                importance = rng.choice(("na", "2", "3", "4", "5"))
                batch.append(
                    {
                        "attempt_id": attempt_id,
                        "item": "importance:" + dim.id,
                        "value": importance,
                        "saved_at": now,
                    }
                )
                if status == "submitted":  # as the submission writes them
                    totals.append(
                        {
                            "attempt_id": attempt_id,
                            "resource_link_pk": link_pk,
                            "dimension_id": dim.id,
                            "total": sum(values),
                            "rated": len(values),
                            "importance": None if importance == "na" else int(importance),
                        }
                    )
            if len(batch) >= 20_000:
                db.execute(answer_t.insert(), batch)
                db.execute(total_t.insert(), totals)
                batch, totals = [], []
        if batch:
            db.execute(answer_t.insert(), batch)
            db.execute(total_t.insert(), totals)
    engine.dispose()


def timed(url: str, token: str, n: int, stream: bool) -> tuple[list[float], list[float], int]:
    server, trip, size = [], [], 0
    for _ in range(n):
        started = time.perf_counter()
        response = requests.get(url, params={"lt": token}, timeout=120, stream=stream)
        body = response.content  # to the last byte
        trip.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, body[:500]
        server.append(server_ms(response))
        size = len(body)
    return server, trip, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    platform = IndependentPlatform()
    with served_app(args.database_url) as (base, env):
        register(platform, env)
        token = instructor_token(base, platform)
        started = time.perf_counter()
        populate(env["LTI_TOOL_DATABASE_URL"], args.attempts)
        print(f"populated {args.attempts} attempts in {time.perf_counter() - started:.1f} s")
        requests.get(base + "/app/assessment/", params={"lt": token}, timeout=120)  # warm up
        server, trip, size = timed(base + "/app/assessment/", token, args.n, stream=False)
        print(summary("class view: server time", server))
        print(summary("class view: round trip", trip) + f"   {size / 1024:.0f} KiB")
        csv_url = base + "/app/assessment/class/results.csv"
        server, trip, size = timed(csv_url, token, max(3, args.n // 3), True)
        print(summary("results CSV: time to first byte (server)", server))
        print(summary("results CSV: round trip to last byte", trip) + f"   {size / 1024 / 1024:.1f} MiB")
    platform.stop()


if __name__ == "__main__":
    main()
