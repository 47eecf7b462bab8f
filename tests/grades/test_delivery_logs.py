"""The grade worker's log lines say which platform a delivery went to (JSON logs)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.grades.conftest import FAST, grades, launch_id_of, settle, submit
from tests.support.lms import LEARNERS, DemoLms


def test_a_delivery_log_line_names_the_platform(make_app: Any, capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(LOG_FORMAT="json", LOG_LEVEL="INFO", **FAST)
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    _, page = lms.launch(LEARNERS[0], lms.place_assessment(10))  # a graded activity
    submit(app, launch_id_of(app, page), 6)
    settle(app)
    [grade] = grades(app)
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    delivered = [e for e in lines if e["logger"] == "lti_tool.grades" and " delivered" in str(e["message"])]
    assert delivered and delivered[0]["platform_id"] == grade.platform_id
    assert delivered[0]["message"].startswith(f"grade {grade.id} v1: delivered")
