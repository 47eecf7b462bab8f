"""The claims a verified launch message must carry: LTI 1.3.0, a message type the tool handles,
what pylti1p3's per-type validators require, and a deep linking request's http(s) return URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pylti1p3.exception import LtiException
from pylti1p3.message_validators import get_validators

from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti import claims as C
from lti_tool.lti.errors import LaunchError

SUPPORTED_MESSAGE_TYPES = {C.RESOURCE_LINK_REQUEST, C.DEEP_LINKING_REQUEST}


def check_message(claims: dict[str, Any], fail: Callable[..., LaunchError]) -> None:
    """Refuse (with `fail`, the validator's refusal maker) a message the tool cannot handle."""
    if claims.get(C.VERSION) != "1.3.0":
        raise fail("wrong_version", _l("Only LTI version 1.3.0 is supported."))
    message_type = claims.get(C.MESSAGE_TYPE)
    if message_type not in SUPPORTED_MESSAGE_TYPES:
        raise fail(
            "unsupported_message_type",
            _l("The tool does not handle %(type)s messages.", type=repr(str(message_type)[:80])),
        )
    for validator in get_validators():
        if validator.can_validate(claims):
            try:
                validator.validate(claims)
            except LtiException as exc:
                raise fail(
                    "missing_claim", _l("The launch is incomplete: %(problem)s.", problem=str(exc))
                ) from exc
    if not isinstance(claims.get(C.ROLES), list):
        raise fail("missing_claim", _l("The launch is incomplete: roles is not a list."))
    if message_type == C.DEEP_LINKING_REQUEST:
        settings = claims.get(C.DEEP_LINKING_SETTINGS)
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            raise fail("missing_claim", _l("The deep linking request has no return URL."))
        if not _http_url(settings["deep_link_return_url"]):
            # It becomes the action of a form the tool posts: javascript: and data: never.
            raise fail(
                "bad_deep_link_return_url",
                _l("The deep linking request's return URL is not an http(s) address."),
            )


def _http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)
