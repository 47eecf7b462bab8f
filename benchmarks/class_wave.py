"""A class at 9:00 (issue 16), with Locust, headless: ``make load``.

    .venv/bin/python benchmarks/class_wave.py [--users 300] [--arrival 60] [--compress 20]
        [--run-time 150] [--web 1] [--grade-workers 1] [--database-url postgresql://...]

The documented production setup on this machine: gunicorn with lti_tool/deploy/gunicorn_conf.py
(gthread, WEB_CONCURRENCY=2 workers x 4 threads), PostgreSQL (a scratch database created on the
given server, dropped afterwards; LTI_TOOL_TEST_POSTGRES_URL by default), grade delivery by
separate ``flask grades work`` processes (not in the web processes), state cookies required as in
production. The platform is tests/support/ags_platform.py: independent keys, real RS256 id_tokens,
an OAuth2 token endpoint checking the tool's signed assertion, and a line item that records every
score it receives.

``--users`` learners arrive evenly over ``--arrival`` seconds. Each logs in, launches into the
activity placed as the self-assessment (the POST, answered with the first page), opens a session
page, names the partnership, answers every statement and importance with autosave, opens the
review, submits and opens the report, pausing like a person whose pauses are divided by
``--compress``. One teacher opens the class view every few (compressed) seconds. ``--web 2
--grade-workers 2`` runs two gunicorn servers (learners split between them) and two grade
workers on the same database: the scale-out check.

Prints p50/p95/p99 per request type, failures, and the grade check: every learner who submitted
has exactly one score at the platform (none lost, none twice).

The users are Locust's ``FastHttpUser`` (geventhttpclient), not ``HttpUser`` (python-requests):
the client shares the two cores with gunicorn and PostgreSQL, and requests' 1-2 ms of CPU per
request would be taken from the server being measured.
"""
# ruff: noqa: E402, I001  (gevent patches the standard library before anything imports it)

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.exception import StopUser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    SECRET,
    cpu_seconds,
    describe_memory,
    free_port,
    machine_cpu_seconds,
    postgres_cpu_seconds,
    process_cpu_seconds,
    scratch_database,
)

from lti_tool.assessment.instrument import default_instrument  # noqa: E402
from lti_tool.content.loader import load_workshops  # noqa: E402
from tests.support.ags_platform import AgsPlatform  # noqa: E402

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ITEM = "partnership-assessment"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
TOKEN = re.compile(r'<meta name="launch-token" content="([^"]+)"')
ATTEMPT = re.compile(r'name="attempt" value="([0-9]+)"')
# A person's pauses, in seconds, before compression.
READ_PAGE = 30.0
ANSWER = 8.0
REVIEW = 20.0


class Wave:
    """What the users share: the platform, the servers, the pauses, and who submitted."""

    platform: AgsPlatform
    bases: list[str] = []
    compress = 20.0
    line_item = ""
    session_path = ""
    items: list[tuple[str, str]] = []
    submitted: set[str] = set()
    unfinished: Counter[str] = Counter()
    arrived = 0
    # Locust keeps the user count at its target while it spawns: a learner who finished before
    # the last arrived would be replaced by a new one (300 learners became ~400). The class has
    # ``learners`` learners: Locust's replacements only wait for the end.
    learners = 300
    learners_started = 0
    learners_done = 0


def pause(seconds: float) -> None:
    gevent.sleep(random.uniform(0.5, 1.5) * seconds / Wave.compress)


class Refused(Exception):
    """A request of the flow failed (Locust has counted it): this learner stops there."""


def ok(response: Any, *expected: int) -> Any:
    if response.status_code not in (expected or (200,)):
        raise Refused(f"{urlsplit(response.url or '').path}: {response.status_code}")
    return response


def answer_items() -> list[tuple[str, str]]:
    pairs = []
    for dimension in default_instrument().dimensions:
        pairs += [(s.id, str(random.randint(1, 5))) for s in dimension.statements]
        pairs.append(("importance:" + dimension.id, str(random.randint(1, 5))))
    return pairs


