"""Partnership groups (issue 14) through the views: start, join by code after a preview, the
joint report, and who may see what. On both databases: the constraints do the work."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from lti_tool.assessment.instrument import default_instrument
from tests.assessment_app.test_class_view import answer_all, submit
from tests.support.launch_as import Launched

pytestmark = pytest.mark.both_dbs

ITEM = "partnership-assessment"
GROUP = "/app/assessment/partnership/"


def learner(launch_as: Any, sub: str, **kw: Any) -> Launched:
    kw.setdefault("item", ITEM)
    return launch_as("learner", sub=sub, extra={"name": f"Person {sub.title()}"}, **kw)


def post(person: Launched, path: str, data: dict[str, Any]) -> Any:
    return person.post(GROUP + path, data, csrf_from=GROUP)


def start(
    person: Launched, name: str = "Harbour renewal P3", side: str = "public", named: bool = True
) -> Any:
    form = {"name": name, "side": side, "organization": "City of Halifax", "step": "confirm"}
    return post(person, "start", {**form, **({"named": "on"} if named else {})})


def code_of(person: Launched) -> str:
    page = person.get(GROUP).get_data(as_text=True)
    found = re.search(r'id="join-code">([A-Z0-9-]+)<', page)
    assert found, page
    return found.group(1)


def join(
    person: Launched, code: str, side: str = "private", named: bool = False, step: str = "confirm"
) -> Any:
    form = {"code": code, "side": side, "organization": "Metro Builders", "step": step}
    return post(person, "join", {**form, **({"named": "on"} if named else {})})


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def group_id(person: Launched) -> int:
    page = text(person.get(GROUP))
    found = re.search(r"/partnership/(\d+)/report", page)
    if found is None:  # not open yet: the teacher's class view links every group
        raise AssertionError("no joint report link")
    return int(found.group(1))


@pytest.fixture
def pair(launch_as: Any) -> dict[str, Launched]:
    ana, ben = learner(launch_as, "ana"), learner(launch_as, "ben")
    assert start(ana).status_code == 303
    assert join(ben, code_of(ana)).status_code == 303
    return {"ana": ana, "ben": ben}


def test_joining_shows_exactly_what_the_others_will_see_before_confirming(launch_as: Any) -> None:
    ana, ben = learner(launch_as, "ana"), learner(launch_as, "ben")
    start(ana)
    code = code_of(ana)
    details = join(ben, code, step="details")
    assert details.status_code == 200 and "Join “Harbour renewal P3”" in text(details)
    assert "never your reflections" in text(details)
    preview = text(join(ben, code, side="private", named=False, step="preview"))
    # Alone on the private side and not named: neither name nor side is shown.
    assert 'id="preview-label">Partner A<' in preview
    assert 'id="preview-side">side not shown<' in preview
    assert "Person Ben" not in preview
    named = text(join(ben, code, side="private", named=True, step="preview"))
    assert 'id="preview-label">Person Ben<' in named and 'id="preview-organization">Metro Builders<' in named
    # Nothing is joined until confirmed.
    assert "Join with a code" in text(ben.get(GROUP))


def test_the_joint_report_opens_once_two_submitted_and_names_only_who_agreed(
    pair: dict[str, Launched],
) -> None:
    ana, ben = pair["ana"], pair["ben"]
    page = text(ana.get(GROUP))
    assert "Person Ana" in page and "Partner A" in page and "Person Ben" not in page
    assert "The joint report opens when 2 have submitted" in page
    answer_all(ana, lambda sid: 5 if sid.startswith("trust-") else 2)
    submit(ana)
    answer_all(ben, lambda sid: 1 if sid.startswith("trust-") else 2)
    submit(ben)
    gid = group_id(ana)
    report = text(ana.get(f"{GROUP}{gid}/report"))
    assert "Joint report: Harbour renewal P3" in report
    # Trust: 5 against 1, the largest spread, first among the divergent areas.
    divergent = report.split('id="divergent"')[1].split("</section>")[0]
    first = re.search(r'class="divergent-area"><strong>([^<]+)<', divergent)
    trust = default_instrument().dimension("trust").title
    assert first and first.group(1) == trust and "a spread of 4.0" in divergent
    # Every other area: both at 2.0, under the cut-off: shared priorities, with mechanisms.
    shared = report.split('id="shared"')[1].split("</section>")[0]
    assert shared.count('class="shared-area"') == len(default_instrument().dimensions) - 1
    assert "<li>" in report.split('id="joint-mechanisms"')[1].split("</section>")[0]
    assert "Person Ana" in report and "Person Ben" not in report and "Partner A" in report
    assert 'class="radar radar-wide"' in report and "member-strip" in report
    assert "Print the joint report" in report
    # Ben sees the same report; his own report is unchanged (his own attempt, his name).
    assert "Joint report" in text(ben.get(f"{GROUP}{gid}/report"))


def test_only_members_and_this_activitys_teacher_see_a_group(
    pair: dict[str, Launched], launch_as: Any
) -> None:
    ana, ben = pair["ana"], pair["ben"]
    for person in (ana, ben):
        answer_all(person, 3)
        submit(person)
    gid = group_id(ana)
    path = f"{GROUP}{gid}/report"
    outsider = learner(launch_as, "cai")  # same course, same activity, not a member
    assert outsider.get(path).status_code == 403
    elsewhere = learner(launch_as, "dee", resource_link="rl-2")  # another activity
    assert elsewhere.get(path).status_code == 404
    other_course = launch_as("instructor", sub="tia", item=ITEM, context="course-2")
    assert other_course.get(path).status_code == 404
    teacher = launch_as("instructor", sub="tom", item=ITEM)
    assert teacher.get(path).status_code == 200
    klass = text(teacher.get("/app/assessment/"))
    groups = klass.split('id="groups"')[1].split("</section>")[0]
    assert "Harbour renewal P3" in groups and "2 of 2" in groups


def test_a_code_works_only_in_its_own_activity_and_wrong_codes_are_limited(
    pair: dict[str, Launched], launch_as: Any
) -> None:
    code = code_of(pair["ana"])
    elsewhere = learner(launch_as, "dee", resource_link="rl-2")
    refused = join(elsewhere, code)
    assert refused.status_code == 404 and "No partnership group in this activity has this code" in text(
        refused
    )
    other_course = learner(launch_as, "eve", context="course-2")  # the same link id, another course
    assert join(other_course, code).status_code == 404
    for _ in range(9):  # ten wrong codes in all
        assert join(elsewhere, "ABCDE-FGHJK").status_code == 404
    limited = join(elsewhere, code)
    assert limited.status_code == 429 and "Too many wrong codes" in text(limited)


def test_replaced_and_expired_codes_say_so(launch_as: Any, tool_app: Flask, clock: Any) -> None:
    clock.install(tool_app)
    ana, ben = learner(launch_as, "ana"), learner(launch_as, "ben")
    start(ana)
    old = code_of(ana)
    assert post(ana, "code", {}).status_code == 303
    new = code_of(ana)
    assert new != old
    replaced = join(ben, old)
    assert replaced.status_code == 410 and "replaced by a newer one" in text(replaced)
    clock.advance(31 * 24 * 3600)
    cai = learner(launch_as, "cai")  # a month later
    expired = join(cai, new)
    assert expired.status_code == 410 and "expired" in text(expired)


def test_joining_twice_and_twin_names_get_a_clear_message_and_lose_nothing(
    pair: dict[str, Launched], launch_as: Any
) -> None:
    ana, ben = pair["ana"], pair["ben"]
    again = join(ben, code_of(ana))
    assert again.status_code == 409 and "already in the partnership group “Harbour renewal P3”" in text(again)
    cai = learner(launch_as, "cai")
    twin = start(cai, name="harbour  Renewal p3")
    assert twin.status_code == 409 and "already exists in this activity" in text(twin)
    assert 'value="harbour Renewal p3"' in text(twin)  # what was typed is still there
    assert start(cai, name="Harbour renewal P3 (Dartmouth)").status_code == 303


def test_leaving_takes_ones_scores_out_and_keeps_ones_own_report(pair: dict[str, Launched]) -> None:
    ana, ben = pair["ana"], pair["ben"]
    for person in (ana, ben):
        answer_all(person, 3)
        submit(person)
    gid = group_id(ana)
    assert post(ben, "leave", {}).status_code == 303
    assert "Join with a code" in text(ben.get(GROUP))
    assert ben.get(f"{GROUP}{gid}/report").status_code == 403
    assert "The joint report opens when 2 members have submitted" in text(ana.get(f"{GROUP}{gid}/report"))
    assert "Open your report" in text(ben.get("/app/assessment/"))


def test_the_teacher_removes_a_member_and_can_turn_groups_off(
    pair: dict[str, Launched], launch_as: Any
) -> None:
    teacher = launch_as("instructor", sub="tom", item=ITEM)
    klass = text(teacher.get("/app/assessment/"))
    remove = re.findall(r'action="(/app/assessment/partnership/\d+/remove/\d+)"', klass)
    assert len(remove) == 2
    assert teacher.post(remove[1], {}, csrf_from="/app/assessment/").status_code == 303
    assert "Join with a code" in text(pair["ben"].get(GROUP))
    assert pair["ana"].post(remove[0], {}, csrf_from=GROUP).status_code == 403  # learners cannot
    saved = teacher.post(
        "/app/assessment/settings",
        {
            "scoring_model": "threshold_bands",
            "catalogues": "workshop",
            "grading": "completion",
            "partnership_groups": "off",
        },
        csrf_from="/app/assessment/settings",
    )
    assert saved.status_code == 303
    off = pair["ana"].get(GROUP)
    assert off.status_code == 403 and "turned partnership groups off" in text(off)


def test_concurrent_joins_make_one_membership_each(pair: dict[str, Launched], launch_as: Any) -> None:
    code = code_of(pair["ana"])
    people = [learner(launch_as, f"p{i}") for i in range(4)]
    twice = people[0]
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda p: join(p, code).status_code, [*people, twice, twice]))
    assert sorted(statuses[:4] + statuses[4:]).count(303) == 4, statuses
    assert statuses[4:].count(409) + statuses[:1].count(409) >= 1  # one of Ben's three tabs lost
    page = text(pair["ana"].get(GROUP))
    assert "Submitted: 0 members of 6." in page


def test_groups_speak_french_in_a_french_launch(launch_as: Any) -> None:
    ana = launch_as("learner", sub="ana", item=ITEM, locale="fr-CA", extra={"name": "Ana"})
    page = text(ana.get(GROUP))
    assert "Évaluez votre partenariat ensemble" in page and "Rejoindre avec un code" in page
    refused = join(ana, "ABCDE-FGHJK")
    assert refused.status_code == 404 and "Aucun groupe de partenariat de cette activité" in text(refused)


def test_members_submitting_at_the_same_moment_all_count(pair: dict[str, Launched], launch_as: Any) -> None:
    cai = learner(launch_as, "cai")
    assert join(cai, code_of(pair["ana"]), side="public").status_code == 303
    people = [pair["ana"], pair["ben"], cai]
    for person, rating in zip(people, (2, 4, 3), strict=True):
        answer_all(person, rating)
    csrf = {id(p): p.csrf("/app/assessment/review") for p in people}

    def send(person: Launched) -> int:
        form = {"csrf_token": csrf[id(person)]}
        return int(person.post("/app/assessment/submit", form).status_code)

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert list(pool.map(send, people)) == [303, 303, 303]
    report = text(pair["ana"].get(f"{GROUP}{group_id(pair['ana'])}/report"))
    assert "3 partners submitted" in report
    # Every area: 2, 3 and 4: a spread of 2.0 everywhere.
    assert report.count('class="divergent-area"') == 5 and "a spread of 2.0" in report


def test_two_people_naming_the_same_partnership_at_once_get_one_group(launch_as: Any) -> None:
    people = [learner(launch_as, sub) for sub in ("cai", "dee", "eve")]
    csrf = {id(p): p.csrf(GROUP) for p in people}

    def create(person: Launched) -> int:
        form = {
            "name": "Harbour renewal P3",
            "side": "public",
            "step": "confirm",
            "csrf_token": csrf[id(person)],
        }
        return int(post(person, "start", form).status_code)

    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = sorted(pool.map(create, people))
    assert statuses == [303, 409, 409]


def test_invitations_from_the_course_list(
    pair: dict[str, Launched], launch_as: Any, monkeypatch: Any
) -> None:
    """The LMS's roster (NRPS, outside the tool) is stood in for; over real NRPS, see
    tests/browser/test_partnership_group.py."""
    from lti_tool.lti.nrps import Member
    from lti_tool.views import partnership as views

    learner_role = ("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",)
    course = [
        Member("ana", "Person Ana", "", learner_role, "Active"),
        Member("cai", "Person Cai", "", learner_role, "Active"),
        Member("dee", "Person Dee", "", learner_role, "Active"),
        Member(
            "tom",
            "Teacher Tom",
            "",
            ("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",),
            "Active",
        ),
    ]  # Ben has left the course
    monkeypatch.setattr(views, "roster", lambda launch: (course, ""))
    ana = pair["ana"]
    page = text(ana.get(GROUP + "invite"))
    assert "Person Cai" in page and "Person Dee" in page
    assert "Teacher Tom" not in page and 'value="ana"' not in page  # teachers and members are not offered
    assert "1 member of the group is no longer in the course list" in page
    assert post(ana, "invite", {"sub": "zed"}).status_code == 400  # not in the course
    assert post(ana, "invite", {"sub": ["cai", "dee"]}).status_code == 303
    cai, dee = learner(launch_as, "cai"), learner(launch_as, "dee")
    invited = text(cai.get(GROUP))
    accept = re.search(r'action="(/app/assessment/partnership/accept/\d+)"', invited)
    assert accept and "You are invited" in invited
    decline = re.search(r'action="(/app/assessment/partnership/decline/\d+)"', text(dee.get(GROUP)))
    assert decline and dee.post(decline.group(1), {}, csrf_from=GROUP).status_code == 303
    assert "You are invited" not in text(dee.get(GROUP))
    path = accept.group(1)
    # Another learner cannot answer Cai's invitation.
    assert dee.post(path, {"step": "confirm", "side": "public"}, csrf_from=GROUP).status_code == 404
    preview = cai.post(path, {"step": "preview", "side": "non-profit"}, csrf_from=GROUP)
    assert 'id="preview-label">Partner' in text(preview)
    assert cai.post(path, {"step": "confirm", "side": "non-profit"}, csrf_from=GROUP).status_code == 303
    assert "Submitted: 0 members of 3." in text(ana.get(GROUP))


def test_a_group_and_its_joint_report_in_french(pair: dict[str, Launched], launch_as: Any) -> None:
    for person in pair.values():
        answer_all(person, 3)
        submit(person)
    gid = group_id(pair["ana"])
    ana = launch_as("learner", sub="ana", item=ITEM, locale="fr-CA", extra={"name": "Person Ana"})
    assert "Partagez ce code pour rejoindre" in text(ana.get(GROUP))
    report = text(ana.get(f"{GROUP}{gid}/report"))
    assert "Rapport conjoint" in report and "Partenaire A" in report
