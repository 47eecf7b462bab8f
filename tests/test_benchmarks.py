"""The benchmarks are scripts, not tests, but `make bench` must not rot while the code they
measure moves: launch_profile.py times the launch's steps by name, and a renamed step made it
stop with an AttributeError (found 2 December)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

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
