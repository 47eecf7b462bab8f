"""This tool's launch against a plain pylti1p3 Flask tool's, side by side, in one run (issue 16).

    .venv/bin/python benchmarks/compare_launch.py [--n 300] [--runs 3] [--clients 4]
        [--database-url postgresql://...] [--plain-key-cache] [--before DIR] [--floor] [--lean]

Both tools are served by gunicorn, sync workers, 2 of each, on loopback, launched from one
independent platform (tests/support/independent_platform.py: its own key, its own JWKS server,
real RS256 id_tokens). For each launch a browser (its own cookies) goes through the tool's
login first; the timed part is the launch POST with a pre-signed id_token, followed to the page
the learner sees: both tools answer the POST with the page itself (this tool since decision
0026; a checkout given with ``--before`` may answer with a redirect, which is followed), the plain
tool (benchmarks/plain_pylti1p3/app.py) as pylti1p3's Flask example does.
The clients are separate processes (``--clients``), so the client's GIL does not cap either tool,
and send pre-built requests with ``http.client`` (each on a new connection): they share the two
cores with the tools, so the lighter the client, the more of them the tools get.

``--floor`` also measures the plain tool's app answering the same POST with its page and no LTI
at all (no login, no token read): what Flask, gunicorn and the client cost, the ceiling of any
Flask tool here. ``--lean`` also measures a lean launch on the same app
(benchmarks/plain_pylti1p3/lean.py): the id_token verified, the state consumed, user, course,
link and launch recorded with raw ``sqlite3``, a token signed, the page: what the least a launch
must do costs with no ORM (docs/decisions/0029, addendum).

``--before DIR`` serves another checkout of this tool beside them (say ``git archive <rev> | tar
-x -C DIR``), for before/after figures from the same run.

Prints, per run and tool: launches/s, the median of each request, the CPU its gunicorn workers
used per launch (from /proc), then the ratios this / plain of launches/s and of launches per CPU
second, and the load average of the machine before each run. On a shared machine quote ratios:
launches/s depend on what else runs, CPU per launch much less (capacity ~ cores / CPU per launch).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests
from _common import ROOT, cpu_seconds, describe_memory, free_port, served_app
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from launch_bench import register

from tests.support.independent_platform import IndependentPlatform

PLAIN_DIR = Path(__file__).resolve().parent / "plain_pylti1p3"


@contextmanager
def served_plain_tool(platform: IndependentPlatform, key_cache: bool) -> Iterator[tuple[str, int]]:
    """The plain pylti1p3 tool under gunicorn (sync, 2 workers), configured for ``platform``."""
    folder = Path(tempfile.mkdtemp(prefix="plain-pylti1p3-"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "private.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (folder / "public.key").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    reg = platform.registration()
    config = {
        reg["issuer"]: [
            {
                "default": True,
                "client_id": reg["client_id"],
                "auth_login_url": reg["auth_login_url"],
                "auth_token_url": reg["auth_token_url"],
                "key_set_url": reg["key_set_url"],
                "key_set": None,
                "private_key_file": "private.key",
                "public_key_file": "public.key",
                "deployment_ids": [reg["deployment_id"]],
            }
        ]
    }
    (folder / "tool.json").write_text(json.dumps(config))
    port = free_port()
    env = {
        **os.environ,
        "PLAIN_TOOL_CONFIG": str(folder / "tool.json"),
        "PLAIN_TOOL_SECRET": "plain-tool-benchmark-secret",
        "PLAIN_TOOL_KEY_CACHE": "1" if key_cache else "0",
        "LEAN_DATABASE": str(folder / "lean.db"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(PLAIN_DIR),
            "app:app",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/jwks/", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)


class Tool:
    """Where a tool's login and launch are, and how a browser logs in there."""

    def __init__(self, name: str, base: str, login_path: str | None, launch_path: str, pid: int) -> None:
        self.pid = pid  # its gunicorn master
        self.name = name
        self.base = base
        self.login_url = base + login_path if login_path is not None else None  # None: the floor
        self.launch_url = base + launch_path

    def prepare(self, platform: IndependentPlatform) -> tuple[dict[str, str], str, str]:
        """One browser's login: its cookies, the signed id_token and the state."""
        if self.login_url is None:  # the floor and the lean launch: no login, a new state each
            token = platform.sign(platform.claims("nonce", self.launch_url))
            return {}, token, secrets.token_urlsafe(32)
        with requests.Session() as browser:
            response = browser.post(
                self.login_url,
                data={
                    "iss": platform.issuer,
                    "login_hint": "learner-7",
                    "target_link_uri": self.launch_url,
                    "client_id": platform.client_id,
                    "lti_deployment_id": platform.deployment_id,
                },
                allow_redirects=False,
                timeout=10,
            )
            assert response.status_code == 302, (self.name, response.status_code, response.text[:300])
            query = parse_qs(urlsplit(response.headers["Location"]).query)
            token = platform.sign(platform.claims(query["nonce"][0], self.launch_url))
            return browser.cookies.get_dict(), token, query["state"][0]


