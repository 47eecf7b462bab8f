"""`make run PORT=...` as a newcomer sees it: a few lines, where to click printed last once the
server listens, the demo LMS on the chosen port, a favicon, titles that say the page's name."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
LAST_LINE = "Stop with Ctrl+C."

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_make_run_prints_the_banner_last_and_serves_on_the_chosen_port(tmp_path: Path) -> None:
    port = _free_port()
    venv = Path(sys.prefix)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LTI_TOOL_")}
    env.update(LTI_TOOL_DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}", PYTHONUNBUFFERED="1")
    # -o: the test's own virtualenv counts as installed (`make run` would pip-install otherwise).
    command = ["make", "run", f"PORT={port}", f"VENV={venv}", "-o", f"{venv}/.installed"]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: stopped below with everything it started
    )
    lines: list[str] = []
    banner_seen = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if LAST_LINE in line:
                banner_seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while not banner_seen.wait(0.2):
            assert proc.poll() is None, "make run stopped:\n" + "\n".join(lines)
            assert time.monotonic() < deadline, "no banner:\n" + "\n".join(lines)
        at_banner = list(lines)
        demo = requests.get(f"http://localhost:{port}/demo/", timeout=10)
        icon = requests.get(f"http://127.0.0.1:{port}/favicon.ico", timeout=10)
        tool = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(timeout=5)

    shown = "\n".join(at_banner)
    # Where to click, last, with the chosen port.
    banner = [line for line in at_banner if line.strip()][-4:]
    assert f"http://localhost:{port}/demo/" in banner[0], shown
    assert f"http://127.0.0.1:{port}/" in banner[1], shown
    assert f"http://127.0.0.1:{port}/admin/" in banner[2], shown
    assert banner[3].strip().endswith(LAST_LINE), shown
    # Quiet: no migration per line, no packaging warnings, no development-server shouting.
    assert len([line for line in at_banner if line.strip()]) <= 8, shown
    for noise in ("alembic", "Running upgrade", "setuptools", "Warning", "WARNING"):
        assert noise not in shown, shown
    assert "Database: upgraded from empty to migration" in shown
    # Requests are not logged line by line after the banner.
    assert not [line for line in lines if "GET /" in line], "\n".join(lines)

    assert demo.status_code == 200
    assert "<title>Choose a person · Demo LMS</title>" in demo.text
    assert "5000" not in demo.text  # nothing on the page points at the default port
    assert 'rel="icon"' in demo.text
    assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
    assert tool.status_code == 200 and "<title>About · P3 Workshop</title>" in tool.text
