"""What a real Moodle 4.5 sent (tests/support/data/moodle-4.5-observed.json), replayed over
real HTTP by tests/support/moodle_platform.py against the live tool."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti import claims as C
from lti_tool.models import Launch, Platform
from tests.lti.test_registration import start
from tests.support.ags_platform import verify_with_tool_key
from tests.support.forms import first_form
from tests.support.lms import DemoLms
from tests.support.moodle_platform import OBSERVED, TOOL_CONF, MoodlePlatform

STUDENT = "student_resource_link_claims"
TEACHER = "teacher_deep_linking_claims"
EMBEDDED = "student_dynreg_embedded_claims"
ASSESSMENT = "partnership-assessment"
SESSION_2 = "p3-art-of-the-possible/session-2"


@pytest.fixture
def platform(base_url: str) -> Iterator[MoodlePlatform]:
    """Replaces the independent platform of tests/lti/conftest.py: `registered` then adds
    Moodle's manually configured tool (client harness-tool-client, deployment 1)."""
    moodle = MoodlePlatform(base_url)
    yield moodle
    moodle.stop()


def latest_launch() -> Launch:
    return db.session.scalars(select(Launch).order_by(Launch.created_at.desc())).first()


def enter(browser: requests.Session, launched: requests.Response) -> requests.Response:
    assert launched.status_code == 200, launched.text[:800]  # the page itself (decision 0026)
    return launched


def test_login_initiation_and_auth_request_are_moodles(registered: MoodlePlatform, base_url: str) -> None:
    params = registered.login_params(STUDENT)
    observed = OBSERVED["oidc_login_params_student"]
    assert set(params) == set(observed)
    assert params["target_link_uri"] == base_url + "/lti/launch"
    assert params["iss"] == registered.issuer
    browser, launched = registered.open_activity(STUDENT)
    assert launched.status_code == 200
    [auth] = registered.auth_requests
    # Moodle's auth.php finds the launch from the hint: it must come back verbatim.
    assert auth["lti_message_hint"] == observed["lti_message_hint"]
    assert auth["login_hint"] == observed["login_hint"]
    assert auth["client_id"] == observed["client_id"]
    assert auth["redirect_uri"] == base_url + "/lti/launch"


def test_learner_launch_is_recorded_as_moodle_sent_it(app: Flask, registered: MoodlePlatform) -> None:
    browser, launched = registered.open_activity(STUDENT)
    page = enter(browser, launched)
    assert page.status_code == 200
    assert "Sam Student" in page.text and "a learner" in page.text
    observed = registered.rewrite(OBSERVED[STUDENT])
    with app.app_context():
        launch = latest_launch()
        assert (launch.role, launch.user.sub, launch.user.email) == ("learner", "4", "student1@example.com")
        assert launch.deployment.deployment_id == "1"
        assert (launch.context.context_id, launch.context.label, launch.context.title) == (
            "2",
            "LTI101",
            "LTI Harness Course",
        )
        assert (launch.resource_link.resource_link_id, launch.resource_link.title) == (
            "1",
            "Harness LTI 1.3 activity",
        )
        ags = json.loads(launch.ags_json)
        assert ags == observed[C.AGS]
        assert ags["lineitem"].endswith("/mod/lti/services.php/2/lineitems/2/lineitem?type_id=1")
        assert ags["lineitems"].endswith("/mod/lti/services.php/2/lineitems?type_id=1")
        assert launch.nrps_url == observed[C.NRPS]["context_memberships_url"]
        assert (launch.locale, launch.document_target) == ("en", "frame")
        assert launch.return_url == observed[C.LAUNCH_PRESENTATION]["return_url"]
        assert json.loads(launch.custom_json) == observed[C.CUSTOM]


