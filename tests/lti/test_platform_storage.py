"""Platform storage over HTTP: the server side of lti.put_data / lti.get_data."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from lti_tool.lti.storage import storage_key, storage_value
from tests.conftest import TEST_SECRET
from tests.lti.conftest import Flow
from tests.support.forms import first_form

# What a browser adds to the POST of the tool's own confirmation page (a same-origin form).
OWN_PAGE = {"Sec-Fetch-Site": "same-origin"}


def login_offering_storage(flow: Flow) -> requests.Response:
    """The login as an LMS offering platform storage (Canvas) starts it."""
    return flow.browser.post(
        flow.base_url + "/lti/login",
        data={
            "iss": flow.platform.issuer,
            "login_hint": "learner-7",
            "target_link_uri": flow.target,
            "client_id": flow.platform.client_id,
            "lti_storage_target": "_parent",
        },
        allow_redirects=False,
        timeout=5,
    )


def storage_login(flow: Flow) -> tuple[str, str, str]:
    response = login_offering_storage(flow)
    assert response.status_code == 200
    page = response.text
    next_url = page.split('data-next="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(next_url).query)
    return page, query["state"][0], query["nonce"][0]


def test_login_page_stores_the_state_in_the_platform(flow: Flow) -> None:
    page, state, _ = storage_login(flow)
    assert f'data-key="{storage_key(state)}"' in page
    assert f'data-value="{storage_value(TEST_SECRET, state)}"' in page
    assert f'data-origin="{flow.platform.url}"' in page


def _pending_launch(flow: Flow) -> tuple[str, requests.Response]:
    _, state, nonce = storage_login(flow)
    cookieless = requests.Session()  # the iframe's POST comes back without the cookie
    response = flow.launch(flow.good_token(nonce), state, browser=cookieless)
    assert response.status_code == 200 and 'name="pending"' in response.text
    return state, response


def test_launch_confirmed_with_the_stored_value(flow: Flow) -> None:
    state, response = _pending_launch(flow)
    form = first_form(response.text, response.url)
    form.fields["value"] = storage_value(TEST_SECRET, state)
    entered = requests.post(form.action, data=form.fields, headers=OWN_PAGE, allow_redirects=False, timeout=5)
    assert entered.status_code == 200
    home = entered  # the confirmation answers with the page (decision 0026)
    assert "a learner" in home.text


def test_the_pages_script_gets_the_address_of_the_first_page(flow: Flow) -> None:
    """The confirmation page's fetch (Accept: JSON) gets the page's address, which it opens with
    location.replace: no POST of the sign-in stays in the frame's history (decision 0033)."""
    state, response = _pending_launch(flow)
    form = first_form(response.text, response.url)
    form.fields["value"] = storage_value(TEST_SECRET, state)
    answer = requests.post(
        form.action, data=form.fields, headers={**OWN_PAGE, "Accept": "application/json"}, timeout=5
    )
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    url = answer.json()["url"]
    assert "/app/w/" in url and "lt=" in url
    page = requests.get(flow.base_url + url, headers={"Sec-Fetch-Site": "same-origin"}, timeout=5)
    assert page.status_code == 200 and "a learner" in page.text


def test_the_pages_script_is_told_why_a_confirmation_is_refused(flow: Flow) -> None:
    _, response = _pending_launch(flow)
    form = first_form(response.text, response.url)
    form.fields["value"] = ""
    refused = requests.post(
        form.action, data=form.fields, headers={**OWN_PAGE, "Accept": "application/json"}, timeout=5
    )
    assert refused.status_code == 403
    body = refused.json()
    assert body["error"] == "state_not_in_platform_storage" and body["message"] and body["retry_url"]


def test_launch_refused_without_the_stored_value(flow: Flow) -> None:
    """A login started in another browser (login CSRF) has no value in this platform window."""
    _, response = _pending_launch(flow)
    form = first_form(response.text, response.url)
    form.fields["value"] = ""
    refused = requests.post(form.action, data=form.fields, headers=OWN_PAGE, timeout=5)
    assert refused.status_code == 403
    assert "state_not_in_platform_storage" in refused.text
    assert 'id="open-new-window"' in refused.text  # the way out: a first-party window


def test_tampered_pending_reference_is_refused(flow: Flow) -> None:
    refused = requests.post(
        flow.base_url + "/lti/launch/confirm",
        data={"pending": "forged", "value": "x"},
        headers=OWN_PAGE,
        timeout=5,
    )
    assert refused.status_code == 403 and "pending_launch_invalid" in refused.text


def test_storage_failure_falls_back_to_the_server_side_state(flow: Flow) -> None:
    _, state, nonce = storage_login(flow)
    fallback = flow.browser.get(
        flow.base_url + "/lti/login/continue", params={"state": state}, allow_redirects=False, timeout=5
    )
    assert fallback.status_code == 302 and f"state={state}" in fallback.headers["Location"]
    response = flow.launch(flow.good_token(nonce), state, browser=requests.Session())
    assert response.status_code == 200  # entered directly: no storage to check against


def test_required_cookie_refusal_offers_a_new_window(make_app, registered) -> None:  # type: ignore[no-untyped-def]
    app = make_app(REQUIRE_STATE_COOKIE=True)
    flow = Flow(app.config["BASE_URL"], registered)
    state, nonce = flow.login()
    refused = flow.launch(flow.good_token(nonce), state, browser=requests.Session())
    assert refused.status_code == 403
    link = refused.text.split('id="open-new-window" href="')[1].split('"')[0].replace("&amp;", "&")
    restart = requests.get(link, allow_redirects=False, timeout=5)
    assert restart.status_code == 302 and restart.headers["Location"].startswith(registered.url + "/auth")


def test_with_platform_storage_off_only_the_cookie_binds_the_login(make_app, registered) -> None:  # type: ignore[no-untyped-def]
    """PLATFORM_STORAGE off (where other frames of the LMS page can write the tool's storage:
    decision 0034): the LMS's offer is declined at the login, and a launch that comes back
    without the state cookie is refused with the new-window page, not confirmed from storage."""
    app = make_app(REQUIRE_STATE_COOKIE=True, PLATFORM_STORAGE=False)
    flow = Flow(app.config["BASE_URL"], registered)
    login = login_offering_storage(flow)
    assert login.status_code == 302, login.text[:300]  # straight on to the LMS: no storage page
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    state, nonce = query["state"][0], query["nonce"][0]
    refused = flow.launch(flow.good_token(nonce), state, browser=requests.Session())
    assert refused.status_code == 403 and "state_not_bound" in refused.text
    assert 'name="pending"' not in refused.text and 'id="open-new-window"' in refused.text
    # The browser that kept its cookie still launches.
    state, nonce = flow.login()
    assert flow.launch(flow.good_token(nonce), state).status_code == 200


def test_a_platform_disabled_before_the_confirmation_ends_the_pending_launch(app, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    """The administrator disabled the platform (a compromised LMS) between the launch and its
    confirmation from storage: the confirmation opens nothing, as every later page would."""
    from lti_tool.services import platforms as platform_service

    state, response = _pending_launch(flow)
    form = first_form(response.text, response.url)
    form.fields["value"] = storage_value(TEST_SECRET, state)
    with app.app_context():
        platform_service.set_enabled(
            platform_service.get_platform(flow.platform.issuer, flow.platform.client_id), False
        )
    refused = requests.post(form.action, data=form.fields, headers=OWN_PAGE, allow_redirects=False, timeout=5)
    assert refused.status_code == 401 and "Your session has ended." in refused.text
    assert "a learner" not in refused.text
