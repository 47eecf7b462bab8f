"""Waiting for something another thread or process does (a delivery, work after a response)."""

from __future__ import annotations

import time
from typing import Any


def wait_for(predicate: Any, timeout: float = 45, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")
