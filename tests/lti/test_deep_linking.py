"""Deep Linking: the picker, the signed response, and the demo LMS placing the items."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import jwt
import pytest
import requests
from flask import Flask

from lti_tool.demo import service as demo_service
from lti_tool.demo.models import DemoActivity
from lti_tool.extensions import db
from lti_tool.lti import claims as C
from lti_tool.lti.deep_linking import DeepLinkingError, read_settings
from tests.support.forms import first_form
from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms
from tests.support.pages import page_path
from tests.support.waiting import wait_for

SESSION_2 = "p3-art-of-the-possible/session-2"
ASSESSMENT = "partnership-assessment"
ASSIGNMENT = "p3-art-of-the-possible/assignment"
POINTS_MESSAGE = "Enter a whole number of points from 1 to 1,000."  # written as the page writes numbers


def verify_with_published_key(base_url: str, token: str, audience: str) -> dict[str, Any]:
    """Check the response as a platform would: the tool's JWKS over HTTP, by kid."""
    kid = jwt.get_unverified_header(token)["kid"]
    keys = requests.get(base_url + "/lti/jwks", timeout=5).json()["keys"]
    jwk = next(k for k in keys if k["kid"] == kid)
    return jwt.decode(
        token,
        jwt.PyJWK(jwk, algorithm="RS256").key,
        algorithms=["RS256"],
        audience=audience,
        issuer=demo_service.CLIENT_ID,
    )


def answer_jwt(answer: requests.Response) -> tuple[str, str]:
    form = first_form(answer.text, answer.url)
    assert form.method == "post"
    assert set(form.fields) == {"JWT"}
    return form.action, form.fields["JWT"]


def test_picker_lists_the_workshop_sessions_and_one_graded_assignment(lms: DemoLms) -> None:
    _, picker = lms.picker()
    assert picker.status_code == 200
    form = first_form(picker.text, picker.url)
    assert {"lt", "csrf_token"} <= set(form.fields)
    for value in ["p3-art-of-the-possible", SESSION_2, ASSESSMENT]:
        assert f'value="{value}"' in picker.text
    # One graded item only: the assignment page is not offered as an item of its own.
    assert f'value="{ASSIGNMENT}"' not in picker.text
    assert picker.text.count('data-kind="assessment"') == 1 and "picker-item-graded" in picker.text
    assert picker.text.count(">Graded<") == 1
    assert 'type="checkbox" name="item"' in picker.text  # the demo accepts several
    assert 'name="points:partnership-assessment"' in picker.text
    assert 'name="points:p3-art-of-the-possible/session-2"' not in picker.text  # not graded
    titles = re.findall(r'<label for="pick-\d+">([^<]+)</label>', picker.text)
    assert len({t.casefold() for t in titles}) == len(titles) == 8  # distinct at a glance
    assert "Assignment: Partnership Self-Assessment" in titles


