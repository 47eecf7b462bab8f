"""A refused launch speaks the learner's language: the id_token's launch_presentation.locale when
the token is readable (read only to choose the language), else the browser's Accept-Language (the
OIDC login carries no locale). Same status and reason code in both languages; the administrator's
refusal record stays in English."""

from __future__ import annotations

import html
import time

from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import LaunchFailure
from tests.lti.conftest import Flow

PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
FRENCH_BROWSER = {"Accept-Language": "fr-CA,fr;q=0.9"}


def expired(flow: Flow, nonce: str, locale: str | None) -> str:
    past = int(time.time()) - 3600
    presentation = {"locale": locale} if locale else None
    return flow.good_token(nonce, iat=past - 60, exp=past, **{PRESENTATION: presentation})


def test_a_refused_french_launch_is_in_french_with_the_same_status(flow: Flow, app: Flask) -> None:
    state, nonce = flow.login()
    french = flow.launch(expired(flow, nonce, "fr-CA"), state)
    text = html.unescape(french.text)
    assert french.status_code == 401
    assert '<html lang="fr-CA">' in text
    assert "Le jeton de lancement a expiré." in text and "<code>token_expired</code>" in text
    assert "Vérifiez les horloges de la plateforme et de l'outil" in text
    with app.app_context():
        record = db.session.scalars(select(LaunchFailure)).one()
        assert record.reason == "token_expired"
        assert record.detail.startswith("The launch token has expired.")  # the admin's record


def test_the_same_refusal_stays_english_for_an_english_launch(flow: Flow) -> None:
    state, nonce = flow.login()
    english = flow.launch(expired(flow, nonce, "en-CA"), state, headers=FRENCH_BROWSER)
    assert english.status_code == 401
    assert '<html lang="en">' in english.text and "The launch token has expired." in english.text


def test_the_launch_locale_decides_the_json_refusal_too(flow: Flow) -> None:
    state, nonce = flow.login()
    answer = flow.launch(expired(flow, nonce, "fr"), state, headers={"Accept": "application/json"})
    assert answer.status_code == 401
    assert answer.json()["error"] == "token_expired"
    assert answer.json()["message"] == "Le jeton de lancement a expiré."


def test_without_a_readable_token_the_browser_language_decides(flow: Flow) -> None:
    state, _ = flow.login()
    french = flow.launch(None, state, headers=FRENCH_BROWSER)
    english = flow.launch(None, state)
    assert french.status_code == english.status_code == 400
    assert "La demande de lancement ne contient pas d&#39;id_token." in french.text
    assert "The launch request carries no id_token." in english.text
    garbled = flow.launch("not-a-jwt", state, headers=FRENCH_BROWSER)
    assert garbled.status_code == 400 and "L&#39;id_token n&#39;est pas un JWT lisible." in garbled.text


def test_a_refused_login_follows_the_browser_language(flow: Flow) -> None:
    data = {"iss": "https://stranger.example", "login_hint": "x", "target_link_uri": flow.target}
    french = flow.browser.post(flow.base_url + "/lti/login", data=data, headers=FRENCH_BROWSER, timeout=10)
    english = flow.browser.post(flow.base_url + "/lti/login", data=data, timeout=10)
    assert french.status_code == english.status_code == 403
    assert "Cette plateforme n&#39;est pas inscrite auprès de l&#39;outil." in french.text
    assert "This platform is not registered with the tool." in english.text
