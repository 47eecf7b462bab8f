"""The report follows the activity's current settings; settings are validated; plugins are
isolated; a third-party plugin is discovered, configurable and used."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
from flask import Flask

from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import Responses, ScoringResult
from lti_tool.plugin_api import ScoringModel
from tests.assessment_app.conftest import ASSESSMENT_TITLE, HttpTaker, Taker
from tests.support.lms import LEARNERS, DemoLms

SETTINGS = {
    "scoring_model": "threshold_bands",
    "catalogues": "workshop",
    "grading": "completion",
}


def priorities(report_html: str) -> list[str]:
    """The areas needing attention as the report's summary lists them (ask 2)."""
    section = report_html.split('id="ask-priorities"')[1].split("</section>")[0]
    return re.findall(r'<li class="summary-priority"><strong>([^<]+)</strong>', section)


def submitted(taker: Any) -> tuple[Taker, int]:
    """Ben rates trust very low but unimportant, and resources a little low but vital."""
    ben = taker(LEARNERS[0])
    ben.answer_all(
        rating=lambda sid: 1 if sid.startswith("trust") else (2 if sid.startswith("resources") else 5),
        importance=lambda did: {"trust": 1, "resources": 5}.get(did, 3),
    )
    done = ben.post("/app/assessment/submit", allow_redirects=False)
    return ben, int(done.headers["Location"].split("/report/")[1].split("?")[0])


def test_report_has_chart_table_priorities_mechanisms_and_no_mechanism_section(taker: Any) -> None:
    ben, attempt = submitted(taker)
    page = ben.get(f"/app/assessment/report/{attempt}").text
    assert "<svg" in page and 'role="img"' in page
    assert '<table id="scores" class="cards">' in page
    assert priorities(page)[0] == "Empathy and trust"
    assert 'id="ask-mechanisms"' in page and 'id="details-mechanisms"' in page
    assert 'id="ask-discuss"' in page


def test_switching_the_scoring_model_changes_every_report(taker: Any, teacher: Taker) -> None:
    ben, attempt = submitted(taker)
    before = priorities(ben.get(f"/app/assessment/report/{attempt}").text)
    saved = teacher.post(
        "/app/assessment/settings", {**SETTINGS, "scoring_model": "importance_gap"}, allow_redirects=False
    )
    assert saved.status_code == 303
    after = priorities(ben.get(f"/app/assessment/report/{attempt}").text)
    assert before and after and before != after
    # Threshold bands put the very weak area first; importance-performance, the vital one.
    assert before[0] == "Empathy and trust"
    assert "resource" in after[0].lower() and "Empathy and trust" in after


@pytest.mark.parametrize(
    ("fields", "section_text"),
    [
        (
            {"scoring.threshold_bands.strength_min": "3", "scoring.threshold_bands.borderline_min": "3.5"},
            "borderline",
        ),
        ({"instructions": "x" * 4001}, "Use at most 4,000 characters for the instructions"),
    ],
)
def test_invalid_settings_are_shown_and_nothing_is_saved(
    teacher: Taker, fields: dict[str, str], section_text: str
) -> None:
    refused = teacher.post("/app/assessment/settings", {**SETTINGS, **fields})
    assert refused.status_code == 400
    assert "Nothing was saved" in refused.text and 'class="field-error"' in refused.text
    assert section_text.lower() in refused.text.lower()
    assert "learners take it once" in teacher.get("/app/assessment/").text


def test_uploaded_catalogue_errors_name_row_and_field(teacher: Taker) -> None:
    csv = (
        "id,title,summary,dimensions,effort,horizon,source\n"
        "m1,Good one,Fine,trust,low,short,me\n"
        "m2,Bad one,Broken,trusst,low,short,me\n"
    )
    refused = teacher.post(
        "/app/assessment/settings",
        {
            **SETTINGS,
            "catalogues": ["workshop", "uploaded"],
            "catalogue.uploaded.text": csv,
            "catalogue.uploaded.format": "csv",
        },
    )
    assert refused.status_code == 400
    assert "Line 3, column 4" in refused.text and "trusst" in refused.text
    fixed = csv.replace("trusst", "trust")
    saved = teacher.post(
        "/app/assessment/settings",
        {
            **SETTINGS,
            "catalogues": ["workshop", "uploaded"],
            "catalogue.uploaded.text": fixed,
            "catalogue.uploaded.format": "csv",
        },
        allow_redirects=False,
    )
    assert saved.status_code == 303


def test_sample_third_party_plugin_is_configurable_and_used(taker: Any, teacher: Taker) -> None:
    form = teacher.get("/app/assessment/settings").text
    assert 'value="weakest_link"' in form
    assert "Concern when any rating is below" in form  # generated from its settings schema
    ben, attempt = submitted(taker)
    saved = teacher.post(
        "/app/assessment/settings",
        {**SETTINGS, "scoring_model": "weakest_link", "scoring.weakest_link.concern_below": "4"},
        allow_redirects=False,
    )
    assert saved.status_code == 303
    report = ben.get(f"/app/assessment/report/{attempt}").text
    assert 'id="scoring-model">Weakest link<' in report


class ExplodingModel(ScoringModel):
    name = "exploding"
    label = "Exploding"
    description = "Raises on every call."
    version = "1"
    api_version = "1.0"

    def score(
        self, instrument: Instrument, responses: Responses, settings: Mapping[str, Any]
    ) -> ScoringResult:
        raise RuntimeError("boom")


def test_a_broken_plugin_is_isolated(make_app: Any) -> None:
    app: Flask = make_app(PLUGINS_EXTRA={"scoring_models": [ExplodingModel]})
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    lms.add_content(["partnership-assessment"])
    activity = lms.activities()[ASSESSMENT_TITLE]
    teacher = HttpTaker(lms, "101", activity)
    assert (
        teacher.post(
            "/app/assessment/settings", {**SETTINGS, "scoring_model": "exploding"}, allow_redirects=False
        ).status_code
        == 303
    )
    ben = HttpTaker(lms, LEARNERS[0], activity)  # the launch still works
    ben.answer_all()
    done = ben.post("/app/assessment/submit", allow_redirects=False)
    assert done.status_code == 303
    report = ben.get(done.headers["Location"].split("?")[0].replace(ben.base, ""))
    assert report.status_code == 200 and 'id="report-problem"' in report.text
    assert "boom" in report.text


def test_plugins_list_command(app: Flask) -> None:
    output = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert re.search(r"scoring_models\s+threshold_bands\s+1\s+p3-workshop-lti\s+available", output)
    assert "weakest_link" in output and "p3-sample-plugin" in output
