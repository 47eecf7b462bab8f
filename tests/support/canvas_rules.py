"""The checks the Canvas test platform makes, as Canvas's source makes them (not copied):
the developer-key JSON (lib/schemas/lti/tool_configuration.rb, app/models/lti/resource_placement.rb),
the Dynamic Registration body (lib/schemas/lti/ims/oidc_registration.rb, lti_tool_configuration.rb,
app/models/lti/ims/registration.rb) and a score (app/controllers/lti/ims/scores_controller.rb)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tests.support.canvas_platform import Answer, CanvasPlatform

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
AGS_SCOPES = [AGS + s for s in ("lineitem", "lineitem.readonly", "result.readonly", "score")]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
# TokenScopes::LTI_SCOPES (the ones a tool may ask for).
LTI_SCOPES = [
    *AGS_SCOPES,
    NRPS_SCOPE,
    "https://canvas.instructure.com/lti/public_jwk/scope/update",
    "https://canvas.instructure.com/lti/account_lookup/scope/show",
    "https://canvas.instructure.com/lti-ags/progress/scope/show",
    "https://canvas.instructure.com/lti/page_content/show",
]
RESOURCE_LINK_PLACEMENTS = {
    "account_navigation", "assignment_edit", "assignment_group_menu", "assignment_index_menu",
    "assignment_menu", "assignment_selection", "assignment_view", "collaboration",
    "conference_selection", "course_assignments_menu", "course_home_sub_navigation",
    "course_navigation", "course_settings_sub_navigation", "discussion_topic_index_menu",
    "discussion_topic_menu", "file_index_menu", "file_menu", "global_navigation",
    "homework_submission", "link_selection", "migration_selection", "module_group_menu",
    "module_index_menu", "module_index_menu_modal", "module_menu_modal", "module_menu",
    "post_grades", "quiz_index_menu", "quiz_menu", "resource_selection", "similarity_detection",
    "student_context_card", "submission_type_selection", "tool_configuration", "user_navigation",
    "wiki_index_menu", "wiki_page_menu",
}  # fmt: skip
DEEP_LINKING_PLACEMENTS = {
    "assignment_selection", "collaboration", "conference_selection", "course_assignments_menu",
    "editor_button", "homework_submission", "link_selection", "migration_selection",
    "module_index_menu_modal", "module_menu_modal", "resource_selection", "submission_type_selection",
}  # fmt: skip
BY_MESSAGE = {
    "LtiResourceLinkRequest": RESOURCE_LINK_PLACEMENTS,
    "LtiDeepLinkingRequest": DEEP_LINKING_PLACEMENTS,
}
# The developer-key JSON schema's placement enum (older than the message-type table).
KEY_PLACEMENTS = (RESOURCE_LINK_PLACEMENTS | DEEP_LINKING_PLACEMENTS) - {
    "module_index_menu_modal",
    "module_menu_modal",
}
PRIVACY_LEVELS = {"public", "email_only", "name_only", "anonymous"}
DOMAIN = re.compile(
    r"^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*"
    r"([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(:[0-9]{1,5})?$"
)
CANVAS = "https://canvas.instructure.com/lti/"
ACTIVITY = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}


def _uri(value: Any) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in {"http", "https"} and parts.netloc)


def developer_key_problems(config: Any) -> list[str]:
    """Schemas::Lti::ToolConfiguration, then the key's own checks (public_jwk or its URL)."""
    if not isinstance(config, dict):
        return ["not an object"]
    problems = [f"{k} is required (a string)" for k in ("title", "description", "target_link_uri",
                "oidc_initiation_url") if not isinstance(config.get(k), str)]  # fmt: skip
    if not config.get("public_jwk") and not config.get("public_jwk_url"):
        problems.append("public_jwk or public_jwk_url is required")
    problems += [f"scope {s!r} is not an LTI scope" for s in config.get("scopes", []) if s not in LTI_SCOPES]
    for extension in config.get("extensions", []):
        if not isinstance(extension, dict) or "platform" not in extension or "settings" not in extension:
            problems.append("each extension needs platform and settings")
            continue
        if extension.get("privacy_level", "anonymous") not in PRIVACY_LEVELS:
            problems.append(f"privacy_level {extension['privacy_level']!r}")
        settings = extension["settings"]
        if not isinstance(settings, dict) or not isinstance(settings.get("placements"), list):
            problems.append("settings.placements is required")
            continue
        for p in settings["placements"]:
            placement, message = p.get("placement"), p.get("message_type")
            if placement not in KEY_PLACEMENTS:
                problems.append(f"placement {placement!r} is not a Canvas placement")
            if message is not None and message not in BY_MESSAGE:
                problems.append(f"message_type {message!r}")
            elif message is not None and placement not in BY_MESSAGE[message]:
                problems.append(f"{placement} does not support {message}")
    return problems


