"""The workshop's pages in French, as a Francophone opens them from the demo LMS (locale fr-CA):
French content, English reading titles marked as such, and axe-core finds no serious violation
(issue 15)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.browser.conftest import run_axe
from tests.browser.demo_course import FRAME

W = "/app/w/p3-art-of-the-possible"


def test_a_francophone_reads_the_workshop_in_french_and_axe_is_clean(app: Flask, page: Any) -> None:
    page.goto(app.config["DEMO_URL"] + "/demo/")
    page.locator("a.person-fr").filter(has_text="Dev").click()
    page.get_by_role("link", name="P3 Workshop", exact=True).click()
    frame = page.frame_locator(FRAME)
    frame.get_by_role("heading", level=1, name="Partenariats public-privé : l'art du possible").wait_for()
    tool = page.frame(name="tool-frame")
    found = {}
    for path, heading in [
        ("/", "Partenariats public-privé"),
        ("/sessions/session-6", "Une reddition de comptes au service de l'apprentissage"),
        ("/bibliography", None),
    ]:
        tool.goto(re.sub(r"/app/[^?]*", W + path, tool.url, count=1))
        if heading:
            frame.get_by_role("heading", level=1).filter(has_text=heading).wait_for()
        tool.wait_for_load_state()
        found[path] = [f"{v['id']}: {v['help']}" for v in run_axe(page, tool)]
        assert tool.evaluate("document.documentElement.lang") == "fr-CA"
    assert found == {path: [] for path in found}
    # The bibliography's titles stay as published, spoken as English, marked "(en anglais)".
    cite = frame.locator("cite", has_text="Getting to Maybe")
    assert cite.get_attribute("lang") == "en"
    assert frame.get_by_text("(en anglais)").first.is_visible()