class Person(FastHttpUser):
    abstract = True
    wait_time = between(0, 0)
    sub = ""
    role = "Learner"

    def on_start(self) -> None:
        Wave.arrived += 1
        # The session prefixes relative paths with base_url at each request: a server per user.
        self.base = Wave.bases[Wave.arrived % len(Wave.bases)]
        self.client.base_url = self.base
        self.token = ""
        self.csrf = ""

    def launch(self) -> None:
        """Login, then the signed id_token posted to the tool, followed to the first page."""
        target = self.base + "/lti/launch"
        platform = Wave.platform
        login = ok(
            self.client.post(
                "/lti/login",
                data={
                    "iss": platform.issuer,
                    "login_hint": self.sub,
                    "target_link_uri": target,
                    "client_id": platform.client_id,
                    "lti_deployment_id": platform.deployment_id,
                },
                allow_redirects=False,
                name="login",
            ),
            302,
        )
        query = parse_qs(urlsplit(login.headers.get("Location", "")).query)
        claims = platform.claims(
            query["nonce"][0],
            target,
            sub=self.sub,
            name=f"Person {self.sub}",
            **{
                LTI + "roles": [f"http://purl.imsglobal.org/vocab/lis/v2/membership#{self.role}"],
                LTI + "resource_link": {"id": "rl-1", "title": "Partnership self-assessment"},
                LTI + "context": {"id": "course-9", "title": "P3 class"},
                LTI + "custom": {"p3_item": ITEM},
                "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": platform.ags_claim(Wave.line_item),
            },
        )
        page = ok(  # answered with the first page (decision 0026)
            self.client.post(
                "/lti/launch",
                data={"id_token": platform.sign(claims), "state": query["state"][0]},
                allow_redirects=False,
                name="launch POST",
            )
        )
        found = TOKEN.search(page.text or "")  # FastResponse.text is None for an empty body
        self.token = found.group(1) if found else ""
        self.remember_csrf(page.text)

    def remember_csrf(self, html: str | None) -> None:
        found = CSRF.search(html or "")
        if found:
            self.csrf = found.group(1)

    def get(self, path: str, name: str, **params: Any) -> Any:
        return self.client.get(path, params={"lt": self.token, **params}, name=name, allow_redirects=False)

    def post_form(self, path: str, name: str, data: dict[str, str]) -> Any:
        body = {"lt": self.token, "csrf_token": self.csrf, **data}
        return self.client.post(path, data=body, name=name, allow_redirects=False)


class Learner(Person):
    weight = 1

    @task
    def class_session(self) -> None:
        if Wave.learners_started >= Wave.learners:  # a replacement: the class is all here
            gevent.sleep(3600)
            raise StopUser()
        Wave.learners_started += 1
        try:
            self.learn()
        finally:
            Wave.learners_done += 1
        raise StopUser()

    def learn(self) -> None:
        self.sub = f"learner-{Wave.arrived:04d}-{random.randint(0, 10**6)}"
        step = "launch"
        try:
            self.launch()
            pause(READ_PAGE)
            step = "session page"
            ok(self.get(Wave.session_path, "session page"))
            pause(READ_PAGE)
            step = "begin"
            begun = ok(
                self.post_form("/app/assessment/begin", "begin", {"partnership": "Harbour renewal P3"}), 303
            )
            page = ok(self.client.get(begun.headers["Location"], name="take page", allow_redirects=False))
            self.remember_csrf(page.text)
            found = ATTEMPT.search(page.text or "")
            attempt = int(found.group(1)) if found else None
            step = "autosave"
            for item, value in Wave.items:
                pause(ANSWER)
                ok(
                    self.client.post(  # what static/assessment.js sends: the page's attempt too
                        "/app/assessment/answer",
                        json={"item": item, "value": value, "version": 0, "attempt": attempt},
                        headers={"X-Launch-Token": self.token, "X-CSRF-Token": self.csrf},
                        name="autosave",
                    )
                )
            step = "review"
            ok(self.get("/app/assessment/review", "review"))
            pause(REVIEW)
            step = "submit"
            submitted = ok(self.post_form("/app/assessment/submit", "submit", {}), 303)
            Wave.submitted.add(self.sub)
            step = "report"
            ok(self.client.get(submitted.headers["Location"], name="report", allow_redirects=False))
        except Exception:  # noqa: BLE001 - counted here; Locust has recorded the failing request
            Wave.unfinished[step] += 1


class Teacher(Person):
    fixed_count = 1
    role = "Instructor"
    sub = "teacher-1"

    @task
    def class_view(self) -> None:
        if not self.token:
            self.launch()
        self.get("/app/assessment/", "class view")
        # A teacher glancing at the class view every 40 s or so, compressed: under gunicorn's
        # keep-alive (5 s), or the server may close the idle connection as the next GET leaves.
        pause(40.0)


