"""Partnership groups as learners and an attacker meet them (review of issue 14): one label per
member on every page, the side of a lone unnamed member kept hidden even beside a named
side-mate, a name freed when its group empties, counts that read right, and a draft renamed on
joining said before it happens (docs/decisions/0046-partnership-groups-review.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.assessment_app.test_class_view import answer_all, submit
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

pytestmark = pytest.mark.both_dbs


def _you(page: str) -> str:
    """The label the page gives its reader, marked "(you)"."""
    found = re.search(r"([A-Z][\w -]*?)\s*(?:<strong>)?\(you\)", page)
    assert found, page
    return found.group(1).strip()


def test_a_member_has_the_same_label_on_the_group_page_and_in_the_joint_report(launch_as: Any) -> None:
    ana, ben, cai = (learner(launch_as, s) for s in ("ana", "ben", "cai"))
    start(ana, named=False)  # public
    code = code_of(ana)
    join(ben, code, side="public")
    join(cai, code, side="private")  # alone on the private side: "Partner A" on the group page
    assert _you(text(cai.get(GROUP))) == "Partner A"
    for person in (ana, cai):  # Ben has not submitted
        answer_all(person, 3)
        submit(person)
    gid = int(re.findall(r"/partnership/(\d+)/report", text(ana.get(GROUP)))[0])
    report = text(cai.get(f"{GROUP}{gid}/report"))
    scores = report.split('id="joint-areas"')[1]
    # The report must not call Cai by a label the group page gives someone else.
    assert _you(scores) == "Partner A"
    assert "Public-sector member 1 (you)" in text(ana.get(f"{GROUP}{gid}/report"))


def test_a_named_side_mate_does_not_reveal_the_side_of_a_lone_unnamed_member(launch_as: Any) -> None:
    ana, cai, ben = (learner(launch_as, s) for s in ("ana", "cai", "ben"))
    start(ana, named=True)  # public, named: everyone sees Ana is public
    code = code_of(ana)
    join(cai, code, side="private")
    preview = text(join(ben, code, side="public", named=False, step="preview"))
    # Ben would be the only unnamed public member: "Public-sector member 1" would name him.
    assert 'id="preview-side">side not shown<' in preview, preview
    assert 'id="preview-label">Partner B<' in preview


def test_a_group_left_by_everyone_frees_its_name(launch_as: Any) -> None:
    ana, cai = learner(launch_as, "ana"), learner(launch_as, "cai")
    start(ana, name="Harbour renewal P3")
    assert post(ana, "leave", {}).status_code == 303
    # No member is left to give its code: the name must not stay taken by an empty group.
    assert start(cai, name="harbour renewal p3").status_code == 303
    teacher = launch_as("instructor", sub="tom", item=ITEM)
    klass = text(teacher.get("/app/assessment/"))
    assert len(re.findall(r"/partnership/\d+/remove/\d+", klass)) == 1


def test_the_teacher_removing_the_last_member_frees_the_name(launch_as: Any) -> None:
    ana, cai = learner(launch_as, "ana"), learner(launch_as, "cai")
    start(ana, name="Harbour renewal P3")
    teacher = launch_as("instructor", sub="tom", item=ITEM)
    remove = re.findall(
        r'action="(/app/assessment/partnership/\d+/remove/\d+)"', text(teacher.get("/app/assessment/"))
    )
    assert teacher.post(remove[0], {}, csrf_from="/app/assessment/").status_code == 303
    assert start(cai, name="Harbour renewal P3").status_code == 303


def test_a_group_of_one_counts_in_the_singular(launch_as: Any) -> None:
    ana = learner(launch_as, "ana")
    start(ana)
    page = text(ana.get(GROUP))
    assert "Submitted: 0 members of 1." in page, re.search(r'id="group-progress">[^<]*', page)


def test_joining_says_before_confirming_that_a_draft_will_be_renamed(launch_as: Any) -> None:
    ana, ben = learner(launch_as, "ana"), learner(launch_as, "ben")
    start(ana, name="Harbour renewal P3")
    begun = ben.post("/app/assessment/begin", {"partnership": "Bridge P3"}, csrf_from="/app/assessment/")
    assert begun.status_code == 303
    code = code_of(ana)
    for step in ("details", "preview"):
        page = text(join(ben, code, step=step))
        note = re.search(r'id="draft-renamed"[^>]*>(.*?)</p>', page, re.S)
        assert note and "Bridge P3" in note.group(1) and "Harbour renewal P3" in note.group(1), step
    # Joining a group of the same partnership as the draft says nothing.
    cai = learner(launch_as, "cai")
    cai.post("/app/assessment/begin", {"partnership": "harbour renewal P3"}, csrf_from="/app/assessment/")
    assert 'id="draft-renamed"' not in text(join(cai, code, step="preview"))


def test_every_group_route_refuses_a_post_without_the_csrf_token_and_changes_nothing(
    launch_as: Any,
) -> None:
    ana, ben = learner(launch_as, "ana"), learner(launch_as, "ben")
    start(ana)
    code = code_of(ana)
    gid_rows = text(launch_as("instructor", sub="tom", item=ITEM).get("/app/assessment/"))
    remove = re.findall(r'action="(/app/assessment/partnership/\d+/remove/\d+)"', gid_rows)[0]
    forged = {"csrf_token": "", "name": "Forged", "side": "public", "step": "confirm", "code": code}
    for path in ("start", "join", "leave", "code", "invite", "accept/1", "decline/1"):
        for person in (ana, ben):
            assert person.post(GROUP + path, forged).status_code == 400, path
    teacher = launch_as("instructor", sub="tom", item=ITEM)
    assert teacher.post(remove, {"csrf_token": ""}).status_code == 400
    assert code_of(ana) == code and "Join with a code" in text(ben.get(GROUP))


def test_a_teacher_of_another_activity_cannot_remove_a_member_here(launch_as: Any) -> None:
    ana = learner(launch_as, "ana")
    start(ana)
    here = launch_as("instructor", sub="tom", item=ITEM)
    remove = re.findall(
        r'action="(/app/assessment/partnership/\d+/remove/\d+)"', text(here.get("/app/assessment/"))
    )[0]
    for other in (
        launch_as("instructor", sub="tia", item=ITEM, resource_link="rl-2"),
        launch_as("instructor", sub="tia", item=ITEM, context="course-2"),
    ):
        assert other.post(remove, {}, csrf_from="/app/assessment/").status_code == 404
    assert "Leave “Harbour renewal P3”" in text(ana.get(GROUP))
    # A learner who is in no group cannot replace or invite on anyone's behalf.
    cai = learner(launch_as, "cai")
    assert post(cai, "code", {}).status_code == 409
    assert cai.get(GROUP + "invite").status_code == 409


def test_wrong_codes_sent_at_once_are_limited_too(launch_as: Any) -> None:
    """The limit was read before the failure was written: requests sent together all read "under
    the limit" and all guessed. Each now writes its try first, then counts."""
    from concurrent.futures import ThreadPoolExecutor

    ana, eve = learner(launch_as, "ana"), learner(launch_as, "eve")
    start(ana)
    forms = [
        {"code": f"ABCDE{n:05d}".replace("0", "A").replace("1", "B"), "step": "details"} for n in range(30)
    ]
    tokens = [eve.csrf(GROUP) for _ in forms]

    def guess(i: int) -> int:
        body = {"lt": eve.token, "csrf_token": tokens[i], **forms[i]}
        return int(eve.app.test_client().post(GROUP + "join", data=body).status_code)

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(guess, range(len(forms))))
    assert statuses.count(404) <= 10 and set(statuses) <= {404, 429}, statuses
    # Tries sent together may each see the others' tries in flight and all be refused, so the
    # burst may use fewer than 10; tried one by one, the rest are answered, and no more.
    for n in range(10 - statuses.count(404)):
        assert join(eve, f"ZZZZZ{n:05d}").status_code == 404
    assert join(eve, "ZZZZZZZZZZ").status_code == 429
    assert join(eve, code_of(ana)).status_code == 429  # the right code too, until the window ends


def test_a_removed_member_no_longer_reads_the_joint_report(launch_as: Any) -> None:
    ana, ben = learner(launch_as, "ana"), learner(launch_as, "ben")
    start(ana)
    join(ben, code_of(ana))
    for person in (ana, ben):
        answer_all(person, 3)
        submit(person)
    report = re.findall(r"/app/assessment/partnership/\d+/report", text(ana.get(GROUP)))[0]
    assert ben.get(report).status_code == 200
    teacher = launch_as("instructor", sub="tom", item=ITEM)
    removes = re.findall(
        r'action="(/app/assessment/partnership/\d+/remove/\d+)"', text(teacher.get("/app/assessment/"))
    )
    assert teacher.post(removes[1], {}, csrf_from="/app/assessment/").status_code == 303
    assert ben.get(report).status_code == 403
    assert "Open your report" in text(ben.get("/app/assessment/"))  # his own stays
