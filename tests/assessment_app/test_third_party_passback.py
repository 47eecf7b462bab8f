"""A third-party grade passback plugin (tests/sample_plugin: a signed webhook), configured by a
teacher with its own settings on the activity's settings page, delivers a learner's grade end to
end to a real HTTP receiver, with a retry; in "auto" mode it is chosen over the CSV fallback."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask

from tests.assessment_app.conftest import HttpTaker
from tests.assessment_app.test_report_and_settings import SETTINGS
from tests.grades.conftest import grades, record_launches, register, settle, submit
from tests.support.lms import LEARNERS
from tests.support.serving import serve_in_thread, stop_serving

pytest.importorskip(
    "p3_sample_plugin.webhook", reason="pip install -e tests/sample_plugin (make install-dev)"
)

SECRET = "shared-secret-for-the-test"


class Receiver:
    """A real HTTP server that records what it is sent; answers 503 for the first ``fail`` calls."""

    def __init__(self, fail: int = 0) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.fail = fail
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.calls.append((dict(self.headers), body))
                status = 503 if len(receiver.calls) <= receiver.fail else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/grades"
        serve_in_thread(self.server)

    def stop(self) -> None:
        stop_serving(self.server)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(fail=1)
    yield found
    found.stop()


def webhook_settings(url: str, **extra: str) -> dict[str, str]:
    return {
        **SETTINGS,
        "passback": "signed_webhook",
        "passback.signed_webhook.url": url,
        "passback.signed_webhook.secret": SECRET,
        "passback.signed_webhook.timeout": "5",
        **extra,
    }


def test_webhook_plugin_configured_by_the_teacher_delivers_signed_grades(
    app: Flask, http_taker: Any, http_teacher: HttpTaker, receiver: Receiver
) -> None:
    taker, teacher = http_taker, http_teacher  # a real server: the grade is delivered by its thread
    app.config.update(GRADES_BACKOFF_BASE=0.05, GRADES_BACKOFF_MAX=0.3, GRADES_POLL_SECONDS=0.1)
    form = teacher.get("/app/assessment/settings").text
    assert 'name="passback.signed_webhook.url"' in form and "Signing secret" in form  # from its schema

    refused = teacher.post("/app/assessment/settings", webhook_settings("ftp://files.example/x"))
    assert refused.status_code == 400 and "Enter an http:// or https:// URL." in refused.text
    saved = teacher.post("/app/assessment/settings", webhook_settings(receiver.url), allow_redirects=False)
    assert saved.status_code == 303

    ben = taker(LEARNERS[0])
    ben.answer_all(rating=4)
    assert ben.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    settle(app)

    assert len(receiver.calls) == 2  # a 503 first: retried with backoff
    headers, body = receiver.calls[-1]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-P3-Signature"] == expected
    sent = json.loads(body)
    assert (sent["score_given"], sent["score_maximum"]) == (100.0, 100.0)
    assert sent["user_id"] and sent["resource_link_id"]
    [grade] = grades(app)
    assert (grade.plugin, grade.status, grade.attempts) == ("signed_webhook", "delivered", 2)
    book = teacher.get("/app/grades/").text
    assert f"Sent to 127.0.0.1:{receiver.server.server_port}" in book
    assert "In the LMS gradebook" not in book


def test_auto_mode_chooses_a_configured_third_party_plugin_over_the_fallback(
    make_app: Any, receiver: Receiver
) -> None:
    from lti_tool.extensions import db
    from lti_tool.models import Launch
    from lti_tool.services import activity_settings
    from tests.grades.conftest import FAST
    from tests.support.ags_platform import AgsPlatform

    platform = AgsPlatform()
    try:
        app = make_app(**FAST)
        register(app, platform)
        without_ags, second = record_launches(app, platform, ["x-1", "x-2"], None)
        [with_ags] = record_launches(app, platform, ["x-3"], platform.ags_claim(platform.add_line_item()))
        submit(app, without_ags, 5)  # not configured yet: the CSV fallback takes it
        settle(app)
        with app.app_context():
            link = db.session.get(Launch, second).resource_link_pk
            activity_settings.save(
                link,
                {
                    **activity_settings.load(link),
                    "passback": "auto",
                    "passback_settings": {"signed_webhook": {"url": receiver.url, "secret": SECRET}},
                },
            )
            db.session.remove()
        submit(app, second, 6)
        submit(app, with_ags, 7)
        settle(app)
        chosen = {g.score_given: (g.plugin, g.status) for g in grades(app)}
        assert chosen == {
            5.0: ("gradebook_export", "delivered"),
            6.0: ("signed_webhook", "delivered"),
            7.0: ("lti_ags", "delivered"),
        }
        assert [json.loads(body)["score_given"] for _, body in receiver.calls] == [6.0, 6.0]
    finally:
        platform.stop()
