"""Shared parts of the benchmarks: a migrated database, gunicorn serving the app, stats."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "benchmark-secret-key-long-enough-for-production-checks"


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str]:
    """A new, empty database for one benchmark run, dropped afterwards: a temporary SQLite
    file, or (given ``postgresql://.../db``) a new database on that server. Never the given
    database itself, so a benchmark never writes into a database someone uses."""
    if not server_url:
        yield f"sqlite:///{tempfile.mkdtemp(prefix='p3-bench-')}/bench.sqlite"
        return
    import uuid

    import sqlalchemy as sa

    admin_url = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"p3_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(label: str, values_ms: list[float]) -> str:
    return (
        f"{label:<44} median {statistics.median(values_ms):7.2f} ms   "
        f"p95 {percentile(values_ms, 0.95):7.2f} ms   n={len(values_ms)}"
    )


@contextmanager
def served_app(
    database_url: str | None = None,
    workers: int = 2,
    threads: int = 4,
    extra_env: dict[str, str] | None = None,
    root: Path = ROOT,
) -> Iterator[tuple[str, dict[str, str]]]:
    """Migrate a fresh database (on the server of ``database_url``, if given) and serve the app
    with gunicorn; yields (base_url, env). ``root``: another checkout of the tool to serve (its
    ``lti_tool`` is imported first, being in the working directory), to compare versions."""
    with scratch_database(database_url) as url:
        yield from _served(url, workers, threads, extra_env, root)


def _served(
    database_url: str, workers: int, threads: int, extra_env: dict[str, str] | None, root: Path
) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LTI_TOOL_DATABASE_URL": database_url,
        "LTI_TOOL_BASE_URL": base_url,
        "LTI_TOOL_SECRET_KEY": SECRET,
        "LTI_TOOL_LOG_LEVEL": "WARNING",
        # The benchmarks' platforms are servers on this machine: allowed explicitly.
        "LTI_TOOL_OUTBOUND_ALLOWLIST": "127.0.0.0/8",
        **(extra_env or {}),
    }
    flask = [sys.executable, "-m", "flask", "--app", "lti_tool"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=root)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "lti_tool:create_app()",
        ],
        env=env,
        cwd=root,
    )
    env["BENCH_SERVER_PID"] = str(server.pid)  # for worker_memory()
    try:
        for _ in range(100):
            try:
                requests.get(base_url + "/lti/jwks", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        yield base_url, env
    finally:
        server.terminate()
        server.wait(timeout=10)


def server_ms(response: requests.Response) -> float:
    """The app's own time for a response, from its Server-Timing header."""
    header = response.headers.get("Server-Timing", "app;dur=nan")
    return float(header.split("dur=")[1])


def worker_memory(master_pid: int) -> list[tuple[int, float, float]]:
    """(pid, RSS MiB, PSS MiB) of each child of a gunicorn master, from /proc (Linux).
    PSS shares the pages the workers have in common between them: what a worker really adds."""
    found = []
    for child in _children(master_pid):
        fields = {}
        try:
            for line in Path(f"/proc/{child}/smaps_rollup").read_text().splitlines()[1:]:
                name, _, rest = line.partition(":")
                fields[name] = int(rest.split()[0]) / 1024  # kB -> MiB
        except OSError:
            continue
        found.append((int(child), fields.get("Rss", 0.0), fields.get("Pss", 0.0)))
    return found


def describe_memory(master_pid: int) -> str:
    workers = worker_memory(master_pid)
    return ", ".join(f"RSS {rss:.0f} MiB (PSS {pss:.0f})" for _, rss, pss in workers) or "n/a"


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by a gunicorn master's workers, from /proc (Linux):
    the workers alive now, and those it recycled (max_requests) and reaped, whose time the
    kernel adds to the master's cutime/cstime. On a shared machine this, per request, is the
    figure that load does not distort much: capacity is roughly cores / CPU per request."""
    alive = sum(process_cpu_seconds(pid) for pid in _children(master_pid))
    return alive + process_cpu_seconds(master_pid, children=True)


def postgres_cpu_seconds() -> float | None:
    """CPU time used so far by a PostgreSQL server on this machine: its processes alive now and,
    through the postmaster, the connections' backends it has reaped. None when no PostgreSQL
    runs here (a server on another machine is not measured)."""
    found = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() not in ("postgres", "postmaster"):
                continue
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            parent_comm = Path(f"/proc/{parent}/comm").read_text().strip()
        except (OSError, ValueError, IndexError):
            continue
        pid = int(entry.name)
        found = (found or 0.0) + process_cpu_seconds(pid)
        if parent_comm not in ("postgres", "postmaster"):  # the postmaster
            found += process_cpu_seconds(pid, children=True)
    return found


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, elapsed x cores) CPU seconds of the whole machine so far, from /proc/stat: with two
    readings, how much of the cores a run used, whoever used them."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal (guest is in user)
    return (total - idle) / ticks, total / ticks


def process_cpu_seconds(pid: int, children: bool = False) -> float:
    """A process's own CPU time, or (``children``) that of its children it has waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    first = 13 if children else 11  # cutime + cstime, or utime + stime
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")
