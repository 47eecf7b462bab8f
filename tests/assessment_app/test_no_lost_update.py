"""Nothing a learner gives is lost or silently changed: two tabs on one attempt, stale pages
after a submission, and where "continue" and the review lead (issue 18)."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.assessment_app.conftest import Taker
from tests.support.lms import LEARNERS


def page_form(page: str) -> dict[str, str]:
    """What the take page's form would post untouched: hidden fields and checked radios."""
    fields = {
        m.group(1): html.unescape(m.group(2))
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }
    for m in re.finditer(r'<input type="radio" name="([^"]+)" value="([^"]+)" checked', page):
        fields[m.group(1)] = m.group(2)
    return fields


def stored(taker: Taker, item: str) -> str | None:
    page = taker.get("/app/assessment/take", d=1).text
    return page_form(page).get("a." + item)


def answer(taker: Taker, item: str, value: str, version: int | None, attempt: int | None = None) -> Any:
    """An autosave; with ``attempt`` as static/assessment.js sends it (the attempt its page shows),
    which takes the three-statement path (services.answers.autosave)."""
    body: dict[str, Any] = {"item": item, "value": value}
    if version is not None:
        body["version"] = version
    if attempt is not None:
        body["attempt"] = attempt
    return taker.client.post(
        "/app/assessment/answer",
        json=body,
        headers={"X-Launch-Token": taker.token, "X-CSRF-Token": taker.csrf()},
    )


