"""The teacher's two-minute set-up, walked with the keyboard in English and French (the teacher's
walk, 2026-12-03): what the picker and the self-assessment's pages left a teacher to guess."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.conftest import run_axe
from tests.browser.demo_course import ASSESSMENT_TITLE, FRAME, content_added, open_course

SESSION_2 = "Session 2: The Art of Governance"


def _picker(app: Flask, page: Any, person: str = "Ada Okafor") -> Any:
    open_course(app, page, person)
    page.get_by_role("link", name="Add content from P3 Workshop").click()
    frame = page.frame_locator(FRAME)
    frame.locator("h1").wait_for()
    return frame


def _focused(page: Any) -> str:
    tool = page.frame(name="tool-frame")
    return str(tool.evaluate("document.activeElement.id"))


def test_points_typed_for_an_unticked_assignment_are_not_dropped_without_a_word(
    app: Flask, page: Any
) -> None:
    """Ada ticks a session, gives the assignment 50 points and forgets to tick it: the picker
    says so (the course would have had no graded column), once; ticked, both are added."""
    frame = _picker(app, page)
    frame.get_by_role("checkbox", name=SESSION_2, exact=True).check()
    frame.get_by_role("spinbutton", name=f"Maximum points for {ASSESSMENT_TITLE}").fill("50")
    frame.get_by_role("button", name="Add to the course").click()
    summary = frame.locator("#picker-errors")
    summary.wait_for()
    page.frame(name="tool-frame").wait_for_function("() => document.readyState === 'complete'")  # scripts ran
    assert _focused(page) == "picker-errors"
    assert f"You changed “{ASSESSMENT_TITLE}” without choosing it" in summary.inner_text()
    # The summary's link leads to the checkbox, which names the problem too.
    summary.get_by_role("link").click()
    box = frame.get_by_role("checkbox", name=ASSESSMENT_TITLE, exact=True)
    assert _focused(page) == box.get_attribute("id")
    described = box.get_attribute("aria-describedby").split()
    assert frame.locator(f"#{described[0]}").inner_text().startswith("You changed")
    assert (
        frame.get_by_role("spinbutton", name=f"Maximum points for {ASSESSMENT_TITLE}").input_value() == "50"
    )
    assert frame.get_by_role("checkbox", name=SESSION_2, exact=True).is_checked()  # kept
    tool = page.frame(name="tool-frame")
    assert [f"{v['id']}: {v['help']}" for v in run_axe(page, tool)] == []

    page.keyboard.press("Space")  # the checkbox has the focus
    frame.get_by_role("button", name="Add to the course").click()
    content_added(page)
    assert page.get_by_text(f"{ASSESSMENT_TITLE} (graded)").is_visible()


def test_pressing_add_again_leaves_the_unticked_item_out(app: Flask, page: Any) -> None:
    frame = _picker(app, page, "Ada en français")
    frame.get_by_role("checkbox", name="Séance 2 : L'art de la gouvernance", exact=True).check()
    frame.get_by_role("textbox", name="Titre dans le cours pour Séance 3", exact=False).fill("Semaine 3")
    frame.get_by_role("button", name="Ajouter au cours").click()
    summary = frame.locator("#picker-errors")
    summary.wait_for()
    # Only the changed item: the untouched ones, whose French titles hold no-break spaces, are not.
    assert summary.locator("li").all_inner_texts() == [
        "Vous avez modifié «\u00a0Séance 3\u00a0: La coopération conditionnelle et la dynamique de la "
        "gestion des relations\u00a0» sans le choisir\u00a0: cet élément ne serait pas ajouté. "
        "Choisissez-le pour l'ajouter, ou appuyez de nouveau sur «\u00a0Ajouter au cours\u00a0» pour "
        "le laisser de côté."
    ]
    frame.get_by_role("button", name="Ajouter au cours").click()  # meant: leave it out
    content_added(page)
    assert not page.get_by_text("Semaine 3").count()