def test_teacher_deep_linking_answer_is_accepted_by_moodle(
    app: Flask, base_url: str, registered: MoodlePlatform
) -> None:
    browser, launched = registered.open_activity(TEACHER)
    picker = enter(browser, launched)
    assert picker.status_code == 200 and 'type="checkbox" name="item"' in picker.text
    answer = DemoLms.pick(browser, picker, [SESSION_2, ASSESSMENT], **{f"points:{ASSESSMENT}": "40"})
    assert answer.status_code == 200, answer.text[:800]
    form = first_form(answer.text, answer.url)
    settings = registered.rewrite(OBSERVED[TEACHER][C.DEEP_LINKING_SETTINGS])
    assert form.action == settings["deep_link_return_url"]  # course, id and sesskey kept

    claims = verify_with_tool_key(form.fields["JWT"], base_url + "/lti/jwks", audience=registered.issuer)
    assert claims["iss"] == "harness-tool-client"
    assert claims[C.DEPLOYMENT_ID] == "1"
    assert claims[C.MESSAGE_TYPE] == "LtiDeepLinkingResponse" and claims["nonce"]
    assert C.DL_DATA not in claims  # Moodle sent no data, so none is echoed
    session_item, assessment_item = claims[C.DL_CONTENT_ITEMS]
    assert {session_item["type"], assessment_item["type"]} == {"ltiResourceLink"}
    assert session_item["url"] == base_url + "/lti/launch"
    assert assessment_item["lineItem"]["scoreMaximum"] == 40

    placed = DemoLms.deliver(browser, answer)
    assert placed.status_code == 200, placed.text
    assert placed.json() == {"placed": 2} and len(registered.placed) == 1


def test_data_is_echoed_when_moodle_sends_it(base_url: str, registered: MoodlePlatform) -> None:
    """The observed request has no data; a platform that sends it gets it back unchanged."""
    settings = registered.rewrite(OBSERVED[TEACHER][C.DEEP_LINKING_SETTINGS])
    browser, launched = registered.open_activity(
        TEACHER, **{C.DEEP_LINKING_SETTINGS: {**settings, "data": "ltiresource:7"}}
    )
    answer = DemoLms.pick(browser, enter(browser, launched), [SESSION_2])
    claims = verify_with_tool_key(
        first_form(answer.text, answer.url).fields["JWT"], base_url + "/lti/jwks", audience=registered.issuer
    )
    assert claims[C.DL_DATA] == "ltiresource:7"


def test_registration_sends_what_moodle_accepted(
    app: Flask, base_url: str, registered: MoodlePlatform
) -> None:
    page = start(app, registered)
    assert page.status_code == 200, page.text[:800]
    sent: dict[str, Any] = registered.requests[-1]["body"]
    accepted: dict[str, Any] = OBSERVED["dynreg"]["registration_request"]
    for key, value in accepted.items():
        assert type(sent.get(key)) is type(value), key
    for key, value in accepted[TOOL_CONF].items():
        if key != "custom_parameters":  # the harness's own; this tool needs none
            assert type(sent[TOOL_CONF].get(key)) is type(value), key
    for key in ("application_type", "response_types", "grant_types", "token_endpoint_auth_method"):
        assert sent[key] == accepted[key], key
    assert set(sent["scope"].split()) == set(accepted["scope"].split())
    assert set(sent[TOOL_CONF]["claims"]) >= set(accepted[TOOL_CONF]["claims"])
    domain = sent[TOOL_CONF]["domain"]
    assert domain == urlsplit(base_url).netloc and ":" in domain  # host:port, as Moodle checks
    urls = [
        sent["initiate_login_uri"],
        sent["jwks_uri"],
        sent[TOOL_CONF]["target_link_uri"],
        *sent["redirect_uris"],
        *(m["target_link_uri"] for m in sent[TOOL_CONF]["messages"]),
    ]
    assert {urlsplit(u).netloc for u in urls} == {domain}
    assert sent["redirect_uris"] == [base_url + "/lti/launch"]
    assert "LtiDeepLinkingRequest" in {m["type"] for m in sent[TOOL_CONF]["messages"]}
    # Moodle stores the plain client_name and description (registration_helper.php
    # registration_to_config) and ignores the language-tagged members: the plain ones are English.
    assert sent["client_name"] == "P3 Workshop" and sent["client_name#fr"] == "Atelier PPP"
    assert sent[TOOL_CONF]["description"].startswith("The P3 workshop")
    assert sent[TOOL_CONF]["description#fr"].startswith("L'atelier")


