"""Leftovers of the partnership-groups review (decision 0046): invitations of a member who leaves
or is removed are withdrawn, and the invite form refuses its sender and the group's members
(docs/decisions/0048-invitations-go-with-their-sender.md)."""

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