# Filled before the client processes fork: (tool, prepared launches) of the current phase.
_PHASE: dict[str, Any] = {}


def _request(
    url: str, method: str, body: bytes | None, cookies: dict[str, str]
) -> tuple[int, dict[str, str]]:
    """One request through ``http.client`` (a new connection, as a browser's first visit
    makes): its status and headers, the body read and dropped. The clients run on the same two
    cores as the tools; ``requests`` spent about 2 ms of CPU per launch there (docs/performance.md:
    both tools' launches/s rose by a third, their ratio hardly moved)."""
    parts = urlsplit(url)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def _launch(index: int) -> tuple[float, float | None, int]:
    """One launch, followed to its page: (POST ms, the rest ms or None when the POST answered
    with the page, requests made)."""
    tool: Tool = _PHASE["tool"]
    cookies, token, state = _PHASE["prepared"][index]
    body = urlencode({"id_token": token, "state": state}).encode()
    started = time.perf_counter()
    status, headers = _request(tool.launch_url, "POST", body, cookies)
    post_ms = (time.perf_counter() - started) * 1000
    if status == 200:
        return post_ms, None, 1
    started = time.perf_counter()
    made, url = 1, tool.launch_url
    while status == 303 and made < 5:
        cookies = {**cookies, **_set_cookies(headers)}
        url = urljoin(url, headers["Location"])
        status, headers = _request(url, "GET", None, cookies)
        made += 1
    assert status == 200, (tool.name, status)
    return post_ms, (time.perf_counter() - started) * 1000, made


def _set_cookies(headers: dict[str, str]) -> dict[str, str]:
    """The cookie a redirect sets (only a checkout from before decision 0026 redirects)."""
    found = SimpleCookie()
    if "Set-Cookie" in headers:
        found.load(headers["Set-Cookie"])
    return {name: morsel.value for name, morsel in found.items()}


def measure(tool: Tool, platform: IndependentPlatform, n: int, clients: int) -> dict[str, Any]:
    _PHASE["tool"] = tool
    _PHASE["prepared"] = [tool.prepare(platform) for _ in range(n)]
    load = os.getloadavg()[0]
    cpu_before = cpu_seconds(tool.pid)
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.map(_launch, range(n), chunksize=4)
    elapsed = time.perf_counter() - started
    cpu = (cpu_seconds(tool.pid) - cpu_before) * 1000 / n
    posts = [r[0] for r in results]
    pages = [r[1] for r in results if r[1] is not None]
    return {
        "rate": n / elapsed,
        "post": statistics.median(posts),
        "page": statistics.median(pages) if pages else None,
        "requests": max(r[2] for r in results),
        "cpu": cpu,
        "load": load,
    }


