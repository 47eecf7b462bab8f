"""The learner pages, launched from the demo LMS over real HTTP."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask

from lti_tool.demo.models import DemoActivity
from lti_tool.extensions import db
from tests.support.forms import first_form, forms
from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms

W = "/app/w/p3-art-of-the-possible"
SESSION_1 = W + "/sessions/session-1"
PAGES = {
    "overview": (W + "/", "Private-Public Partnerships: The Art of the Possible"),
    "session": (SESSION_1, "Session 1: Introduction: Theories of Business - Government Relations"),
    "assignment": (W + "/assignment", "Assignment: Partnership Self-Assessment"),
    "bibliography": (W + "/bibliography", "Bibliography"),
    "coming soon": ("/app/items/partnership-assessment", "Assignment: Partnership Self-Assessment"),
}


def add_activity(app: Flask, title: str, custom: dict[str, str]) -> int:
    with app.app_context():
        activity = DemoActivity(title=title, url="", custom_json=json.dumps(custom))
        db.session.add(activity)
        db.session.commit()
        return activity.id


def get(base_url: str, path: str, token: str, **params: str) -> requests.Response:
    return requests.get(base_url + path, params={"lt": token, **params}, timeout=10)


def h1(page: requests.Response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
    assert match, page.text[:500]
    return re.sub(r"\s+", " ", match.group(1)).strip().replace("&#39;", "'")


def save_form(page: requests.Response, text: str) -> requests.Response:
    form = next(f for f in forms(page.text, page.url) if f.id == "reflection-form")
    return requests.post(
        form.action, data={**form.fields, "reflection": text}, timeout=10, allow_redirects=False
    )


def test_plain_link_opens_the_workshop_overview(lms: DemoLms) -> None:
    _, page = lms.launch(LEARNERS[0])
    assert page.status_code == 200
    assert urlsplit(page.url).path == W + "/"
    assert h1(page) == "Private-Public Partnerships: The Art of the Possible"
    assert "Ben Tremblay" in page.text
    for number in range(1, 7):
        assert f"Session {number}:" in page.text
    assert 'aria-label="Workshop"' in page.text and 'aria-current="page"' in page.text


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_kind_renders_with_its_heading_and_keeps_the_token(
    lms: DemoLms, base_url: str, kind: str
) -> None:
    _, launched = lms.launch(LEARNERS[0])
    token = lms.token_of(launched)
    path, heading = PAGES[kind]
    page = get(base_url, path, token)
    assert page.status_code == 200
    assert h1(page) == heading
    assert '<main id="main"' in page.text and 'href="#main"' in page.text
    internal = re.findall(r'href="(/app/[^"]*)"', page.text)
    assert internal and all(f"lt={token}" in href for href in internal)


def test_links_out_open_in_a_new_tab_say_so_and_never_carry_the_token(lms: DemoLms, base_url: str) -> None:
    _, launched = lms.launch(LEARNERS[0])
    token = lms.token_of(launched)
    page = get(base_url, W + "/bibliography", token)
    links = re.findall(r"<a ([^>]*href=\"https?://[^>]*)>(.*?)</a>", page.text, re.S)
    assert len(links) >= 5
    for attributes, text in links:
        assert 'target="_blank"' in attributes
        assert 'rel="noopener noreferrer"' in attributes
        assert "(opens in a new tab)" in text
        assert token not in attributes and "lt=" not in attributes
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_opening_a_session_is_kept_as_progress(lms: DemoLms, base_url: str) -> None:
    _, launched = lms.launch(LEARNERS[0])
    token = lms.token_of(launched)
    assert 'data-testid="status-session-2">Not opened yet' in get(base_url, W + "/", token).text
    get(base_url, W + "/sessions/session-2", token)
    overview = get(base_url, W + "/", token).text
    assert 'data-testid="status-session-2">Opened' in overview
    assert 'data-testid="status-session-3">Not opened yet' in overview


@pytest.mark.both_dbs
def test_reflection_saved_without_javascript_survives_relaunch(lms: DemoLms, base_url: str) -> None:
    _, launched = lms.launch(LEARNERS[0])
    page = get(base_url, SESSION_1, lms.token_of(launched))
    saved = save_form(page, "Trust is built on small promises kept.")
    assert saved.status_code == 303
    assert urlsplit(saved.headers["Location"]).path == SESSION_1
    after = requests.get(base_url + saved.headers["Location"], timeout=10)
    assert "Your reflection is saved." in after.text

    _, relaunched = lms.launch(LEARNERS[0])  # a new launch from the LMS, a new token
    new_token = lms.token_of(relaunched)
    assert new_token != lms.token_of(launched)
    page = get(base_url, SESSION_1, new_token)
    assert "Trust is built on small promises kept." in page.text
    assert "reflection saved" in get(base_url, W + "/", new_token).text


def test_autosave_posts_with_token_and_csrf_headers(lms: DemoLms, base_url: str) -> None:
    _, launched = lms.launch(LEARNERS[0])
    token = lms.token_of(launched)
    page = get(base_url, SESSION_1, token)
    csrf = first_form(page.text, page.url).fields["csrf_token"]
    answer = requests.post(
        base_url + SESSION_1 + "/reflection",
        data={"reflection": "typed so far"},
        timeout=10,
        headers={"X-Launch-Token": token, "X-CSRF-Token": csrf, "Accept": "application/json"},
    )
    assert answer.status_code == 200
    assert answer.json()["saved"] is True
    assert "typed so far" in get(base_url, SESSION_1, token).text


def test_saving_needs_the_csrf_token_and_a_launch(lms: DemoLms, base_url: str) -> None:
    _, launched = lms.launch(LEARNERS[0])
    token = lms.token_of(launched)
    no_csrf = requests.post(
        base_url + SESSION_1 + "/reflection", data={"lt": token, "reflection": "x"}, timeout=10
    )
    assert no_csrf.status_code == 400
    no_launch = requests.post(base_url + SESSION_1 + "/reflection", data={"reflection": "x"}, timeout=10)
    assert no_launch.status_code == 401
    assert (
        "x"
        not in re.findall(r"<textarea[^>]*>(.*?)</textarea>", get(base_url, SESSION_1, token).text, re.S)[0]
    )


@pytest.mark.both_dbs
def test_a_learner_never_sees_another_learners_reflection(lms: DemoLms, base_url: str) -> None:
    _, ben = lms.launch(LEARNERS[0])
    save_form(get(base_url, SESSION_1, lms.token_of(ben)), "Ben's private thoughts")
    _, chloe = lms.launch(LEARNERS[1])
    chloe_token = lms.token_of(chloe)
    page = get(base_url, SESSION_1, chloe_token)
    assert page.status_code == 200
    assert "Ben&#39;s private thoughts" not in page.text and "private thoughts" not in page.text
    save_form(page, "Chloe's own notes")
    ben_page = get(base_url, SESSION_1, lms.token_of(ben))
    assert "Ben&#39;s private thoughts" in ben_page.text
    assert "Chloe" not in ben_page.text


def test_too_long_reflection_is_refused_plainly_and_kept_on_the_page(lms: DemoLms, base_url: str) -> None:
    _, launched = lms.launch(LEARNERS[0])
    page = get(base_url, SESSION_1, lms.token_of(launched))
    answer = save_form(page, "a" * 20_001)
    assert answer.status_code == 400
    assert "longer than 20,000 characters" in answer.text
    assert "a" * 20_001 in answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/app/w/no-such-workshop/",
        W + "/sessions/session-99",
        W + "/sessions/session-99/reflection",
        "/app/items/no-such-item",
    ],
)
def test_unknown_content_is_a_404_page(lms: DemoLms, base_url: str, path: str) -> None:
    _, launched = lms.launch(LEARNERS[0])
    page = get(base_url, path, lms.token_of(launched))
    assert page.status_code in {404, 405}
    assert "<h1" in page.text


def test_a_link_opens_the_item_it_was_made_for_even_when_custom_is_dropped(app: Flask, lms: DemoLms) -> None:
    activity = add_activity(app, "Session 3", {"p3_item": "p3-art-of-the-possible/session-3"})
    _, page = lms.launch(LEARNERS[0], activity)
    assert urlsplit(page.url).path == W + "/sessions/session-3"
    with app.app_context():
        db.session.get(DemoActivity, activity).custom_json = "{}"  # the LMS stops sending it
        db.session.commit()
    _, page = lms.launch(LEARNERS[1], activity)
    assert urlsplit(page.url).path == W + "/sessions/session-3"


def test_a_link_to_an_item_that_no_longer_exists_gets_a_clear_404(app: Flask, lms: DemoLms) -> None:
    activity = add_activity(app, "Old item", {"p3_item": "p3-art-of-the-possible/session-42"})
    _, page = lms.launch(LEARNERS[0], activity)
    assert page.status_code == 404
    assert "no longer available" in page.text
    assert "p3-art-of-the-possible/session-42" in page.text


def test_instructors_see_the_pages_too(lms: DemoLms, base_url: str) -> None:
    _, launched = lms.launch(INSTRUCTOR)
    assert "an instructor" in launched.text
    assert get(base_url, SESSION_1, lms.token_of(launched)).status_code == 200
