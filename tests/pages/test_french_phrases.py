"""The French walk-through's leftovers: whole phrases in the catalogue (colon and quotes included)
on the review page, the readings form and the joint report; counts that agree with their number
("0 réponse sur 61", as French treats 0 and 1 as singular); the readings form's problems
translated and saying "at most"; a teacher's report caption in the third person."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from babel.numbers import format_decimal
from flask import Flask

from lti_tool import items as item_registry
from lti_tool.assessment.instrument import default_instrument
from lti_tool.services.readings import all_readings
from tests.assessment_app.conftest import ITEM, Taker
from tests.assessment_app.test_partnership_groups import GROUP, code_of, group_id, join, learner, start
from tests.support.launch_as import Launched

NBSP = "\u00a0"
# "Area: value" and "“quoted”" in each language (French: no-break space before the colon and
# inside « »).
PUNCTUATION = {
    "fr-CA": (NBSP + ": ", "«" + NBSP, NBSP + "»"),
    "en": (": ", "“", "”"),
}
W = "/app/w/p3-art-of-the-possible"


def flat(page: Any) -> str:
    """The page's text, tags dropped (not turned into spaces), no-break spaces kept."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", page.get_data(as_text=True))))


def person(launch_as: Any, role: str, sub: str, locale: str) -> Taker:
    return Taker(launch_as(role, sub=sub, item=ITEM, locale=locale, extra={"name": sub.title()}))


@pytest.mark.parametrize("locale", ["fr-CA", "en"])
def test_the_readings_problems_are_translated_say_at_most_and_punctuate(
    launch_as: Any, tool_app: Flask, locale: str
) -> None:
    with tool_app.app_context():
        key, reading = all_readings(item_registry.workshops()["p3-art-of-the-possible"])[0]
    colon, opening, closing = PUNCTUATION[locale]
    ada = launch_as("instructor", sub="ada", context="course-1", locale=locale)
    long_url = "https://example.org/" + "a" * 2000
    refused = ada.post(W + "/readings", {f"url-{key}": long_url, f"note-{key}": "x" * 1234})
    assert refused.status_code == 400
    words = flat(refused)
    if locale == "fr-CA":
        sep = str(format_decimal(1234, locale="fr_CA"))[1]  # Babel's group separator (no-break)
        note = f"Utilisez au plus 500 caractères pour la note (elle en compte 1{sep}234)."
        address = f"{opening}{reading.title}{closing}, lien{colon}Utilisez au plus 2{sep}000 caractères"
        assert "“" not in words and "”" not in words
    else:
        note = "Use at most 500 characters for the note (it has 1,234)."
        address = (
            f"{opening}{reading.title}{closing}, link{colon}Use at most 2,000 characters for the address"
        )
    assert f"{opening}{reading.title}{closing}, note{colon}{note}" in words
    assert address in words
    assert "Keep the note under" not in words


@pytest.mark.parametrize("locale", ["fr-CA", "en"])
def test_the_review_page_quotes_and_punctuates_the_missing_answers(launch_as: Any, locale: str) -> None:
    colon, opening, closing = PUNCTUATION[locale]
    ana = person(launch_as, "learner", "ana", locale)
    ana.answer_all(skip=2)  # the last area's last statement and its importance
    words = flat(ana.get("/app/assessment/review"))
    # "Area 12: Title: 2 questions left", then the statement, quoted.
    left = "2 questions restantes" if locale == "fr-CA" else "2 questions left"
    assert re.search(colon + re.escape(left), words), words
    assert re.search(re.escape(left) + " " + re.escape(opening) + r"[^«»“”]+" + re.escape(closing), words)
    if locale == "fr-CA":
        assert "“" not in words and "”" not in words