def describe(tool: Tool, m: dict[str, Any]) -> str:
    page = f"   then {m['page']:6.2f} ms" if m["page"] is not None else "   (the page is the POST's answer)"
    return (
        f"  {tool.name:<34} {m['rate']:7.1f} launches/s   requests/launch {m['requests']}"
        f"   POST {m['post']:6.2f} ms{page}   CPU {m['cpu']:5.2f} ms/launch   (load before {m['load']:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="launches per tool per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL server for this tool (default SQLite)"
    )
    parser.add_argument("--plain-key-cache", action="store_true", help="the plain tool caches the key set")
    parser.add_argument("--before", default=None, help="another checkout of this tool, measured alongside")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also the plain tool's app answering the same POST with its page and no LTI at all",
    )
    parser.add_argument(
        "--lean",
        action="store_true",
        help="also a lean launch (plain_pylti1p3/lean.py: PyJWT, raw sqlite3, no ORM) on the same app",
    )
    args = parser.parse_args()
    platform = IndependentPlatform()
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with ExitStack() as stack:
        base, env = stack.enter_context(served_app(args.database_url, workers=2, threads=1))
        register(platform, env)
        tools = [Tool("this tool", base, "/lti/login", "/lti/launch", int(env["BENCH_SERVER_PID"]))]
        if args.before:
            root = Path(args.before).resolve()
            old_base, old_env = stack.enter_context(
                served_app(args.database_url, workers=2, threads=1, root=root)
            )
            register(platform, old_env, cwd=root)
            old_pid = int(old_env["BENCH_SERVER_PID"])
            tools.append(
                Tool(f"this tool before ({root.name})", old_base, "/lti/login", "/lti/launch", old_pid)
            )
        plain_base, plain_pid = stack.enter_context(served_plain_tool(platform, args.plain_key_cache))
        label = "plain pylti1p3" + (" (key set cached)" if args.plain_key_cache else "")
        if args.lean:  # compared too; the plain tool stays last (the yardstick)
            tools.insert(0, Tool("lean: raw SQL, no ORM (lean.py)", plain_base, None, "/lean/", plain_pid))
        if args.floor:
            tools.insert(0, Tool("floor: Flask + gunicorn, no LTI", plain_base, None, "/floor/", plain_pid))
        tools.append(Tool(label, plain_base, "/login/", "/launch/", plain_pid))
        for tool in tools:  # warm-up: key set fetches, imports, first connections
            measure(tool, platform, 20, args.clients)
        ratios: dict[str, list[float]] = {tool.name: [] for tool in tools[:-1]}
        cpu_ratios: dict[str, list[float]] = {tool.name: [] for tool in tools[:-1]}
        for run in range(1, args.runs + 1):
            print(f"run {run}:")
            measured = [(tool, measure(tool, platform, args.n, args.clients)) for tool in tools]
            for tool, m in measured:
                print(describe(tool, m))
            theirs = measured[-1][1]
            for tool, m in measured[:-1]:
                ratios[tool.name].append(m["rate"] / theirs["rate"])
                cpu_ratios[tool.name].append(theirs["cpu"] / m["cpu"])
                print(
                    f"  {tool.name} / plain: launches/s {ratios[tool.name][-1]:.2f},"
                    f" launches per CPU second {cpu_ratios[tool.name][-1]:.2f}"
                )
        print("memory per worker after the runs:")
        for tool in tools:
            print(f"  {tool.name:<34} {describe_memory(tool.pid)}")
        for name, values in ratios.items():
            for what, found in (("launches/s", values), ("launches per CPU second", cpu_ratios[name])):
                print(
                    f"{name} / plain, {what}, median of {args.runs}: {statistics.median(found):.2f}"
                    f" (runs: {', '.join(f'{r:.2f}' for r in found)})"
                )
        print(
            f"database: {'PostgreSQL' if args.database_url else 'SQLite'};"
            f" load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
    platform.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
