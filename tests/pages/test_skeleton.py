"""The overview rendered once and reused (lti_tool/views/skeleton.py): a cached page can never
show one person's values to another, nor a page of another language, role, course's reading
links or content. Each test opens the page as someone, then as someone else, and reads both."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask, g
from jinja2 import ChoiceLoader, DictLoader

from lti_tool import items as item_registry
from lti_tool.lti import claims as C
from lti_tool.services.readings import reading_key
from lti_tool.views import skeleton

W = "/app/w/p3-art-of-the-possible"


def page_text(who: Any) -> str:
    page = who.get(W + "/")
    assert page.status_code == 200, page.text[:300]
    return html.unescape(page.text)


def signed_in(raw: str) -> str:
    """The "Signed in as" line as a person reads it (tags out, then entities read)."""
    found = re.search(r'<p class="signed-in">(.*?)</p>', raw, re.S)
    assert found, raw[:500]
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()))


def test_each_learner_gets_their_own_name_course_progress_and_tokens(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben", context="course-1")
    cleo = launch_as("learner", sub="cleo", context="course-2", extra={"name": 'Cléo <b>"&amp;"</b>'})
    ben.get(W + "/sessions/session-2")

    first, second = ben.get(W + "/").text, cleo.get(W + "/").text
    assert signed_in(first) == "Signed in as Learner ben, a learner in Course course-1 ."
    # Escaped as Jinja escapes it: the name is text, never markup.
    assert "Cléo &lt;b&gt;&#34;&amp;amp;&#34;&lt;/b&gt;" in second
    assert signed_in(second) == 'Signed in as Cléo <b>"&amp;"</b>, a learner in Course course-2 .'
    assert 'data-testid="status-session-2">Opened</span>' in first
    assert 'data-testid="status-session-2">Not opened yet</span>' in second
    for who, text in ((ben, first), (cleo, second)):
        # Every link and the page's token (the language switch returns to the address it came
        # from, with the token it came with: not counted).
        tokens = set(re.findall(r'href="/app/[^"]*lt=([^&"]+)"', text))
        tokens |= set(re.findall(r'name="launch-token" content="([^"]+)"', text))
        assert len(tokens) == 1 and tokens.pop().split(".")[0] == who.token.split(".")[0]
        csrf = set(re.findall(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', text))
        assert len(csrf) == 1 and csrf == {who.csrf()}
    assert set(re.findall(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', first)).isdisjoint(
        re.findall(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', second)
    )


def test_a_reflection_saved_changes_the_mark(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    ben.get(W + "/sessions/session-1")
    assert 'data-testid="status-session-1">Opened</span>' in ben.get(W + "/").text
    saved = ben.post(W + "/sessions/session-1/reflection", {"reflection": "Mine"}, csrf_from=W + "/")
    assert saved.status_code == 303
    assert 'data-testid="status-session-1">Opened · reflection saved</span>' in ben.get(W + "/").text
    assert (
        'data-testid="status-session-1">Not opened yet</span>'
        in launch_as("learner", sub="dee").get(W + "/").text
    )


def test_no_name_and_no_course_title_read_as_before(launch_as: Any) -> None:
    named = launch_as("learner", sub="ben")
    page_text(named)
    anonymous = launch_as("learner", sub="anon", extra={"name": "", C.CONTEXT: {"id": "c-9"}})
    assert signed_in(anonymous.get(W + "/").text) == "Signed in as you, a learner in c-9 ."
    assert signed_in(named.get(W + "/").text) == "Signed in as Learner ben, a learner in Course course-1 ."


def test_the_language_of_the_launch_is_followed_both_ways(launch_as: Any) -> None:
    english = launch_as("learner", sub="ben")
    french = launch_as("learner", sub="fred", locale="fr-CA")
    assert "Not opened yet" in page_text(english)
    fr = page_text(french)
    assert "Not opened yet" not in fr and "Pas encore consultée" in fr and '<html lang="fr-CA">' in fr
    assert "Signed in as" not in fr
    en = page_text(english)
    assert "Not opened yet" in en and '<html lang="en">' in en and "Pas encore consultée" not in en


def test_the_role_decides_the_menu_and_the_words(launch_as: Any) -> None:
    learner = launch_as("learner", sub="ben")
    instructor = launch_as("instructor", sub="ada")
    assert "Links to readings" not in page_text(learner)
    teacher_page = page_text(instructor)
    assert "Links to readings" in teacher_page and "an instructor" in teacher_page
    assert "Links to readings" not in page_text(learner)


def test_a_courses_reading_link_shows_at_once_on_its_overview_only(launch_as: Any, tool_app: Flask) -> None:
    with tool_app.app_context():
        text = item_registry.workshops()["p3-art-of-the-possible"].text
    assert text is not None
    key = reading_key(text)
    ben = launch_as("learner", sub="ben", context="course-1")
    other = launch_as("learner", sub="cleo", context="course-2")
    assert "https://library.example.edu/suggested.pdf" not in page_text(ben)
    ada = launch_as("instructor", sub="ada", context="course-1")
    saved = ada.post(
        W + "/readings", {f"url-{key}": "https://library.example.edu/suggested.pdf", f"note-{key}": ""}
    )
    assert saved.status_code == 303
    assert "https://library.example.edu/suggested.pdf" in page_text(ben)
    assert "https://library.example.edu/suggested.pdf" not in page_text(other)


def test_the_page_names_its_own_address_on_a_launch_and_returns_to_it(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    page = ben.get(W + "/").text
    back = re.search(r'name="back" value="([^"]*)"', page)
    assert back and back.group(1).startswith(W + "/?lt=")  # a GET returns to its own address
    assert "data-page-url" not in page  # only a launch's answer names it (decision 0026)


@pytest.fixture
def extra_templates(tool_app: Flask) -> Any:
    original = tool_app.jinja_loader
    tool_app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "plain.html": "<p>{{ who }}|{{ n }}|{{ missing or 'none' }}</p>",
                    "filtered.html": "<p>{{ who|upper }}</p>",
                    "nonce.html": '<script nonce="{{ csp_nonce() }}"></script>',
                }
            ),
            original,  # type: ignore[list-item]
        ]
    )
    yield tool_app
    tool_app.jinja_env.loader = original


def test_a_template_that_changes_a_hole_is_refused_not_cached(extra_templates: Flask) -> None:
    with extra_templates.test_request_context("/"):
        g.launch = None
        with pytest.raises(RuntimeError, match="filter"):
            skeleton.render("filtered.html", "k", {}, {"who": "ben"})


def test_empty_values_and_escaping(extra_templates: Flask) -> None:
    with extra_templates.test_request_context("/"):
        g.launch = None
        assert skeleton.render("plain.html", "k", {}, {"who": "<ben>", "n": 3, "missing": ""}) == (
            "<p>&lt;ben&gt;|3|none</p>"
        )
        assert skeleton.render("plain.html", "k", {}, {"who": "cleo", "n": 4, "missing": "x"}) == (
            "<p>cleo|4|x</p>"
        )
        assert (
            skeleton.render("plain.html", "k", {}, {"who": "", "n": 5, "missing": None}) == "<p>|5|none</p>"
        )


def test_the_cache_is_bounded(extra_templates: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(skeleton, "MAX_PAGES", 3)
    with extra_templates.test_request_context("/"):
        g.launch = None
        for n in range(10):
            assert skeleton.render("plain.html", ("k", n), {}, {"who": "w", "n": n}) == f"<p>w|{n}|none</p>"
        assert len(skeleton._pages().pages) == 3


def test_a_script_nonce_is_each_responses_own(extra_templates: Flask) -> None:
    seen = set()
    for _ in range(2):
        with extra_templates.test_request_context("/"):
            g.launch = None
            page = skeleton.render("nonce.html", "k", {}, {})
            assert page == f'<script nonce="{g.csp_nonce}"></script>'
            seen.add(page)
    assert len(seen) == 2