@pytest.mark.parametrize(
    ("locale", "none", "one", "two", "start_one", "members"),
    [
        (
            "fr-CA",
            "0 réponse sur",
            "1 réponse sur",
            "2 réponses sur",
            "avez répondu à 1 question sur",
            (
                "Soumis" + NBSP + ": 0 membre sur 2.",
                "Soumis" + NBSP + ": 1 membre sur 2.",
                "2 membres sur 2.",
            ),
        ),
        (
            "en",
            "0 of",
            "1 of",
            "2 of",
            "have answered 1 of",
            ("Submitted: 0 members of 2.", "Submitted: 1 member of 2.", "Submitted: 2 members of 2."),
        ),
    ],
)
def test_counts_agree_with_their_number(
    launch_as: Any,
    locale: str,
    none: str,
    one: str,
    two: str,
    start_one: str,
    members: tuple[str, str, str],
) -> None:
    ana, ben, cai = (person(launch_as, "learner", sub, locale) for sub in ("ana", "ben", "cai"))
    assert ana.begin().status_code == 303  # no answer
    assert ben.begin().status_code == 303
    first = default_instrument().dimensions[0].statements[:2]
    csrf = ben.csrf()
    assert ben.answer(first[0].id, "4", csrf).status_code == 200
    assert cai.begin().status_code == 303
    csrf = cai.csrf()
    for statement in first:
        assert cai.answer(statement.id, "4", csrf).status_code == 200
    assert start_one in flat(ben.get("/app/assessment/"))

    teacher = person(launch_as, "instructor", "teacher", locale)
    view = flat(teacher.get("/app/assessment/"))
    for count in (none, one, two):  # the drafts' list, then the table of learners
        assert view.count(count) >= 2, (count, view)
    if locale == "fr-CA":
        assert "0 réponses" not in view and "1 réponses" not in view
        assert "Ana" + NBSP + ": 0 réponse sur" in view and "en cours" + NBSP + ": 1 réponse sur" in view
    else:
        assert "Ana: 0 of" in view and "in progress: 1 of" in view

    # A partnership group's progress: 0, 1, then 2 of its 2 members.
    ada, bea = learner(launch_as, "ada", locale=locale), learner(launch_as, "bea", locale=locale)
    assert start(ada).status_code == 303
    assert join(bea, code_of(ada)).status_code == 303
    assert members[0] in flat(ada.get(GROUP))
    _submit(ada)
    assert members[1] in flat(ada.get(GROUP))
    _submit(bea)
    assert members[2] in flat(ada.get(GROUP))


def _submit(member: Launched) -> None:
    from tests.assessment_app.test_class_view import answer_all, submit

    answer_all(member, 3)
    submit(member)


@pytest.mark.parametrize("locale", ["fr-CA", "en"])
def test_the_joint_report_punctuates_its_scores_and_splits(launch_as: Any, locale: str) -> None:
    colon = PUNCTUATION[locale][0]
    from tests.assessment_app.test_class_view import answer_all, submit

    ana, ben = learner(launch_as, "ana", locale=locale), learner(launch_as, "ben", locale=locale)
    assert start(ana, side="public").status_code == 303
    assert join(ben, code_of(ana), side="private", named=True).status_code == 303
    answer_all(ana, lambda sid: 5 if sid.startswith("trust-") else 2)
    submit(ana)
    answer_all(ben, lambda sid: 1 if sid.startswith("trust-") else 2)
    submit(ben)
    page = ana.get(f"{GROUP}{group_id(ana)}/report")
    body = page.get_data(as_text=True)
    split = re.search(r'<li class="split-area">(.*?)</li>', body, re.S)
    assert split, body
    assert colon in html.unescape(split.group(1)).replace("<strong>", "").replace("</strong>", "")
    scores = re.search(r'<ul class="compact scores"><li>(.*?)</li>', body, re.S)
    assert scores and re.search(colon + r"[0-9]", html.unescape(re.sub(r"<[^>]+>", "", scores.group(1))))


@pytest.mark.parametrize(
    ("locale", "yours", "theirs"),
    [
        (
            "fr-CA",
            "l'importance que vous lui avez donnée",
            "l'importance que la personne apprenante lui a donnée",
        ),
        ("en", "the importance you gave it", "the importance the learner gave it"),
    ],
)
def test_a_teacher_reads_the_importance_chart_in_the_third_person(
    launch_as: Any, locale: str, yours: str, theirs: str
) -> None:
    teacher = person(launch_as, "instructor", "teacher", locale)
    saved = teacher.post(
        "/app/assessment/settings",
        {"scoring_model": "importance_gap", "catalogues": "workshop", "grading": "completion"},
        allow_redirects=False,
    )
    assert saved.status_code == 303
    ben = person(launch_as, "learner", "ben", locale)
    ben.answer_all(rating=lambda sid: 2 if sid.startswith("trust") else 4)
    done = ben.post("/app/assessment/submit", allow_redirects=False)
    path = done.headers["Location"].split("?")[0].replace("http://localhost", "")
    own = flat(ben.get(path))
    assert 'class="chart ipa-chart"' in ben.get(path).get_data(as_text=True)
    assert yours in own and theirs not in own
    read = flat(teacher.get(path))
    assert theirs in read and yours not in read  # the caption and the chart's own description
    if locale == "fr-CA":  # the chart's words are French too
        for page in (own, read):
            assert "Concentrez-vous ici" in page and "Rendement (moyenne)" in page
            assert "Concentrate here" not in page and "Each area by its mean" not in page


