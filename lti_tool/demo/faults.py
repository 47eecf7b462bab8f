"""Faults the demo LMS's services can inject, so people and tests can watch grades survive.

A fault applies to the next ``times`` requests of a target (``token``, ``ags``, ``nrps`` or
``any``); ``times`` -1 keeps it until cleared. Kinds:

- ``down``: no answer, the connection is closed (or 503 where the server cannot do that);
- ``server_error``: 503 (``status`` to choose another 5xx);
- ``rate_limit``: 429 with ``Retry-After: retry_after`` seconds;
- ``expired_token``: 401; every token issued so far stops working (a new one works);
- ``reject``: 422 with ``message`` (a permanent refusal);
- ``slow``: answers after ``delay`` seconds;
- ``malformed``: 200 with a body that is not JSON.

Set from the DEMO_FAULTS setting ("rate_limit:2,server_error:1", each kind[:times[:target]])
or over HTTP (POST /demo/faults with JSON ``{"faults": [{"kind": ..., "times": ...}]}`` or
``{"clear": true}``).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("down", "server_error", "rate_limit", "expired_token", "reject", "slow", "malformed")
TARGETS = ("any", "token", "ags", "nrps")


class FaultSpecError(ValueError):
    pass


@dataclass
class Fault:
    kind: str
    times: int = 1
    target: str = "any"
    status: int = 503
    retry_after: float = 1.0
    delay: float = 1.0
    message: str = "The grade was refused by the demo LMS (injected fault)."

    @classmethod
    def from_dict(cls, raw: Any) -> Fault:
        if not isinstance(raw, dict):
            raise FaultSpecError("each fault must be an object")
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise FaultSpecError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        try:
            fault = cls(
                kind=str(raw.get("kind", "")),
                times=int(raw.get("times", 1)),
                target=str(raw.get("target", "any")),
                status=int(raw.get("status", 503)),
                retry_after=float(raw.get("retry_after", 1.0)),
                delay=float(raw.get("delay", 1.0)),
                message=str(raw.get("message", cls.message))[:500],
            )
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"bad fault value: {exc}") from exc
        if fault.kind not in KINDS:
            raise FaultSpecError(f"kind must be one of {', '.join(KINDS)}")
        if fault.target not in TARGETS:
            raise FaultSpecError(f"target must be one of {', '.join(TARGETS)}")
        if fault.times < -1 or fault.times == 0:
            raise FaultSpecError("times must be a positive number, or -1 for until cleared")
        if not (0 <= fault.delay <= 60 and 0 <= fault.retry_after <= 3600):
            raise FaultSpecError("delay must be 0..60 and retry_after 0..3600 seconds")
        if fault.kind == "server_error" and not 500 <= fault.status <= 599:
            raise FaultSpecError("a server_error status must be 5xx")
        return fault


def parse_spec(spec: str) -> list[Fault]:
    """ "rate_limit:2,server_error:1:ags" -> faults."""
    faults = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kind, times, target = (part.split(":") + ["1", "any"])[:3]
        try:
            faults.append(Fault.from_dict({"kind": kind, "times": int(times), "target": target}))
        except ValueError as exc:
            raise FaultSpecError(f"bad fault {part!r}: {exc}") from exc
    return faults


class FaultPlan:
    """The faults still to inject, in order; thread-safe."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults = list(faults or [])
        self.injected: list[str] = []

    def set(self, faults: list[Fault]) -> None:
        with self._lock:
            self._faults = list(faults)

    def clear(self) -> None:
        self.set([])

    def take(self, target: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.target in ("any", target):
                    if fault.times > 0:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    self.injected.append(f"{fault.kind}:{target}")
                    return fault
        return None

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]
