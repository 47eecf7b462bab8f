"""What only a real launch from the demo LMS over HTTP shows: which item a link opens (and
keeps opening when the LMS drops its custom values), the launch page itself. The pages' own
behaviour is tested through the test client in test_pages.py."""

from __future__ import annotations

import json
import re

import requests
from flask import Flask

from lti_tool.demo.models import DemoActivity
from lti_tool.extensions import db
from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms
from tests.support.pages import page_path

W = "/app/w/p3-art-of-the-possible"


def h1(page: requests.Response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
    assert match, page.text[:500]
    return re.sub(r"\s+", " ", match.group(1)).strip().replace("&#39;", "'")


def add_activity(app: Flask, title: str, custom: dict[str, str]) -> int:
    with app.app_context():
        activity = DemoActivity(title=title, url="", custom_json=json.dumps(custom))
        db.session.add(activity)
        db.session.commit()
        return activity.id


def test_plain_link_opens_the_workshop_overview(lms: DemoLms) -> None:
    _, page = lms.launch(LEARNERS[0])
    assert page.status_code == 200
    assert page_path(page) == W + "/"
    assert h1(page) == "Private-Public Partnerships: The Art of the Possible"
    assert "Ben Tremblay" in page.text  # the name from the platform's id_token
    for number in range(1, 7):
        assert f"Session {number}:" in page.text
    assert 'aria-label="Workshop"' in page.text and 'aria-current="page"' in page.text


def test_a_link_opens_the_item_it_was_made_for_even_when_custom_is_dropped(app: Flask, lms: DemoLms) -> None:
    activity = add_activity(app, "Session 3", {"p3_item": "p3-art-of-the-possible/session-3"})
    _, page = lms.launch(LEARNERS[0], activity)
    assert page_path(page) == W + "/sessions/session-3"
    with app.app_context():
        db.session.get(DemoActivity, activity).custom_json = "{}"  # the LMS stops sending it
        db.session.commit()
    _, page = lms.launch(LEARNERS[1], activity)
    assert page_path(page) == W + "/sessions/session-3"


def test_a_link_to_an_item_that_no_longer_exists_gets_a_clear_404(app: Flask, lms: DemoLms) -> None:
    activity = add_activity(app, "Old item", {"p3_item": "p3-art-of-the-possible/session-42"})
    _, page = lms.launch(LEARNERS[0], activity)
    assert page.status_code == 404
    assert "no longer available" in page.text
    assert "p3-art-of-the-possible/session-42" in page.text


def test_an_instructor_launch_says_so(lms: DemoLms) -> None:
    _, launched = lms.launch(INSTRUCTOR)
    assert "an instructor" in launched.text
