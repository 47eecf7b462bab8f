"""A teacher works in French (locale fr-CA) or in English (en-CA) from the demo LMS: the Deep
Linking picker (the item's title and description reach the LMS in that language), the settings
page (a change, saved), the class view with a learner's submitted attempt, that learner's report,
the discussion view and the gradebook. Each page: the language's own words, `<html lang>`, axe-core clean; the
settings and the class view at 320 px too (issue 15)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask

from tests.assessment_app.conftest import HttpTaker
from tests.browser.conftest import run_axe
from tests.browser.demo_course import FRAME, content_added, tool_at
from tests.support.lms import ASSESSMENT, DemoLms

CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
NBSP = "\u00a0"

# What each page says, in each language: texts of the catalogue (messages.po), not guesses.
WORDS: dict[str, dict[str, str]] = {
    "fr-CA": {
        "html_lang": "fr-CA",
        "person": "a.person-fr",
        "picker": "Ajouter du contenu de l'atelier à votre cours",
        "add": "Ajouter au cours",
        "item_title": "Travail : ",
        "item_text": "Évaluez dans quelle mesure votre organisation travaille bien en partenariat",
        "class": "Autoévaluation du partenariat : votre classe",
        "change_settings": "Modifier les paramètres",
        "settings": "Paramètres de l'autoévaluation",
        "model_grading": "Le résultat global du modèle de notation",
        "save": "Enregistrer les paramètres",
        "ags": "Transmet chaque note au carnet de notes du SGA",
        "column_help": "texte, jusqu'à 2 000 caractères",
        "blocked": "Non disponibles : importance_gap (bloqué par l'administration).",
        "saved": "Paramètres enregistrés.",
        "saved_grade": "Note : le résultat global du modèle de notation.",
        "quoted_catalogue": "« Mécanismes de l'atelier »",
        "counts": "Soumises : 1 · en cours : 0",
        "strip": "Personnes répondantes par moyenne de domaine, par demi-point : 1,0 : 0; 1,5 : 0",
        "discussion_link": "Vue de discussion (sans noms, pour projection)",
        "csv_link": "Télécharger les résultats (CSV)",
        "report_link": "Rapport de Ben Tremblay, tentative 1",
        "radar": "Moyenne de chaque domaine sur l'échelle de 1 à 5, un anneau par point.",
        "discussion_nav": "Vue de discussion",
        "discussion": "Nos partenariats, par domaine",
        "submitted_one": "1 personne apprenante a soumis son autoévaluation.",
        "gradebook_link": "Carnet de notes",
        "gradebook": "Carnet de notes : ",
        "in_lms": "SGA",
        "percent": "(4,0 − 1) / 4 = 75 %, donc 75 sur 100.",
        "overall": "votre résultat global est la moyenne de vos moyennes par domaine",
    },
    "en-CA": {
        "html_lang": "en",
        "person": "a.person",
        "picker": "Add workshop content to your course",
        "add": "Add to the course",
        "item_title": "Assignment: ",
        "item_text": "Assess how well your organization works in partnership",
        "class": "Partnership self-assessment: your class",
        "change_settings": "Change the settings",
        "settings": "Self-assessment settings",
        "model_grading": "The scoring model's overall result",
        "save": "Save settings",
        "ags": "Sends each grade to the LMS gradebook",
        "column_help": "text, up to 2,000 characters",
        "blocked": "Not available: importance_gap (blocked by the administrator).",
        "saved": "Settings saved.",
        "saved_grade": "Grade: the scoring model’s overall result.",
        "quoted_catalogue": "“Workshop mechanisms”",
        "counts": "1 submitted · 0 in progress",
        "strip": "Respondents by area mean, per half point: 1.0: 0, 1.5: 0",
        "discussion_link": "Discussion view (no names, for projecting)",
        "csv_link": "Download the results (CSV)",
        "report_link": "Report of Ben Tremblay, attempt 1",
        "radar": "Mean of each area on the scale of 1 to 5, one ring per point.",
        "discussion_nav": "Discussion view",
        "discussion": "Our partnerships, by area",
        "submitted_one": "1 learner has submitted.",
        "gradebook_link": "Gradebook",
        "gradebook": "Gradebook: ",
        "in_lms": "LMS",
        "percent": "(4.0 − 1) / 4 = 75%, so 75 of 100.",
        "overall": "your overall result is the mean of your area means",
    },
}


def said(text: str) -> str:
    """A page's text with its spaces as a reader sees them (French puts no-break spaces before
    “:” and “%”; both are written with plain spaces in WORDS)."""
    return " ".join(text.replace(NBSP, " ").replace("\u202f", " ").split())


class Checks:
    """Each page's `<html lang>` and axe-core's serious violations, gathered to assert once."""

    def __init__(self, page: Any, lang: str) -> None:
        self.page, self.lang, self.found = page, lang, {}  # type: ignore[var-annotated]

    def tool(self) -> Any:
        return self.page.frame(name="tool-frame")

    def __call__(self, name: str) -> str:
        tool = self.tool()
        tool.wait_for_load_state()
        lang = tool.evaluate("document.documentElement.lang")
        problems = [f"{v['id']}: {v['help']}" for v in run_axe(self.page, tool)]
        self.found[name] = ([f"lang={lang}"] if lang != self.lang else []) + problems
        return said(tool.locator("main").inner_text())

    def narrow(self, name: str) -> str:
        """The same page in a 320 px iframe: nothing wider than it, axe clean."""
        self.page.set_viewport_size({"width": 352, "height": 800})
        try:
            overflow = self.tool().evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            text = self(name + " at 320px")
            if overflow > 0:
                self.found[name + " at 320px"].append(f"{overflow}px wider than the iframe")
        finally:
            self.page.set_viewport_size({"width": 1280, "height": 900})
        return text


def _sent_items(request: Any) -> list[dict[str, Any]]:
    """The content items of the tool's Deep Linking answer, as the LMS received them."""
    token = parse_qs(request.post_data)["JWT"][0]
    body = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return list(claims[CONTENT_ITEMS])


