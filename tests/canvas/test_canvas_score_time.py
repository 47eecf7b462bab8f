"""Canvas's 400 "before last updated timestamp" (docs/decisions/0050-grades-the-lms-refuses.md).

Canvas refuses a score whose ``timestamp`` is earlier than the one of the score it holds for the
learner, and names that one (``scores_controller.rb#verify_valid_timestamp``); what it holds is the
timestamp the tool sent (``Lti::Result`` keeps no timestamps of its own). With scores dated when
sent, that happens when an earlier score left from a worker whose clock was ahead, or before this
host's clock went back. The tool sends the grade again, once its clock has passed the named
timestamp: the grade reaches Canvas instead of failing for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.canvas.conftest import Canvas
from tests.canvas.test_canvas_grades import taker
from tests.grades.conftest import grades, settle
from tests.support.lms import ASSESSMENT

AHEAD = 3.0  # seconds: the clock of the worker that sent the score Canvas holds


def test_a_score_dated_before_the_one_canvas_holds_is_sent_again_once_the_clock_passes_it(
    canvas: Canvas,
) -> None:
    [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "10"})
    assert assessment.line_item is not None
    learner = canvas.lms.person("Learner")
    taking = taker(canvas, learner, assessment)
    taking.answer_all()
    # Canvas holds a score of this learner that a worker whose clock is ahead sent. Set just
    # before the submission: answering took longer than AHEAD on a busy machine, and the tool's
    # clock had then passed it before its first try (nothing refused, nothing tested).
    held = datetime.now(UTC) + timedelta(seconds=AHEAD)
    with canvas.lms.lock:
        canvas.lms.results[(assessment.line_item, learner.lti_id)] = {
            "updated_at": held,
            "submitted_at": datetime.now(UTC),
            "score": 2.0,
            "comment": None,
        }
    assert taking.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    settle(canvas.app)

    # Refused first, with Canvas's words; then taken, dated no earlier than what Canvas held.
    refusals = [body for path, status, body in canvas.lms.refused if path.endswith("/scores")]
    assert refusals and all("before last updated timestamp of" in b["errors"]["message"] for b in refusals)
    [(_, score)] = canvas.lms.scores
    sent = datetime.fromisoformat(score["timestamp"].replace("Z", "+00:00"))
    assert sent >= held and score["userId"] == learner.lti_id
    assert canvas.lms.results[(assessment.line_item, learner.lti_id)]["score"] == score["scoreGiven"]
    [grade] = grades(canvas.app)
    assert grade.status == "delivered" and grade.attempts == len(refusals) + 1


def test_any_other_refusal_of_a_score_s_time_stays_a_refusal() -> None:
    """A 400 that names no held timestamp is not tried again (as before)."""
    from lti_tool.lti.ags import canvas_held_timestamp
    from lti_tool.lti.errors import ServiceError

    for detail in (
        '{"errors": {"type": "bad_request", "message": "Provided timestamp of x not a valid timestamp"}}',
        '{"errors": {"type": "bad_request", "message": "before last updated timestamp of soon"}}',
        "",
    ):
        assert canvas_held_timestamp(ServiceError("permanent", "m", 400, detail=detail)) is None
