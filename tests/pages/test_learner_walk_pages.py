"""The learner's walk (2026-12-03): a Francophone learner, then an Anglophone one, went through the
workshop and the self-assessment from the demo LMS in a 320 px iframe, keyboard only. What the
pages said wrong, each checked here through the test client (the browser findings are in
tests/browser/test_learner_walk.py)."""

from __future__ import annotations

import re
from typing import Any

from lti_tool.lti import claims as C
from tests.assessment_app.test_class_view import ITEM, answer_all, submit
from tests.support.grades import text_of

ASSIGNMENT_PAGE = "/app/w/p3-art-of-the-possible/assignment"


def _begun(launch_as: Any, locale: str, sub: str = "ben", name: str = "Le PPP du transport régional") -> Any:
    learner = launch_as("learner", sub=sub, item=ITEM, resource_link="rl-assess", locale=locale)
    assert learner.post("/app/assessment/begin", {"partnership": name}).status_code == 303
    return learner


def test_the_progress_line_agrees_with_0_and_1_answers_in_french(launch_as: Any) -> None:
    """ "0 questions répondues sur 61", then "1 questions répondues": the number in front of the
    noun changes on every answer (in the page's script too), so French puts it after a colon."""
    ben = _begun(launch_as, "fr-CA")
    progress = text_of(
        ben.get("/app/assessment/take").get_data(as_text=True).split('id="progress"')[1].split("</p>")[0]
    )
    assert "questions répondues : 0 sur 61" in progress, progress  # text_of reads U+00A0 as a space
    assert "0 questions répondues" not in progress
    saved = ben.client.post(
        "/app/assessment/answer",
        json={"item": "need-1", "value": "3"},
        headers={"X-Launch-Token": ben.token, "X-CSRF-Token": ben.csrf("/app/assessment/take")},
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    progress = text_of(
        ben.get("/app/assessment/take").get_data(as_text=True).split('id="progress"')[1].split("</p>")[0]
    )
    assert "1 sur 61" in progress and "1 questions" not in progress, progress
    english = _begun(launch_as, "en", sub="ada")
    assert "0 of 61 questions answered" in text_of(english.get("/app/assessment/take").get_data(as_text=True))


def test_the_partnership_s_name_is_not_glued_to_a_french_article(launch_as: Any) -> None:
    """ "pour la réussite de Le PPP du transport régional?": the learner's own name for the
    partnership, after "de", made "de Le". It is quoted after « du partenariat » instead."""
    ben = _begun(launch_as, "fr-CA")
    page = text_of(ben.get("/app/assessment/take").get_data(as_text=True))
    assert "de Le PPP" not in page and "décrit-il Le PPP" not in page, page
    assert "pour la réussite du partenariat « Le PPP du transport régional »?" in page
    assert (
        "Dans quelle mesure chaque énoncé décrit-il le partenariat « Le PPP du transport régional »?" in page
    )


def test_an_activity_without_a_title_is_named_in_the_learner_s_language(launch_as: Any) -> None:
    """An LMS may send a resource link without a title: the assignment page then called it
    "the self-assessment activity", in English, in quotes as if it were its title."""
    untitled = {C.RESOURCE_LINK: {"id": "rl-assess"}}
    launch_as("learner", sub="ana", item=ITEM, resource_link="rl-assess", extra=untitled)
    ben = launch_as("learner", sub="ben", item="p3-art-of-the-possible/session-1", locale="fr-CA")
    page = text_of(ben.get(ASSIGNMENT_PAGE).get_data(as_text=True))
    assert "the self-assessment activity" not in page, page
    assert "l'activité « Autoévaluation » de votre cours" in page


def test_the_assignment_page_does_not_say_the_activity_is_missing_when_it_may_be_there(
    launch_as: Any,
) -> None:
    """The tool learns of a placed activity at its first launch: before anyone opened it, the page
    said "When your instructor has added it", though the learner could see it in the course."""
    ben = launch_as("learner", sub="ben", item="p3-art-of-the-possible/session-1", locale="fr-CA")
    page = text_of(ben.get(ASSIGNMENT_PAGE).get_data(as_text=True))
    assert "Quand la personne enseignante l'aura ajoutée" not in page
    assert (
        "Ouvrez-la à partir de la page de votre cours; si elle n'y est pas, "
        "la personne enseignante ne l'a pas encore ajoutée" in page
    ), page
    english = launch_as("learner", sub="ben", item="p3-art-of-the-possible/session-1")
    page = text_of(english.get(ASSIGNMENT_PAGE).get_data(as_text=True))
    assert (
        "Open it from your course's page; if it is not there, your instructor has not added it yet" in page
    ), page


def test_an_address_the_tool_does_not_have_answers_in_the_launch_s_language(launch_as: Any) -> None:
    """A French learner on an address that is no page of the tool (an old bookmark, a link cut
    short) got Werkzeug's English page: "Not found … If you entered the URL manually please check
    your spelling and try again." The launch's token was there: its language and its way back
    are used, and the words are the tool's."""
    ben = launch_as("learner", sub="ben", item=ITEM, resource_link="rl-assess", locale="fr-CA")
    missing = ben.get("/app/w/p3-art-of-the-possible/sessions/session-1/notes")
    assert missing.status_code == 404
    body = missing.get_data(as_text=True)
    page = text_of(body)
    assert '<html lang="fr-CA">' in body, page
    assert "requested URL" not in page and "spelling" not in page, page
    assert "Introuvable" in page and "Retour au début de cette activité" in page, page
    wrong_method = ben.client.delete(f"/app/assessment/?lt={ben.token}")
    assert wrong_method.status_code == 405
    assert "The method is not allowed" not in text_of(wrong_method.get_data(as_text=True))
    english = launch_as("learner", sub="ada", item=ITEM, resource_link="rl-assess")
    page = text_of(
        english.get("/app/w/p3-art-of-the-possible/sessions/session-1/notes").get_data(as_text=True)
    )
    assert "This address is not a page of this activity" in page and "spelling" not in page, page


def test_the_overview_says_a_session_is_not_yet_read_not_that_it_is_closed(launch_as: Any) -> None:
    """The workshop's first page marked every session « Pas encore ouverte »: in French a session
    « pas encore ouverte » is one that is not open yet (locked), and a learner on a phone took
    the six sessions for closed. It is the learner who has not opened it: « consultée »."""
    ben = launch_as("learner", sub="ben", item="p3-art-of-the-possible/session-1", locale="fr-CA")
    assert ben.get("/app/w/p3-art-of-the-possible/sessions/session-1").status_code == 200
    page = text_of(ben.get("/app/w/p3-art-of-the-possible/").get_data(as_text=True))
    assert "ouverte" not in page.lower(), page
    assert "Consultée" in page and "Pas encore consultée" in page, page


def test_coming_back_names_the_partnership_without_gluing_it_to_the_sentence(launch_as: Any) -> None:
    """Back on the start page: « Vous évaluez Le PPP du port et avez répondu… », then « Vous avez
    soumis la tentative 1, portant sur Le PPP du port, le… »: the learner's own name, capital
    article and all, glued into the sentence (the questions' page quotes it since the last walk)."""
    ben = _begun(launch_as, "fr-CA", name="Le PPP du port")
    page = text_of(ben.get("/app/assessment/").get_data(as_text=True))
    assert "Vous évaluez le partenariat « Le PPP du port » et avez répondu à 0 question sur 61." in page, page
    answer_all(ben, 3, name="Le PPP du port")
    submit(ben)
    page = text_of(ben.get("/app/assessment/").get_data(as_text=True))
    assert "portant sur Le PPP" not in page, page
    said = r"Vous avez soumis la tentative 1, sur le partenariat « Le PPP du port », le \d+ \w+ \d{4}\."
    assert re.search(said, page), page
