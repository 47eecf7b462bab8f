"""Finding 4: LTI_TOOL_REQUIRE_STATE_COOKIE did nothing, and the platform-storage path let an
attacker's confirmation be replayed from a victim's browser."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from lti_tool import create_app
from lti_tool.lti.storage import storage_value
from lti_tool.settings import load_settings
from tests.conftest import TEST_SECRET
from tests.lti.conftest import Flow
from tests.lti.test_platform_storage import storage_login
from tests.support.forms import first_form


def attackers_pending_launch(flow: Flow) -> tuple[str, dict[str, str]]:
    """The attacker logs in as themselves, launches without cookie and keeps the confirm form."""
    _, state, nonce = storage_login(flow)
    page = flow.launch(flow.good_token(nonce, sub="attacker"), state, browser=requests.Session())
    assert page.status_code == 200 and 'name="pending"' in page.text
    form = first_form(page.text, page.url)
    form.fields["value"] = storage_value(TEST_SECRET, state)  # it was in the attacker's login page
    return form.action, form.fields


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LTI_TOOL_REQUIRE_STATE_COOKIE", "1")
    assert load_settings()["REQUIRE_STATE_COOKIE"] is True
    monkeypatch.setenv("LTI_TOOL_REQUIRE_STATE_COOKIE", "0")
    assert load_settings()["REQUIRE_STATE_COOKIE"] is False


def test_the_default_is_on_in_production_and_off_in_development() -> None:
    prod = {"ENV": "production", "SECRET_KEY": "x" * 40, "BASE_URL": "https://tool.example"}
    assert load_settings({}, prod)["REQUIRE_STATE_COOKIE"] is True
    assert load_settings({}, {"ENV": "development"})["REQUIRE_STATE_COOKIE"] is False


def test_the_environment_setting_refuses_an_unbound_launch(
    make_app: Any, registered: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LTI_TOOL_REQUIRE_STATE_COOKIE", "1")
    app = make_app()
    flow = Flow(app.config["BASE_URL"], registered)
    state, nonce = flow.login()
    refused = flow.launch(flow.good_token(nonce), state, browser=requests.Session())  # no cookie
    assert refused.status_code == 403 and "state_not_bound" in refused.text


def test_an_attackers_confirmation_posted_from_another_site_is_refused(flow: Flow) -> None:
    action, fields = attackers_pending_launch(flow)
    victim = requests.Session()
    forged = victim.post(
        action,
        data=fields,
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"},
        allow_redirects=False,
        timeout=5,
    )
    assert forged.status_code == 403 and "confirmation_not_from_tool" in forged.text
    assert "p3_session" not in victim.cookies


def test_an_old_browser_without_fetch_metadata_needs_the_tools_origin(flow: Flow) -> None:
    action, fields = attackers_pending_launch(flow)
    forged = requests.post(action, data=fields, headers={"Origin": "null"}, allow_redirects=False, timeout=5)
    assert forged.status_code == 403
    own = requests.post(
        action, data=fields, headers={"Origin": flow.base_url}, allow_redirects=False, timeout=5
    )
    assert own.status_code == 200


def test_a_pending_reference_confirms_once(flow: Flow) -> None:
    action, fields = attackers_pending_launch(flow)
    same_origin = {"Sec-Fetch-Site": "same-origin"}
    first = requests.post(action, data=fields, headers=same_origin, allow_redirects=False, timeout=5)
    assert first.status_code == 200
    home = first  # the confirmation answers with the page (decision 0026)
    assert home.status_code == 200
    again = requests.post(action, data=fields, headers=same_origin, allow_redirects=False, timeout=5)
    assert again.status_code == 403 and "pending_launch_used" in again.text


def test_the_confirmation_page_sends_its_origin(flow: Flow) -> None:
    _, state, nonce = storage_login(flow)
    page = flow.launch(flow.good_token(nonce), state, browser=requests.Session())
    assert page.headers["Referrer-Policy"] == "same-origin"  # no-referrer would send Origin: null


def test_create_app_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("LTI_TOOL_REQUIRE_STATE_COOKIE", "yes")
    app = create_app(
        {"ENV": "testing", "SECRET_KEY": TEST_SECRET, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    )
    assert app.config["REQUIRE_STATE_COOKIE"] is True
