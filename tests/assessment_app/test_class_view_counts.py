"""The class view's counts agree with their number (the learner's walk, 2026-12-03): "1 took it
more than once" was one catalogue text with no plural, so French said "1 l'ont faite plus d'une
fois" (a plural verb after one learner)."""

from __future__ import annotations

from typing import Any

from tests.assessment_app.test_class_view import ITEM, answer_all, submit
from tests.support.grades import text_of

SETTINGS = {
    "scoring_model": "threshold_bands",
    "catalogues": "workshop",
    "grading": "completion",
    "score_maximum": "100",
    "retakes": "on",
}


def _retook(launch_as: Any, sub: str) -> None:
    learner = launch_as("learner", sub=sub, item=ITEM)
    answer_all(learner, 3)
    submit(learner)
    assert learner.post("/app/assessment/retake", {"partnership": "Harbour renewal P3"}).status_code == 303
    answer_all(learner, 4)
    submit(learner)


def test_the_count_of_learners_who_retook_it_agrees_with_its_number(launch_as: Any) -> None:
    teacher = launch_as("instructor", sub="ada", item=ITEM)
    assert (
        teacher.post("/app/assessment/settings", SETTINGS, csrf_from="/app/assessment/settings").status_code
        == 303
    )
    french = launch_as("instructor", sub="ada", item=ITEM, locale="fr-CA")

    _retook(launch_as, "ana")
    counts = text_of(
        french.get("/app/assessment/").get_data(as_text=True).split('id="class-counts"')[1].split("</p>")[0]
    )
    assert "1 l'a faite plus d'une fois" in counts, counts
    assert "1 took it more than once" in text_of(teacher.get("/app/assessment/").get_data(as_text=True))

    _retook(launch_as, "ben")
    counts = text_of(
        french.get("/app/assessment/").get_data(as_text=True).split('id="class-counts"')[1].split("</p>")[0]
    )
    assert "2 l'ont faite plus d'une fois" in counts, counts
