"""LTI role URIs to the two roles this tool knows: instructor and learner."""

from __future__ import annotations

from collections.abc import Iterable

INSTRUCTOR = "instructor"
LEARNER = "learner"

_STAFF_ROLE_NAMES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"}
_STAFF_PREFIXES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#",
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#",
    "",  # the short forms LTI 1.3 allows for context roles, e.g. "Instructor"
)


def role_name(uri: str) -> str:
    """The last segment of a role URI: '...membership#Instructor' -> 'Instructor'."""
    for prefix in _STAFF_PREFIXES:
        if prefix and uri.startswith(prefix):
            return uri[len(prefix) :]
    return uri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def is_staff_role(uri: str) -> bool:
    # Sub-roles like membership/Instructor#TeachingAssistant name the staff kind after '#'.
    name = role_name(uri)
    if uri.startswith("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#"):
        return True
    # system/institution "Administrator" (and SysAdmin) count as staff too.
    return name in _STAFF_ROLE_NAMES or name == "SysAdmin"


def tool_role(roles: Iterable[str]) -> str:
    """instructor if any role is a teaching/administrative one, else learner."""
    return INSTRUCTOR if any(is_staff_role(r) for r in roles) else LEARNER