def registration_problems(body: Any) -> list[str]:
    """The OIDC registration and LTI tool configuration schemas, then the model's checks."""
    if not isinstance(body, dict):
        return ["not an object"]
    required = ("application_type", "grant_types", "response_types", "redirect_uris",
                "initiate_login_uri", "client_name", "jwks_uri", "token_endpoint_auth_method",
                "https://purl.imsglobal.org/spec/lti-tool-configuration")  # fmt: skip
    problems = [f"{k} is required" for k in required if k not in body]
    if problems:
        return problems
    if body["application_type"] != "web":
        problems.append("application_type must be 'web'")
    if not {"client_credentials", "implicit"} <= set(body["grant_types"] or []):
        problems.append("grant_types must include client_credentials, implicit")
    if "id_token" not in (body["response_types"] or []):
        problems.append("response_types must include id_token")
    if body["token_endpoint_auth_method"] != "private_key_jwt":
        problems.append("token_endpoint_auth_method must be 'private_key_jwt'")
    uris = [body["initiate_login_uri"], body["jwks_uri"], *(body["redirect_uris"] or [])]
    problems += [f"{u!r} is not a URI" for u in uris if not _uri(u)]
    if body.get("logo_uri") is not None and not _uri(body["logo_uri"]):
        problems.append("logo_uri is not a URI")
    problems += [f"scope {s!r} is not an LTI scope" for s in (body.get("scope") or "").split()
                 if s not in LTI_SCOPES and s != "openid"]  # fmt: skip
    conf = body["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    if not isinstance(conf, dict):
        return [*problems, "the tool configuration is not an object"]
    problems += [
        f"tool configuration: {k} is required" for k in ("domain", "messages", "claims") if k not in conf
    ]
    if isinstance(conf.get("domain"), str) and not DOMAIN.match(conf["domain"]):
        problems.append(f"domain {conf['domain']!r} does not match the pattern")
    for name, value in (conf.get("custom_parameters") or {}).items():
        if not isinstance(value, str):
            problems.append(f"custom parameter {name!r} must be a string")
    if conf.get(CANVAS + "privacy_level") not in (None, *PRIVACY_LEVELS):
        problems.append("privacy_level")
    for message in conf.get("messages") or []:
        if message.get("type") not in BY_MESSAGE:
            problems.append(f"message type {message.get('type')!r}")
            continue
        for placement in message.get("placements") or []:
            name = placement.removeprefix(CANVAS)
            if name not in RESOURCE_LINK_PLACEMENTS | DEEP_LINKING_PLACEMENTS | {
                "ContentArea",
                "RichTextEditor",
            }:
                problems.append(f"placement {placement!r}")
        for name, value in (message.get("custom_parameters") or {}).items():
            if not isinstance(value, str):
                problems.append(f"custom parameter {name!r} must be a string")
        enabled = message.get(CANVAS + "course_navigation/default_enabled")
        if enabled is not None and not isinstance(enabled, bool):
            problems.append("course_navigation/default_enabled must be a boolean")
    return problems


def ags_error(message: str, kind: str = "unauthorized") -> dict[str, Any]:
    return {"errors": {"type": kind, "message": message}}


def _time(value: Any) -> datetime | None:
    try:
        found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else None


def score_problems(platform: CanvasPlatform, item_id: int, body: Any, content_type: str) -> Answer | None:
    """Canvas's checks of a score, in its order; None when the score is accepted."""
    from tests.support.canvas_platform import STUDENT_ROLES, Answer

    item = platform.line_items.get(item_id)
    if item is None:
        return Answer(404, ags_error("The specified LTI line item was not found", "not_found"))
    if content_type not in ("application/json", "application/vnd.ims.lis.v1.score+json"):
        body = {}  # Canvas does not read other bodies: the required fields are then missing
    if not isinstance(body, dict):
        body = {}
    students = {p.lti_id for p in platform.people if p.role in STUDENT_ROLES}
    if body.get("userId") not in students:
        return Answer(422, ags_error("User not found in course or is not a student", "unprocessable_entity"))
    missing = [k for k in ("userId", "activityProgress", "gradingProgress", "timestamp") if k not in body]
    if missing:
        return Answer(400, ags_error(f"param is missing or the value is empty: {missing[0]}", "bad_request"))
    stamp = _time(body["timestamp"])
    if stamp is None:
        return Answer(400, ags_error(f"Provided timestamp of {body['timestamp']} not a valid timestamp"))
    # The result's updated_at is the timestamp of the last score taken, as the tool sent it
    # (Lti::Result has record_timestamps = false; update_or_create_result sets it).
    last = platform.results.get((item_id, body["userId"]))
    if last is not None and last["updated_at"] > stamp:
        held = last["updated_at"].astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return Answer(
            400,
            ags_error(
                f"Provided timestamp of {body['timestamp']} before last updated timestamp of {held}",
                "bad_request",
            ),
        )
    if body.get("activityProgress") not in ACTIVITY or body.get("gradingProgress") not in GRADING:
        return Answer(
            422, ags_error("activityProgress or gradingProgress is not valid", "unprocessable_entity")
        )
    graded = body["gradingProgress"] in ("FullyGraded", "PendingManual") and "scoreGiven" in body
    if graded and "scoreMaximum" not in body:
        return Answer(
            422, ags_error("ScoreMaximum not supplied when ScoreGiven present.", "unprocessable_entity")
        )
    if "scoreMaximum" in body and not float(body["scoreMaximum"]) >= 0:
        return Answer(
            422, ags_error("ScoreMaximum must be greater than or equal to 0", "unprocessable_entity")
        )
    submitted = (body.get("https://canvas.instructure.com/lti/submission") or {}).get("submitted_at")
    if submitted is not None:
        when = _time(submitted)
        if when is None or when.timestamp() > datetime.now(UTC).timestamp() + 60:
            return Answer(400, ags_error("Provided submitted_at timestamp is not valid or in the future"))
    return None
