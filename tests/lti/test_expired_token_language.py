"""A form posted without script after the launch token expired (a phone that kept the tab away):
the refusal speaks the launch's language when the token is the tool's own, validly signed, only
old, or its session ended; a token the tool did not sign (forged, altered) changes nothing, and
the browser's language decides (docs/decisions/0042, addendum)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from lti_tool.extensions import db
from lti_tool.lti import session as launch_session
from lti_tool.lti.session import MAX_SESSION_HOURS
from lti_tool.models import Launch
from tests.conftest import TEST_SECRET

W = "/app/w/p3-art-of-the-possible"
ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9", "Sec-Fetch-Site": "same-origin"}
# The no-script forms: the take page's "Save and continue", a session's "Save reflection".
FORMS = [
    ("/app/assessment/take", {"d": "1", "go": "next"}),
    (W + "/sessions/session-1/reflection", {"reflection": "Mes notes"}),
]


def post_form(app: Flask, path: str, token: str, csrf: str, data: dict[str, str]) -> Any:
    """The form as a browser posts it with no script: its fields, the token and the CSRF token
    the page was given, and the browser's own Accept-Language. No cookie."""
    body = {"lt": token, "csrf_token": csrf, **data}
    return app.test_client().post(path, data=body, headers=ENGLISH_BROWSER)


def page(answer: Any) -> str:
    return html.unescape(answer.get_data(as_text=True))


def next_step_href(text: str) -> str:
    found = re.search(r'<a id="next-step" href="([^"]+)">', text)
    assert found, text[:2000]
    return found.group(1)


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_an_expired_token_refuses_in_the_launchs_language(
    tool_app: Flask, launch_as: Any, clock: Any, path: str, data: dict[str, str]
) -> None:
    clock.install(tool_app)
    fred = launch_as("learner", sub="fred", locale="fr-CA", item="partnership-assessment")
    csrf = fred.csrf(W + "/")
    clock.advance(tool_app.config["LAUNCH_TOKEN_TTL"] + 5 * 60)  # 20 minutes away

    answer = post_form(tool_app, path, fred.token, csrf, data)
    text = page(answer)
    assert answer.status_code == 401
    assert '<html lang="fr-CA">' in text
    assert "Votre session a expiré. Ouvrez de nouveau l'activité à partir de votre cours." in text
    # Only the language: no way back into the activity (that would need a new token).
    assert next_step_href(text) == "/" and "lt=" not in text


def test_a_session_that_ended_refuses_in_the_launchs_language(
    tool_app: Flask, launch_as: Any, clock: Any
) -> None:
    clock.install(tool_app)
    fred = launch_as("learner", sub="fred", locale="fr-CA")
    csrf = fred.csrf(W + "/")
    clock.advance(MAX_SESSION_HOURS * 3600 + 60)
    with tool_app.test_request_context():  # a token renewed by the open page all day long
        # get(), not get_one(): SQLAlchemy 2.0.22 added that, and the tool needs only 2.0.16.
        renewed = launch_session.issue_token(db.session.get(Launch, fred.launch_id))

    path, data = FORMS[1]
    answer = post_form(tool_app, path, renewed, csrf, data)
    text = page(answer)
    assert answer.status_code == 401
    assert '<html lang="fr-CA">' in text and "Votre session a pris fin." in text


def test_a_token_the_tool_did_not_sign_never_chooses_the_language(
    tool_app: Flask, launch_as: Any, clock: Any
) -> None:
    clock.install(tool_app)
    fred = launch_as("learner", sub="fred", locale="fr-CA")
    csrf = fred.csrf(W + "/")
    claims = URLSafeTimedSerializer(TEST_SECRET, salt="launch-token").loads(fred.token)
    forged = URLSafeTimedSerializer("another-secret", salt="launch-token").dumps(claims)
    clock.advance(tool_app.config["LAUNCH_TOKEN_TTL"] + 5 * 60)
    altered = fred.token[:-3] + ("AAA" if not fred.token.endswith("AAA") else "BBB")  # expired too
    unsigned = fred.token.split(".")[0]

    path, form = FORMS[1]
    for token in (forged, altered, unsigned):
        answer = post_form(tool_app, path, token, csrf, form)
        text = page(answer)
        assert answer.status_code == 401, token
        assert '<html lang="en">' in text, token
        assert "The session token is not valid." in text and "Votre" not in text, token
