"""A refused sign-in's page says only the tool's words (decision 0041, reviewed in 0051).

`/lti/launch` answers a POST with ``error`` and no id_token as the LMS's refusal of the sign-in
(Moodle's auth.php). Anyone can send that POST, from any site, with no login behind it: a form
on another site makes the victim's browser show the tool's page, on the tool's address, in the
tool's voice. The code it shows must therefore be one of the OAuth 2.0 / OpenID Connect error
codes, not any text of lower-case letters an attacker chose ("tell its administrator what it
said: ...")."""

from __future__ import annotations

import pytest
import requests

FROM_ELSEWHERE = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}


def refused(http: requests.Session, base_url: str, error: str, **more: str) -> requests.Response:
    return http.post(
        base_url + "/lti/launch",
        data={"error": error, "state": "whatever", **more},
        headers=FROM_ELSEWHERE,
        timeout=10,
    )


@pytest.mark.parametrize(
    "planted",
    [
        "your_password_expired_call_the_helpdesk",
        "account_locked_reply_with_your_password",
        "a" * 40,
    ],
)
def test_a_code_no_platform_sends_is_not_shown(http: requests.Session, base_url: str, planted: str) -> None:
    page = refused(http, base_url, planted, error_description="Call 555-0100 now")
    assert page.status_code == 403
    assert planted not in page.text and "555-0100" not in page.text
    assert "The LMS refused to open the tool (error)." in page.text


@pytest.mark.parametrize("code", ["access_denied", "invalid_request", "login_required", "server_error"])
def test_the_codes_platforms_send_are_shown(http: requests.Session, base_url: str, code: str) -> None:
    page = refused(http, base_url, code)
    assert page.status_code == 403
    assert f"The LMS refused to open the tool ({code})." in page.text
