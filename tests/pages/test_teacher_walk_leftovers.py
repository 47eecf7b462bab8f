"""The teacher's walk, what was left (2026-12-02): gradebook times in raw UTC, focus at the top of
the page after a refused save, the class view's "Importance" without its scale and "Needing
attention" a bare count, the teacher called "enseignant", and the results CSV's empty columns."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import update

from lti_tool import i18n
from lti_tool.extensions import db
from lti_tool.models import AssessmentAttempt, Grade
from lti_tool.models.grades import DELIVERED, PENDING
from lti_tool.services.grades.gradebook import status_of
from tests.support.grades import recorded_grade, text_of

ASSESSMENT = "partnership-assessment"


def test_gradebook_times_are_dates_in_the_reader_s_language_with_the_time_zone_named(
    tool_app: Flask, launch_as: Any
) -> None:
    ben = launch_as("learner", sub="ben", item=ASSESSMENT, resource_link="rl-assess")
    recorded_grade(tool_app, ben.launch_id, status=DELIVERED, delivered_at=datetime(2026, 12, 2, 21, 30, 5))
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")
    row = teacher.get("/app/grades/").get_data(as_text=True).split('data-user="ben"')[1].split("</tr>")[0]
    assert "Delivered to the LMS (since 2 Dec 2026, 9:30\u202fPM UTC)" in html.unescape(row), row
    assert "2026-12-02" not in row

    french = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess", locale="fr-CA")
    row = french.get("/app/grades/").get_data(as_text=True).split('data-user="ben"')[1].split("</tr>")[0]
    assert "(depuis le 2 déc. 2026 à 21\u00a0h\u00a030 UTC)" in html.unescape(row), row

    # The learner's own grade page says it the same way.
    mine = ben.get("/app/grades/mine").get_data(as_text=True)
    assert "2 Dec 2026, 9:30\u202fPM UTC" in html.unescape(mine)


def test_the_next_try_of_a_waiting_grade_is_a_date_and_time_with_its_time_zone() -> None:
    busy = Grade(
        status=PENDING,
        attempts=2,
        last_error="the LMS answered HTTP 503",
        next_attempt_at=datetime(2026, 12, 2, 9, 5, 59),
    )
    assert status_of(busy)[1].endswith("; next try 2 Dec 2026, 9:05\u202fAM UTC")
    with i18n.use("fr"):
        assert status_of(busy)[1].endswith("; prochain essai le 2 déc. 2026 à 09\u00a0h\u00a005 UTC")


def _submitted(launch_as: Any, sub: str, locale: str | None = None) -> Any:
    from tests.assessment_app.test_class_view import answer_all, submit

    learner = launch_as("learner", sub=sub, item=ASSESSMENT, resource_link="rl-assess", locale=locale)
    answer_all(learner, 4)
    submit(learner)
    return learner


def test_the_class_table_gives_the_importance_scale_and_says_what_is_counted(launch_as: Any) -> None:
    from lti_tool.assessment.instrument import default_instrument

    _submitted(launch_as, "ben")
    scale = default_instrument().importance_scale
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")
    table = teacher.get("/app/assessment/").get_data(as_text=True).split('id="area-stats"')[1]
    head = text_of(table.split("</thead>")[0])
    assert f"Mean importance ({scale.minimum}–{scale.maximum})" in head  # the instrument's scale
    assert "Learners needing attention" in head
    assert f'data-label="Mean importance ({scale.minimum}–{scale.maximum})"' in table  # narrow cards

    french = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess", locale="fr-CA")
    table = french.get("/app/assessment/").get_data(as_text=True).split('id="area-stats"')[1]
    head = text_of(table.split("</thead>")[0])
    assert f"Importance moyenne ({scale.minimum}–{scale.maximum})" in head
    assert "Personnes apprenantes sous le seuil" in head


def test_the_teacher_is_called_by_an_epicene_role_name_in_french(launch_as: Any) -> None:
    ada = launch_as("instructor", sub="ada", locale="fr-CA", extra={"name": "Ada Okafor"})
    words = text_of(ada.get("/app/", follow_redirects=True).get_data(as_text=True))
    assert "personne enseignante" in words, words
    assert "en tant que enseignant" not in words and "connecté" not in words
    ben = launch_as("learner", sub="ben", locale="fr-CA")
    assert "personne apprenante" in text_of(ben.get("/app/", follow_redirects=True).get_data(as_text=True))
    # Nor "connecté" on the page that says a launch is missing (anyone may read it).
    refused = ben.client.get("/app/grades/", headers={"Accept-Language": "fr-CA"})
    assert refused.status_code == 401
    title = "Vous n'avez pas de session ouverte dans cette activité"
    assert title in html.unescape(refused.get_data(as_text=True))


def test_the_results_csv_has_no_column_no_attempt_uses(tool_app: Flask, launch_as: Any) -> None:
    _submitted(launch_as, "ben")
    teacher = launch_as("instructor", sub="ada", item=ASSESSMENT, resource_link="rl-assess")

    def columns() -> list[str]:
        body = teacher.get("/app/assessment/class/results.csv").get_data(as_text=True).lstrip("\ufeff")
        return next(csv.reader(io.StringIO(body)))

    now = columns()
    assert "answer_trust-6" in now  # the current version's
    assert not [c for c in now if c in ("answer_trust-1", "answer_trust-2", "answer_risk-1")]  # version 1's
    with tool_app.app_context():
        db.session.execute(update(AssessmentAttempt).values(instrument_version=1))
        db.session.commit()
    then = columns()
    assert then[: len(now)] == now  # the current version's columns first, in the same order
    assert {"answer_trust-1", "answer_trust-2", "answer_risk-1"} <= set(then[len(now) :])