def test_a_stale_tabs_page_does_not_overwrite_an_answer_given_in_another_tab(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.begin()
    assert answer(ben, "need-1", "1", 0).status_code == 200
    stale = page_form(ben.get("/app/assessment/take", d=1).text)  # tab A shows need-1 = 1
    assert stale["a.need-1"] == "1" and stale["v.need-1"] == "1"

    fresh = answer(ben, "need-1", "3", 1)  # tab B: 1 -> 3
    assert fresh.status_code == 200 and fresh.get_json()["version"] == 2

    # Tab A's "Save and continue", with need-1 untouched and need-2 newly answered.
    posted = ben.post("/app/assessment/take", {**stale, "a.need-2": "4", "go": "next"}, allow_redirects=False)
    assert posted.status_code == 303 and "d=2" in posted.headers["Location"]
    assert stored(ben, "need-1") == "3"  # not silently put back to 1
    assert stored(ben, "need-2") == "4"


def test_a_changed_answer_that_conflicts_is_shown_with_both_and_either_can_be_kept(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.begin()
    answer(ben, "need-1", "1", 0)
    stale = page_form(ben.get("/app/assessment/take", d=1).text)
    answer(ben, "need-1", "3", 1)  # the other tab

    # Tab A changes need-1 to 2 (and answers need-2): need-2 is saved, need-1 is not overwritten.
    mine = {**stale, "a.need-1": "2", "a.need-2": "5", "go": "next"}
    refused = ben.post("/app/assessment/take", mine, allow_redirects=False)
    assert refused.status_code == 409
    text = html.unescape(refused.text)
    assert "changed in another tab or window" in text
    assert "Saved there: <strong>3 · Partly</strong>" in text
    assert "Your choice here: <strong>2 · A little</strong>" in text
    assert "Keep mine: 2 · A little" in text and "Keep the other: 3 · Partly" in text
    assert stored(ben, "need-1") == "3" and stored(ben, "need-2") == "5"
    again = page_form(refused.text)
    assert again["a.need-1"] == "2" and again["o.need-1"] == "3" and again["v.need-1"] == "2"

    # "Keep mine" from that page: saved over the other answer, which the person has seen.
    kept = ben.post("/app/assessment/take", {**again, "keep": "need-1=2"}, allow_redirects=False)
    assert kept.status_code == 303 and "d=1" in kept.headers["Location"]
    assert stored(ben, "need-1") == "2"


def test_keeping_the_other_answer_leaves_it(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.begin()
    answer(ben, "need-1", "1", 0)
    stale = page_form(ben.get("/app/assessment/take", d=1).text)
    answer(ben, "need-1", "3", 1)
    again = page_form(
        ben.post("/app/assessment/take", {**stale, "a.need-1": "2"}, allow_redirects=False).text
    )
    assert (
        ben.post("/app/assessment/take", {**again, "keep": "need-1=3"}, allow_redirects=False).status_code
        == 303
    )
    assert stored(ben, "need-1") == "3"


def test_autosave_sends_the_version_it_was_based_on(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.begin()
    assert answer(ben, "need-1", "2", 0).get_json()["version"] == 1
    assert answer(ben, "need-1", "4", 1).get_json()["version"] == 2
    stale = answer(ben, "need-1", "1", 1)  # a tab that still shows version 1
    assert stale.status_code == 409
    assert stale.get_json() | {"message": ""} == {
        "error": "conflict",
        "message": "",
        "item": "need-1",
        "yours": "1",
        "theirs": "4",
        "version": 2,
    }
    assert stored(ben, "need-1") == "4"
    same = answer(ben, "need-1", "4", 1)  # both tabs chose the same: no conflict to settle
    assert same.status_code == 200 and same.get_json()["version"] == 2
    assert answer(ben, "need-1", "1", 2).status_code == 200  # "keep mine", knowing version 2
    assert stored(ben, "need-1") == "1"
    # A client that sends no version (an API script) saves whatever is stored.
    assert answer(ben, "need-1", "5", None).status_code == 200
    assert stored(ben, "need-1") == "5"


def submitted(ben: Taker) -> int:
    ben.answer_all()
    review = ben.get("/app/assessment/review").text
    attempt = page_form(review)["attempt"]
    assert ben.post("/app/assessment/submit", {"attempt": attempt}, allow_redirects=False).status_code == 303
    return int(attempt)


def test_pages_of_a_submitted_attempt_say_so_and_link_to_the_report(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.begin()
    stale_take = page_form(ben.get("/app/assessment/take", d=12).text)
    attempt = submitted(ben)
    report = f"/app/assessment/report/{attempt}"
    for path in ("/app/assessment/take", "/app/assessment/review"):  # the back button
        page = ben.get(path)
        assert page.status_code == 200 and "already submitted" in page.text
        assert f'id="open-report" href="{report}?lt=' in page.text
        assert "Submit my self-assessment" not in page.text
    # A stale tab's "Save and review": the same page, not an error with no way on.
    posted = ben.post("/app/assessment/take", {**stale_take, "a.need-1": "2", "go": "review"})
    assert posted.status_code == 409 and "already submitted" in posted.text
    assert f'href="{report}?lt=' in posted.text
    for named in (None, int(stale_take["attempt"])):  # a client that names no attempt; the page's
        autosave = answer(ben, "need-1", "2", 1, attempt=named)
        assert autosave.status_code == 409
        assert autosave.get_json()["error"] == "submitted"
        assert autosave.get_json()["report_url"].startswith(report + "?lt=")
    # Submitting twice (a second tab) opens the report.
    again = ben.post("/app/assessment/submit", {"attempt": str(attempt)}, allow_redirects=False)
    assert report in again.headers["Location"]


def test_a_stale_tab_of_a_submitted_attempt_does_not_write_into_the_retake(taker: Any, teacher: Any) -> None:
    teacher.post(
        "/app/assessment/settings",
        {
            "scoring_model": "threshold_bands",
            "grading": "completion",
            "retakes": "on",
            "catalogues": "workshop",
        },
    )
    ben = taker(LEARNERS[0])
    ben.begin()
    stale = page_form(ben.get("/app/assessment/take", d=1).text)
    first = submitted(ben)
    assert (
        ben.post("/app/assessment/retake", {"partnership": "Second P3"}, allow_redirects=False).status_code
        == 303
    )
    posted = ben.post("/app/assessment/take", {**stale, "a.need-1": "1"})
    assert posted.status_code == 409 and "already submitted" in posted.text
    retake = page_form(ben.get("/app/assessment/take", d=1).text)
    assert retake["attempt"] != str(first) and "a.need-1" not in retake


def test_continue_goes_to_the_review_when_everything_is_answered(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.answer_all(skip=1)
    start = ben.get("/app/assessment/").text
    assert "Continue where you left off" in start
    ben.answer("importance:legitimacy", "3")
    start = ben.get("/app/assessment/").text
    assert "Continue where you left off" not in start
    assert re.search(r'id="continue" href="/app/assessment/review\?lt=[^"]+">Review and submit', start)


def test_the_review_of_an_empty_attempt_lists_areas_not_a_wall_of_questions(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.begin()
    ben.answer("need-1", "3")
    review = html.unescape(ben.get("/app/assessment/review").text)
    assert "60 answers still missing, in 12 areas" in review
    items = re.findall(r"<li><a href=\"/app/assessment/take\?[^\"]*d=(\d+)[^\"]*\">Area", review)
    assert items == [str(n) for n in range(1, 13)]
    assert "5 questions left" in review.split("Area 2:")[0]  # area 1 is begun: 4 statements, importance
    assert review.count("not started") == 11


def test_an_autosave_naming_the_pages_attempt_keeps_every_rule(taker: Any) -> None:
    """The page's autosave names its attempt (three statements instead of five): the same
    versions, conflicts and refusals as the general path, and never another learner's attempt."""
    ben, cleo = taker(LEARNERS[0]), taker(LEARNERS[1])
    ben.begin()
    cleo.begin()
    bens = int(page_form(ben.get("/app/assessment/take", d=1).text)["attempt"])
    cleos = int(page_form(cleo.get("/app/assessment/take", d=1).text)["attempt"])
    first = answer(ben, "need-1", "2", 0, attempt=bens)
    assert first.status_code == 200 and first.get_json()["version"] == 1
    assert first.get_json()["answered"] == 1 and first.get_json()["total"] > 1
    changed = answer(ben, "need-1", "3", 1, attempt=bens)
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    stale = answer(ben, "need-1", "5", 1, attempt=bens)  # another tab's older version
    assert stale.status_code == 409 and stale.get_json()["theirs"] == "3"
    bad = answer(ben, "need-1", "9", 2, attempt=bens)
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_answer"
    assert stored(ben, "need-1") == "3"

    # Cleo's page names Ben's attempt (a forged request): refused, nothing written in either.
    forged = answer(cleo, "need-2", "1", 0, attempt=bens)
    assert forged.status_code == 409, forged.text
    assert stored(ben, "need-2") is None and stored(cleo, "need-2") is None
    mine = answer(cleo, "need-2", "1", 0, attempt=cleos)
    assert mine.status_code == 200 and stored(cleo, "need-2") == "1" and stored(ben, "need-2") is None
