"""The workshop's pages in French, as a Francophone opens them from the demo LMS (locale fr-CA):
French content, English reading titles marked as such, and axe-core finds no serious violation
(issue 15)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.browser.conftest import run_axe
from tests.browser.demo_course import FRAME, tool_at

W = "/app/w/p3-art-of-the-possible"


def open_workshop_in_french(app: Flask, page: Any) -> tuple[Any, Any]:
    """Dev, who reads French, opens the workshop from the demo course: (frame locator, frame)."""
    page.goto(app.config["DEMO_URL"] + "/demo/")
    page.locator("a.person-fr").filter(has_text="Dev").click()
    page.get_by_role("link", name="P3 Workshop", exact=True).click()
    frame = page.frame_locator(FRAME)
    frame.get_by_role("heading", level=1, name="Partenariats public-privé : l'art du possible").wait_for()
    # Its address, not /lti/launch (session.js, deferred, puts it there): the tests build on it.
    return frame, tool_at(page, "**/app/w/**")


def test_a_francophone_reads_the_workshop_in_french_and_axe_is_clean(app: Flask, page: Any) -> None:
    frame, tool = open_workshop_in_french(app, page)
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


def test_french_pages_fit_a_320px_iframe_and_keep_their_own_language(app: Flask, page: Any) -> None:
    """French sentences are longer: at 320 px nothing scrolls sideways (the "opens in a new tab"
    note wraps); that note, inside a title kept in English, is spoken as French; the reflection's
    counter writes its numbers the French way once its script has run, in the singular for 0 and
    1 characters, and one character over the limit is said in the singular."""
    page.set_viewport_size({"width": 352, "height": 800})  # leaves a 320 px iframe
    frame, tool = open_workshop_in_french(app, page)
    assert tool.evaluate("document.documentElement.clientWidth") <= 320
    found: dict[str, list[str]] = {}
    for path in ["/sessions/session-3", "/bibliography"]:
        tool.goto(re.sub(r"/app/[^?]*", W + path, tool.url, count=1))
        tool.wait_for_load_state()
        problems = found[path] = []
        overflow = tool.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"scrolls sideways by {overflow}px")
        notes = tool.evaluate(
            "[...document.querySelectorAll('.external-note')].map(n => n.closest('[lang]').lang)"
        )
        assert notes  # both pages link to readings
        problems += [f"an external note in lang={lang}" for lang in set(notes) if lang != "fr-CA"]
        if path == "/sessions/session-3":
            counter = tool.locator("#reflection-count").inner_text()
            if counter != "0 caractère sur 20\u00a0000":  # French singular for 0 and 1
                problems.append(f"counter says {counter!r}")
    assert found == {path: [] for path in found}
    # Typing one character: the live counter stays singular.
    tool.goto(re.sub(r"/app/[^?]*", W + "/sessions/session-3", tool.url, count=1))
    frame.locator("#reflection-text").press_sequentially("a")
    frame.locator("#reflection-count").filter(has_text="1 caractère sur 20\u00a0000").wait_for()
    # One character over the limit: the status says it in the singular too.
    frame.locator("#reflection-text").fill("a" * 20_001)
    frame.locator("#reflection-status").filter(
        has_text="Non enregistrée\u00a0: votre réflexion dépasse de 1 caractère la limite de 20\u00a0000."
    ).wait_for()
