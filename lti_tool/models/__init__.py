"""Database models. Only lti_tool.services (and the LTI protocol layer) use them directly."""

from lti_tool.models.assessment import (
    ActivitySettings,
    AssessmentAnswer,
    AssessmentAreaTotal,
    AssessmentAttempt,
)
from lti_tool.models.grades import ActivityScale, Grade, GradeLineItem, ServiceToken
from lti_tool.models.launch import (
    CourseContext,
    Launch,
    LaunchFailure,
    LtiUser,
    OidcState,
    ResourceLink,
)
from lti_tool.models.operations import WorkerHeartbeat
from lti_tool.models.partnership import (
    PartnershipCode,
    PartnershipCodeFailure,
    PartnershipGroup,
    PartnershipInvite,
    PartnershipMember,
    PartnershipRemoval,
)
from lti_tool.models.platform import Deployment, Platform, ToolKey
from lti_tool.models.progress import ReadingLink, SessionProgress
from lti_tool.models.registration import (
    AdminCredential,
    AdminSession,
    AdminSignInFailure,
    DynamicRegistration,
    RegistrationLink,
)

__all__ = [
    "ActivityScale",
    "ActivitySettings",
    "AssessmentAnswer",
    "AssessmentAreaTotal",
    "AssessmentAttempt",
    "AdminCredential",
    "AdminSession",
    "AdminSignInFailure",
    "DynamicRegistration",
    "RegistrationLink",
    "CourseContext",
    "ReadingLink",
    "Deployment",
    "Grade",
    "GradeLineItem",
    "Launch",
    "LaunchFailure",
    "LtiUser",
    "OidcState",
    "PartnershipCode",
    "PartnershipCodeFailure",
    "PartnershipGroup",
    "PartnershipInvite",
    "PartnershipMember",
    "PartnershipRemoval",
    "Platform",
    "ResourceLink",
    "SessionProgress",
    "ServiceToken",
    "ToolKey",
    "WorkerHeartbeat",
]
