"""The app's clock: wall-clock time, which tests can replace to move time on without waiting.

``now()`` is ``time.time()`` unless the current app has a clock in
``app.extensions["lti_tool.clock"]`` (a callable returning seconds since the epoch), which the
test fixture ``clock`` installs (tests/README.md). Timestamps written to the database
(``models.base.utcnow``) and launch-token ages read it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, has_app_context
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

EXTENSION_KEY = "lti_tool.clock"


def now() -> float:
    if has_app_context():
        clock: Callable[[], float] | None = current_app.extensions.get(EXTENSION_KEY)
        if clock is not None:
            return clock()
    return time.time()


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL."""
    return datetime.fromtimestamp(now(), UTC).replace(tzinfo=None)


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(now())


class TimedSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer whose ages follow the app's clock."""

    default_signer = _ClockSigner
