"""Readings a teacher can complete (issue 18): per course, a link or a note for any reading;
an outdated link replaced; learners see it, or "your instructor will share this reading"."""

from __future__ import annotations

import html
import re
from typing import Any

from lti_tool import items as item_registry
from lti_tool.services.readings import all_readings, reading_key

W = "/app/w/p3-art-of-the-possible"
SHARE = "Your instructor will share this reading."


def keys(app: Any) -> dict[str, str]:
    with app.app_context():
        workshop = item_registry.workshops()["p3-art-of-the-possible"]
        return {r.title: key for key, r in all_readings(workshop)}


def first_unlinked_and_linked(app: Any) -> tuple[tuple[str, str], tuple[str, str, str]]:
    with app.app_context():
        workshop = item_registry.workshops()["p3-art-of-the-possible"]
        readings = all_readings(workshop)
    unlinked = next((k, r.title) for k, r in readings if not r.url)
    linked = next((k, r.title, r.url) for k, r in readings if r.url)
    return unlinked, linked


def session_with(page_text: str, title: str) -> bool:
    return title in html.unescape(page_text)


def test_learners_see_the_teachers_link_or_that_it_will_be_shared(launch_as: Any, tool_app: Any) -> None:
    (key, title), (old_key, old_title, old_url) = first_unlinked_and_linked(tool_app)
    ben = launch_as("learner", sub="ben", context="course-1")
    page = html.unescape(ben.get(W + "/bibliography").text)
    assert SHARE in page
    assert f"{title}</cite>" in page  # no link yet

    ada = launch_as("instructor", sub="ada", context="course-1")
    form = ada.get(W + "/readings")
    assert form.status_code == 200 and "Links to readings" in form.text
    saved = ada.post(
        W + "/readings",
        {
            f"url-{key}": "https://library.example.edu/reading.pdf",
            f"note-{key}": "",
            f"url-{old_key}": "https://new.example.org/article",
            f"note-{old_key}": "Pages 48-70 only",
        },
    )
    assert saved.status_code == 303

    page = html.unescape(launch_as("learner", sub="ben", context="course-1").get(W + "/bibliography").text)
    assert (
        f'href="https://library.example.edu/reading.pdf" target="_blank" rel="noopener noreferrer">{title}'
        in page
    )
    assert 'href="https://new.example.org/article"' in page and old_url not in page  # replaced
    assert "Your instructor: Pages 48-70 only" in page

    # Another course of the same tool keeps the workshop's own links.
    other = html.unescape(launch_as("learner", sub="cy", context="course-2").get(W + "/bibliography").text)
    assert old_url in other and "library.example.edu" not in other

    # Both fields emptied: back to the workshop's link.
    ada.post(W + "/readings", {f"url-{old_key}": "", f"note-{old_key}": ""})
    page = html.unescape(launch_as("learner", sub="ben", context="course-1").get(W + "/bibliography").text)
    assert old_url in page


def test_a_bad_link_is_refused_with_the_problem_at_the_top(launch_as: Any, tool_app: Any) -> None:
    (key, title), _ = first_unlinked_and_linked(tool_app)
    ada = launch_as("instructor", sub="ada", context="course-1")
    refused = ada.post(W + "/readings", {f"url-{key}": "library shelf 3", f"note-{key}": "x" * 501})
    assert refused.status_code == 400
    page = html.unescape(refused.text)
    assert f'<a href="#url-{key}">“{title}”, link: Give the whole address, starting with https://' in page
    assert (
        f'<a href="#note-{key}">“{title}”, note: Use at most 500 characters for the note (it has 501).'
        in page
    )
    assert re.search(rf'id="url-{key}"[^>]*value="library shelf 3"', page)  # what was typed stays
    learner = html.unescape(launch_as("learner", sub="ben", context="course-1").get(W + "/bibliography").text)
    assert "library shelf" not in learner


def test_only_instructors_give_links(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben", context="course-1")
    assert ben.get(W + "/readings").status_code == 403
    assert ben.post(W + "/readings", {"url-x": "https://example.org"}).status_code == 403
    assert "Links to readings" not in ben.get(W + "/").text
    ada = launch_as("instructor", sub="ada", context="course-1")
    assert "Links to readings" in ada.get(W + "/").text


def test_one_work_on_several_pages_shares_one_key(tool_app: Any) -> None:
    with tool_app.app_context():
        workshop = item_registry.workshops()["p3-art-of-the-possible"]
        in_sessions = {reading_key(r) for s in workshop.sessions for r in s.required_readings}
        in_bibliography = {reading_key(r) for r in workshop.bibliography}
    assert in_sessions & in_bibliography  # the bibliography repeats the sessions' readings
