"""A text at its limit is accepted, so the message for one over it says "at most N" (not "under
N", which refused what the field's maxlength allows), in the reader's language and with the
number written the reader's way ("4 000" in French)."""

from __future__ import annotations

import html
from typing import Any

import pytest

from lti_tool import i18n
from lti_tool.models.partnership import ORGANIZATION_MAX
from lti_tool.services.partnership import GroupError, details
from tests.assessment_app.conftest import ITEM, Taker

SETTINGS = {"scoring_model": "threshold_bands", "catalogues": "workshop", "grading": "completion"}


def words(page: Any) -> str:
    return html.unescape(page.get_data(as_text=True)).replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("fr-CA", "Utilisez au plus 150 caractères pour le nom du partenariat."),
        ("en", "Use at most 150 characters for the partnership's name."),
    ],
)
def test_the_partnership_name_takes_150_characters(launch_as: Any, locale: str, message: str) -> None:
    ana = Taker(launch_as("learner", sub="ana", item=ITEM, locale=locale))
    refused = ana.begin("x" * 151)
    assert refused.status_code == 400 and message in words(refused)
    assert ana.begin("x" * 150).status_code == 303


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("fr-CA", "Utilisez au plus 4 000 caractères pour les consignes."),
        ("en", "Use at most 4,000 characters for the instructions."),
    ],
)
def test_the_instructions_take_4000_characters(launch_as: Any, locale: str, message: str) -> None:
    teacher = Taker(launch_as("instructor", sub="prof", item=ITEM, locale=locale))
    refused = teacher.post("/app/assessment/settings", {**SETTINGS, "instructions": "x" * 4001})
    assert refused.status_code == 400 and message in words(refused)
    saved = teacher.post("/app/assessment/settings", {**SETTINGS, "instructions": "x" * 4000})
    assert saved.status_code in (200, 303) and message not in words(saved)


def test_the_organization_name_takes_150_characters() -> None:
    assert details("public", "x" * ORGANIZATION_MAX, False).organization == "x" * 150
    for lang, message in [
        ("fr", "Utilisez au plus 150 caractères pour le nom de votre organisation."),
        ("en", "Use at most 150 characters for your organization's name."),
    ]:
        with i18n.use(lang), pytest.raises(GroupError) as refused:
            details("public", "x" * 151, False)
        assert str(refused.value) == message
