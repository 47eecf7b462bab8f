"""A launch token in a link or a form from another site is not taken (decision 0032).

Any learner can make fresh tokens of their own launch (every page renews it). Posted as a link
in the course (``…/sessions/session-1?lt=<token>``), it put whoever followed it in the poster's
session: what the victim then wrote ("Only you can see this") was the poster's to read, the
outcome REQUIRE_STATE_COOKIE exists to prevent at the launch (found in a security review,
2 December). Browsers say who made a request (Sec-Fetch-Site); the tool's own links and forms
are same-origin, and the person's own address bar or reload is "none"."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask

from lti_tool.lti.session import read_token
from tests.support.launch_as import Launched, launch

SESSION = "/app/w/p3-art-of-the-possible/sessions/session-1"
FROM_ELSEWHERE = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}


@pytest.fixture
def app(make_tool_app: Any) -> Flask:
    app: Flask = make_tool_app(REQUIRE_STATE_COOKIE=True)
    return app


def token_in(page: str) -> str:
    found = re.search(r'<meta name="launch-token" content="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1)


def fresh_token(person: Launched) -> str:
    return token_in(person.get(SESSION).get_data(as_text=True))


def whose(app: Flask, page: str) -> str:
    """The launch a page was made for (the token its links carry)."""
    with app.test_request_context():
        return str(read_token(token_in(page)).id)


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_link_from_another_site_does_not_open_its_token_s_session(app: Flask, site: str) -> None:
    mallory = launch(app, "learner", sub="mallory")
    link = f"{SESSION}?lt={fresh_token(mallory)}"
    victim = app.test_client()  # another person's browser, following the link posted in the course

    page = victim.get(link, headers={"Sec-Fetch-Site": site, "Sec-Fetch-Mode": "navigate"})

    assert page.status_code == 401
    text = page.get_data(as_text=True)
    assert "came from another site" in text and "Open the activity again from your course" in text
    assert "Only you can see this" not in text and 'name="launch-token"' not in text


def test_a_form_from_another_site_cannot_write_in_its_token_s_session(app: Flask) -> None:
    mallory = launch(app, "learner", sub="mallory")
    page = mallory.get(SESSION).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    victim = app.test_client()
    saved = victim.post(
        f"{SESSION}/reflection",
        data={
            "lt": fresh_token(mallory),
            "csrf_token": csrf.group(1),
            "reflection": "written from the other site",
            "version": "0",
        },
        headers=FROM_ELSEWHERE,
    )
    assert saved.status_code == 401
    assert "written from the other site" not in mallory.get(SESSION).get_data(as_text=True)


def test_the_person_s_own_session_opens_instead_when_their_browser_has_one(app: Flask) -> None:
    mallory = launch(app, "learner", sub="mallory")
    victim = launch(app, "learner", sub="victim")
    with victim.client.session_transaction() as cookie_session:  # the victim's own cookie session
        cookie_session["launch_id"] = victim.launch_id

    page = victim.client.get(f"{SESSION}?lt={fresh_token(mallory)}", headers=FROM_ELSEWHERE)

    assert page.status_code == 200
    assert whose(app, page.get_data(as_text=True)) == victim.launch_id


@pytest.mark.parametrize("site", ["same-origin", "none", None])
def test_the_tool_s_own_links_and_the_person_s_address_bar_still_open_the_page(
    app: Flask, site: str | None
) -> None:
    ada = launch(app, "learner", sub="ada")
    headers = {"Sec-Fetch-Site": site} if site else {}  # None: a browser that sends none (before 2023)
    page = ada.client.get(f"{SESSION}?lt={fresh_token(ada)}", headers=headers)  # no cookie
    assert page.status_code == 200
    assert whose(app, page.get_data(as_text=True)) == ada.launch_id


def test_the_tool_s_script_sends_its_token_in_a_header_whatever_the_site(app: Flask) -> None:
    # Another site's page cannot set X-Launch-Token (CORS): the header is always the tool's own.
    ada = launch(app, "learner", sub="ada")
    page = ada.client.get(SESSION, headers={"X-Launch-Token": fresh_token(ada), **FROM_ELSEWHERE})
    assert page.status_code == 200
    assert whose(app, page.get_data(as_text=True)) == ada.launch_id


def test_the_refusal_speaks_the_browser_s_language(app: Flask) -> None:
    mallory = launch(app, "learner", sub="mallory")
    page = app.test_client().get(
        f"{SESSION}?lt={fresh_token(mallory)}", headers={**FROM_ELSEWHERE, "Accept-Language": "fr-CA"}
    )
    assert page.status_code == 401
    assert "Ce lien vient d'un autre site" in html.unescape(page.get_data(as_text=True))
