"""The learner pages, through ``app.test_client()`` with launches recorded by the tool's services
(``launch_as``). What only a real launch shows (which item a link opens, the LMS's own custom
values) is in test_pages_launch.py, over real HTTP from the demo LMS."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.test import TestResponse

from tests.support.forms import first_form, forms
from tests.support.launch_as import Launched

W = "/app/w/p3-art-of-the-possible"
SESSION_1 = W + "/sessions/session-1"
PAGES = {
    "overview": (W + "/", "Private-Public Partnerships: The Art of the Possible"),
    "session": (SESSION_1, "Session 1: Introduction: Theories of Business - Government Relations"),
    "assignment": (W + "/assignment", "Assignment: Partnership Self-Assessment"),
    "bibliography": (W + "/bibliography", "Bibliography"),
    "coming soon": ("/app/items/partnership-assessment", "Assignment: Partnership Self-Assessment"),
}


def text(page: TestResponse) -> str:
    return page.get_data(as_text=True)


def h1(page: TestResponse) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", text(page), re.S)
    assert match, text(page)[:500]
    return re.sub(r"\s+", " ", match.group(1)).strip().replace("&#39;", "'")


def save_form(who: Launched, page: TestResponse, reflection: str) -> TestResponse:
    form = next(f for f in forms(text(page), "http://tool.test" + SESSION_1) if f.id == "reflection-form")
    return who.client.post(urlsplit(form.action).path, data={**form.fields, "reflection": reflection})


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_kind_renders_with_its_heading_and_keeps_the_token(launch_as: Any, kind: str) -> None:
    ben = launch_as("learner", sub="ben")
    path, heading = PAGES[kind]
    page = ben.get(path)
    assert page.status_code == 200
    assert h1(page) == heading
    assert '<main id="main"' in text(page) and 'href="#main"' in text(page)
    internal = re.findall(r'href="(/app/[^"]*)"', text(page))
    tokens = {re.search(r"lt=([^&\"]+)", href).group(1) for href in internal}  # type: ignore[union-attr]
    # One token in every link: this launch's (renewed on each page, so its timestamp may be newer).
    assert internal and len(tokens) == 1
    assert tokens.pop().split(".")[0] == ben.token.split(".")[0]


def test_links_out_open_in_a_new_tab_say_so_and_never_carry_the_token(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    page = ben.get(W + "/bibliography")
    links = re.findall(r"<a ([^>]*href=\"https?://[^>]*)>(.*?)</a>", text(page), re.S)
    assert len(links) >= 5
    for attributes, words in links:
        assert 'target="_blank"' in attributes
        assert 'rel="noopener noreferrer"' in attributes
        assert "(opens in a new tab)" in words
        assert ben.token not in attributes and "lt=" not in attributes
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_opening_a_session_is_kept_as_progress(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    assert 'data-testid="status-session-2">Not opened yet' in text(ben.get(W + "/"))
    ben.get(W + "/sessions/session-2")
    overview = text(ben.get(W + "/"))
    assert 'data-testid="status-session-2">Opened' in overview
    assert 'data-testid="status-session-3">Not opened yet' in overview


@pytest.mark.both_dbs
def test_reflection_saved_without_javascript_survives_relaunch(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    saved = save_form(ben, ben.get(SESSION_1), "Trust is built on small promises kept.")
    assert saved.status_code == 303
    assert urlsplit(saved.headers["Location"]).path == SESSION_1
    assert "Your reflection is saved." in text(ben.client.get(saved.headers["Location"]))

    again = launch_as("learner", sub="ben")  # a new launch from the LMS, a new token
    assert again.token != ben.token
    assert "Trust is built on small promises kept." in text(again.get(SESSION_1))
    assert "reflection saved" in text(again.get(W + "/"))


def test_autosave_posts_with_token_and_csrf_headers(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    page = ben.get(SESSION_1)
    csrf = first_form(text(page), "http://tool.test").fields["csrf_token"]
    answer = ben.client.post(
        SESSION_1 + "/reflection",
        data={"reflection": "typed so far"},
        headers={"X-Launch-Token": ben.token, "X-CSRF-Token": csrf, "Accept": "application/json"},
    )
    assert answer.status_code == 200
    assert answer.get_json()["saved"] is True
    assert "typed so far" in text(ben.get(SESSION_1))


def test_saving_needs_the_csrf_token_and_a_launch(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    no_csrf = ben.client.post(SESSION_1 + "/reflection", data={"lt": ben.token, "reflection": "x"})
    assert no_csrf.status_code == 400
    stranger = ben.app.test_client()
    assert stranger.post(SESSION_1 + "/reflection", data={"reflection": "x"}).status_code == 401
    textarea = re.findall(r"<textarea[^>]*>(.*?)</textarea>", text(ben.get(SESSION_1)), re.S)[0]
    assert "x" not in textarea


@pytest.mark.both_dbs
def test_a_learner_never_sees_another_learners_reflection(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    save_form(ben, ben.get(SESSION_1), "Ben's private thoughts")
    chloe = launch_as("learner", sub="chloe")
    page = chloe.get(SESSION_1)
    assert page.status_code == 200
    assert "private thoughts" not in text(page)
    save_form(chloe, page, "Chloe's own notes")
    ben_page = text(ben.get(SESSION_1))
    assert "Ben&#39;s private thoughts" in ben_page
    assert "Chloe" not in ben_page


def test_too_long_reflection_is_refused_plainly_and_kept_on_the_page(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    save_form(ben, ben.get(SESSION_1), "What I saved first.")
    answer = save_form(ben, ben.get(SESSION_1), "a" * 20_001)
    assert answer.status_code == 400
    assert "is 20,001 characters long, over the limit of 20,000. It was not saved" in text(answer)
    assert "a" * 20_001 in text(answer)  # given back whole, not cut
    assert 'maxlength="' not in text(answer)  # the browser does not cut a paste either
    assert "What I saved first." in text(ben.get(SESSION_1))  # nothing saved is lost


@pytest.mark.parametrize(
    "path",
    [
        "/app/w/no-such-workshop/",
        W + "/sessions/session-99",
        W + "/sessions/session-99/reflection",
        "/app/items/no-such-item",
    ],
)
def test_unknown_content_is_a_404_page(launch_as: Any, path: str) -> None:
    page = launch_as("learner", sub="ben").get(path)
    assert page.status_code in {404, 405}
    assert "<h1" in text(page)


def test_instructors_see_the_pages_too(launch_as: Any) -> None:
    ada = launch_as("instructor", sub="ada")
    assert ada.get(SESSION_1).status_code == 200


def test_pages_say_what_is_the_tools_own(launch_as: Any) -> None:
    """Session objectives are the tool's suggestions; the questionnaire is inspired by the CWA
    Partnership Test, not the test itself (issue 13)."""
    ben = launch_as("learner", sub="ben")
    session = text(ben.get(W + "/sessions/session-3"))
    assert "Suggested objectives" in session and "Suggested by this tool" in session
    assignment = " ".join(re.sub(r"<[^>]+>", " ", text(ben.get(W + "/assignment"))).split())
    assert "the workshop's own questionnaire, inspired by that test" in assignment.replace("&#39;", "'")
    assert "are not the Test's" in assignment.replace("&#39;", "'")
