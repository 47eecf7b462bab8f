"""Leftovers of the partnership-groups review (decision 0046): invitations of a member who leaves
or is removed are withdrawn, the invite form refuses its sender and the group's members, and a
member the teacher removed is told so (docs/decisions/0048-partnership-group-leftovers.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lti_tool.lti.nrps import Member
from tests.assessment_app.test_partnership_groups import (
    GROUP,
    ITEM,
    code_of,
    join,
    learner,
    post,
    start,
    text,
)
from tests.support.launch_as import Launched

pytestmark = pytest.mark.both_dbs

LEARNER = ("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",)


@pytest.fixture
def course(monkeypatch: Any) -> None:
    """The LMS's roster (NRPS) stood in for, as in test_partnership_groups.py."""
    from lti_tool.views import partnership as views

    people = [Member(s, f"Person {s.title()}", "", LEARNER, "Active") for s in ("ana", "ben", "cai", "dee")]
    monkeypatch.setattr(views, "roster", lambda launch: (people, ""))


def _group_of_three(launch_as: Any) -> dict[str, Launched]:
    ana, ben, eve = (learner(launch_as, s) for s in ("ana", "ben", "eve"))
    assert start(ana).status_code == 303
    code = code_of(ana)
    assert join(ben, code).status_code == 303
    assert join(eve, code).status_code == 303  # the group outlives Ana and Ben leaving
    return {"ana": ana, "ben": ben, "eve": eve}


@pytest.mark.usefixtures("course")
def test_invitations_of_a_member_who_leaves_are_withdrawn(launch_as: Any) -> None:
    group = _group_of_three(launch_as)
    assert post(group["ana"], "invite", {"sub": "cai"}).status_code == 303
    assert post(group["eve"], "invite", {"sub": "dee"}).status_code == 303
    cai, dee = learner(launch_as, "cai"), learner(launch_as, "dee")
    accept = re.search(r'action="(/app/assessment/partnership/accept/\d+)"', text(cai.get(GROUP)))
    assert accept
    assert post(group["ana"], "leave", {}).status_code == 303
    # Cai was invited by Ana, who is no longer in the group: the invitation goes with her.
    assert "You are invited" not in text(cai.get(GROUP))
    late = cai.post(accept.group(1), {"step": "confirm", "side": "public"}, csrf_from=GROUP)
    assert late.status_code == 404 and "no longer open" in text(late)
    assert "You are invited" in text(dee.get(GROUP))  # Eve's invitation stays


@pytest.mark.usefixtures("course")
def test_invitations_of_a_removed_member_are_withdrawn(launch_as: Any) -> None:
    group = _group_of_three(launch_as)
    assert post(group["ben"], "invite", {"sub": "cai"}).status_code == 303
    teacher = launch_as("instructor", sub="tom", item=ITEM)
    remove = re.findall(
        r'action="(/app/assessment/partnership/\d+/remove/\d+)"', text(teacher.get("/app/assessment/"))
    )
    assert len(remove) == 3
    assert teacher.post(remove[1], {}, csrf_from="/app/assessment/").status_code == 303  # Ben
    assert "You are invited" not in text(learner(launch_as, "cai").get(GROUP))


@pytest.mark.usefixtures("course")
def test_the_invite_form_refuses_the_sender_and_the_groups_members(launch_as: Any) -> None:
    group = _group_of_three(launch_as)
    ana = group["ana"]
    yourself = post(ana, "invite", {"sub": "ana"})
    assert yourself.status_code == 400
    assert "already in this group" in text(yourself)
    member = post(ana, "invite", {"sub": ["cai", "ben"]})
    assert member.status_code == 400 and "Person Ben" in text(member)
    assert "You are invited" not in text(learner(launch_as, "cai").get(GROUP))  # nothing half-done


def _remove(launch_as: Any, index: int) -> None:
    teacher = launch_as("instructor", sub="tom", item=ITEM)
    remove = re.findall(
        r'action="(/app/assessment/partnership/\d+/remove/\d+)"', text(teacher.get("/app/assessment/"))
    )
    assert teacher.post(remove[index], {}, csrf_from="/app/assessment/").status_code == 303


def _notice(page: str) -> str:
    found = re.search(r'id="group-removed"[^>]*>(.*?)</p>', page, re.S)
    return " ".join(found.group(1).split()) if found else ""


def test_a_removed_member_is_told_until_they_join_another_group(launch_as: Any) -> None:
    group = _group_of_three(launch_as)
    _remove(launch_as, 1)  # Ben
    ben = group["ben"]
    for _ in range(2):  # not once only: a reload, or a second tab, must not lose it
        said = _notice(text(ben.get(GROUP)))
        assert "removed you from the group" in said and "Harbour renewal P3" in said, said
        assert "your own answers and report are unchanged" in said
    assert _notice(text(group["ana"].get(GROUP))) == ""  # members still in are told nothing
    assert _notice(text(learner(launch_as, "cai").get(GROUP))) == ""
    assert start(ben, name="Bridge P3").status_code == 303
    assert post(ben, "leave", {}).status_code == 303
    assert _notice(text(ben.get(GROUP))) == ""  # leaving is one's own doing: nothing to tell


def test_a_member_removed_from_a_group_that_then_goes_is_told_its_name(launch_as: Any) -> None:
    ana = learner(launch_as, "ana")
    assert start(ana, name="Bridge P3").status_code == 303
    _remove(launch_as, 0)  # the last member: the group is deleted, its name is remembered
    assert "Bridge P3" in _notice(text(ana.get(GROUP)))


def test_the_removal_notice_speaks_french(launch_as: Any) -> None:
    ana = learner(launch_as, "ana", locale="fr-CA")
    assert start(ana, name="Pont P3").status_code == 303
    _remove(launch_as, 0)
    said = _notice(text(ana.get(GROUP)))
    assert "personne enseignante" in said and "Pont P3" in said, said


def test_cleanup_forgets_notices_and_wrong_codes_no_longer_used(
    launch_as: Any, tool_app: Any, clock: Any
) -> None:
    """`flask cleanup` deletes removal notices past 30 days and wrong join codes past their
    window: neither table grows for ever. Newer ones stay (they are still shown or counted)."""
    from sqlalchemy import func, select

    from lti_tool.extensions import db
    from lti_tool.models import PartnershipCodeFailure, PartnershipRemoval

    def rows(model: Any) -> int:
        with tool_app.app_context():
            return int(db.session.scalar(select(func.count()).select_from(model)) or 0)

    clock.install(tool_app)
    ana, eve = learner(launch_as, "ana"), learner(launch_as, "eve")
    assert start(ana, name="Bridge P3").status_code == 303
    _remove(launch_as, 0)
    assert join(eve, "WRONGCODE9").status_code == 404
    assert (rows(PartnershipRemoval), rows(PartnershipCodeFailure)) == (1, 1)
    cleanup = tool_app.test_cli_runner()
    assert "Removed 0 old partnership-group removal notice(s) and 0 old wrong" in (
        cleanup.invoke(args=["cleanup"]).output
    )
    clock.advance(16 * 60)  # past the wrong codes' window; the notice is still news
    assert "removal notice(s) and 1 old wrong join code" in cleanup.invoke(args=["cleanup"]).output
    assert (rows(PartnershipRemoval), rows(PartnershipCodeFailure)) == (1, 0)
    clock.advance(30 * 24 * 3600)
    assert "Removed 1 old partnership-group removal notice(s)" in cleanup.invoke(args=["cleanup"]).output
    assert rows(PartnershipRemoval) == 0
