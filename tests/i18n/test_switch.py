"""The language switch on every page of a launch, remembered for that person."""

from __future__ import annotations

import re
from typing import Any

from tests.support.launch_as import launch


def _switch(page: Any) -> tuple[str, str]:
    html = page.get_data(as_text=True)
    found = re.search(r'<button class="link-button" name="language" value="(\w+)" lang="([\w-]+)">', html)
    assert found, html[:3000]
    return found.group(1), found.group(2)


def test_a_french_launch_offers_english_and_an_english_launch_offers_french(launch_as: Any) -> None:
    assert _switch(launch_as("learner", sub="lea", locale="fr-CA").get("/app/", follow_redirects=True)) == (
        "en",
        "en",
    )
    assert _switch(launch_as("learner", sub="ben", locale="en-CA").get("/app/", follow_redirects=True)) == (
        "fr",
        "fr-CA",
    )


def test_the_choice_brings_back_the_same_page_and_is_remembered_for_the_person(tool_app: Any) -> None:
    ben = launch(tool_app, "learner", sub="ben", locale="en-CA")
    page = "/app/w/p3-art-of-the-possible/bibliography?x=1&lt=" + ben.token
    answer = ben.post("/app/language", {"language": "fr", "back": page})
    assert answer.status_code == 303
    back = answer.headers["Location"]
    assert back.startswith("/app/w/p3-art-of-the-possible/bibliography?x=1&lt=")
    assert back.count("lt=") == 1  # one token (a fresh one), never the page's old one as well
    assert '<html lang="fr-CA">' in ben.client.get(back).get_data(as_text=True)

    # Ben's next launch, from an LMS still in English: his choice stays.
    again = launch(tool_app, "learner", sub="ben", locale="en-CA")
    assert '<html lang="fr-CA">' in again.get("/app/", follow_redirects=True).get_data(as_text=True)
    # Another person of the same course is not affected.
    chloe = launch(tool_app, "learner", sub="chloe", locale="en-CA")
    assert '<html lang="en">' in chloe.get("/app/", follow_redirects=True).get_data(as_text=True)

    answer = again.post("/app/language", {"language": "en", "back": "/app/"})
    assert '<html lang="en">' in again.client.get(answer.headers["Location"], follow_redirects=True).get_data(
        as_text=True
    )


def test_the_switch_goes_back_only_to_a_page_of_the_tool(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    for elsewhere in ("https://evil.example/app/", "//evil.example/app/", "/admin/", ""):
        answer = ben.post("/app/language", {"language": "fr", "back": elsewhere})
        assert answer.status_code == 303 and answer.headers["Location"].startswith("/app/?lt="), elsewhere


def test_an_unknown_language_is_refused_naming_the_choices(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    answer = ben.post("/app/language", {"language": "de"})
    assert answer.status_code == 400 and "English (en) or French (fr)" in answer.get_data(as_text=True)


def test_the_switch_needs_the_form_token(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    answer = ben.post("/app/language", {"language": "fr", "csrf_token": "wrong"})
    assert answer.status_code == 400
