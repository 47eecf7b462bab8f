"""CPU per autosave in-process: one answer saved (POST /app/assessment/answer, JSON, as the take
page's script sends it) through the Flask test client, no HTTP server. CPU time
(``time.process_time``): on a shared machine it moves much less than wall time.

    .venv/bin/python benchmarks/autosave_cpu.py [--n 300] [--runs 3] [--database-url URL] [--profile FILE]

Each run launches fresh learners into the self-assessment, begins their attempt, then times
their autosaves (every statement and area importance, as a learner gives them, some changed
again). Prints per run the CPU ms per autosave and the wall median, then the median of the runs.
"""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

from launch_profile import BASE, cpu_benchmark

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
    cpu_benchmark(__doc__ or "", "autosave", prepare, timed, n=300, runs=3)


if __name__ == "__main__":
    main()
