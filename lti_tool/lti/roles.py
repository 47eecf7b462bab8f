"""LTI role URIs to the two roles this tool knows: instructor and learner.

The course (context) roles decide (docs/decisions/0030-the-course-role-decides.md): a launch
that carries any context role is an instructor's only if one of them is a teaching one.
Institution and system roles describe the person elsewhere (Canvas sends a student who teaches
another course of the account ``institution/person#Instructor``), so they count only when the
launch carries no context role at all, and then only an administrator's.

``observer_only`` says which learners the LMS never grades (decision 0050).
"""

from __future__ import annotations

from collections.abc import Iterable

INSTRUCTOR = "instructor"
LEARNER = "learner"

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
_MEMBERSHIP = _LIS + "membership#"
_MEMBERSHIP_SUB = _LIS + "membership/"  # sub-roles: membership/Instructor#TeachingAssistant
_CONTEXT_URN = "urn:lti:role:ims/lis/"  # LTI 1.1 context roles, still sent by some platforms
_ADMIN_PREFIXES = (
    _LIS + "system/person#",
    _LIS + "institution/person#",
    "urn:lti:sysrole:ims/lis/",
    "urn:lti:instrole:ims/lis/",
)
_NAME_PREFIXES = (_MEMBERSHIP, _MEMBERSHIP_SUB + "Instructor#", _ADMIN_PREFIXES[0], _ADMIN_PREFIXES[1])

_STAFF_CONTEXT_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"}
# The short forms LTI 1.3 allows for context roles (plus TeachingAssistant, long accepted here).
_SHORT_CONTEXT_ROLES = {
    "Administrator",
    "ContentDeveloper",
    "Instructor",
    "Learner",
    "Mentor",
    "Manager",
    "Member",
    "Officer",
    "TeachingAssistant",
}
_ADMIN_ROLES = {"Administrator", "SysAdmin"}


def role_name(uri: str) -> str:
    """The last segment of a role URI: '...membership#Instructor' -> 'Instructor'."""
    for prefix in _NAME_PREFIXES:
        if uri.startswith(prefix):
            return uri[len(prefix) :]
    return uri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _context_principal(uri: str) -> str | None:
    """The principal context role a role names ('Instructor' for a TeachingAssistant sub-role of
    Instructor), or None when it is not a context role (institution, system, unknown)."""
    if uri.startswith(_MEMBERSHIP):
        return uri[len(_MEMBERSHIP) :]
    if uri.startswith(_MEMBERSHIP_SUB):
        return uri[len(_MEMBERSHIP_SUB) :].split("#", 1)[0]
    if uri.startswith(_CONTEXT_URN):
        return uri[len(_CONTEXT_URN) :].split("/", 1)[0]
    if uri in _SHORT_CONTEXT_ROLES:
        return uri
    return None


def _is_admin_role(uri: str) -> bool:
    """A system or institution Administrator (or SysAdmin): never Instructor."""
    return any(uri.startswith(p) and uri[len(p) :] in _ADMIN_ROLES for p in _ADMIN_PREFIXES)


def tool_role(roles: Iterable[str]) -> str:
    """instructor if a context role is a teaching one; with no context role at all, if the person
    is a system or institution administrator; else learner."""
    listed = list(roles)
    context = _context_roles(listed)
    if context:
        return INSTRUCTOR if any(p in _STAFF_CONTEXT_ROLES for p in context) else LEARNER
    return INSTRUCTOR if any(_is_admin_role(r) for r in listed) else LEARNER


def observer_only(roles: Iterable[str]) -> bool:
    """An observer (context role Mentor, or a sub-role of it) who is not also a Learner of the
    course: a learner to the tool's pages, but no LMS takes their score (Canvas's observer
    enrolment is no student enrolment: 422 "not a student"; decision 0050)."""
    context = _context_roles(roles)
    return "Mentor" in context and "Learner" not in context


def _context_roles(roles: Iterable[str]) -> list[str]:
    """The principal context roles among ``roles`` (institution, system and unknown left out)."""
    return [p for p in map(_context_principal, roles) if p is not None]