def test_signed_response_carries_the_chosen_items(app: Flask, lms: DemoLms, base_url: str) -> None:
    browser, picker = lms.picker()
    answer = lms.pick(
        browser,
        picker,
        [SESSION_2, ASSESSMENT],
        **{f"title:{SESSION_2}": "  Week 2:   governance ", f"points:{ASSESSMENT}": "40"},
    )
    assert answer.status_code == 200
    action, token = answer_jwt(answer)
    issuer = app.config["DEMO_URL"] + "/demo"
    assert action == issuer + "/deep-link-return?as=" + INSTRUCTOR

    claims = verify_with_published_key(base_url, token, audience=issuer)
    assert claims[C.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert claims[C.VERSION] == "1.3.0"
    assert claims[C.DEPLOYMENT_ID] == demo_service.DEPLOYMENT_ID
    assert claims["nonce"]
    assert claims[C.DL_DATA] == json.dumps({"as": INSTRUCTOR})  # echoed unchanged
    session_item, assessment_item = claims[C.DL_CONTENT_ITEMS]
    # Each item's description, as the picker showed it: the LMS shows it under the activity.
    for item in (session_item, assessment_item):
        assert item["text"] and item.pop("text") in html.unescape(picker.text)
    assert session_item == {
        "type": "ltiResourceLink",
        "title": "Week 2: governance",
        "url": base_url + "/lti/launch",
        "custom": {"p3_item": SESSION_2},
    }
    assert assessment_item["title"] == "Assignment: Partnership Self-Assessment"
    # The points ride along as a custom parameter: the scale from the very first launch.
    assert assessment_item["custom"] == {"p3_item": ASSESSMENT, "p3_points": "40"}
    assert assessment_item["lineItem"] == {
        "scoreMaximum": 40,
        "label": "Assignment: Partnership Self-Assessment",
        "resourceId": ASSESSMENT,
        "tag": "p3-workshop",
    }


def test_cancel_sends_an_empty_response(lms: DemoLms, base_url: str, app: Flask) -> None:
    browser, picker = lms.picker()
    form = first_form(picker.text, picker.url)
    answer = browser.post(form.action, data={**form.fields, "action": "cancel"}, timeout=10)
    _, token = answer_jwt(answer)
    claims = verify_with_published_key(base_url, token, app.config["DEMO_URL"] + "/demo")
    assert claims[C.DL_CONTENT_ITEMS] == []


def test_a_deep_linking_request_is_answered_once(lms: DemoLms) -> None:
    browser, picker = lms.picker()
    first = lms.pick(browser, picker, [SESSION_2])
    answer_jwt(first)
    again = lms.pick(browser, picker, [ASSESSMENT])  # the back button, or a second tab
    assert again.status_code == 409 and "already sent to the LMS" in again.text
    assert "JWT" not in again.text
    _, fresh = lms.picker()  # a new "Add content" is a new request: answered again
    assert answer_jwt(lms.pick(browser, fresh, [ASSESSMENT]))[1]


@pytest.mark.parametrize(
    ("items", "fields", "message"),
    [
        ([], {}, "Choose at least one item to add."),
        ([ASSESSMENT], {f"points:{ASSESSMENT}": "ten"}, POINTS_MESSAGE),
        ([ASSESSMENT], {f"points:{ASSESSMENT}": "0"}, POINTS_MESSAGE),
        ([ASSESSMENT], {f"points:{ASSESSMENT}": "\u00b2"}, POINTS_MESSAGE),  # a digit, not ASCII
        (["p3-art-of-the-possible/session-99"], {}, "no longer exists"),
        ([ASSESSMENT], {f"title:{ASSESSMENT}": "x" * 256}, "Use at most 255 characters for the title."),
    ],
)
def test_picker_refuses_bad_choices_in_plain_words(
    lms: DemoLms, items: list[str], fields: dict[str, str], message: str
) -> None:
    browser, picker = lms.picker()
    answer = lms.pick(browser, picker, items, **fields)
    assert answer.status_code == 400
    assert message in answer.text
    assert 'name="JWT"' not in answer.text


def test_a_learner_cannot_reach_the_picker(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    token = lms.token_of(page)
    assert requests.get(base_url + "/app/deep-linking/", params={"lt": token}, timeout=5).status_code == 403
    posted = requests.post(base_url + "/app/deep-linking/", data={"lt": token, "item": ASSESSMENT}, timeout=5)
    assert posted.status_code == 403
    assert "JWT" not in posted.text


def test_the_picker_needs_a_deep_linking_launch(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(INSTRUCTOR)  # an ordinary resource-link launch
    answer = requests.get(base_url + "/app/deep-linking/", params={"lt": lms.token_of(page)}, timeout=5)
    assert answer.status_code == 400
    assert "only when you add content" in answer.text


def test_settings_follow_accept_multiple() -> None:
    single = read_settings(json.dumps({"deep_link_return_url": "https://lms/x", "accept_multiple": False}))
    assert single.accept_multiple is False and single.has_data is False
    assert read_settings(json.dumps({"deep_link_return_url": "https://lms/x"})).accept_multiple
    with pytest.raises(DeepLinkingError):
        read_settings(None)


@pytest.mark.both_dbs
def test_teacher_adds_items_and_learner_opens_them(app: Flask, lms: DemoLms) -> None:
    done = lms.add_content([SESSION_2, ASSESSMENT], **{f"points:{ASSESSMENT}": "25"})
    assert done.status_code == 200
    assert "Content added" in done.text
    # Posted into the tool's frame, the LMS's page moves the whole window to its own copy.
    moved = done.text.split("window.top.location.replace(")[1].split(")")[0]
    assert "/demo/content-added?" in moved
    activities = lms.activities()
    top = requests.get(done.url.split("/demo/")[0] + json.loads(moved), timeout=5)
    assert top.status_code == 200 and "Assignment: Partnership Self-Assessment (graded)" in top.text
    assert "window.top" not in top.text
    with app.app_context():
        assessment = db.session.get(DemoActivity, activities["Assignment: Partnership Self-Assessment"])
        assert json.loads(assessment.custom_json) == {"p3_item": ASSESSMENT, "p3_points": "25"}
        assert json.loads(assessment.line_item_json)["scoreMaximum"] == 25

    _, page = lms.launch(LEARNERS[0], activities["Session 2: The Art of Governance"])
    assert page_path(page) == "/app/w/p3-art-of-the-possible/sessions/session-2"
    assert "Session 2: The Art of Governance</h1>" in page.text
    assessment_id = activities["Assignment: Partnership Self-Assessment"]
    _, page = lms.launch(LEARNERS[0], assessment_id)
    assert page_path(page) == "/app/assessment/"
    assert "Begin the self-assessment" in page.text
    # The placement's points on the first page; the LMS's line item is read once it is sent.
    assert "Graded out of 25 points." in page.text
    wait_for(
        lambda: (
            "Graded out of 25 points, as in your course's gradebook."
            in lms.launch(LEARNERS[0], assessment_id)[1].text
        ),
        10,
        "the points read from the LMS",
    )


def test_demo_lms_refuses_a_tampered_or_replayed_response(app: Flask, lms: DemoLms) -> None:
    browser, picker = lms.picker()
    action, token = answer_jwt(lms.pick(browser, picker, [SESSION_2]))
    header, body, signature = token.split(".")
    forged = ".".join([header, body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB"), signature])
    assert browser.post(action, data={"JWT": forged}, timeout=10).status_code == 400
    assert browser.post(action, data={"JWT": token}, timeout=10).status_code == 200
    replay = browser.post(action, data={"JWT": token}, timeout=10)
    assert replay.status_code == 400
    assert "already used" in replay.text
    with app.app_context():
        titles = [a.title for a in db.session.query(DemoActivity)]
    assert titles.count("Session 2: The Art of Governance") == 1
