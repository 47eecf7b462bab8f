"""The assignment is the self-assessment (docs/decisions/0016-one-graded-activity.md): the
teacher's instructions, the assignment page in other activities, and the launch URL's GET."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lti_tool.extensions import db
from lti_tool.models import ActivityScale

ASSESSMENT = "partnership-assessment"
ASSIGNMENT_PAGE = "/app/w/p3-art-of-the-possible/assignment"
SETTINGS = {"scoring_model": "threshold_bands", "catalogues": "workshop", "grading": "completion"}
WORDS = "Due on Friday.\n\nBring your report to the discussion: we compare priorities."


def test_teacher_instructions_show_on_the_assessment_and_the_assignment_page(launch_as: Any) -> None:
    teacher = launch_as("instructor", item=ASSESSMENT, resource_link="rl-assess")
    teacher.client.get("/app/", query_string={"lt": teacher.token})  # the landing
    saved = teacher.post(
        "/app/assessment/settings", {**SETTINGS, "instructions": WORDS}, csrf_from="/app/assessment/settings"
    )
    assert saved.status_code == 303

    learner = launch_as("learner", item=ASSESSMENT, resource_link="rl-assess")
    start = learner.get("/app/assessment/").get_data(as_text=True)
    assert 'data-testid="teacher-instructions"' in start
    assert "<p>Due on Friday.</p>" in start and "we compare priorities.</p>" in start
    assert "What to do" in start and 'id="begin-form"' in start  # the assignment's steps, then begin

    # In a session activity of the same course, the assignment page names the placed activity,
    # shows the instructions, and starts nothing.
    in_session = launch_as("learner", item="p3-art-of-the-possible/session-2", resource_link="rl-s2")
    page = in_session.get(ASSIGNMENT_PAGE).get_data(as_text=True)
    assert "“Activity rl-assess”" in page and "graded out of 100 points" in page
    assert "Due on Friday." in page
    assert "/app/assessment/" not in page  # no way to start an attempt from here


def test_assignment_page_without_a_placed_assessment_tells_the_teacher_what_to_add(
    launch_as: Any,
) -> None:
    learner = launch_as("learner", item="p3-art-of-the-possible/session-1")
    page = learner.get(ASSIGNMENT_PAGE).get_data(as_text=True)
    assert (
        "if it is not there, your instructor has not added it yet" in page
        and 'data-testid="instructor-hint"' not in page
    )
    teacher = launch_as("instructor", item="p3-art-of-the-possible/session-1")
    page = teacher.get(ASSIGNMENT_PAGE).get_data(as_text=True)
    assert 'data-testid="instructor-hint"' in page and "“Assignment: Partnership Self-Assessment”" in page
    elsewhere = teacher.get("/app/assessment/").get_data(as_text=True)
    assert 'data-testid="assessment-elsewhere"' in elsewhere and "only graded item" in elsewhere


def test_old_assignment_placements_open_the_instructions_ungraded(launch_as: Any) -> None:
    """Activities placed with the assignment page before it stopped being graded still open."""
    old = launch_as("learner", item="p3-art-of-the-possible/assignment", resource_link="rl-old")
    landing = old.get("/app/", follow_redirects=True)
    assert landing.status_code == 200 and "Assignment: Partnership Self-Assessment" in landing.get_data(True)
    assert old.post("/app/assessment/begin", {"partnership": "Transit"}).status_code == 403


def test_placement_points_are_the_scale_until_the_lms_is_read(tool_app: Flask, launch_as: Any) -> None:
    learner = launch_as(
        "learner",
        resource_link="rl-50",
        extra={
            "https://purl.imsglobal.org/spec/lti/claim/custom": {"p3_item": ASSESSMENT, "p3_points": "50"}
        },
    )
    page = learner.get("/app/assessment/").get_data(as_text=True)
    assert 'data-points="50"' in page and "Graded out of 50 points." in page
    assert "full 50 points" in page
    nonsense = launch_as(
        "learner",
        resource_link="rl-bad",
        extra={
            "https://purl.imsglobal.org/spec/lti/claim/custom": {"p3_item": ASSESSMENT, "p3_points": "-3"}
        },
    )
    assert 'data-points="100"' in nonsense.get("/app/assessment/").get_data(as_text=True)
    with tool_app.app_context():
        assert {(r.points, r.source) for r in db.session.scalars(db.select(ActivityScale))} == {
            (50.0, "placement")
        }


def test_get_on_the_launch_url_is_a_one_line_page(tool_app: Flask) -> None:
    answer = tool_app.test_client().get("/lti/launch")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "This is the P3 Workshop tool's LTI launch URL" in answer.get_data(as_text=True)


def test_the_assignment_page_quotes_the_activity_s_title_the_french_way(launch_as: Any) -> None:
    for link in ("rl-assess", "rl-assess-2"):  # two placed: the page lists them
        teacher = launch_as("instructor", item=ASSESSMENT, resource_link=link)
        teacher.client.get("/app/", query_string={"lt": teacher.token})  # the landing
    in_session = launch_as(
        "learner", item="p3-art-of-the-possible/session-2", resource_link="rl-s2", locale="fr-CA"
    )
    page = in_session.get(ASSIGNMENT_PAGE).get_data(as_text=True)
    assert "«\u00a0Activity rl-assess\u00a0»" in page and "“Activity rl-assess”" not in page


def test_the_assignment_page_s_one_placement_sentence_quotes_with_no_break_spaces(launch_as: Any) -> None:
    # One placed: the whole sentence comes from the catalogue, « » with U+00A0 inside (0039).
    teacher = launch_as("instructor", item=ASSESSMENT, resource_link="rl-assess")
    teacher.client.get("/app/", query_string={"lt": teacher.token})  # the landing
    in_session = launch_as(
        "learner", item="p3-art-of-the-possible/session-2", resource_link="rl-s2", locale="fr-CA"
    )
    page = in_session.get(ASSIGNMENT_PAGE).get_data(as_text=True)
    assert "l'activité <strong>«\u00a0Activity rl-assess\u00a0»</strong> de votre cours" in page
    assert "« Activity" not in page and "rl-assess »" not in page
