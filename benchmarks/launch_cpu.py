"""CPU per launch in-process: the launch POST and the first page (its answer), through the
Flask test client (no HTTP server, no gunicorn). CPU time (``time.process_time``) rather than wall
time: on a shared machine the CPU a launch costs moves much less than its duration.

    .venv/bin/python benchmarks/launch_cpu.py [--n 200] [--runs 5] [--profile FILE]

Prints per run the CPU ms per launch (POST + page) and the wall median; then the median of the
runs. ``--profile FILE`` also writes a cProfile of one more run (read it with ``pstats``).
"""

from __future__ import annotations

import statistics
import time
from typing import Any
from urllib.parse import urlsplit

from launch_profile import cpu_benchmark, prepared_launch

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


def prepare(app: Any, platform: IndependentPlatform, n: int, _run: int) -> list[tuple[Any, str, str]]:
    return [prepared_launch(app, platform) for _ in range(n)]


def timed(prepared: list[tuple[Any, str, str]]) -> tuple[float, float]:
    walls = []
    cpu_started = time.process_time()
    for p in prepared:
        started = time.perf_counter()
        launch_and_page(*p)
        walls.append((time.perf_counter() - started) * 1000)
    return (time.process_time() - cpu_started) * 1000 / len(prepared), statistics.median(walls)


def main() -> None:
    cpu_benchmark(__doc__ or "", "launch (POST + page)", prepare, timed, n=200, runs=5)


if __name__ == "__main__":
    main()
