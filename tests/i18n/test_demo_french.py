"""The demo LMS lets a person work in French: its launches then carry the locale fr-CA (real
OIDC login and signed id_token, as Moodle sends it), and the tool answers in French."""

from __future__ import annotations

import pytest
import requests

from tests.support.lms import LEARNERS, DemoLms

pytestmark = pytest.mark.slow


def test_a_person_who_chooses_french_in_the_demo_gets_the_tool_in_french(lms: DemoLms) -> None:
    home = requests.get(lms.demo_url + "/demo/", timeout=10).text
    assert "lang=fr-CA" in home  # each person can be chosen in French

    browser, page = lms.launch(LEARNERS[0], lang="fr-CA")
    assert page.status_code == 200 and '<html lang="fr-CA">' in page.text
    assert "Passer au contenu" in page.text
    # Every page of that launch follows, with only the launch token (no cookie).
    browser.cookies.clear()
    missing = requests.get(
        lms.tool_url + "/app/w/no-such-workshop/", params={"lt": lms.token_of(page)}, timeout=10
    )
    assert missing.status_code == 404 and '<html lang="fr-CA">' in missing.text

    _, english = lms.launch(LEARNERS[1])
    assert '<html lang="en">' in english.text and "Skip to content" in english.text
