"""Assessment benchmark: saving one answer and rendering one report, against gunicorn.

    .venv/bin/python benchmarks/assessment_bench.py [--n 300] [--database-url URL]

Prints median and p95 of the server time (Server-Timing) and of the round trip.
"""

from __future__ import annotations

import argparse
import itertools
import time

import requests
from _common import served_app, server_ms, summary
from launch_bench import launch, launch_token, login, register

from lti_tool.assessment.instrument import default_instrument
from tests.support.independent_platform import IndependentPlatform

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"


def learner_session(base: str, platform: IndependentPlatform, sub: str) -> tuple[str, str]:
    """Launch a learner into the assessment activity; returns (launch token, CSRF token)."""
    with requests.Session() as s:
        state, nonce = login(s, base, platform)
        claims = platform.claims(
            nonce, base + "/lti/launch", sub=sub, **{CUSTOM: {"p3_item": "partnership-assessment"}}
        )
        token = launch_token(launch(s, base, platform.sign(claims), state))
        page = s.get(base + "/app/assessment/", params={"lt": token}, timeout=10).text
        csrf = page.split('<meta name="csrf-token" content="')[1].split('"')[0]
        begun = s.post(  # an attempt starts with the partnership it assesses
            base + "/app/assessment/begin",
            data={"lt": token, "csrf_token": csrf, "partnership": "Benchmark P3"},
            allow_redirects=False,
            timeout=10,
        )
        assert begun.status_code == 303, begun.text
        return token, csrf


def post_answer(base: str, token: str, csrf: str, item: str, value: str) -> requests.Response:
    response = requests.post(
        base + "/app/assessment/answer",
        json={"item": item, "value": value},
        headers={"X-Launch-Token": token, "X-CSRF-Token": csrf},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    platform = IndependentPlatform()
    instrument = default_instrument()
    items = [s.id for _, s in instrument.statements()]
    with served_app(args.database_url) as (base, env):
        register(platform, env)
        token, csrf = learner_session(base, platform, "bench-learner")
        server, trip = [], []
        values = itertools.cycle("12345")
        for item, value in zip(itertools.cycle(items), itertools.islice(values, args.n), strict=False):
            started = time.perf_counter()
            response = post_answer(base, token, csrf, item, value)
            trip.append((time.perf_counter() - started) * 1000)
            server.append(server_ms(response))
        print(summary("save one answer: server time", server))
        print(summary("save one answer: round trip", trip))
        for dimension in instrument.dimensions:
            post_answer(base, token, csrf, "importance:" + dimension.id, "4")
        done = requests.post(
            base + "/app/assessment/submit",
            data={"lt": token, "csrf_token": csrf},
            allow_redirects=False,
            timeout=10,
        )
        report_path = done.headers["Location"].split("?")[0]
        server, trip = [], []
        for _ in range(args.n):
            started = time.perf_counter()
            response = requests.get(base + report_path, params={"lt": token}, timeout=10)
            assert response.status_code == 200 and "<svg" in response.text
            trip.append((time.perf_counter() - started) * 1000)
            server.append(server_ms(response))
        print(summary("render one report: server time", server))
        print(summary("render one report: round trip", trip))
    platform.stop()


if __name__ == "__main__":
    main()
