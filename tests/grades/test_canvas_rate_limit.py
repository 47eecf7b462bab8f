"""Canvas throttles a developer key's LTI Advantage calls with HTTP 403, a text/plain
"403 Forbidden (Rate Limit Exceeded)" and X-Rate-Limit-Remaining: 0.0
(app/middleware/request_throttle.rb, #rate_limit_exceeded), not 429: a wait, not a refusal
(docs/decisions/0038)."""

from __future__ import annotations

from typing import Any

from tests.grades.conftest import FAST, grades, record_launches, register, submit
from tests.support.waiting import wait_for

RATE_LIMITED = (
    403,
    {"Content-Type": "text/plain; charset=utf-8", "X-Rate-Limit-Remaining": "0.0"},
    "403 Forbidden (Rate Limit Exceeded)\n",
)


def test_canvas_rate_limit_403_is_retried(make_app: Any, ags_platform: Any) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    [launch] = record_launches(app, ags_platform, ["x"], claim)
    ags_platform.answers = [RATE_LIMITED, RATE_LIMITED]
    submit(app, launch, 8)
    wait_for(lambda: grades(app)[0].status != "pending", 45, "settled")
    [row] = grades(app)
    assert row.status == "delivered" and row.attempts >= 2, row.last_error
    assert sum(ags_platform.score_counts().values()) == 1


def test_another_403_is_still_a_refusal(make_app: Any, ags_platform: Any) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    [launch] = record_launches(app, ags_platform, ["y"], claim)
    ags_platform.answers = [(403, {}, '{"errors": {"type": "forbidden", "message": "no"}}')] * 3
    submit(app, launch, 8)
    wait_for(lambda: grades(app)[0].status != "pending", 45, "settled")
    assert grades(app)[0].status == "failed"
