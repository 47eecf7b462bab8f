"""LTI Deep Linking 2.0: read the platform's request settings, sign the response.

The only place that builds a Deep Linking JWT. Built on pylti1p3's DeepLink,
DeepLinkResource and LineItem; the signing is ours, because pylti1p3 derives the kid
from the registration while platforms must find the tool's current key in its JWKS.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from lti_tool.i18n import gettext as _
from lti_tool.lti import claims as C
from lti_tool.lti.keys import SigningKey, issued_at, private_key
from lti_tool.lti.tool_conf import registration_for
from lti_tool.models import Platform

ITEM_PARAM = "p3_item"
# The points the teacher chose when placing a graded item (its lineItem's scoreMaximum), so the
# tool knows the scale from the first launch, before it has read the LMS's line item.
POINTS_PARAM = "p3_points"
LINE_ITEM_TAG = "p3-workshop"


class DeepLinkingError(ValueError):
    """The launch cannot be answered with a Deep Linking response."""


@dataclass(frozen=True)
class DeepLinkingSettings:
    return_url: str
    accept_multiple: bool
    accept_types: tuple[str, ...]
    data: Any = None
    has_data: bool = False

    @property
    def accepts_resource_links(self) -> bool:
        return not self.accept_types or "ltiResourceLink" in self.accept_types


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def read_settings(settings_json: str | None) -> DeepLinkingSettings:
    """The deep_linking_settings claim of a launch, as stored on the launch record."""
    try:
        raw = json.loads(settings_json or "null")
    except ValueError as exc:
        raise DeepLinkingError(_("The deep linking settings are not readable.")) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("deep_link_return_url"), str):
        raise DeepLinkingError(_("This launch is not a request to add content."))
    types = raw.get("accept_types")
    return DeepLinkingSettings(
        return_url=raw["deep_link_return_url"],
        # The spec's default for a missing accept_multiple is true.
        accept_multiple=_flag(raw.get("accept_multiple", True)),
        accept_types=tuple(t for t in types if isinstance(t, str)) if isinstance(types, list) else (),
        data=raw.get("data"),
        has_data="data" in raw,
    )


@dataclass(frozen=True)
class ContentItem:
    """One ltiResourceLink to place in the course."""

    item_id: str
    title: str
    url: str
    max_points: int | None = None  # graded items get a line item
    text: str = ""


class _Resource(DeepLinkResource):
    """pylti1p3's resource link with the spec's plain-text description ("text"), which the
    library has no setter for: Moodle and Canvas show it under the placed activity."""

    def __init__(self, text: str) -> None:
        self._text = text

    def to_dict(self) -> dict[str, object]:
        return super().to_dict() | ({"text": self._text} if self._text else {})


def _resource(item: ContentItem) -> DeepLinkResource:
    resource = (
        _Resource(item.text)
        .set_type("ltiResourceLink")
        .set_title(item.title)
        .set_url(item.url)
        .set_custom_params(
            {ITEM_PARAM: item.item_id}
            | ({POINTS_PARAM: str(item.max_points)} if item.max_points is not None else {})
        )
    )
    if item.max_points is not None:
        resource.set_lineitem(
            LineItem()
            .set_score_maximum(item.max_points)
            .set_label(item.title)
            .set_resource_id(item.item_id)
            .set_tag(LINE_ITEM_TAG)
        )
    return resource


class _SignedDeepLink(DeepLink):
    """pylti1p3's message, signed with the tool's current key and its own kid."""

    def __init__(
        self, platform: Platform, deployment_id: str, settings: DeepLinkingSettings, key: SigningKey
    ) -> None:
        deep_link_settings: dict[str, Any] = {"deep_link_return_url": settings.return_url}
        if settings.has_data:
            deep_link_settings["data"] = settings.data
        super().__init__(registration_for(platform, key.private_pem), deployment_id, deep_link_settings)  # type: ignore[arg-type]
        self._key = key
        self._echo_data = settings.has_data

    def get_message_jwt(self, resources: Sequence[DeepLinkResource]) -> dict[str, object]:
        message = super().get_message_jwt(resources)
        message["iat"] = issued_at(time.time())  # Moodle allows no clock skew (decision 0041)
        if not self._echo_data:
            message.pop(C.DL_DATA, None)  # only echoed when the platform sent it
        return message

    def encode_jwt(self, message: Mapping[str, Any]) -> str:
        return jwt.encode(
            dict(message),
            private_key(self._key.private_pem),
            algorithm="RS256",
            headers={"kid": self._key.kid, "typ": "JWT"},
        )


def response_jwt(
    *,
    platform: Platform,
    deployment_id: str,
    settings: DeepLinkingSettings,
    items: Sequence[ContentItem],
    key: SigningKey,
) -> str:
    """The signed LtiDeepLinkingResponse carrying these items (may be none: a cancel)."""
    if len(items) > 1 and not settings.accept_multiple:
        raise DeepLinkingError(_("The course accepts only one item at a time."))
    if items and not settings.accepts_resource_links:
        raise DeepLinkingError(_("The course does not accept LTI resource links here."))
    link = _SignedDeepLink(platform, deployment_id, settings, key)
    return link.get_response_jwt([_resource(item) for item in items])
