"""Every error page offers the next step as a link (issue 18): back into the activity inside a
launch, back to the administration there, and otherwise how to open the tool from a course."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask


def next_step(page: Any) -> tuple[str, str]:
    match = re.search(r'<a id="next-step" href="([^"]+)">([^<]+)</a>', page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:2000]
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_an_error_inside_a_launch_links_back_into_the_activity(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    missing = ben.get("/app/w/no-such-workshop/")
    assert missing.status_code == 404
    url, label = next_step(missing)
    assert label == "Back to the start of this activity"
    assert url.startswith("/app/?lt=")
    assert ben.client.get(url).status_code == 303  # it opens the activity's page


def test_an_error_outside_a_launch_links_to_how_to_open_the_tool(tool_app: Flask) -> None:
    page = tool_app.test_client().get("/app/w/p3-art-of-the-possible/")
    assert page.status_code == 401
    assert next_step(page) == ("/", "How to open this tool from your course")


def test_json_errors_carry_the_next_step_too(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    answer = ben.client.get(
        "/app/w/no-such-workshop/", query_string={"lt": ben.token}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 404 and answer.get_json()["next_url"].startswith("/app/?lt=")