def test_a_sign_in_moodle_refuses_is_said_to_be_moodle_s_refusal(registered: MoodlePlatform) -> None:
    """Moodle's auth.php answers a sign-in it refuses by posting ``error`` and ``state`` to the
    tool, without an id_token: ``access_denied`` when its session is someone else's (signed in
    as another person in another tab), ``invalid_request`` when its session no longer holds the
    launch. The person must read that the LMS refused, and what to do, not that the LMS
    forgot a parameter."""
    registered.signed_in_as = "3"
    browser, launched = registered.open_activity(STUDENT)
    assert launched.status_code == 403
    assert "access_denied" in launched.text and "id_token" not in launched.text
    assert "signed in to the LMS as someone else" in launched.text


def test_moodle_s_messages_are_read_from_its_configuration(registered: MoodlePlatform) -> None:
    """Moodle names its messages as strings (mod/lti/openid-configuration.php), where the spec
    has objects: the tool reads both, so it knows Moodle offers Deep Linking."""
    from lti_tool.lti.registration import validate_platform_configuration

    conf = validate_platform_configuration(registered.configuration_url, registered.openid_configuration())
    assert set(conf.messages_supported) == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}


@pytest.mark.both_dbs
def test_embedded_launch_through_the_dynamically_registered_tool(
    app: Flask, registered: MoodlePlatform
) -> None:
    """Like the harness: the manual tool type 1, then a registered one (2) on the same issuer,
    whose client_id is the registration token's subject."""
    page = start(app, registered)
    assert page.status_code == 200, page.text[:800]
    answer = registered.requests[-1]
    assert answer["headers"]["Authorization"] == "Bearer " + registered.registration_token
    client_id = OBSERVED["dynreg"]["registration_token_claims"]["sub"]
    with app.app_context():
        platform = db.session.scalars(select(Platform).where(Platform.client_id == client_id)).one()
        assert platform.issuer == registered.issuer and platform.deployment_ids == ["2"]
        assert platform.auth_login_url == registered.url + "/mod/lti/auth.php"
        assert platform.key_set_url == registered.url + "/mod/lti/certs.php"
        assert platform.auth_token_url == registered.url + "/mod/lti/token.php"

    browser, launched = registered.open_activity(EMBEDDED)
    home = enter(browser, launched)
    assert home.status_code == 200 and "Sam Student" in home.text
    with app.app_context():
        launch = latest_launch()
        assert launch.platform.client_id == client_id
        assert launch.deployment.deployment_id == "2"
        assert (launch.document_target, launch.locale) == ("iframe", "en")
        assert json.loads(launch.custom_json)["harness"] == "dynreg"
        assert json.loads(launch.ags_json)["lineitem"].endswith("lineitem?type_id=2")
    # The manually configured tool still launches alongside it.
    browser, launched = registered.open_activity(STUDENT)
    assert launched.status_code == 200


@pytest.mark.both_dbs
def test_moodle_update_re_registration_updates_the_registered_tool(
    app: Flask, registered: MoodlePlatform
) -> None:
    """Moodle's "Update" on the dynamically registered tool: a "reg-update" token for tool type 2,
    answered with the same client id and deployment. It used to be refused with 409."""
    assert start(app, registered).status_code == 200
    client_id = OBSERVED["dynreg"]["registration_token_claims"]["sub"]
    with app.app_context():
        platform = db.session.scalars(select(Platform).where(Platform.client_id == client_id)).one()
        platform.auth_token_url = registered.url + "/mod/lti/old-token.php"  # gone stale since
        platform.keyset_json = json.dumps({"keys": []})
        db.session.commit()

    update = start(app, registered, token=registered.update_token("2"))
    assert update.status_code == 200, update.text[:800]
    assert 'id="registration-updated"' in update.text
    assert client_id in update.text and ">2<" in update.text  # the same client id and deployment
    assert registered.requests[-1]["headers"]["Authorization"].startswith("Bearer ")
    with app.app_context():
        platforms = db.session.scalars(select(Platform).where(Platform.issuer == registered.issuer)).all()
        [platform] = [p for p in platforms if p.client_id == client_id]
        assert platform.deployment_ids == ["2"]
        assert platform.auth_token_url == registered.url + "/mod/lti/token.php"
        assert platform.keyset_json is None
        db.session.remove()
    browser, launched = registered.open_activity(EMBEDDED)
    home = enter(browser, launched)
    assert home.status_code == 200 and "Sam Student" in home.text

    # Moodle refuses an update for a tool type it does not have; the tool stores nothing.
    refused = start(app, registered, token=registered.update_token("99"))
    assert refused.status_code == 400 and "platform_refused" in refused.text
