"""Launch benchmark: full OIDC login + launch round trips, and the launch POST alone,
with 1 and several concurrent clients, against the app served by gunicorn.

    .venv/bin/python benchmarks/launch_bench.py [--n 300] [--clients 1,4] [--database-url URL]

Prints medians and p95 of client-side latency and of server time (Server-Timing), the
throughput, and how many times the tool fetched the platform's key set (should be 1).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from _common import ROOT, served_app, server_ms, summary

from tests.support.independent_platform import IndependentPlatform
from tests.support.platform_admin import add_args


def register(platform: IndependentPlatform, env: dict[str, str], cwd: Path = ROOT) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lti_tool", *add_args(platform.registration())],
        env=env,
        check=True,
        capture_output=True,
        cwd=cwd,
    )


def login(session: requests.Session, base: str, platform: IndependentPlatform) -> tuple[str, str]:
    response = session.post(
        base + "/lti/login",
        data={
            "iss": platform.issuer,
            "login_hint": "u",
            "target_link_uri": base + "/lti/launch",
            "client_id": platform.client_id,
        },
        allow_redirects=False,
        timeout=10,
    )
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["state"][0], query["nonce"][0]


def launch(session: requests.Session, base: str, token: str, state: str) -> requests.Response:
    response = session.post(
        base + "/lti/launch", data={"id_token": token, "state": state}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 200, response.text[:300]  # the first page (decision 0026)
    return response


def launch_token(page: requests.Response) -> str:
    """The launch token of the page the launch POST answered with (its launch-token meta tag)."""
    return page.text.split('<meta name="launch-token" content="')[1].split('"')[0]


def run(n: int, clients: int, base: str, platform: IndependentPlatform) -> None:
    target = base + "/lti/launch"

    def full_round_trip(_: int) -> tuple[float, float]:
        with requests.Session() as s:
            started = time.perf_counter()
            state, nonce = login(s, base, platform)
            response = launch(s, base, platform.sign(platform.claims(nonce, target)), state)
            return (time.perf_counter() - started) * 1000, server_ms(response)

    # Tokens are prepared first so that only the launch POST is timed.
    prepared = []
    for _ in range(n):
        with requests.Session() as s:  # one browser per launch, as in real life
            state, nonce = login(s, base, platform)
            prepared.append((platform.sign(platform.claims(nonce, target)), state))

    def launch_only(i: int) -> tuple[float, float]:
        with requests.Session() as s:
            token, state = prepared[i]
            started = time.perf_counter()
            response = launch(s, base, token, state)
            return (time.perf_counter() - started) * 1000, server_ms(response)

    for label, fn in (("full OIDC login + launch", full_round_trip), ("launch POST alone", launch_only)):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            results = list(pool.map(fn, range(n)))
        elapsed = time.perf_counter() - started
        client_ms = [r[0] for r in results]
        app_ms = [r[1] for r in results]
        print(summary(f"{label}, {clients} client(s): round trip", client_ms))
        print(summary(f"{label}, {clients} client(s): server time", app_ms))
        print(f"{'':<44} throughput {n / elapsed:7.1f} /s   mean server {statistics.mean(app_ms):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--clients", default="1,4")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    platform = IndependentPlatform()
    with served_app(args.database_url) as (base, env):
        register(platform, env)
        for _ in range(5):  # first launches fetch the key set and warm the workers
            with requests.Session() as s:
                state, nonce = login(s, base, platform)
                launch(s, base, platform.sign(platform.claims(nonce, base + "/lti/launch")), state)
        fetches_before = platform.jwks_requests
        for clients in (int(c) for c in args.clients.split(",")):
            run(args.n, clients, base, platform)
        print(
            f"key set fetches during the steady stream: {platform.jwks_requests - fetches_before}"
            f" (warm-up: {fetches_before})"
        )
    platform.stop()


if __name__ == "__main__":
    main()
