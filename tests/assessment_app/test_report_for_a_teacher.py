"""A teacher reading a learner's report: nothing contradicts an empty draft, and the headings
speak of the learner, not to them (product review, 2 December)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import AssessmentAttempt
from tests.assessment_app.conftest import ITEM, Taker
from tests.support.lms import INSTRUCTOR, LEARNERS

WORDS = {
    "en-CA": {
        "none_assessed": "No area is assessed yet: none has enough answers for a score.",
        "needs_nothing": ["No area needs attention", "Nothing: every area", "Nothing to apply"],
        "profile_theirs": "The partnership's profile",
        "answers_theirs": "Ben Tremblay's answers",
        "yours": ["Your partnership's profile", "Your answers"],
    },
    "fr-CA": {
        "none_assessed": "Aucun domaine n'est encore évalué : aucun n'a assez de réponses pour un score.",
        "needs_nothing": ["Aucun domaine n'est à améliorer", "Rien : chaque domaine", "Rien à appliquer"],
        "profile_theirs": "Le profil du partenariat",
        "answers_theirs": "Les réponses de Ben Tremblay",
        "yours": ["Le profil de votre partenariat", "Vos réponses"],
    },
}


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("&nbsp;", " ").split())


def _person(launch_as: Any, person_id: str, locale: str) -> Taker:
    who = demo.person(person_id)
    assert who is not None
    role = "instructor" if person_id == INSTRUCTOR else "learner"
    extra = {"name": f"{who.given_name} {who.family_name}"}
    return Taker(launch_as(role, sub=person_id, item=ITEM, locale=locale, extra=extra))


@pytest.mark.parametrize("locale", ["en-CA", "fr-CA"])
def test_a_teacher_reads_a_draft_with_no_answers(launch_as: Any, locale: str) -> None:
    words = WORDS[locale]
    ben = _person(launch_as, LEARNERS[0], locale)
    assert ben.begin().status_code == 303  # names the partnership, answers nothing
    with ben.app.app_context():
        attempt = db.session.scalars(select(AssessmentAttempt)).one()
    ada = _person(launch_as, INSTRUCTOR, locale)
    page = text(ada.get(f"/app/assessment/report/{attempt.id}").text)
    assert page.count(words["none_assessed"]) >= 3, page  # priorities, mechanisms, to discuss
    for line in words["needs_nothing"]:
        assert line not in page
    assert words["profile_theirs"] in page and words["answers_theirs"] in page
    for heading in words["yours"]:
        assert heading not in page

    mine = text(ben.get(f"/app/assessment/report/{attempt.id}").text)  # Ben's own: still "your"
    assert all(heading in mine for heading in words["yours"]) and words["none_assessed"] in mine
    assert words["profile_theirs"] not in mine and words["answers_theirs"] not in mine
