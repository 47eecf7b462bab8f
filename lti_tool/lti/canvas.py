"""Canvas's developer key JSON (Developer Keys > + LTI Key > Paste JSON): the manual
alternative to Dynamic Registration for Canvas administrators (docs/install-canvas.md).

Languages: Canvas shows a placement's `labels[<user's locale>]` (then the locale's language,
then `text`), and the settings' `labels` as the tool's default label (ContextExternalTool
#label_for / #default_label). `title` and `description` are single strings in Canvas: English."""

from __future__ import annotations

from typing import Any

from lti_tool.lti import claims as C
from lti_tool.lti.registration import SCOPES, ToolDescription
from lti_tool.lti.tool_texts import in_each_language, tool_description, tool_name


def canvas_developer_key(tool: ToolDescription) -> dict[str, Any]:
    """The JSON an administrator pastes into Canvas (Developer Keys > + LTI Key > Paste JSON)."""
    names = in_each_language(lambda: tool_name(tool.name))
    placements = [
        {
            "placement": "link_selection",
            "message_type": C.DEEP_LINKING_REQUEST,
            "target_link_uri": tool.launch_url,
            "text": names["en"],
            "labels": names,
            "icon_url": tool.logo_url,
        },
        {
            "placement": "assignment_selection",
            "message_type": C.DEEP_LINKING_REQUEST,
            "target_link_uri": tool.launch_url,
            "text": names["en"],
            "labels": names,
            "icon_url": tool.logo_url,
        },
        {
            "placement": "course_navigation",
            "message_type": C.RESOURCE_LINK_REQUEST,
            "target_link_uri": tool.launch_url,
            "text": names["en"],
            "labels": names,
            "icon_url": tool.logo_url,
            "default": "disabled",
            "visibility": "members",
        },
    ]
    return {
        "title": names["en"],
        "description": in_each_language(tool_description)["en"],
        "oidc_initiation_url": tool.login_url,
        "target_link_uri": tool.launch_url,
        "public_jwk_url": tool.jwks_url,
        "scopes": list(SCOPES),
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": tool.host,
                "tool_id": "p3-workshop",
                "privacy_level": "public",
                "settings": {
                    "text": names["en"],
                    "labels": names,
                    "icon_url": tool.logo_url,
                    "placements": placements,
                },
            }
        ],
        "custom_fields": {},
    }