@pytest.mark.parametrize("locale", ["fr-CA", "en-CA"])
def test_a_teacher_works_in_their_language(make_app: Any, page: Any, locale: str) -> None:
    app: Flask = make_app(PLUGINS_BLOCKED="importance_gap")  # the settings page says so, in words
    w = WORDS[locale]
    check = Checks(page, w["html_lang"])
    page.set_viewport_size({"width": 1280, "height": 900})
    demo = app.config["DEMO_URL"]
    frame = page.frame_locator(FRAME)

    # The picker: the graded assignment placed, its title and description in the teacher's language.
    page.goto(demo + "/demo/")
    page.locator(w["person"]).filter(has_text="Ada").click()
    page.get_by_role("link", name="Add content from P3 Workshop").click()  # the LMS's own words
    frame.get_by_role("heading", level=1, name=w["picker"]).wait_for()
    check("picker")
    item = frame.locator(f'.picker-item[data-item="{ASSESSMENT}"]')
    title = said(item.locator(".picker-choice label").inner_text())
    shown = said(item.locator(".hint").inner_text())
    with page.expect_request(lambda r: "/demo/deep-link-return" in r.url) as answer:
        item.locator("input[name=item]").check()
        frame.get_by_role("button", name=w["add"]).click()
    content_added(page)  # the LMS page, in the whole window
    (sent,) = _sent_items(answer.value)
    assert said(sent["title"]) == title and title.startswith(w["item_title"]), sent
    assert w["item_text"] in sent["text"] and said(sent["text"]) in shown

    # The settings: grade with the scoring model's result, saved; the page also at 320 px.
    page.get_by_role("link", name="Back to the course").click()  # in the teacher's language still
    page.locator("a.activity").last.click()  # the activity just placed
    frame.get_by_role("heading", level=1, name=w["class"]).wait_for()
    frame.get_by_role("link", name=w["change_settings"]).click()
    frame.get_by_role("heading", level=1, name=w["settings"]).wait_for()
    words = check("settings")
    assert w["ags"] in words and w["blocked"] in words, words
    assert w["column_help"] in said(frame.locator("table.columns").text_content() or "")  # in a <details>
    check.narrow("settings")
    frame.get_by_role("radio", name=w["model_grading"]).check()
    frame.get_by_role("button", name=w["save"]).click()
    notice = said(frame.locator("#settings-saved").inner_text())
    assert w["saved"] in notice and w["saved_grade"] in notice and w["quoted_catalogue"] in notice, notice
    check("class view, settings saved")

    # A learner (in the same language) submits; the grade explains itself in it, numbers included.
    lms = DemoLms(app.config["BASE_URL"], demo)
    _, landing = lms.launch("201", lms.activities()[sent["title"]], lang=locale)
    ben = HttpTaker.entered(lms.tool_url, landing)
    ben.answer_all(rating=4)
    assert ben.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    grade = said(ben.get("/app/grades/mine").text)
    assert w["percent"] in grade and w["overall"] in grade, grade

    # The class view with that attempt, at 320 px too; the discussion view; the gradebook.
    check.tool().goto(check.tool().url)  # the class view again
    frame.get_by_role("heading", level=1, name=w["class"]).wait_for()
    words = check("class view")
    assert w["counts"] in words, words
    strip = said(frame.locator("svg.strip desc").first.text_content() or "")  # read by screen readers
    assert strip.startswith(w["strip"]), strip
    assert frame.get_by_role("link", name=w["csv_link"]).is_visible()
    assert frame.get_by_role("link", name=w["discussion_link"]).is_visible()
    check.narrow("class view")
    frame.get_by_role("link", name=w["report_link"]).click()  # Ben's report, as his teacher reads it
    tool_at(page, "**/app/assessment/report/**")  # the class view has a radar too
    frame.locator("svg.radar desc").first.wait_for(state="attached")
    check("a learner's report")
    radar = said(frame.locator("svg.radar desc").first.text_content() or "")
    assert radar.startswith(w["radar"]), radar
    frame.get_by_role("navigation").get_by_role("link", name=w["discussion_nav"], exact=True).click()
    frame.get_by_role("heading", level=1, name=w["discussion"]).wait_for()
    assert w["submitted_one"] in check("discussion view")
    frame.get_by_role("navigation").get_by_role("link", name=w["gradebook_link"], exact=True).click()
    frame.get_by_role("heading", level=1).filter(has_text=w["gradebook"]).wait_for()
    check("gradebook")
    row = frame.locator("tr[data-user]").filter(has_text="Ben Tremblay")
    assert said(row.locator("td").first.inner_text()) == "75 / 100"
    assert w["in_lms"] in row.locator(".grade-status").inner_text()
    assert check.found == {name: [] for name in check.found}, check.found
