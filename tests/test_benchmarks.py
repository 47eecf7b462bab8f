"""The benchmarks are scripts, not tests, but `make bench` must not rot while the code they
measure moves: launch_profile.py times the launch's steps by name, and a renamed step made it
stop with an AttributeError (found 2 December)."""

from __future__ import annotations

import importlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_every_step_the_launch_profile_times_exists() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        launch_profile = importlib.import_module("launch_profile")
    finally:
        sys.path.remove(str(BENCHMARKS))
    missing = []
    for where, names in launch_profile.STEPS.items():
        module_name, _, attr = where.partition(":")
        owner = importlib.import_module(module_name)
        owner = getattr(owner, attr) if attr else owner
        missing += [f"{where}.{name}" for name in names if not callable(getattr(owner, name, None))]
    assert not missing, f"benchmarks/launch_profile.py times steps that no longer exist: {missing}"


def test_the_lean_launch_yardstick_checks_what_a_launch_must(tmp_path: Path, monkeypatch: Any) -> None:
    """compare_launch.py --lean compares this tool with benchmarks/plain_pylti1p3/lean.py, said to
    do the least a launch must (decision 0029, addendum): it must refuse a token another key
    signed and a state used once, and record the launch, or its figure would flatter it."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from tests.support.independent_platform import IndependentPlatform

    platform = IndependentPlatform()
    try:
        reg = platform.registration()
        config = {reg["issuer"]: [{"client_id": reg["client_id"], "key_set_url": reg["key_set_url"]}]}
        (tmp_path / "tool.json").write_text(json.dumps(config))
        monkeypatch.setenv("PLAIN_TOOL_CONFIG", str(tmp_path / "tool.json"))
        monkeypatch.setenv("LEAN_DATABASE", str(tmp_path / "lean.db"))
        monkeypatch.syspath_prepend(str(BENCHMARKS / "plain_pylti1p3"))
        lean = importlib.import_module("lean")
        monkeypatch.setattr(lean, "_PER_PROCESS", {})
        client = importlib.import_module("app").app.test_client()
        url = "http://tool.example/lean/"
        token = platform.sign(platform.claims("n-1", url))

        forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = platform.sign(platform.claims("n-2", url), key=forged_key)
        assert client.post("/lean/", data={"id_token": forged, "state": "s-0"}).status_code == 401

        first = client.post("/lean/", data={"id_token": token, "state": "s-1"})
        assert first.status_code == 200 and b"Indy Pendent" in first.data
        assert client.post("/lean/", data={"id_token": token, "state": "s-1"}).status_code == 403
        with sqlite3.connect(tmp_path / "lean.db") as db:
            assert db.execute("SELECT count(*) FROM launch").fetchone()[0] == 1
    finally:
        platform.stop()
