"""A learner's launch never waits for the LMS to read the activity's points: the page is sent
first, the line item read after it (decision 0028). A class arriving at once used to wait
seconds: each launch asked the LMS's token endpoint, which asked this tool for its key set while
the tool's threads were all waiting on the LMS (found by `make load`, issue 16)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lti_tool.extensions import db
from lti_tool.models import ActivityScale
from lti_tool.services.grades import scale as grade_scale
from tests.grades.conftest import FAST, register
from tests.support.waiting import wait_for

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"


def points_known(app: Flask) -> list[tuple[float | None, str]]:
    with app.app_context():
        rows = [(row.points, row.source) for row in db.session.scalars(db.select(ActivityScale))]
        db.session.remove()
    return rows


def launch(app: Any, platform: Any, line_item: str, sub: str, role: str = "Learner") -> Any:
    client, token, state = platform.logged_in(
        app,
        app.config["BASE_URL"] + "/lti/launch",
        sub=sub,
        **{
            CUSTOM: {"p3_item": "partnership-assessment", "p3_points": "50"},
            AGS: platform.ags_claim(line_item),
            LINK: {"id": "rl-1", "title": "Partnership assignment"},
            "https://purl.imsglobal.org/spec/lti/claim/roles": [
                f"http://purl.imsglobal.org/vocab/lis/v2/membership#{role}"
            ],
        },
    )
    return client.post("/lti/launch", data={"id_token": token, "state": state})


def test_a_learners_page_is_sent_before_the_lms_is_asked_for_the_points(
    make_app: Any, ags_platform: Any
) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    line_item = ags_platform.add_line_item("rl-1", maximum=30)
    ags_platform.line_item_gate.clear()  # the LMS holds every line item read

    page = launch(app, ags_platform, line_item, "learner-1")
    assert page.status_code == 200
    assert 'data-points="50"' in page.text  # the placement's points: nothing read yet
    assert ags_platform.line_item_reads == 0  # the page was made without asking the LMS
    # What the WSGI server does once the page is sent: it hands the reading over and returns at
    # once (the LMS still holds it), so the server's thread can serve the connection's next
    # request. A reading in that thread would have given up at the tool's deadline here.
    page.close()
    wait_for(lambda: ags_platform.line_item_reads == 1, 10, "the LMS asked")
    ags_platform.line_item_gate.set()
    wait_for(lambda: points_known(app) == [(30.0, "lms")], 10, "the LMS's points recorded")
    assert grade_scale.drain(10) and ags_platform.line_item_reads == 1
    # Read now: the next learner's launch within GRADES_SCALE_REFRESH_SECONDS asks nothing.
    second = launch(app, ags_platform, line_item, "learner-2")
    assert 'data-points="30"' in second.text
    second.close()
    assert grade_scale.drain(10) and ags_platform.line_item_reads == 1


def test_an_instructors_launch_reads_the_points_before_its_page(make_app: Any, ags_platform: Any) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    line_item = ags_platform.add_line_item("rl-1", maximum=30)
    page = launch(app, ags_platform, line_item, "teacher-1", role="Instructor")
    assert page.status_code == 200
    assert ags_platform.line_item_reads == 1 and 'data-points="30"' in page.text
    page.close()


def test_one_reading_at_a_time_the_other_learners_do_not_wait(make_app: Any, ags_platform: Any) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    line_item = ags_platform.add_line_item("rl-1", maximum=30)
    ags_platform.line_item_gate.clear()
    first = launch(app, ags_platform, line_item, "learner-1")
    second = launch(app, ags_platform, line_item, "learner-2")
    first.close()  # its reading waits on the LMS
    wait_for(lambda: ags_platform.line_item_reads == 1, 10, "the first reading")
    second.close()  # the activity's points are being read already: nothing more is started
    ags_platform.line_item_gate.set()
    assert grade_scale.drain(10)  # every reading of this process done
    assert points_known(app) == [(30.0, "lms")] and ags_platform.line_item_reads == 1
