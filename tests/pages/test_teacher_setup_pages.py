"""The self-assessment's own navigation, as the teacher's walk of 2026-12-03 found it: four links
(class view, discussion view, settings, gradebook) and nothing to say which page was open, where
the workshop's pages marked theirs."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.support.forms import first_form

ASSESSMENT = "partnership-assessment"


def current_links(page: str) -> list[str]:
    nav = page.split('<header class="site-header"')[1].split("</header>")[0]
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/app/assessment/", "Your class"),
        ("/app/assessment/class/discussion", "Discussion view"),
        ("/app/assessment/settings", "Settings"),
    ],
)
def test_the_teacher_s_navigation_marks_the_open_page(launch_as: Any, path: str, current: str) -> None:
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")
    assert current_links(teacher.get(path).get_data(as_text=True)) == [current]


def test_a_refused_save_still_marks_settings_and_learners_see_theirs(launch_as: Any) -> None:
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")
    refused = teacher.post(
        "/app/assessment/settings",
        {
            "scoring_model": "threshold_bands",
            "catalogues": "workshop",
            "grading": "completion",
            "discussion_minimum": "0",
        },
        csrf_from="/app/assessment/settings",
    )
    assert refused.status_code == 400
    assert current_links(refused.get_data(as_text=True)) == ["Settings"]
    learner = launch_as("learner", sub="ben", item=ASSESSMENT, resource_link="rl-assess")
    assert current_links(learner.get("/app/assessment/").get_data(as_text=True)) == ["Self-assessment"]
    french = launch_as(
        "instructor",
        sub="ada",
        item=ASSESSMENT,
        resource_link="rl-assess",
        extra={"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "fr-CA"}},
    )
    assert current_links(french.get("/app/assessment/settings").get_data(as_text=True)) == ["Paramètres"]


FRENCH = {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "fr-CA"}}


@pytest.mark.parametrize(
    ("extra", "labels"),
    [
        ({}, ["Your class", "Discussion view", "Settings", "Gradebook"]),
        (FRENCH, ["Votre classe", "Vue de discussion", "Paramètres", "Carnet de notes"]),
    ],
)
def test_the_teacher_s_links_are_named_as_the_pages_they_open(
    launch_as: Any, extra: dict[str, Any], labels: list[str]
) -> None:
    """The class view was "Self-assessment" in the teacher's menu, the learners' word for their
    own page: each link now says the page it opens, as that page's title says it first."""
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess", extra=extra)
    page = teacher.get("/app/assessment/").get_data(as_text=True)
    nav = page.split('<header class="site-header"')[1].split("</header>")[0]
    links = [
        (html.unescape(h), html.unescape(t))
        for h, t in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    ]
    assert [label for _, label in links] == labels
    for href, label in links:
        opened = teacher.client.get(href).get_data(as_text=True)
        title = html.unescape(re.search(r"<title>([^<]+)</title>", opened).group(1))
        assert title.split(" · ")[0] == label, (href, title)


DEEP_LINKING = {
    "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingRequest",
    "https://purl.imsglobal.org/spec/lti/claim/resource_link": None,
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
        "deep_link_return_url": "https://lms.test/return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe"],
        "accept_multiple": True,
    },
    "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "fr-CA"},
}


def test_the_picker_flags_only_changed_items_and_only_once(launch_as: Any) -> None:
    """French titles hold no-break spaces: posted back unchanged, they are not "changed". A
    `warned` naming no item is ignored."""
    teacher = launch_as("instructor", sub="ada", extra=DEEP_LINKING)
    picker = teacher.get("/app/deep-linking/").get_data(as_text=True)
    form = first_form(picker, "http://tool.test/app/deep-linking/")
    defaults = {k: v for k, v in form.fields.items() if k.startswith(("title:", "points:"))}
    assert any("\u00a0" in v for v in defaults.values())
    session_2 = "p3-art-of-the-possible/session-2"
    sent = teacher.post(
        "/app/deep-linking/",
        {**defaults, "item": session_2, "warned": "nothing"},
        csrf_from="/app/deep-linking/",
    )
    assert sent.status_code == 200 and 'name="JWT"' in sent.get_data(as_text=True)

    again = launch_as("instructor", sub="ada", extra=DEEP_LINKING)
    changed = {**defaults, "item": session_2, f"points:{ASSESSMENT}": "50"}
    refused = again.post("/app/deep-linking/", changed, csrf_from="/app/deep-linking/")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'name="JWT"' not in page
    assert 'name="warned" value="partnership-assessment"' in page
    assert "sans le choisir" in page
    meant = again.post(
        "/app/deep-linking/", {**changed, "warned": ASSESSMENT}, csrf_from="/app/deep-linking/"
    )
    assert meant.status_code == 200 and 'name="JWT"' in meant.get_data(as_text=True)


def test_the_points_limit_is_written_as_the_page_writes_numbers(launch_as: Any) -> None:
    teacher = launch_as("instructor", sub="ada", extra=DEEP_LINKING)
    refused = teacher.post(
        "/app/deep-linking/",
        {"item": ASSESSMENT, f"points:{ASSESSMENT}": "5000"},
        csrf_from="/app/deep-linking/",
    )
    assert refused.status_code == 400
    assert "Entrez un nombre entier de points de 1 à 1\u00a0000." in html.unescape(
        refused.get_data(as_text=True)
    )
