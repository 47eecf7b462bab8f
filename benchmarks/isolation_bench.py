"""Isolation benchmark: a healthy platform's launches while another platform's key set drips.

    .venv/bin/python benchmarks/isolation_bench.py [--n 150] [--slow 16] [--database-url URL]

The app runs under gunicorn (2 workers x 16 threads) with its default settings (HTTP_TIMEOUT 10 s,
the default database pool). A second platform's key set answers one byte per second. First the
healthy platform's launch POST is timed alone; then `--slow` launches of the dripping platform
are started at once and, while they wait on its key set, the healthy platform's launches and
/healthz are timed again. Prints medians, p95, the ratio, and what the slow launches got.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from _common import percentile, served_app, summary
from launch_bench import login, register

from tests.support.independent_platform import IndependentPlatform
from tests.support.scripted_server import Reply, ScriptedServer


def healthy_launches(base: str, platform: IndependentPlatform, n: int) -> list[float]:
    target = base + "/lti/launch"
    prepared = []
    for _ in range(n):
        with requests.Session() as s:
            state, nonce = login(s, base, platform)
            prepared.append((platform.sign(platform.claims(nonce, target)), state))
    timings = []
    for token, state in prepared:
        with requests.Session() as s:
            started = time.perf_counter()
            answer = s.post(
                target, data={"id_token": token, "state": state}, allow_redirects=False, timeout=30
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text[:300]
    return timings


def healthz(base: str, n: int) -> list[float]:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        assert requests.get(base + "/healthz", timeout=30).status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--slow", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    healthy = IndependentPlatform(client_id="healthy")
    slow = IndependentPlatform(client_id="slow")
    stop = threading.Event()
    payload = json.dumps(slow.jwks()).encode()

    def dripping(method: str, path: str, body: bytes) -> Reply:
        def chunks():  # type: ignore[no-untyped-def]
            for i in range(len(payload)):
                if stop.wait(1.0):
                    return
                yield payload[i : i + 1]

        return Reply(200, chunks(), {"Content-Type": "application/json"})

    drip = ScriptedServer(dripping)
    with served_app(args.database_url, workers=2, threads=16) as (base, env):
        register(healthy, env)
        slow_reg = IndependentPlatform.registration(slow)
        slow.registration = lambda: {**slow_reg, "key_set_url": drip.url + "/jwks"}  # type: ignore[method-assign]
        register(slow, env)
        healthy_launches(base, healthy, 5)  # warm up: key set fetched, workers started
        alone = healthy_launches(base, healthy, args.n)
        health_alone = healthz(base, 50)

        slow_logins = []
        for _ in range(args.slow):
            s = requests.Session()
            slow_logins.append((s, *login(s, base, slow)))
        outcomes: list[tuple[int, float]] = []

        def slow_launch(i: int) -> None:
            s, state, nonce = slow_logins[i]
            started = time.perf_counter()
            answer = s.post(
                base + "/lti/launch",
                data={"id_token": slow.sign(slow.claims(nonce, base + "/lti/launch")), "state": state},
                allow_redirects=False,
                timeout=60,
            )
            outcomes.append((answer.status_code, time.perf_counter() - started))

        pool = ThreadPoolExecutor(max_workers=args.slow)
        waiting_started = time.perf_counter()
        for i in range(args.slow):
            pool.submit(slow_launch, i)
        drip.wait_for(lambda s: s.in_flight >= 1)
        during = healthy_launches(base, healthy, args.n)
        health_during = healthz(base, 50)
        measured_within = time.perf_counter() - waiting_started
        still_waiting = args.slow - len(outcomes)
        pool.shutdown(wait=True)
        stop.set()

    print(summary("healthy launch POST, alone", alone))
    print(summary(f"healthy launch POST, {args.slow} launches waiting", during))
    print(summary("/healthz, alone", health_alone))
    print(summary(f"/healthz, {args.slow} launches waiting", health_during))
    print(
        f"ratio (waiting / alone): median {statistics.median(during) / statistics.median(alone):.2f}   "
        f"p95 {percentile(during, 0.95) / percentile(alone, 0.95):.2f}"
    )
    print(
        f"measured within {measured_within:.1f} s of starting the slow launches; "
        f"{still_waiting} of {args.slow} were still waiting when it ended"
    )
    codes = sorted({code for code, _ in outcomes})
    print(
        f"slow launches: status {codes}, took median {statistics.median(t for _, t in outcomes):.1f} s, "
        f"max {max(t for _, t in outcomes):.1f} s; key set requests: {len(drip.requests)}"
    )
    drip.stop()
    healthy.stop()
    slow.stop()


if __name__ == "__main__":
    main()