@pytest.mark.parametrize(
    ("locale", "counters", "one", "other"),
    [
        (
            "fr-CA",
            ["0 caractère sur 20" + NBSP + "000", "1 caractère sur 20", "2 caractères sur 20"],
            "{count} caractère sur {max}",
            "{count} caractères sur {max}",
        ),
        (
            "en",
            ["0 of 20,000 characters", "1 of 20,000 characters", "2 of 20,000 characters"],
            "{count} of {max} characters",  # "of 20,000 characters" agrees with the limit
            "{count} of {max} characters",
        ),
    ],
)
def test_the_reflection_counter_agrees_with_its_number(
    launch_as: Any, locale: str, counters: list[str], one: str, other: str
) -> None:
    """The counter as the page is served ("0 caractère", French singular for 0 and 1), and both
    forms handed to reflection.js, which picks one with the page's plural rule as the person types."""
    from tests.pages.test_pages import SESSION_1, save_form

    ben = launch_as("learner", sub="ben", locale=locale)
    for reflection, counter in zip(["", "a", "ab"], counters, strict=True):
        if reflection:
            assert save_form(ben, ben.get(SESSION_1), reflection).status_code == 303
        page = ben.get(SESSION_1).get_data(as_text=True)
        shown = re.search(r'<p id="reflection-count"[^>]*>([^<]*)</p>', page)
        assert shown and html.unescape(shown.group(1)).startswith(counter), (counter, shown)
    assert f'data-count-one="{one}"' in page and f'data-count-other="{other}"' in page


@pytest.mark.parametrize(
    ("locale", "one", "other"),
    [
        (
            "fr-CA",
            "Non enregistrée" + NBSP + ": votre réflexion dépasse de {over} caractère la limite",
            "Non enregistrée" + NBSP + ": votre réflexion dépasse de {over} caractères la limite",
        ),
        (
            "en",
            "Not saved: your reflection is {over} character over the limit of {max}.",
            "Not saved: your reflection is {over} characters over the limit of {max}.",
        ),
    ],
)
def test_the_too_long_message_has_a_singular(launch_as: Any, locale: str, one: str, other: str) -> None:
    """One character over the limit is "1 character over" (reflection.js picks the form with the
    page's plural rule, as for the counter)."""
    from tests.pages.test_pages import SESSION_1

    page = html.unescape(launch_as("learner", sub="ben", locale=locale).get(SESSION_1).get_data(as_text=True))
    assert f'data-too-long-one="{one}' in page and f'data-too-long-other="{other}' in page
    assert "data-too-long=" not in page


def _radar(page: str) -> str:
    found = re.search(r'<svg[^>]*class="radar radar-wide">.*?</svg>', page, re.S)
    assert found, page
    return html.unescape(found.group(0))


@pytest.mark.parametrize(
    ("locale", "title", "yours", "theirs"),
    [
        (
            "fr-CA",
            "Profil du partenariat",
            "votre tentative précédente",
            "la tentative précédente de la personne apprenante",
        ),
        ("en", "Partnership profile", "your previous attempt", "the learner's previous attempt"),
    ],
)
def test_the_reports_radar_speaks_the_pages_language(
    launch_as: Any, locale: str, title: str, yours: str, theirs: str
) -> None:
    """The report's radar chart: its title in the page's language, and its description's outline
    of the previous attempt "yours" for the learner, "the learner's" for a teacher."""
    teacher = person(launch_as, "instructor", "teacher", locale)
    ben = person(launch_as, "learner", "ben", locale)
    settings = {"scoring_model": "threshold_bands", "catalogues": "workshop", "grading": "completion"}
    assert teacher.post("/app/assessment/settings", {**settings, "retakes": "on"}, False).status_code == 303
    ben.answer_all(rating=2)
    assert ben.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    retake = ben.post("/app/assessment/retake", {"partnership": "Harbour renewal P3"}, False)
    assert retake.status_code == 303
    ben.answer_all()
    done = ben.post("/app/assessment/submit", allow_redirects=False)
    assert done.status_code == 303
    path = done.headers["Location"].split("?")[0].replace("http://localhost", "")
    own, read = _radar(ben.get(path).get_data(as_text=True)), _radar(teacher.get(path).get_data(as_text=True))
    for svg in (own, read):
        assert f">{title}</title>" in svg
    assert yours in own and theirs not in own
    assert theirs in read and yours not in read
    if locale == "fr-CA":
        for svg in (own, read):
            assert "Partnership profile" not in svg and "Dotted outline" not in svg
