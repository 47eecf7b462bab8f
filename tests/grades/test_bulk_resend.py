"""Sending again every refused grade at once: the teacher's "Send again all N refused grades" on
the gradebook page (this activity's grades only, safe to double-click) and the administrator's
`flask grades resend --failed`, after the LMS refused grades for good (here: its token endpoint
answered invalid_client, as when it cannot fetch the tool's keys) and was then fixed. Over real
HTTP against the independent AGS platform (tests/support/ags_platform.py)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Flask

from tests.grades.conftest import FAST, grades, record_launches, register, settle, submit
from tests.support.admin_password import cheap_hash
from tests.support.forms import forms
from tests.support.waiting import wait_for

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
OTHER_COURSE = {
    LTI + "resource_link": {"id": "rl-2", "title": "Another activity"},
    LTI + "context": {"id": "ctx-2", "title": "Another course"},
}


def _misconfigured(app: Flask, platform: Any) -> None:
    """The LMS looks for the tool's keys at a wrong address: every token request is refused
    (400 invalid_client), a refusal the tool does not retry."""
    platform.tool_jwks_url = app.config["BASE_URL"] + "/lti/no-such-jwks"


def _fixed(app: Flask, platform: Any) -> None:
    platform.tool_jwks_url = app.config["BASE_URL"] + "/lti/jwks"
    time.sleep(1.1)  # the tool remembers a refused token request for a second (decision 0008)


def _all_failed(app: Flask, count: int) -> None:
    wait_for(lambda: [r.status for r in grades(app)] == ["failed"] * count, 30, f"{count} grades refused")
    settle(app)


def _token_of(app: Flask, launch_id: str) -> str:
    from lti_tool.extensions import db
    from lti_tool.lti.session import issue_token
    from lti_tool.models import Launch

    with app.test_request_context():
        token = issue_token(db.session.get(Launch, launch_id))
        db.session.remove()
    return token


def _status_of(app: Flask) -> dict[str, str]:
    from lti_tool.extensions import db
    from lti_tool.models import Grade

    with app.app_context():
        found = {g.user.sub: g.status for g in db.session.scalars(db.select(Grade))}
        db.session.remove()
    return found


@pytest.mark.both_dbs
def test_send_again_all_refused_grades_delivers_each_once_and_only_this_activitys(
    make_app: Any, ags_platform: Any
) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    _misconfigured(app, ags_platform)
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    a1, a2 = record_launches(app, ags_platform, ["a1", "a2"], claim)
    [teacher] = record_launches(app, ags_platform, ["t1"], claim, role="Instructor")
    other = ags_platform.ags_claim(ags_platform.add_line_item("rl-2"))
    [b1] = record_launches(app, ags_platform, ["b1"], other, more=OTHER_COURSE)
    for launch, score in ((a1, 5), (a2, 6), (b1, 7)):
        submit(app, launch, score)
    _all_failed(app, 3)
    assert ags_platform.scores == []
    _fixed(app, ags_platform)

    browser = requests.Session()
    book = browser.get(
        app.config["BASE_URL"] + "/app/grades/", params={"lt": _token_of(app, teacher)}, timeout=10
    )
    assert "Send again all 2 refused grades" in book.text  # this activity's two, not the other's
    [form] = [f for f in forms(book.text, book.url) if f.action.endswith("/resend-failed")]
    # A double click: both posts at once, then one more once the grades are delivered.
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: browser.post(form.action, data=form.fields, timeout=10), range(2)))
    assert [a.status_code for a in answers] == [200, 200]
    said = sorted(a.text for a in answers)
    assert sum("2 refused grades will be sent again now." in t for t in said) == 1
    assert sum("No refused grade was left to send again" in t for t in said) == 1
    assert all('role="status" id="queued" tabindex="-1"' in t for t in said)
    assert all('document.getElementById("queued").focus()' in t for t in said)
    wait_for(
        lambda: _status_of(app) == {"a1": "delivered", "a2": "delivered", "b1": "failed"}, 30, "delivered"
    )
    again = browser.post(form.action, data=form.fields, timeout=10)
    assert again.status_code == 200 and "No refused grade was left to send again" in again.text
    settle(app)
    assert ags_platform.score_counts() == {("a1", 5.0): 1, ("a2", 6.0): 1}  # once each, b1 never
    assert _status_of(app)["b1"] == "failed"  # another course's refused grade: untouched
    assert "refused grades" not in browser.get(book.url, timeout=10).text  # nothing left: no button


def test_a_learner_cannot_send_the_refused_grades_again(make_app: Any, ags_platform: Any) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    _misconfigured(app, ags_platform)
    [learner] = record_launches(
        app, ags_platform, ["c1"], ags_platform.ags_claim(ags_platform.add_line_item())
    )
    submit(app, learner, 5)
    _all_failed(app, 1)
    _fixed(app, ags_platform)
    token = _token_of(app, learner)
    own_page = requests.get(  # the learner's own page gives them a valid form token
        app.config["BASE_URL"] + "/app/",
        params={"lt": token},
        headers={"Sec-Fetch-Site": "same-origin"},
        timeout=10,
    )
    csrf = own_page.text.split('<meta name="csrf-token" content="')[1].split('"')[0]
    refused = requests.post(
        app.config["BASE_URL"] + "/app/grades/resend-failed",
        data={"lt": token, "csrf_token": csrf},
        timeout=10,
    )
    assert refused.status_code == 403
    settle(app)
    assert _status_of(app) == {"c1": "failed"} and ags_platform.scores == []


@pytest.mark.both_dbs
def test_the_administrator_sends_again_one_platforms_refused_grades(make_app: Any, ags_platform: Any) -> None:
    from tests.support.ags_platform import AgsPlatform

    app = make_app(**FAST)
    second = AgsPlatform()
    try:
        for platform, sub in ((ags_platform, "m1"), (second, "n1")):
            register(app, platform)
            _misconfigured(app, platform)
            [launch] = record_launches(app, platform, [sub], platform.ags_claim(platform.add_line_item()))
            submit(app, launch, 4)
        _all_failed(app, 2)
        _fixed(app, ags_platform)
        with app.app_context():
            from lti_tool.services import platforms as platform_service

            first_id = platform_service.get_platform(ags_platform.issuer, ags_platform.client_id).id
        runner = app.test_cli_runner()

        done = runner.invoke(args=["grades", "resend", "--failed", "--platform", str(first_id)])
        assert done.exit_code == 0, done.output
        assert f"#{first_id} " in done.output and ": 1 grade will be sent again" in done.output
        assert "1 grade queued in all" in done.output
        assert _status_of(app) == {"m1": "pending", "n1": "failed"}  # the other platform's: untouched
        again = runner.invoke(args=["grades", "resend", "--failed", "--platform", str(first_id)])
        assert again.exit_code == 0 and "No refused grades to send again." in again.output
        worked = runner.invoke(args=["grades", "work", "--once"])
        assert worked.exit_code == 0, worked.output
        assert _status_of(app) == {"m1": "delivered", "n1": "failed"}
        assert ags_platform.score_counts() == {("m1", 4.0): 1} and second.scores == []

        assert runner.invoke(args=["grades", "resend", "--failed", "--since", "1"]).output.startswith("#")
        assert _status_of(app)["n1"] == "pending"  # refused today: within the last day
        wrong = runner.invoke(args=["grades", "resend", "--failed", "--platform", "999"])
        assert wrong.exit_code == 2 and "no platform '999'" in wrong.output
        bare = runner.invoke(args=["grades", "resend"])
        assert bare.exit_code == 2 and "--failed" in bare.output
    finally:
        second.stop()


def test_since_leaves_older_refusals_alone(app: Flask, ags_platform: Any) -> None:
    from datetime import timedelta

    from lti_tool.extensions import db
    from lti_tool.models import Grade
    from lti_tool.models.base import utcnow

    app.config["GRADES_DELIVER_IN_PROCESS"] = False
    register(app, ags_platform)
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    old, new = record_launches(app, ags_platform, ["o1", "o2"], claim)
    submit(app, old, 3)
    submit(app, new, 4)
    with app.app_context():
        for grade in db.session.scalars(db.select(Grade)):
            grade.status = "failed"
            grade.updated_at = utcnow() - timedelta(days=10 if grade.user.sub == "o1" else 1)
        db.session.commit()
        db.session.remove()
    done = app.test_cli_runner().invoke(args=["grades", "resend", "--failed", "--since", "3"])
    assert done.exit_code == 0 and ": 1 grade will be sent again" in done.output, done.output
    assert _status_of(app) == {"o1": "failed", "o2": "pending"}


def test_the_administrator_sends_again_a_platforms_refused_grades_from_the_dashboard(
    make_app: Any, ags_platform: Any
) -> None:
    from tests.test_admin import PASSWORD, Admin

    app = make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD), **FAST)
    register(app, ags_platform)
    _misconfigured(app, ags_platform)
    [launch] = record_launches(
        app, ags_platform, ["d1"], ags_platform.ags_claim(ags_platform.add_line_item())
    )
    submit(app, launch, 8)
    _all_failed(app, 1)
    _fixed(app, ags_platform)
    admin = Admin(app)
    assert admin.login().status_code == 200
    dashboard = admin.get("/admin/")
    [form] = [f for f in forms(dashboard.text, dashboard.url) if f.action.endswith("/grades/resend-failed")]
    assert "the 1 refused grade of platform #1" in dashboard.text
    first = admin.browser.post(form.action, data=form.fields, timeout=10)
    second = admin.browser.post(form.action, data=form.fields, timeout=10)
    assert "Platform #1: 1 refused grade will be sent again now." in first.text
    assert "Platform #1: no refused grade was left to send again." in second.text
    wait_for(lambda: _status_of(app) == {"d1": "delivered"}, 30, "delivered")
    settle(app)
    assert ags_platform.score_counts() == {("d1", 8.0): 1}
    assert "/grades/resend-failed" not in admin.get("/admin/").text  # nothing left: no button
