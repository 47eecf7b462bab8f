"""CPU per launch in-process: the launch POST and the first page (its answer), through the
Flask test client (no HTTP server, no gunicorn). CPU time (``time.process_time``) rather than wall
time: on a shared machine the CPU a launch costs moves much less than its duration.

    .venv/bin/python benchmarks/launch_cpu.py [--n 200] [--runs 5] [--profile FILE]

Prints per run the CPU ms per launch (POST + page) and the wall median; then the median of the
runs. ``--profile FILE`` also writes a cProfile of one more run (read it with ``pstats``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any
from urllib.parse import urlsplit

from _common import scratch_database
from launch_profile import build_app, prepared_launch, register

from tests.support.independent_platform import IndependentPlatform


def launch_and_page(client: Any, token: str, state: str) -> None:
    """The launch POST and the page the learner sees: its answer (decision 0026), or the page it
    redirects to (a checkout before it)."""
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    if response.status_code == 200:
        return
    assert response.status_code == 303, response.data[:300]
    location = urlsplit(response.headers["Location"])
    page = client.get(location.path + ("?" + location.query if location.query else ""))
    assert page.status_code == 200, page.data[:300]


def one_run(app: Any, platform: IndependentPlatform, n: int) -> tuple[float, float]:
    prepared = [prepared_launch(app, platform) for _ in range(n)]
    walls = []
    cpu_started = time.process_time()
    for p in prepared:
        started = time.perf_counter()
        launch_and_page(*p)
        walls.append((time.perf_counter() - started) * 1000)
    return (time.process_time() - cpu_started) * 1000 / n, statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    with scratch_database(args.database_url) as url:
        app = build_app(url)
        platform = IndependentPlatform()
        register(app, platform)
        for _ in range(20):
            launch_and_page(*prepared_launch(app, platform))  # warm-up: key set fetch, caches
        cpus = []
        for run in range(1, args.runs + 1):
            cpu, wall = one_run(app, platform, args.n)
            cpus.append(cpu)
            print(f"run {run}: CPU {cpu:6.2f} ms per launch (POST + page)   wall median {wall:6.2f} ms")
        print(f"median of {args.runs} runs: CPU {statistics.median(cpus):.2f} ms per launch (POST + page)")
        if args.profile:
            import cProfile

            prepared = [prepared_launch(app, platform) for _ in range(args.n)]
            profiler = cProfile.Profile(time.process_time)  # CPU, not waits for the disk
            profiler.enable()
            for p in prepared:
                launch_and_page(*p)
            profiler.disable()
            profiler.dump_stats(args.profile)
        platform.stop()
        with app.app_context():
            from lti_tool.extensions import db

            db.engine.dispose()


if __name__ == "__main__":
    main()
