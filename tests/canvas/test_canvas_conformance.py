"""What real Canvas does that the tool met only on paper (docs/decisions/0038), each checked
against the Canvas test platform or the AGS test platform:

- Dynamic Registration: Canvas's OpenID configuration names ``authorization_server`` as the bare
  SSO host (security_controller.rb, ``Lti::Oidc.auth_domain``), but its token endpoint accepts
  only its own token URL as the assertion's ``aud`` (ClientCredentialsProvider, JwtValidator).
- Scores: each one submits the assignment (``new_submission`` defaults to true) at the
  extension's ``submitted_at``, else when Canvas receives it (scores_controller.rb,
  #submit_homework): a score the outbox delivers late would make the work late.
(Canvas's 403 "Rate Limit Exceeded": tests/grades/test_canvas_rate_limit.py.)
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from tests.canvas.conftest import Canvas
from tests.grades.conftest import FAST, grades, settle
from tests.support.lms import ASSESSMENT


def test_grades_reach_canvas_after_dynamic_registration(make_app: Any) -> None:
    canvas = Canvas(make_app(**FAST), dynamic=True)
    try:
        canvas.install()
        [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})
        from tests.canvas.test_canvas_grades import taker

        learner = taker(canvas, canvas.lms.person("Learner", 0), assessment)
        learner.answer_all()
        assert learner.post("/app/assessment/submit", allow_redirects=False).status_code == 303
        settle(canvas.app)
        assert [r.status for r in grades(canvas.app)] == ["delivered"], grades(canvas.app)[0].last_error
        [(item, score)] = canvas.lms.scores
        assert (item, score["scoreGiven"], score["scoreMaximum"]) == (assessment.line_item, 50, 50)
        assert not [r for r in canvas.lms.refused if "oauth2/token" in r[0]]
    finally:
        canvas.lms.stop()


def test_the_submission_is_dated_when_the_learner_submitted(canvas: Canvas) -> None:
    [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})
    from tests.canvas.test_canvas_grades import taker

    learner = taker(canvas, canvas.lms.person("Learner", 0), assessment)
    learner.answer_all()
    assert learner.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    settle(canvas.app)
    [grade] = grades(canvas.app)
    [(item, score)] = canvas.lms.scores
    submitted = canvas.lms.results[(item, score["userId"])]["submitted_at"]
    finished = grade.graded_at.replace(tzinfo=UTC)
    assert submitted == finished.replace(microsecond=finished.microsecond // 1000 * 1000)  # ms, as sent
