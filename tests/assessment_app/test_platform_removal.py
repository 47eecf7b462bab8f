"""Removing a platform: what the administrator is told it deletes is what it deletes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import AssessmentAttempt, LtiUser, Platform
from lti_tool.services import platforms as platform_service
from tests.support.lms import LEARNERS


@pytest.mark.both_dbs  # the deletion is the databases' ON DELETE CASCADE
def test_the_removal_summary_counts_what_the_cascade_deletes(taker: Any, teacher: Any) -> None:
    ben, chloe = taker(LEARNERS[0]), taker(LEARNERS[1])
    assert ben.begin().status_code == 303 and chloe.begin().status_code == 303  # two attempts
    with ben.app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        gone = platform_service.removal_summary(platform)
        assert (gone.people, gone.courses, gone.attempts) == (3, 1, 2)
        assert gone.launches >= 3 and gone.deployments == 1 and gone.grades_not_delivered == 0
        platform_service.remove_platform(platform)
        for model in (AssessmentAttempt, LtiUser):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
