"""A Francophone learner takes the self-assessment from the demo LMS (locale fr-CA): the start
page, the questions, the review, the report and "your grade" are in French, <html lang="fr-CA">,
and axe-core finds no serious violation; the language switch brings English back (issue 15)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.conftest import run_axe
from tests.browser.demo_course import ASSESSMENT_TITLE, FRAME, place_items


def _checked(page: Any) -> list[str]:
    tool = page.frame(name="tool-frame")
    tool.wait_for_load_state()
    assert tool.evaluate("document.documentElement.lang") == "fr-CA"
    return [f"{tool.url.split('?')[0]}: {v['id']}: {v['help']}" for v in run_axe(page, tool)]


def test_a_francophone_takes_the_self_assessment_in_french(app: Flask, page: Any) -> None:
    place_items(app, page, ASSESSMENT_TITLE)
    page.goto(app.config["DEMO_URL"] + "/demo/")
    page.locator("a.person-fr").filter(has_text="Ben").click()
    page.get_by_role("link", name=ASSESSMENT_TITLE, exact=True).click()
    frame = page.frame_locator(FRAME)
    frame.get_by_role("heading", level=1, name="Autoévaluation du partenariat").wait_for()
    problems = _checked(page)

    frame.get_by_label("Quel partenariat évaluerez-vous?").fill("Le PPP du transport régional")
    frame.get_by_role("button", name="Commencer l'autoévaluation").click()
    frame.get_by_text("Domaine 1 sur").wait_for()
    problems += _checked(page)
    groups = frame.locator("fieldset.rating")
    area = 1
    while True:  # every area: the same answer everywhere, autosaved, then on
        frame.get_by_text(f"Domaine {area} sur").wait_for()
        area += 1
        for i in range(groups.count()):
            groups.nth(i).get_by_role("radio").nth(3).check()
        frame.locator("#save-status").filter(
            has_text="Toutes les réponses de cette page sont enregistrées."
        ).wait_for()
        last = frame.get_by_role("button", name="Enregistrer et réviser")
        if last.count():
            last.click()
            break
        frame.get_by_role("button", name="Enregistrer et continuer").click()
    frame.get_by_role("heading", level=1, name="Réviser et soumettre").wait_for()
    problems += _checked(page)
    frame.get_by_role("button", name="Soumettre mon autoévaluation").click()
    frame.get_by_role("heading", level=1, name="Rapport : Le PPP du transport régional").wait_for()
    problems += _checked(page)
    assert frame.locator("#ask-priorities h3").inner_text().endswith("Domaines à améliorer, par priorité")
    toggle = frame.locator("[data-toggle-details]")
    assert toggle.inner_text() == "Ouvrir tous les détails"
    toggle.click()  # its script says the other label, in French too
    assert toggle.inner_text() == "Fermer tous les détails"
    toggle.click()
    assert toggle.inner_text() == "Ouvrir tous les détails"

    frame.get_by_role("link", name="Votre note").first.click()
    frame.get_by_role("heading", level=1, name="Votre note").wait_for()
    problems += _checked(page)
    assert problems == []

    # The switch in the footer: the same page in English, remembered for Ben.
    frame.get_by_role("button", name="English").click()
    frame.get_by_role("heading", level=1, name="Your grade").wait_for()
    assert page.frame(name="tool-frame").evaluate("document.documentElement.lang") == "en"
