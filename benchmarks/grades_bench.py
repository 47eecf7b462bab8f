"""Grade delivery throughput: 1,000 grades to a platform that answers each request after 50 ms.

    python benchmarks/grades_bench.py [--grades 1000] [--delay 0.05] [--concurrency 16]
                                      [--database-url postgresql://...]

The tool is served over real HTTP (the platform's token endpoint fetches its JWKS); the grades
are written to the outbox as submissions would write them, then one worker (`flask grades work
--once`, run in-process) delivers them. Reports the time taken and the token requests made.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import scratch_database  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.models import Grade  # noqa: E402
from lti_tool.services import grades as grade_service  # noqa: E402
from tests.grades.conftest import record_launches, register, submit  # noqa: E402
from tests.support.independent_platform import IndependentPlatform  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


class RemotePlatform(IndependentPlatform):
    """The AGS platform (tests/support/ags_platform.py) running in its own process."""

    def __init__(self, tool_jwks_url: str, delay: float) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.ags_platform",
                "--tool-jwks-url",
                tool_jwks_url,
                "--delay",
                str(delay),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        info = json.loads(self.process.stdout.readline())
        self.url, self.issuer = info["url"], info["issuer"]
        self.client_id, self.deployment_id = info["client_id"], info["deployment_id"]
        self.ags = info["ags"]

    def stats(self) -> dict[str, Any]:
        return requests.get(self.url + "/stats", timeout=30).json()  # type: ignore[no-any-return]

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


SECRET = "benchmark-secret-key-long-enough-for-production-checks"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grades", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    with scratch_database(args.database_url) as url:
        server = LiveServer()
        app = create_app(
            {
                "ENV": "testing",
                "SECRET_KEY": SECRET,
                "DATABASE_URL": url,
                "BASE_URL": server.url,
                "GRADES_DELIVER_IN_PROCESS": False,
                "GRADES_CONCURRENCY": args.concurrency,
                "LOG_LEVEL": "ERROR",
                "OUTBOUND_ALLOWLIST": "127.0.0.0/8",  # the benchmark's platform is on this machine
            }
        )
        with app.app_context():
            upgrade()
            db.session.remove()
        server.start(app)
        platform = RemotePlatform(server.url + "/lti/jwks", args.delay)
        try:
            register(app, platform)
            launches = record_launches(app, platform, [f"b{n}" for n in range(args.grades)], platform.ags)
            started = time.perf_counter()
            for n, launch in enumerate(launches):
                submit(app, launch, n % 10, source_ref=f"bench:{n}")
            outbox_s = time.perf_counter() - started
            started = time.perf_counter()
            stats = grade_service.run_worker(app, once=True)
            elapsed = time.perf_counter() - started
            with app.app_context():
                delivered = db.session.scalar(
                    db.select(db.func.count()).select_from(Grade).where(Grade.status == "delivered")
                )
            platform_stats = platform.stats()
            backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            print(
                f"database {backend}, {args.grades} grades, platform answers after "
                f"{args.delay * 1000:.0f} ms, {args.concurrency} deliveries in flight"
            )
            print(f"writing the outbox (one transaction per submission): {outbox_s:6.2f} s")
            print(
                f"delivering:                                          {elapsed:6.2f} s "
                f"({args.grades / elapsed:.0f} grades/s)"
            )
            scores = platform_stats["scores"]
            learners = len({s["userId"] for s in scores})
            print(
                f"delivered {delivered} (worker: {stats.delivered} delivered, {stats.retrying} "
                f"retrying, {stats.failed} failed); scores received by the platform: "
                f"{len(scores)}, of {learners} learners"
            )
            print(f"token requests: {platform_stats['token_requests']}")
        finally:
            platform.stop()
            server.stop()

        with app.app_context():
            db.engine.dispose()  # before the scratch database is dropped


if __name__ == "__main__":
    main()