def serve(
    args: argparse.Namespace, database_url: str, platform: AgsPlatform
) -> tuple[list[Any], dict[str, str]]:
    env = {
        **os.environ,
        "LTI_TOOL_DATABASE_URL": database_url,
        "LTI_TOOL_SECRET_KEY": SECRET,
        "LTI_TOOL_LOG_LEVEL": "WARNING",
        "LTI_TOOL_OUTBOUND_ALLOWLIST": "127.0.0.0/8",
        "LTI_TOOL_REQUIRE_STATE_COOKIE": "1",  # as in production
        "LTI_TOOL_GRADES_DELIVER_IN_PROCESS": "0",  # the grade workers deliver
        "WEB_CONCURRENCY": "2",
    }
    flask = [sys.executable, "-m", "flask", "--app", "lti_tool"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
    reg = platform.registration()
    add = [*flask, "platform", "add"]
    for option in ("issuer", "client_id", "deployment_id", "auth_login_url", "auth_token_url", "key_set_url"):
        add += ["--" + option.replace("_", "-"), reg[option]]
    processes = []
    for _ in range(args.web):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        Wave.bases.append(base)
        web_env = {**env, "LTI_TOOL_BASE_URL": base}
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "python:lti_tool.deploy.gunicorn_conf",
                    "-b",
                    f"127.0.0.1:{port}",
                ],
                env=web_env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,  # the access log: one line per request
            )
        )
    env["LTI_TOOL_BASE_URL"] = Wave.bases[0]
    subprocess.run(add, env=env, check=True, capture_output=True, cwd=ROOT)
    platform.tool_jwks_url = Wave.bases[0] + "/lti/jwks"
    for _ in range(args.grade_workers):
        processes.append(
            subprocess.Popen([*flask, "grades", "work"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        )
    import requests

    for base in Wave.bases:
        for _ in range(200):
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
    return processes, env


def report(environment: Environment, elapsed: float) -> None:
    columns = ("count", "failures", "p50 ms", "p95 ms", "p99 ms", "max ms")
    print("\n" + f"{'request':<14}" + "".join(f" {c:>8}" for c in columns))
    order = ["login", "launch POST", "session page", "begin", "take page", "autosave"]
    order += ["review", "submit", "report", "class view"]
    entries = {entry.name: entry for entry in environment.stats.entries.values()}
    for name in order + sorted(set(entries) - set(order)):
        entry = entries.get(name)
        if entry is None:
            continue
        percentiles = [entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)]
        values = [entry.num_requests, entry.num_failures, *percentiles, entry.max_response_time]
        print(f"{name:<14}" + "".join(f" {v:>8.0f}" for v in values))
    total = environment.stats.total
    print(
        f"{'all':<14} {total.num_requests:>8} {total.num_failures:>8}   "
        f"{total.num_requests / elapsed:.1f} requests/s over {elapsed:.0f} s"
    )
    for error in environment.stats.errors.values():
        print(f"  failure: {error.occurrences} x {error.method} {error.name}: {str(error.error)[:200]}")


def cpu_split(processes: list[Any], web: int) -> dict[str, float | None]:
    """CPU seconds used so far: the tool's web workers and grade workers, PostgreSQL, this
    process (Locust's learners and the LMS), and the whole machine (busy, available)."""
    busy, available = machine_cpu_seconds()
    return {
        "web": sum(cpu_seconds(p.pid) for p in processes[:web]),
        "grade": sum(process_cpu_seconds(p.pid) for p in processes[web:]),
        "postgres": postgres_cpu_seconds(),
        "client": process_cpu_seconds(os.getpid()),
        "busy": busy,
        "available": available,
    }


def print_cpu_split(before: dict[str, float | None], after: dict[str, float | None], served: int) -> None:
    """Where the cores went during the run: the tool's CPU per request is what the issue's aim
    is about; the rest says whether the machine was saturated and by whom."""
    used = {k: (after[k] or 0.0) - (before[k] or 0.0) for k in after}
    pg = "n/a (not on this machine)" if after["postgres"] is None else f"{used['postgres']:.1f} s"
    others = used["busy"] - used["web"] - used["grade"] - used["client"] - (used["postgres"] or 0.0)
    print(
        f"tool CPU: web workers {used['web']:.1f} s = {used['web'] * 1000 / served:.1f} ms per request;"
        f" grade workers {used['grade']:.1f} s"
    )
    share = 100 * used["busy"] / max(used["available"], 1e-9)
    print(
        f"the cores: busy {used['busy']:.1f} s of {used['available']:.1f} s ({share:.0f}%):"
        f" tool {used['web'] + used['grade']:.1f} s,"
        f" PostgreSQL {pg}, Locust and the LMS (this process) {used['client']:.1f} s, the rest {others:.1f} s"
    )


def check_grades(platform: AgsPlatform, wait: float) -> bool:
    """Every learner who submitted has exactly one score at the platform."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with platform.lock:
            received = {s["userId"] for s in platform.scores}
        if Wave.submitted <= received:
            break
        gevent.sleep(0.5)
    with platform.lock:
        per_learner = Counter(s["userId"] for s in platform.scores)
    missing = sorted(Wave.submitted - set(per_learner))
    twice = sorted(user for user, n in per_learner.items() if n > 1)
    print(
        f"\ngrades: {len(Wave.submitted)} learners submitted, {len(per_learner)} have a score,"
        f" {sum(per_learner.values())} scores received; missing {len(missing)}, more than once {len(twice)}"
    )
    for user in (missing + twice)[:10]:
        print(f"  {user}: {per_learner.get(user, 0)} score(s)")
    return not missing and not twice


def check_answers(database_url: str) -> bool:
    """Nothing lost: every learner who submitted has every answer stored in a submitted attempt."""
    import sqlalchemy as sa

    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT u.sub, count(a.id) FROM assessment_attempt t"
                " JOIN lti_user u ON u.id = t.user_pk"
                " JOIN assessment_answer a ON a.attempt_id = t.id"
                " WHERE t.status = 'submitted' GROUP BY u.sub"
            )
        ).all()
    engine.dispose()
    stored = {sub: count for sub, count in rows}
    short = sorted(sub for sub in Wave.submitted if stored.get(sub, 0) != len(Wave.items))
    print(
        f"answers: {len(stored)} submitted attempts, {sum(stored.values())} answers stored;"
        f" learners missing an answer: {len(short)} (each gave {len(Wave.items)})"
    )
    return not short


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=300, help="learners")
    parser.add_argument("--arrival", type=float, default=60, help="seconds over which the learners arrive")
    parser.add_argument("--compress", type=float, default=20, help="a person's pauses divided by this")
    parser.add_argument("--run-time", type=float, default=150, help="seconds before the run is stopped")
    parser.add_argument("--web", type=int, default=1, help="gunicorn servers (2 workers x 4 threads each)")
    parser.add_argument("--grade-workers", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LTI_TOOL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server (a scratch database is made there); 'sqlite' for SQLite",
    )
    args = parser.parse_args()
    Wave.compress = args.compress
    Wave.learners = args.users
    Wave.items = answer_items()
    workshop = next(iter(load_workshops().values()))
    Wave.session_path = f"/app/w/{workshop.slug}/sessions/{workshop.sessions[0].slug}"
    platform = AgsPlatform()
    Wave.platform = platform
    Wave.line_item = platform.add_line_item("rl-1", maximum=10)
    server = None if args.database_url == "sqlite" else args.database_url
    load = os.getloadavg()
    with scratch_database(server) as database_url:
        processes, _env = serve(args, database_url, platform)
        try:
            environment = Environment(user_classes=[Learner, Teacher], events=events, host=Wave.bases[0])
            runner = environment.create_local_runner()
            print(
                f"{args.users} learners over {args.arrival:.0f} s, pauses / {args.compress:g}, "
                f"{args.web} web server(s) x 2 workers x 4 threads, {args.grade_workers} grade worker(s), "
                f"{'PostgreSQL' if server else 'SQLite'}; load average before: "
                + " ".join(f"{x:.2f}" for x in load),
                flush=True,
            )
            before = cpu_split(processes, args.web)
            started = time.monotonic()
            runner.start(args.users + 1, spawn_rate=(args.users + 1) / args.arrival)
            while time.monotonic() - started < args.run_time:
                gevent.sleep(1)
                if Wave.learners_done >= args.users:
                    break  # every learner is done (the teacher stays until the end)
            elapsed = time.monotonic() - started
            runner.quit()
            report(environment, elapsed)
            served = max(environment.stats.total.num_requests, 1)
            print_cpu_split(before, cpu_split(processes, args.web), served)
            for process in processes[: args.web]:
                print(f"memory per web worker (server {process.pid}): {describe_memory(process.pid)}")
            print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
            unfinished = sum(Wave.unfinished.values())
            if unfinished:
                print(f"learners who could not finish: {dict(Wave.unfinished)}")
            grades_ok = check_grades(platform, wait=60)
            answers_ok = check_answers(database_url)
            failures = environment.stats.total.num_failures
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
    platform.down()
    print(
        json.dumps(
            {
                "failures": failures,
                "grades_exactly_once": grades_ok,
                "answers_all_stored": answers_ok,
                "unfinished": unfinished,
            }
        )
    )
    return 0 if failures == 0 and grades_ok and answers_ok and not unfinished else 1


if __name__ == "__main__":
    sys.exit(main())
