"""The course role decides who is an instructor (docs/decisions/0030-the-course-role-decides.md).

Canvas sends a person's institution roles from every enrolment in the account: a student of this
course who teaches another one arrives with ``institution/person#Instructor`` beside
``membership#Learner``. The roles below are what Moodle 4.5 and Canvas send
(../shared/lms/moodle-4.5-observed.json, Moodle's ``get_ims_role``, Canvas's
``Lti::SubstitutionsHelper::LIS_V2_LTI_ADVANTAGE_ROLE_MAP``).
"""

from __future__ import annotations

from typing import Any

import pytest

from lti_tool.lti import claims as C
from lti_tool.lti.roles import observer_only, tool_role

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBER = LIS + "membership#"
INST = LIS + "institution/person#"
SYS = LIS + "system/person#"

# A Canvas student of this course who teaches another course of the account.
TEACHES_ELSEWHERE = [INST + "Student", INST + "Instructor", MEMBER + "Learner", SYS + "User"]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        # Moodle 4.5: a student, a teacher; a site administrator (mod/lti:manage, so Instructor,
        # plus the two Administrator roles); someone with mod/lti:admin only (Learner removed).
        ([MEMBER + "Learner"], "learner"),
        ([MEMBER + "Instructor"], "instructor"),
        ([MEMBER + "Instructor", SYS + "Administrator", INST + "Administrator"], "instructor"),
        ([SYS + "Administrator", INST + "Administrator"], "instructor"),
        # Canvas: a student; a student who teaches elsewhere in the account (the finding); a
        # teacher; a TA; a designer; an observer; the test student of "Student view".
        ([INST + "Student", MEMBER + "Learner", SYS + "User"], "learner"),
        (TEACHES_ELSEWHERE, "learner"),
        ([INST + "Instructor", MEMBER + "Instructor", SYS + "User"], "instructor"),
        ([LIS + "membership/Instructor#TeachingAssistant", MEMBER + "Instructor"], "instructor"),
        ([MEMBER + "ContentDeveloper", SYS + "User"], "instructor"),
        ([MEMBER + "Mentor", SYS + "User"], "learner"),
        ([MEMBER + "Learner", "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"], "learner"),
        # Canvas: an account administrator who is not enrolled in the course; Instructure's site
        # administrator; an account administrator enrolled as a student (the course role decides).
        ([INST + "Administrator", SYS + "User"], "instructor"),
        ([SYS + "SysAdmin", SYS + "User"], "instructor"),
        ([INST + "Administrator", MEMBER + "Learner", SYS + "User"], "learner"),
        # Institution or system Instructor never makes an instructor, with or without a course role.
        ([INST + "Instructor"], "learner"),
        ([SYS + "Instructor", INST + "Instructor", SYS + "User"], "learner"),
        # A course administrator is staff; sub-roles follow their principal role.
        ([MEMBER + "Administrator"], "instructor"),
        ([LIS + "membership/Instructor#Lecturer"], "instructor"),
        ([LIS + "membership/Learner#Instructor"], "learner"),
        ([LIS + "membership/Learner#Learner", INST + "Administrator"], "learner"),
        # The short forms LTI 1.3 allows for context roles, and LTI 1.1 URNs.
        (["Instructor"], "instructor"),
        (["TeachingAssistant"], "instructor"),
        (["Learner", INST + "Instructor"], "learner"),
        (["Learner", INST + "Administrator"], "learner"),
        (["urn:lti:role:ims/lis/Instructor"], "instructor"),
        (["urn:lti:role:ims/lis/Learner", "urn:lti:instrole:ims/lis/Administrator"], "learner"),
        (["urn:lti:sysrole:ims/lis/Administrator"], "instructor"),
        (["urn:lti:instrole:ims/lis/Instructor"], "learner"),
        # Nothing a course or an administrator role would be.
        ([SYS + "User"], "learner"),
        (["something-else"], "learner"),
        ([], "learner"),
    ],
)
def test_the_course_role_decides(roles: list[str], expected: str) -> None:
    assert tool_role(roles) == expected


TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        # Canvas's observer (ObserverEnrollment): refused with 422 "not a student" (decision 0050).
        ([MEMBER + "Mentor", SYS + "User"], True),
        ([LIS + "membership/Mentor#Advisor"], True),
        (["Mentor"], True),
        # An observer who is also a student of the course has a student enrolment: graded.
        ([MEMBER + "Mentor", MEMBER + "Learner", SYS + "User"], False),
        # Canvas's "Student view" test student: graded (include_fake_student: true).
        ([MEMBER + "Learner", TEST_USER, SYS + "User"], False),
        # A Moodle guest arrives as a plain Learner (get_ims_role has no guest case): not told apart.
        ([MEMBER + "Learner"], False),
        ([SYS + "User"], False),
        ([], False),
    ],
)
def test_only_an_observer_who_is_no_learner_is_never_graded(roles: list[str], expected: bool) -> None:
    assert observer_only(roles) is expected
    assert tool_role(roles) == "learner"  # the pages are a learner's all the same (decision 0030)


def test_a_learner_who_teaches_elsewhere_cannot_read_the_class_results(launch_as: Any) -> None:
    ada = launch_as("learner", sub="201", item="partnership-assessment")
    assert ada.get("/app/assessment/").status_code == 200
    ben = launch_as("learner", sub="202", item="partnership-assessment", extra={C.ROLES: TEACHES_ELSEWHERE})
    assert ben.get("/app/assessment/class/results.csv").status_code == 403
    assert ben.get("/app/assessment/settings").status_code == 403
    assert ben.get("/app/grades/").status_code == 403
    # Canvas's teacher of the course, and an account administrator not enrolled in it, still are.
    for sub, roles in (
        ("301", [INST + "Instructor", MEMBER + "Instructor", SYS + "User"]),
        ("302", [INST + "Administrator", SYS + "User"]),
    ):
        staff = launch_as("learner", sub=sub, item="partnership-assessment", extra={C.ROLES: roles})
        assert staff.get("/app/assessment/class/results.csv").status_code == 200
