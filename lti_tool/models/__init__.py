"""Database models. Only lti_tool.services (and the LTI protocol layer) use them directly."""

from lti_tool.models.grades import Grade, GradeLineItem, ServiceToken
from lti_tool.models.launch import CourseContext, Launch, LaunchFailure, LtiUser, OidcState, ResourceLink
from lti_tool.models.platform import Deployment, Platform, ToolKey

__all__ = [
    "CourseContext",
    "Deployment",
    "Grade",
    "GradeLineItem",
    "Launch",
    "LaunchFailure",
    "LtiUser",
    "OidcState",
    "Platform",
    "ResourceLink",
    "ServiceToken",
    "ToolKey",
]
