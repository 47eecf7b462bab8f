"""CPU per autosave in-process: one answer saved (POST /app/assessment/answer, JSON, as the take
page's script sends it) through the Flask test client, no HTTP server. CPU time
(``time.process_time``): on a shared machine it moves much less than wall time.

    .venv/bin/python benchmarks/autosave_cpu.py [--n 300] [--runs 3] [--database-url URL] [--profile FILE]

Each run launches fresh learners into the self-assessment, begins their attempt, then times
their autosaves (every statement and area importance, as a learner gives them, some changed
again). Prints per run the CPU ms per autosave and the wall median, then the median of the runs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from typing import Any

from _common import scratch_database
from launch_profile import BASE, build_app, register

from lti_tool.assessment.instrument import default_instrument
from tests.support.independent_platform import IndependentPlatform

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
CSRF = re.compile(rb'<meta name="csrf-token" content="([^"]+)"')
TOKEN = re.compile(rb'name="lt" value="([^"]+)"')
ATTEMPT = re.compile(rb'name="attempt" value="([0-9]+)"')


def learner(app: Any, platform: IndependentPlatform, sub: str) -> tuple[Any, dict[str, str], int]:
    """A learner launched into the self-assessment with a begun attempt, on its first page of
    questions: (client, headers, the attempt the page names)."""
    client, id_token, state = platform.logged_in(
        app, BASE + "/lti/launch", sub=sub, **{CUSTOM: {"p3_item": "partnership-assessment"}}
    )
    page = client.post("/lti/launch", data={"id_token": id_token, "state": state})
    assert page.status_code == 200, page.data[:300]
    token = TOKEN.search(page.data)
    csrf = CSRF.search(page.data)
    assert token and csrf, page.data[:500]
    lt, csrf_token = token.group(1).decode(), csrf.group(1).decode()
    begun = client.post(
        "/app/assessment/begin", data={"lt": lt, "csrf_token": csrf_token, "partnership": "Benchmark P3"}
    )
    assert begun.status_code == 303, begun.data[:300]
    take = client.get(begun.headers["Location"])
    attempt = ATTEMPT.search(take.data)
    assert take.status_code == 200 and attempt, take.data[:300]
    return client, {"X-Launch-Token": lt, "X-CSRF-Token": csrf_token}, int(attempt.group(1))


def answers() -> list[tuple[str, str]]:
    instrument = default_instrument()
    given = [(s, str(1 + i % 5)) for i, s in enumerate(instrument.statement_ids)]
    given += [("importance:" + d, "3") for d in instrument.dimension_ids]
    return given


def prepare(app: Any, platform: IndependentPlatform, n: int, run: int) -> list[tuple[Any, ...]]:
    given = answers()
    work = []
    k = 0
    while len(work) < n:
        client, headers, attempt = learner(app, platform, f"bench-{run}-{k}")
        k += 1
        work += [(client, headers, attempt, item, value) for item, value in given[: n - len(work)]]
    return work


def timed(work: list[tuple[Any, ...]]) -> tuple[float, float]:
    walls = []
    cpu_started = time.process_time()
    for client, headers, attempt, item, value in work:
        started = time.perf_counter()
        response = client.post(  # what static/assessment.js sends for a first answer
            "/app/assessment/answer",
            json={"item": item, "value": value, "version": 0, "attempt": attempt},
            headers=headers,
        )
        walls.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.data[:300]
    return (time.process_time() - cpu_started) * 1000 / len(work), statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    with scratch_database(args.database_url) as url:
        app = build_app(url)
        platform = IndependentPlatform()
        register(app, platform)
        timed(prepare(app, platform, 40, 0))  # warm-up: key set fetch, caches
        cpus = []
        for run in range(1, args.runs + 1):
            cpu, wall = timed(prepare(app, platform, args.n, run))
            cpus.append(cpu)
            print(f"run {run}: CPU {cpu:6.2f} ms per autosave   wall median {wall:6.2f} ms")
        print(f"median of {args.runs} runs: CPU {statistics.median(cpus):.2f} ms per autosave")
        if args.profile:
            import cProfile

            work = prepare(app, platform, args.n, args.runs + 1)
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            timed(work)
            profiler.disable()
            profiler.dump_stats(args.profile)
        platform.stop()
        with app.app_context():
            from lti_tool.extensions import db

            db.engine.dispose()


if __name__ == "__main__":
    main()
