"""Faults of the demo LMS (429, 401, 422, malformed, down), the instructor's gradebook page with
the course roster (NRPS) and "send again", the learner's status, the CSV export."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin

import requests
from flask import Flask

from tests.grades.conftest import grades, launch_id_of, record_launches, register, settle, submit
from tests.support.forms import forms
from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms
from tests.support.waiting import points_read


def _faults(app: Flask, *faults: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(app.config["DEMO_URL"] + "/demo/faults", json={"faults": list(faults)}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _state(app: Flask) -> dict[str, Any]:
    return requests.get(app.config["DEMO_URL"] + "/demo/faults", timeout=5).json()


def test_rate_limit_honours_retry_after_then_delivers(fast_app: Flask) -> None:
    lms = DemoLms(fast_app.config["BASE_URL"], fast_app.config["DEMO_URL"])
    activity = lms.place_assessment(10)  # a graded activity: its column is 10 points
    _, page = lms.launch(LEARNERS[0], activity)
    points_read(fast_app)  # read after the page: before the faults below
    _faults(fast_app, {"kind": "rate_limit", "times": 2, "retry_after": 0.2, "target": "ags"})
    submit(fast_app, launch_id_of(fast_app, page), 6)
    settle(fast_app)
    [grade] = grades(fast_app)
    assert grade.status == "delivered" and grade.attempts == 3
    assert _state(fast_app)["injected"] == ["rate_limit:ags", "rate_limit:ags"]


def test_expired_token_is_refreshed_once(fast_app: Flask) -> None:
    lms = DemoLms(fast_app.config["BASE_URL"], fast_app.config["DEMO_URL"])
    activity = lms.place_assessment(10)  # a graded activity: its column is 10 points
    _, page = lms.launch(LEARNERS[0], activity)
    points_read(fast_app)  # read after the page: before the faults below
    launch = launch_id_of(fast_app, page)
    submit(fast_app, launch, 6)
    settle(fast_app)
    _faults(fast_app, {"kind": "expired_token", "target": "ags"})
    submit(fast_app, launch, 8, source_ref="attempt:2")
    settle(fast_app)
    [grade] = grades(fast_app)
    assert (grade.status, grade.attempts, grade.delivered_version) == ("delivered", 1, 2)
    assert _state(fast_app)["token_requests"] == 2


def test_malformed_token_answer_and_server_error_are_retried(fast_app: Flask) -> None:
    lms = DemoLms(fast_app.config["BASE_URL"], fast_app.config["DEMO_URL"])
    activity = lms.place_assessment(10)  # a graded activity: its column is 10 points
    _faults(
        fast_app,
        {"kind": "malformed", "target": "token"},
        {"kind": "server_error", "target": "ags"},
        {"kind": "down", "target": "ags"},
    )
    # The launch reads the activity's points (after its page): the LMS's malformed token answer
    # does not stop it; that reading meets the faults first.
    _, page = lms.launch(LEARNERS[1], activity)
    points_read(fast_app)
    assert page.status_code == 200 and "Graded out of 10 points" in page.text
    submit(fast_app, launch_id_of(fast_app, page), 2)
    settle(fast_app)
    [grade] = grades(fast_app)
    assert grade.status == "delivered" and grade.attempts >= 3
    assert _state(fast_app)["injected"] == ["malformed:token", "server_error:ags", "down:ags"]


def test_rejected_grade_shows_on_instructor_page_and_send_again_works(fast_app: Flask) -> None:
    lms = DemoLms(fast_app.config["BASE_URL"], fast_app.config["DEMO_URL"])
    activity = lms.place_assessment(10)  # a graded activity: its column is 10 points
    _, page = lms.launch(LEARNERS[0], activity)
    points_read(fast_app)  # read after the page: before the faults below
    learner_token = lms.token_of(page)
    _faults(fast_app, {"kind": "reject", "times": -1, "target": "ags", "message": "Grade item is locked"})
    submit(fast_app, launch_id_of(fast_app, page), 9)
    settle(fast_app)
    [grade] = grades(fast_app)
    assert (grade.status, grade.last_status) == ("failed", 422)

    base = fast_app.config["BASE_URL"]
    mine = requests.get(base + "/app/grades/mine", params={"lt": learner_token}, timeout=5)
    assert 'data-status="failed"' in mine.text
    browser, teacher = lms.launch(INSTRUCTOR, activity)
    book = browser.get(base + "/app/grades/", params={"lt": lms.token_of(teacher)}, timeout=10)
    assert book.status_code == 200
    # The LMS's status (and its error code) are shown; its own words only go to the log: no
    # remote body is ever echoed into a page (issue 10).
    assert "HTTP 422" in book.text and "Grade item is locked" not in book.text
    # The roster (NRPS, two pages of two) lists the learners who have not started too.
    for name in ("Ben Tremblay", "Chloe Singh", "Dev Lavoie"):
        assert name in book.text
    assert "Ada Okafor" not in book.text  # the instructor is not a learner
    [refresh] = [url for url in re.findall(r'href="([^"]+)"', book.text) if "refresh=roster" in url]
    refreshed = browser.get(urljoin(book.url, html.unescape(refresh)), timeout=10)
    assert refreshed.status_code == 200 and "Chloe Singh" in refreshed.text

    requests.post(fast_app.config["DEMO_URL"] + "/demo/faults", json={"clear": True}, timeout=5)
    [form] = [f for f in forms(book.text, book.url) if f.action.endswith("/resend")]
    again = browser.post(form.action, data=form.fields, timeout=10)
    assert again.status_code == 200 and "sent again" in again.text
    settle(fast_app)
    [grade] = grades(fast_app)
    assert grade.status == "delivered"
    mine = requests.get(base + "/app/grades/mine", params={"lt": learner_token}, timeout=5)
    assert 'data-status="delivered"' in mine.text and "9 / 10" in mine.text


def test_grade_pages_refuse_bad_requests(fast_app: Flask) -> None:
    lms = DemoLms(fast_app.config["BASE_URL"], fast_app.config["DEMO_URL"])
    base = fast_app.config["BASE_URL"]
    _, page = lms.launch(LEARNERS[0])
    learner = lms.token_of(page)
    assert requests.get(base + "/app/grades/", params={"lt": learner}, timeout=5).status_code == 403
    assert requests.get(base + "/app/grades/mine", timeout=5).status_code == 401
    browser, teacher = lms.launch(INSTRUCTOR)
    token = lms.token_of(teacher)
    book = browser.get(base + "/app/grades/", params={"lt": token}, timeout=10)
    assert "No grade yet" in book.text
    csrf = (
        book.text.split('name="csrf_token" value="')[1].split('"')[0]
        if 'name="csrf_token"' in book.text
        else ""
    )
    for data in (
        {"lt": token},
        {"lt": token, "csrf_token": "x", "grade_id": "1"},
        {"lt": token, "csrf_token": csrf, "grade_id": "abc"},
        {"lt": token, "csrf_token": csrf, "grade_id": "999"},
    ):
        answer = browser.post(base + "/app/grades/resend", data=data, timeout=5)
        assert answer.status_code == 400, (data, answer.status_code)
    demo = fast_app.config["DEMO_URL"] + "/demo"
    assert requests.post(demo + "/faults", json={"faults": [{"kind": "boom"}]}, timeout=5).status_code == 400
    assert (
        requests.post(
            demo + "/faults", data="[", headers={"Content-Type": "application/json"}, timeout=5
        ).status_code
        == 400
    )
    assert (
        requests.post(
            demo + "/token",
            data={"grant_type": "client_credentials", "client_assertion_type": "x"},
            timeout=5,
        ).status_code
        == 400
    )
    assert (
        requests.post(
            demo + "/token",
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": "not.a.jwt",
                "scope": "x",
            },
            timeout=5,
        ).status_code
        == 400
    )
    assert (
        requests.post(demo + "/ags/lineitems/1/lineitem/scores?type_id=1", data="{}", timeout=5).status_code
        == 401
    )
    assert requests.get(demo + "/gradebook", params={"as": "nobody"}, timeout=5).status_code == 404


def test_platform_without_ags_keeps_grades_for_csv_export(make_app: Any, ags_platform: Any) -> None:
    app = make_app()
    register(app, ags_platform)
    [learner] = record_launches(app, ags_platform, ["csv-1"], None)
    [teacher] = record_launches(app, ags_platform, ["t-1"], None, role="Instructor")
    submit(app, learner, 7, comment='=HYPERLINK("x")')
    settle(app)
    [grade] = grades(app)
    assert (grade.plugin, grade.status) == ("gradebook_export", "delivered")
    assert ags_platform.score_counts() == {}
    with app.test_request_context():
        from lti_tool.extensions import db
        from lti_tool.lti.session import issue_token
        from lti_tool.models import Launch

        token = issue_token(db.session.get(Launch, teacher))
    base = app.config["BASE_URL"]
    book = requests.get(base + "/app/grades/", params={"lt": token}, timeout=5)
    assert "Kept for the CSV export" in book.text and "did not offer its course roster" in book.text
    csv = requests.get(base + "/app/grades/export/gradebook_export", params={"lt": token}, timeout=5)
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert "csv-1,Learner csv-1,,7.0,10.0,70.0," in csv.text
    assert "'=HYPERLINK" in csv.text  # a formula is kept as text


def test_roster_is_reused_for_a_while_and_refreshed_on_request(make_app: Any, ags_platform: Any) -> None:
    from lti_tool.extensions import db
    from lti_tool.models import Launch
    from lti_tool.services import grades as grade_service

    app = make_app(ROSTER_CACHE_SECONDS=300)
    register(app, ags_platform)
    [teacher] = record_launches(
        app,
        ags_platform,
        ["t"],
        ags_platform.ags_claim(None),
        nrps_url=ags_platform.url + "/memberships",
        role="Instructor",
    )
    with app.test_request_context():
        launch = db.session.get(Launch, teacher)
        first, problem = grade_service.gradebook(launch)
        assert problem == "" and [r.user_id for r in first] == ["u0", "u1", "u2"]
        ags_platform.members.append(
            {"user_id": "u3", "name": "Late Joiner", "roles": ["Learner"], "status": "Active"}
        )
        again, _ = grade_service.gradebook(launch)  # e.g. back after "send again"
        assert len(again) == 3 and ags_platform.roster_requests == 1
        fresh, _ = grade_service.gradebook(launch, refresh_roster=True)
        assert [r.name for r in fresh][-1] == "Late Joiner" and ags_platform.roster_requests == 2
