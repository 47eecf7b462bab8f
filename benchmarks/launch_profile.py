"""The launch POST in-process (Flask test client, no HTTP server, no other process on the
CPU): where the server time goes, without gunicorn's scheduling noise.

    .venv/bin/python benchmarks/launch_profile.py [--n 300] [--runs 3] [--database-url URL]

Prints, per run, the median and p95 of the launch POST, then the time per launch of each step
of validation and recording (the steps are wrapped with timers only in the last run).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from _common import ROOT, SECRET, percentile, scratch_database

from tests.support.independent_platform import IndependentPlatform

BASE = "http://127.0.0.1:5000"
STEPS = {
    "lti_tool.lti.launch:LaunchValidator": [
        "_find_platform",
        "_check_state",
        "_verify_signature",
        "_check_deployment",
        "_check_target",
        "_consume_state",
    ],
    "lti_tool.lti.launch": ["check_message"],  # a function the validator imported by name
    "lti_tool.services.launches": ["_user", "_context", "_resource_link"],
    "lti_tool.views.lti": ["_enter"],
}


def build_app(url: str) -> Any:
    env = {"LTI_TOOL_DATABASE_URL": url, "LTI_TOOL_SECRET_KEY": SECRET, "PATH": ""}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lti_tool", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    from lti_tool import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "BASE_URL": BASE,
            "LOG_LEVEL": "WARNING",
            "OUTBOUND_ALLOWLIST": "127.0.0.0/8",  # the benchmark's platform is on this machine
        }
    )


def cpu_benchmark(
    description: str,
    what: str,
    prepare: Callable[[Any, IndependentPlatform, int, int], Any],
    timed: Callable[[Any], tuple[float, float]],
    n: int,
    runs: int,
) -> None:
    """The in-process CPU benchmarks' frame (launch_cpu.py, autosave_cpu.py): a scratch
    database, the app, an independent platform; ``prepare(app, platform, n, run)`` makes a run's
    work untimed, ``timed(work)`` does it and returns (CPU ms per request, wall median ms).
    Prints each run and the median of the runs; ``--profile FILE`` writes a cProfile (CPU) of one
    more run."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=n)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    with scratch_database(args.database_url) as url:
        app = build_app(url)
        platform = IndependentPlatform()
        register(app, platform)
        timed(prepare(app, platform, 20, 0))  # warm-up: key set fetch, caches
        cpus = []
        for run in range(1, args.runs + 1):
            cpu, wall = timed(prepare(app, platform, args.n, run))
            cpus.append(cpu)
            print(f"run {run}: CPU {cpu:6.2f} ms per {what}   wall median {wall:6.2f} ms")
        print(f"median of {args.runs} runs: CPU {statistics.median(cpus):.2f} ms per {what}")
        if args.profile:
            import cProfile

            work = prepare(app, platform, args.n, args.runs + 1)
            profiler = cProfile.Profile(time.process_time)  # CPU, not waits for the disk
            profiler.enable()
            timed(work)
            profiler.disable()
            profiler.dump_stats(args.profile)
        platform.stop()
        with app.app_context():
            from lti_tool.extensions import db

            db.engine.dispose()  # before a scratch PostgreSQL database is dropped


def register(app: Any, platform: IndependentPlatform) -> None:
    platform.register_by_cli(app)


def prepared_launch(app: Any, platform: IndependentPlatform) -> tuple[Any, str, str]:
    return platform.logged_in(app, BASE + "/lti/launch")


def launch(client: Any, token: str, state: str) -> float:
    started = time.perf_counter()
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 200, response.data[:300]
    return (time.perf_counter() - started) * 1000


def timed_steps() -> dict[str, float]:
    """Wrap each step with a timer; returns the totals (ms) it fills."""
    import importlib

    totals: dict[str, float] = collections.defaultdict(float)

    def wrap(owner: Any, name: str) -> None:
        inner: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                totals[name] += (time.perf_counter() - started) * 1000

        setattr(owner, name, timed)

    for where, names in STEPS.items():
        module_name, _, attr = where.partition(":")
        owner = importlib.import_module(module_name)
        owner = getattr(owner, attr) if attr else owner
        for name in names:
            wrap(owner, name)
    import lti_tool.views.lti as views  # the view imported record_launch by name

    wrap(views, "record_launch")
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with scratch_database(args.database_url) as url:
        profile(build_app(url), args.n, args.runs)


def profile(app: Any, n: int, runs: int) -> None:
    platform = IndependentPlatform()
    register(app, platform)
    for _ in range(20):
        launch(*prepared_launch(app, platform))  # warm-up: key set fetch, caches
    totals: dict[str, float] = {}
    for run in range(1, runs + 1):
        if run == runs:
            totals = timed_steps()
        prepared = [prepared_launch(app, platform) for _ in range(n)]
        times = [launch(*p) for p in prepared]
        print(
            f"run {run}: launch POST in-process median {statistics.median(times):6.2f} ms"
            f"   p95 {percentile(times, 0.95):6.2f} ms   n={n}"
        )
    print("steps of the last run (ms per launch; timers add a little):")
    for name, total in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {name:<20} {total / n:6.3f}")
    platform.stop()
    with app.app_context():
        from lti_tool.extensions import db

        db.engine.dispose()  # before a scratch PostgreSQL database is dropped


if __name__ == "__main__":
    main()
