"""The teacher's class view, the discussion view and the results CSV (issue 13), on both
databases: three learners submitted and one draft, with numbers worked out by hand."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from lti_tool.assessment.instrument import default_instrument
from tests.support.launch_as import Launched

pytestmark = pytest.mark.both_dbs

ITEM = "partnership-assessment"
EVIL_NAME = '=HYPERLINK("http://evil.test","x")'


def answer_all(person: Launched, rating: Any, name: str = "Harbour renewal P3", skip: int = 0) -> None:
    csrf = person.csrf("/app/assessment/")
    begun = person.client.post(
        "/app/assessment/begin", data={"lt": person.token, "csrf_token": csrf, "partnership": name}
    )
    assert begun.status_code == 303, begun.get_data(as_text=True)
    items = []
    for dim in default_instrument().dimensions:
        items += [(s.id, str(rating(s.id) if callable(rating) else rating)) for s in dim.statements]
        items.append(("importance:" + dim.id, "3"))
    # All at once through the page form (the no-JavaScript path): the class view needs the
    # answers, not the autosave, which tests/assessment_app/test_taking.py covers.
    form = {f"a.{item}": value for item, value in items[: len(items) - skip]}
    saved = person.client.post(
        "/app/assessment/take", data={"lt": person.token, "csrf_token": csrf, "d": "1", "go": "next", **form}
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)


def submit(person: Launched) -> None:
    done = person.post("/app/assessment/submit", csrf_from="/app/assessment/review")
    assert done.status_code == 303 and "/report/" in done.headers["Location"]


@pytest.fixture
def klass(launch_as: Any) -> dict[str, Launched]:
    """ana: all 2s but need 1s; ben: all 4s; cai: all 3s (trust 1, 1, 5, 5); dee: a draft."""
    people = {
        "ana": launch_as("learner", sub="ana", item=ITEM, extra={"name": EVIL_NAME}),
        "ben": launch_as("learner", sub="ben", item=ITEM),
        "cai": launch_as("learner", sub="cai", item=ITEM),
        "dee": launch_as("learner", sub="dee", item=ITEM),
    }
    answer_all(people["ana"], lambda sid: 1 if sid.startswith("need-") else 2, name="+SUM(1,2)")
    answer_all(people["ben"], 4)
    trust = {"trust-5": 1, "trust-6": 1, "trust-3": 5, "trust-4": 5}
    answer_all(people["cai"], lambda sid: trust.get(sid, 3))
    for sub in ("ana", "ben", "cai"):
        submit(people[sub])
    answer_all(people["dee"], 3, skip=41)  # 20 of 61 answered
    people["teacher"] = launch_as("instructor", sub="teacher", item=ITEM)
    return people


def cells(page: str, area: str) -> dict[str, str]:
    row = page.split(f'data-area="{area}"')[1].split("</tr>")[0]
    found = re.findall(r'data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S)
    return {label: re.sub(r"<[^>]+>", "", value).strip() for label, value in found}


def test_class_view_shows_means_spreads_and_the_drafts_progress(klass: dict[str, Launched]) -> None:
    page = klass["teacher"].get("/app/assessment/").get_data(as_text=True)
    assert "3</strong> submitted · <strong>1</strong> in progress" in page
    assert "20 of 61 answered" in page.split('id="drafts"')[1].split("</ul>")[0]
    # need: ana 1.0, ben 4.0, cai 3.0 -> mean 8/3 = 2.67, median 3.0, quartiles (inclusive)
    # 2.0 and 3.5, range 1.0-4.0; below the strength cut-off 4.0: ana and cai.
    assert cells(page, "need") == {
        "Respondents": "3",
        "Mean": "2.67",
        "Median": "3.0",
        "Middle half": "2.0–3.5",
        "Range": "1.0–4.0",
        "Distribution": "Distribution: Need and purpose\nRespondents by area mean, per half point: "
        "1.0: 1, 1.5: 0, 2.0: 0, 2.5: 0, 3.0: 1, 3.5: 0, 4.0: 1, 4.5: 0, 5.0: 0. Class mean 2.67.",
        "Learners needing attention": "2",
        "Mean importance (1–5)": "3.0",
    }
    # trust: ana 2.0, ben 4.0, cai (1+1+5+5)/4 = 3.0 -> the same mean as its statements' spread hides.
    assert cells(page, "trust")["Mean"] == "3.0" and cells(page, "trust")["Range"] == "2.0–4.0"
    assert 'class="radar-band"' in page  # the cohort radar: mean, and the middle half as a band
    flagged = page.split('id="most-flagged"')[1].split("</ol>")[0]
    assert "2 of 3 learners below the cut-off" in flagged


def test_class_view_lists_learners_with_sessions_opened_and_links_to_reports(
    klass: dict[str, Launched],
) -> None:
    ana = klass["ana"]
    for session in ("session-1", "session-2"):
        assert ana.get(f"/app/w/p3-art-of-the-possible/sessions/{session}").status_code == 200
    page = klass["teacher"].get("/app/assessment/").get_data(as_text=True)
    rows = {sub: page.split(f'data-user="{sub}"')[1].split("</tr>")[0] for sub in ("ana", "ben", "dee")}
    assert 'data-label="Sessions opened">2 of 6<' in rows["ana"]
    assert 'data-label="Sessions opened">0 of 6<' in rows["ben"]
    assert "in progress: 20 of 61 answered" in rows["dee"]
    assert "Report of Learner ben, attempt 1" in rows["ben"]
    assert "teacher" not in page.split('id="learner-table"')[1]  # instructors are not learners


def test_first_and_latest_attempts_of_those_who_retook_it(klass: dict[str, Launched]) -> None:
    teacher = klass["teacher"]
    saved = teacher.post(
        "/app/assessment/settings",
        {
            "scoring_model": "threshold_bands",
            "catalogues": "workshop",
            "grading": "completion",
            "score_maximum": "100",
            "retakes": "on",
        },
        csrf_from="/app/assessment/settings",
    )
    assert saved.status_code == 303
    ana = klass["ana"]
    assert ana.post("/app/assessment/retake", {"partnership": "Harbour renewal P3"}).status_code == 303
    answer_all(ana, 4)
    submit(ana)
    page = teacher.get("/app/assessment/").get_data(as_text=True)
    table = page.split('id="first-latest"')[1].split("</table>")[0]
    row = re.sub(r"<[^>]+>", " ", table.split("Need and purpose</th>")[1].split("</tr>")[0]).split()
    assert row == ["1.0", "4.0", "+3.0"]
    # The class by area now uses ana's latest attempt: need is 4.0, 4.0, 3.0.
    assert cells(page, "need")["Mean"] == "3.67"
    assert "took it more than once" in page


def test_discussion_view_has_no_names_and_waits_for_the_minimum(
    klass: dict[str, Launched], launch_as: Any
) -> None:
    teacher = klass["teacher"]
    shown = teacher.get("/app/assessment/class/discussion").get_data(as_text=True)
    assert "3 learners have submitted" in shown and 'id="class-areas"' in shown
    for name in ("Learner ana", "Learner ben", "HYPERLINK", "Harbour renewal"):
        assert name not in shown
    # In another activity with fewer submissions than the minimum: nothing but a note.
    other = launch_as("learner", sub="eve", item=ITEM, resource_link="rl-2")
    answer_all(other, 3)
    submit(other)
    small = launch_as("instructor", sub="teacher", item=ITEM, resource_link="rl-2")
    hidden = small.get("/app/assessment/class/discussion").get_data(as_text=True)
    assert 'id="discussion-hidden"' in hidden and "once 3 learners have submitted" in hidden
    assert 'id="class-areas"' not in hidden and "data-area=" not in hidden


def test_results_csv_holds_per_area_scores_importance_and_answers(klass: dict[str, Launched]) -> None:
    response = klass["teacher"].get("/app/assessment/class/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted((r["learner_id"], r["attempt"], r["status"]) for r in rows) == [
        ("ana", "1", "submitted"),
        ("ben", "1", "submitted"),
        ("cai", "1", "submitted"),
        ("dee", "1", "draft"),
    ]
    by_id = {r["learner_id"]: r for r in rows}
    ana, cai = by_id["ana"], by_id["cai"]
    assert ana["mean_need"] == "1" and ana["mean_trust"] == "2" and ana["answer_need-1"] == "1"
    assert cai["mean_trust"] == "3" and cai["answer_trust-6"] == "1" and cai["importance_trust"] == "3"
    assert by_id["dee"]["submitted_at"] == "" and by_id["dee"]["answer_legitimacy-3"] == ""
    # Formula injection: cells that would run as formulas in a spreadsheet are kept text.
    assert ana["name"] == "'" + EVIL_NAME and ana["partnership"] == "'+SUM(1,2)"
    # Only the current version's answers: no attempt here was answered on version 1 (decision 0040).
    assert "mean_legitimacy" in rows[0] and "answer_trust-2" not in rows[0]


def test_learners_get_none_of_the_teachers_pages(klass: dict[str, Launched]) -> None:
    ben = klass["ben"]
    assert ben.get("/app/assessment/class/results.csv").status_code == 403
    assert ben.get("/app/assessment/class/discussion").status_code == 403
    start = ben.get("/app/assessment/").get_data(as_text=True)
    assert "your class" not in start and "Learner ana" not in start


def test_the_learners_table_is_read_a_page_at_a_time(klass: dict[str, Launched]) -> None:
    from lti_tool.extensions import db
    from lti_tool.models import Launch
    from lti_tool.services.cohort import roster

    teacher = klass["teacher"]
    with teacher.app.app_context():
        launch = db.session.get(Launch, teacher.launch_id)
        assert launch is not None and launch.resource_link_pk is not None
        pages = [
            roster(launch.resource_link_pk, launch.context_pk, None, page, page_size=3) for page in (1, 2)
        ]
    assert [[r.sub for r in p.rows] for p in pages] == [["ana", "ben", "cai"], ["dee"]]  # by name
    assert (pages[1].learners, pages[1].submitted, pages[1].drafts, pages[1].retakers) == (4, 3, 1, 0)
    assert [(r.sub, r.answered, r.total) for r in pages[1].draft_rows] == [("dee", 20, 61)]
