"""The report page answers the assignment's four asks first; numbers read one way; retakes are
compared; old attempts still render; grades say how they were computed (issue 13)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from lti_tool.assessment.instrument import get_instrument
from lti_tool.extensions import db
from lti_tool.models import AssessmentAttempt, Grade
from tests.assessment_app.conftest import ITEM, Taker
from tests.support.lms import LEARNERS

SETTINGS = {"scoring_model": "threshold_bands", "catalogues": "workshop"}


def submit(person: Taker) -> str:
    done = person.post("/app/assessment/submit", allow_redirects=False)
    assert done.status_code == 303, done.text
    return "/app/assessment/report/" + done.headers["Location"].split("/report/")[1].split("?")[0]


def section(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"')[1].split("</section>")[0]


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# trust: 2, 2, 3, 2 -> 9/4 = 2.25; structure: 3, 3, 3, 2, 3, 2 -> 16/6 = 2.67; identity all N/A.
RATINGS = {"trust-5": 2, "trust-6": 2, "trust-3": 3, "trust-4": 2}
RATINGS |= {"structure-5": 3, "structure-6": 3, "structure-2": 3, "structure-3": 2, "structure-4": 3}
RATINGS |= {"structure-7": 2, "identity-1": "na", "identity-2": "na", "identity-3": "na", "identity-4": "na"}


def test_the_report_answers_the_four_asks_first_in_order(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.answer_all(rating=lambda sid: RATINGS.get(sid, 4))
    page = ben.get(submit(ben)).text
    asks = [page.index(f'id="ask-{n}"') for n in range(1, 5)]
    assert asks == sorted(asks) and asks[-1] < page.index('id="details-profile"')
    assert "Report: Harbour renewal P3" in page
    profile = text(section(page, "ask-profile"))
    assert "Concern (2): Structure and governance, Empathy and trust" in profile
    assert "Not assessed : Collective identity" in profile  # all "don't know": listed, not dropped
    assert re.findall(r"<strong>([^<]+)</strong>", section(page, "ask-priorities")) == [
        "Empathy and trust",  # 2.25, the lowest mean first
        "Structure and governance",
    ]
    mechanisms = text(section(page, "ask-mechanisms"))
    # The best mechanisms cover the low-rated statements (public commitment, disagreements).
    assert "Governance committee ladder for Structure and governance" in mechanisms
    discuss = text(section(page, "ask-discuss"))
    assert "Empathy and trust : “The partners are confident" in discuss and "motives" in discuss
    assert "Collective identity (every statement was answered “don't know" in discuss.replace("&#39;", "'")


def test_numbers_read_one_way_and_counts_are_plural_right(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.answer_all(rating=lambda sid: RATINGS.get(sid, 4))
    page = ben.get(submit(ben)).text
    row = lambda title: text(page.split(title + "</th>")[1].split("</tr>")[0])  # noqa: E731
    assert row("Empathy and trust").startswith("2.25 ")
    assert row("Structure and governance").startswith("2.67 ")
    priorities = text(section(page, "ask-priorities"))
    assert "mean 2.67" in priorities and "mean 2.25" in priorities
    assert "2.7" not in priorities.replace("2.67", "") and "2.2 " not in page
    assert "4 statements answered “don" in text(page).replace("&#39;", "'")
    assert "statement(s)" not in page


def test_a_retake_report_shows_the_change_since_the_previous_attempt(taker: Any, teacher: Taker) -> None:
    teacher.post("/app/assessment/settings", {**SETTINGS, "grading": "completion", "retakes": "on"})
    ben = taker(LEARNERS[0])
    ben.answer_all(rating=2)
    first = ben.get(submit(ben)).text
    assert 'id="details-change"' not in first and "Since attempt" not in first
    assert ben.post("/app/assessment/retake", {"partnership": "Harbour renewal P3"}).status_code == 200
    ben.answer_all(rating=lambda sid: 5 if sid.startswith("trust") else 2)
    second = ben.get(submit(ben)).text
    assert "Since attempt 1: 1 area up, 0 down." in text(section(second, "ask-profile"))
    changes = text(second.split('id="changes"')[1].split("</table>")[0])
    assert "Empathy and trust 2.0 5.0 +3.0" in changes and "Need and purpose 2.0 2.0 ±0.0" in changes
    assert 'class="radar-previous"' in second  # and the radar draws attempt 1 as an outline


def test_an_attempt_taken_on_version_1_still_renders(taker: Any, app: Flask) -> None:
    ben = taker(LEARNERS[0])
    assert ben.begin().status_code == 303
    with app.app_context():
        db.session.execute(update(AssessmentAttempt).values(instrument_version=1))
        db.session.commit()
    v1 = get_instrument(1)
    csrf = ben.csrf()
    for dim, statement in v1.statements():
        assert ben.answer(statement.id, "2" if dim.id == "trust" else "4", csrf).status_code == 200
    for dim in v1.dimensions:
        assert ben.answer("importance:" + dim.id, "3", csrf).status_code == 200
    page = ben.get(submit(ben))
    assert page.status_code == 200
    assert "Our joint meetings are used to learn" in page.text  # version 1's own statements
    assert "Legitimacy" not in page.text  # an area version 1 did not have
    assert "“I am confident the other partners" in text(section(page.text, "ask-discuss"))


def test_the_grade_says_how_it_was_computed_and_links_to_the_report(
    taker: Any, teacher: Taker, app: Flask
) -> None:
    teacher.post("/app/assessment/settings", {**SETTINGS, "grading": "model"})
    ben = taker(LEARNERS[0])
    ben.answer_all(rating=4)  # honest all-4 answers
    report_path = submit(ben)
    mine = ben.get("/app/grades/mine").text
    assert "75 / 100" in mine
    explained = text(mine.split('data-testid="grade-explained"')[1].split("</section>")[0])
    assert "(4.0 − 1) / 4 = 75%" in explained and "Strength, borderline, concern" in explained
    assert report_path.split("/report/")[1] in mine.split('data-testid="grade-explained"')[1]
    with app.app_context():
        comment = db.session.scalars(select(Grade.comment)).one()
    assert "\n" not in comment and len(comment) < 250
    assert comment.startswith(
        "Partnership self-assessment, attempt 1: 75/100 = Strength, borderline, concern"
    )
    assert "4.0 on the 1-5 scale" in comment


def test_completion_grading_says_the_answers_do_not_count(taker: Any, teacher: Taker, app: Flask) -> None:
    teacher.post("/app/assessment/settings", {**SETTINGS, "grading": "completion"})
    ben = taker(LEARNERS[0])
    ben.answer_all(rating=1)
    submit(ben)
    mine = text(ben.get("/app/grades/mine").text)
    assert "100 / 100" in mine and "Your answers do not change the grade" in mine
    with app.app_context():
        comment = db.session.scalars(select(Grade.comment)).one()
    assert comment == (
        "Partnership self-assessment, attempt 1: full marks for submitting (100/100); "
        "the answers do not change it."
    )


def test_the_report_s_grade_note_reads_as_two_sentences_in_both_languages(
    taker: Any, teacher: Taker, launch_as: Any
) -> None:
    """The note read "…de cette activité : Cette activité donne…": a lead ending in a colon
    followed by the explanation's own sentence, capital and all (French wants none after a
    colon). The lead is a sentence of its own now, in both languages."""
    teacher.post("/app/assessment/settings", {**SETTINGS, "grading": "completion"})
    for locale, lead, detail in (
        ("en", "The grade follows this activity's current settings.", "This activity gives full marks"),
        ("fr-CA", "La note suit les paramètres actuels de cette activité.", "Cette activité donne la note"),
    ):
        person = Taker(launch_as("learner", sub=f"learner-{locale}", item=ITEM, locale=locale))
        person.answer_all(rating=1)
        note = text(person.get(submit(person)).text.split('id="grade-explained"')[1].split("</p>")[0])
        assert note.replace("&#39;", "'").startswith(f">{lead} {detail}"), note
