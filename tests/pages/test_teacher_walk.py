"""What a teacher new to the tool hesitated over in the demo (the teacher's walk, 2026-12-02):
adding the graded assessment a second time without a word, a refused grade without a next step,
the old refusal still shown after "Send again", the grading choice without a group name, and an
empty "Partnership groups" section that did not say how groups come about."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti import claims as C
from lti_tool.models import Grade
from lti_tool.models.grades import FAILED
from lti_tool.services.grades import delivery
from tests.support.grades import REFUSED, recorded_grade, text_of

ASSESSMENT = "partnership-assessment"
SETTINGS = {"scoring_model": "threshold_bands", "catalogues": "workshop", "grading": "completion"}
DEEP_LINKING = {
    C.MESSAGE_TYPE: C.DEEP_LINKING_REQUEST,
    C.RESOURCE_LINK: None,
    C.DEEP_LINKING_SETTINGS: {
        "deep_link_return_url": "https://lms.test/return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe"],
        "accept_multiple": True,
    },
}


def test_the_picker_says_when_the_graded_assessment_is_already_in_the_course(launch_as: Any) -> None:
    picker = launch_as("instructor", sub="ada", extra=DEEP_LINKING)
    first = picker.get("/app/deep-linking/").get_data(as_text=True)
    assert "Already in this course" not in first  # nothing placed yet: nothing to say

    launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")  # placed, opened
    again = picker.get("/app/deep-linking/").get_data(as_text=True)
    words = text_of(again)
    assert "Already in this course: “Activity rl-assess”." in words
    assert "its own gradebook column and its own results" in words
    # Read with the graded item's checkbox, not only seen.
    described = re.search(r'value="partnership-assessment"\s+aria-describedby="([^"]+)"', again)
    assert described and described.group(1).split() == ["desc-8", "already-8"], described
    assert 'id="already-8"' in again

    other_course = launch_as("instructor", sub="ada", context="course-2", extra=DEEP_LINKING)
    assert "Already in this course" not in other_course.get("/app/deep-linking/").get_data(as_text=True)

    french = launch_as("instructor", sub="ada", extra=DEEP_LINKING, locale="fr-CA")
    page = french.get("/app/deep-linking/").get_data(as_text=True)
    assert "Déjà dans ce cours\u00a0: " in page and "«\u00a0Activity rl-assess\u00a0»" in page
    words = text_of(page)
    assert "Déjà dans ce cours : « Activity rl-assess »." in words
    assert "Already" not in words and "gradebook column" not in words


def _row(page: str, grade_id: int) -> str:
    return text_of(page.split(f'name="grade_id" value="{grade_id}"')[0].rsplit("<tr ", 1)[1])


def test_a_refused_grade_says_what_to_do_and_send_again_forgets_the_old_refusal(
    tool_app: Flask, launch_as: Any
) -> None:
    ben = launch_as("learner", sub="ben", item=ASSESSMENT, resource_link="rl-assess")
    grade_id = recorded_grade(tool_app, ben.launch_id, **REFUSED)
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")
    book = teacher.get("/app/grades/").get_data(as_text=True)
    row = _row(book, grade_id)
    assert "Not accepted by the LMS: the LMS refused the request: HTTP 422" in row
    assert "What to do: check in the LMS that this activity still has a grade column" in row

    sent = teacher.post("/app/grades/resend", {"grade_id": str(grade_id)}, csrf_from="/app/grades/")
    assert sent.status_code == 303
    again = teacher.client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "The grade will be sent again now." in text_of(again)
    assert "See whether it has reached the LMS" in text_of(again)  # a way to look again, in the frame
    # The worker takes the grade (its attempt counter moves) and has not answered yet: the row
    # says it is on its way, not the refusal that "Send again" was meant to clear.
    with tool_app.app_context():
        _lease, taken = delivery.claim_due(tool_app, 10)
        assert taken == [grade_id]
    row = _row(teacher.get("/app/grades/").get_data(as_text=True), grade_id)
    assert "Waiting to reach the LMS" in row
    assert "HTTP 422" not in row and "What to do" not in row

    with tool_app.app_context():
        grade = db.session.scalars(select(Grade).where(Grade.id == grade_id)).one()
        assert (grade.last_error, grade.last_status) == ("", None)


def test_the_grading_choice_is_a_named_group(launch_as: Any) -> None:
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")
    page = teacher.get("/app/assessment/settings").get_data(as_text=True)
    group = page.split('role="radiogroup" aria-labelledby="grading-label"')[1].split("</div>")[0]
    assert 'id="grading-label">Grade given to the LMS<' in group
    assert group.count('name="grading"') == 2  # both choices inside the named group


def test_class_view_without_groups_says_how_learners_form_them(launch_as: Any) -> None:
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")
    saved = teacher.post(
        "/app/assessment/settings",
        {**SETTINGS, "partnership_groups": "on", "group_minimum": "2"},
        csrf_from="/app/assessment/settings",
    )
    assert saved.status_code == 303
    words = text_of(teacher.get("/app/assessment/").get_data(as_text=True))
    assert "No partnership group yet. Learners form them: on the self-assessment's first page" in words
    assert "“Start or join a partnership group”" in words

    teacher.post(
        "/app/assessment/settings",
        {**SETTINGS, "partnership_groups": "off", "group_minimum": "2"},
        csrf_from="/app/assessment/settings",
    )
    words = text_of(teacher.get("/app/assessment/").get_data(as_text=True))
    assert "No partnership group yet." in words and "Learners form them" not in words


def test_the_lms_refusal_is_in_the_teacher_s_language() -> None:
    """A French gradebook said "Refusée par le SGA : the LMS refused the request: HTTP 422"."""
    from lti_tool import i18n
    from lti_tool.services.grades.gradebook import status_of

    refused = Grade(
        status=FAILED, attempts=1, last_error="the LMS refused the request: HTTP 422 (unprocessable)"
    )
    busy = Grade(
        status="pending",
        attempts=2,
        last_error="the LMS answered HTTP 503",
        next_attempt_at=datetime(2026, 12, 2, 12, 0),
    )
    odd = Grade(status=FAILED, attempts=1, last_error="the LMS answered its line item with something else")
    with i18n.use("fr"):
        assert status_of(refused)[1].endswith(": le SGA a refusé la requête\u00a0: HTTP 422 (unprocessable)")
        assert "le SGA a répondu HTTP 503" in status_of(busy)[1]
        # Words with no detail to keep are left whole, never half French.
        assert status_of(odd)[1].endswith("the LMS answered its line item with something else")
    assert (
        status_of(refused)[1]
        == "Not accepted by the LMS: the LMS refused the request: HTTP 422 (unprocessable)"
    )


def test_the_tool_s_default_grade_passback_says_what_it_is(tool_app: Flask, launch_as: Any) -> None:
    """The choices "The tool's default" and "Automatic" read as two, and were the same."""
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")
    words = text_of(teacher.get("/app/assessment/settings").get_data(as_text=True))
    assert "The tool's default (as your administrator set it; now: Automatic)" in words
    tool_app.config["GRADES_PASSBACK"] = "lti_ags"
    words = text_of(teacher.get("/app/assessment/settings").get_data(as_text=True))
    assert "The tool's default (as your administrator set it; now: LTI AGS)" in words
