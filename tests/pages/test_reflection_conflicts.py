"""Two tabs on one reflection: a save based on an older version is refused, both texts are
shown and either can be kept; JSON autosaves carry the version (issue 18)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from werkzeug.test import TestResponse

from tests.support.forms import forms
from tests.support.launch_as import Launched

SESSION_1 = "/app/w/p3-art-of-the-possible/sessions/session-1"


def reflection_form(page: TestResponse) -> tuple[str, dict[str, str]]:
    form = next(
        f
        for f in forms(page.get_data(as_text=True), "http://tool.test" + SESSION_1)
        if f.id == "reflection-form"
    )
    return urlsplit(form.action).path, dict(form.fields)


def autosave(who: Launched, text: str, version: int | None) -> TestResponse:
    path, fields = reflection_form(who.get(SESSION_1))
    data = {**fields, "reflection": text}
    if version is None:
        data.pop("version")
    else:
        data["version"] = str(version)
    return who.client.post(path, data=data, headers={"Accept": "application/json"})


def test_a_stale_tab_does_not_overwrite_the_reflection_saved_in_another(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    path, stale = reflection_form(ben.get(SESSION_1))  # tab A, before anything was written
    assert stale["version"] == "0"
    assert autosave(ben, "Written in tab B.", 0).get_json()["version"] == 1

    refused = ben.client.post(path, data={**stale, "reflection": "Written in tab A."})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "changed in another tab or window" in page
    assert '<blockquote class="other-text">Written in tab B.</blockquote>' in page
    assert ">Written in tab A.</textarea>" in page  # the person's text is still in the box
    assert "Written in tab B." in ben.get(SESSION_1).get_data(as_text=True)

    _, again = reflection_form(refused)
    assert again["version"] == "1"  # keeping mine now knows what it replaces
    kept = ben.client.post(path, data={**again, "reflection": "Written in tab A.", "keep": "mine"})
    assert kept.status_code == 303
    assert ">Written in tab A.</textarea>" in ben.get(SESSION_1).get_data(as_text=True)


def test_keeping_the_other_text_saves_nothing(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    path, stale = reflection_form(ben.get(SESSION_1))
    autosave(ben, "Tab B's text.", 0)
    refused = ben.client.post(path, data={**stale, "reflection": "Tab A's text."})
    _, again = reflection_form(refused)
    kept = ben.client.post(path, data={**again, "reflection": "Tab A's text.", "keep": "theirs"})
    assert kept.status_code == 303
    assert ">Tab B&#39;s text.</textarea>" in ben.get(SESSION_1).get_data(as_text=True)


def test_autosave_answers_with_versions_and_conflicts_in_json(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    assert autosave(ben, "one", 0).get_json()["version"] == 1
    assert autosave(ben, "two", 1).get_json()["version"] == 2
    stale = autosave(ben, "three", 1)
    assert stale.status_code == 409
    assert stale.get_json() | {"message": ""} == {
        "error": "conflict",
        "message": "",
        "theirs": "two",
        "version": 2,
    }
    assert autosave(ben, "two", 1).status_code == 200  # the same text: nothing to settle
    assert autosave(ben, "old page", None).status_code == 200  # a page without versions
    too_long = autosave(ben, "x" * 20_001, 3)
    assert too_long.status_code == 400 and "over the limit of 20,000" in too_long.get_json()["message"]
    assert ">old page</textarea>" in ben.get(SESSION_1).get_data(as_text=True)
