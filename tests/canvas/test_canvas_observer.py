"""Who Canvas grades (docs/decisions/0050-grades-the-lms-refuses.md): an observer (context role
``membership#Mentor``, no ``Learner``) is a learner to the tool's pages (decision 0030) but Canvas
refuses their score (422 "User not found in course or is not a student",
``Lti::IMS::Concerns::GradebookServices#verify_user_in_context``). Their attempt is kept and
reported, not sent, and the gradebook says so. The "Student view" test student (``Learner`` +
``TestUser``) is a student to Canvas (``user_is_student?(user, include_fake_student: true)``):
its score is sent."""

from __future__ import annotations

import re

from tests.canvas.conftest import Canvas
from tests.canvas.test_canvas_grades import taker
from tests.grades.conftest import grades, settle
from tests.support.lms import ASSESSMENT


def _row(book: str, user_id: str) -> str:
    found = re.search(rf'<tr data-user="{re.escape(user_id)}".*?</tr>', book, re.S)
    assert found, book[:2000]
    return found.group(0)


def test_an_observer_s_attempt_is_reported_but_never_sent_to_canvas(canvas: Canvas) -> None:
    [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "10"})
    observer = canvas.lms.enrol("Olive Observer", "Observer")
    watching = taker(canvas, observer, assessment)
    watching.answer_all()
    done = watching.post("/app/assessment/submit", allow_redirects=False)
    assert done.status_code == 303  # the observer takes the assessment as a learner would
    learner = taker(canvas, canvas.lms.person("Learner"), assessment)
    learner.answer_all()
    assert learner.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    settle(canvas.app)

    # Only the student's score reached Canvas; nothing was refused.
    assert [s["userId"] for _, s in canvas.lms.scores] == [canvas.lms.person("Learner").lti_id]
    assert canvas.lms.refused == []
    assert sorted(g.status for g in grades(canvas.app)) == ["delivered", "not_sent"]

    # The observer keeps their report, and is told their result stays in the tool.
    report = done.headers["Location"].replace(watching.base, "").split("?")[0]
    assert watching.get(report).status_code == 200
    mine = watching.get("/app/grades/mine")
    assert mine.status_code == 200 and 'data-status="not_sent"' in mine.text
    assert "observer" in mine.text and "has not reached the LMS" not in mine.text

    # The teacher's gradebook: the observer's grade is "not sent", not refused, no "Send again".
    book = taker(canvas, canvas.lms.person("Instructor"), assessment).get("/app/grades/").text
    row = _row(book, observer.lti_id)
    assert 'data-status="not_sent"' in row and "observer" in row
    assert "Send again" not in row and "Not accepted" not in row
    assert "refused grade" not in book
    assert 'data-status="delivered"' in _row(book, canvas.lms.person("Learner").lti_id)


def test_the_student_view_test_student_is_graded_by_canvas(canvas: Canvas) -> None:
    [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "10"})
    test_student = canvas.lms.enrol("Test Student", "TestStudent")
    trying = taker(canvas, test_student, assessment)
    trying.answer_all()
    assert trying.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    settle(canvas.app)
    assert [s["userId"] for _, s in canvas.lms.scores] == [test_student.lti_id]
    assert canvas.lms.refused == [] and [g.status for g in grades(canvas.app)] == ["delivered"]
