"""Canvas's developer key JSON (Developer Keys > + LTI Key > Paste JSON): the manual
alternative to Dynamic Registration for Canvas administrators (docs/install-canvas.md)."""

from __future__ import annotations

from typing import Any

from lti_tool.lti import claims as C
from lti_tool.lti.registration import SCOPES, ToolDescription


def canvas_developer_key(tool: ToolDescription) -> dict[str, Any]:
    """The JSON an administrator pastes into Canvas (Developer Keys > + LTI Key > Paste JSON)."""
    placements = [
        {
            "placement": "link_selection",
            "message_type": C.DEEP_LINKING_REQUEST,
            "target_link_uri": tool.launch_url,
            "text": f"{tool.name}",
            "icon_url": tool.logo_url,
        },
        {
            "placement": "assignment_selection",
            "message_type": C.DEEP_LINKING_REQUEST,
            "target_link_uri": tool.launch_url,
            "text": f"{tool.name}",
            "icon_url": tool.logo_url,
        },
        {
            "placement": "course_navigation",
            "message_type": C.RESOURCE_LINK_REQUEST,
            "target_link_uri": tool.launch_url,
            "text": tool.name,
            "icon_url": tool.logo_url,
            "default": "disabled",
            "visibility": "members",
        },
    ]
    return {
        "title": tool.name,
        "description": "The P3 workshop and the partnership self-assessment.",
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
                "settings": {"text": tool.name, "icon_url": tool.logo_url, "placements": placements},
            }
        ],
        "custom_fields": {},
    }
