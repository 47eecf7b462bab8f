"""One platform never sees another's data, even when both use the same user, course and link
identifiers (they are only unique within a platform)."""

from __future__ import annotations

import pytest

from tests.lti.conftest import Flow
from tests.support.lms import LEARNERS, DemoLms
from tests.support.pages import SESSION_1, get, save_form

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.mark.both_dbs
def test_same_ids_on_another_platform_share_nothing(lms: DemoLms, flow: Flow, base_url: str) -> None:
    _, ben = lms.launch(LEARNERS[0])  # demo LMS: sub 201, course-101, demo-link-1
    save_form(get(base_url, SESSION_1, lms.token_of(ben)), "Ben's private thoughts")

    state, nonce = flow.login()
    twin = flow.good_token(
        nonce,
        sub=LEARNERS[0],
        **{
            LTI + "context": {"id": "course-101", "title": "Partnerships in Practice"},
            LTI + "resource_link": {"id": "demo-link-1", "title": "P3 Workshop"},
        },
    )
    entered = flow.launch(twin, state)
    assert entered.status_code == 200
    token = DemoLms.token_of(entered)
    page = get(base_url, SESSION_1, token)
    assert page.status_code == 200
    assert "private thoughts" not in page.text
    who = get(base_url, "/app/session-check", token).json()
    assert who["user"] == LEARNERS[0] and who["context"] == "course-101"  # same ids, other rows
    save_form(page, "The twin's notes")
    bens_page = get(base_url, SESSION_1, lms.token_of(ben)).text
    assert "Ben&#39;s private thoughts" in bens_page and "twin" not in bens_page
