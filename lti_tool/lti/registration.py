"""LTI Dynamic Registration 1.0, the tool's side: read the platform's OpenID configuration,
send the tool's client registration, read back client_id and deployment_id.

No database here (lti_tool.services.registration stores the result). HTTP goes through a
small Transport so the demo can register in-process (docs/decisions/0006).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lti_tool import outbound
from lti_tool.i18n import gettext as _
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti import claims as C
from lti_tool.lti.errors import LaunchError
from lti_tool.lti.registration_http import HttpAnswer as HttpAnswer
from lti_tool.lti.registration_http import OutboundTransport as OutboundTransport
from lti_tool.lti.registration_http import Transport as Transport
from lti_tool.lti.tool_texts import (
    in_each_language,
    language_tagged,
    picker_label,
    tool_description,
    tool_name,
)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
CANVAS = "https://canvas.instructure.com/lti/"
log = logging.getLogger("lti_tool.registration")

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPES = (
    AGS + "lineitem",
    AGS + "lineitem.readonly",
    AGS + "result.readonly",
    AGS + "score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
# Instructure-hosted Canvas serves its configuration from each school's domain but names one
# issuer for all of them: the only accepted exception to "issuer origin == URL origin".
CANVAS_ISSUERS = (
    "https://canvas.instructure.com",
    "https://canvas.beta.instructure.com",
    "https://canvas.test.instructure.com",
)


class RegistrationError(LaunchError):
    """A registration that must be refused; rendered as a 4xx page like a launch refusal."""

    kind = "registration"


@dataclass(frozen=True)
class PlatformConfiguration:
    url: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    authorization_server: str | None
    product_family_code: str
    messages_supported: tuple[str, ...]
    scopes_supported: tuple[str, ...] | None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def is_canvas(self) -> bool:
        return self.product_family_code.lower() == "canvas"

    @property
    def token_audience(self) -> str | None:
        """The ``aud`` of the tool's token requests when it is not the token URL: the
        ``authorization_server`` (LTI DR 1.0 §3.1), except Canvas's. Canvas names its SSO host
        there, bare, yet its token endpoint accepts only its own token URL as ``aud``
        (docs/decisions/0038)."""
        return None if self.is_canvas else self.authorization_server

    @property
    def is_moodle(self) -> bool:
        return self.product_family_code.lower() == "moodle"

    @property
    def name(self) -> str:
        return {"canvas": "Canvas", "moodle": "Moodle"}.get(
            self.product_family_code.lower(), self.product_family_code or _("LMS")
        )


@dataclass(frozen=True)
class ToolDescription:
    """What the tool says about itself; URLs derive from its BASE_URL."""

    base_url: str
    name: str

    @property
    def login_url(self) -> str:
        return self.base_url + "/lti/login"

    @property
    def launch_url(self) -> str:
        return self.base_url + "/lti/launch"

    @property
    def jwks_url(self) -> str:
        return self.base_url + "/lti/jwks"

    @property
    def logo_url(self) -> str:
        return self.base_url + "/static/logo.svg"

    @property
    def domain(self) -> str:
        """host:port as Moodle compares it (the port only when the URL names one)."""
        return urlsplit(self.base_url).netloc

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""


@dataclass(frozen=True)
class RegistrationResult:
    client_id: str
    deployment_id: str | None
    response: dict[str, Any]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _absolute(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def check_configuration_url(url: str, *, require_https: bool) -> None:
    if not _absolute(url):
        raise RegistrationError(
            "bad_configuration_url",
            _l("The registration request has no valid openid_configuration URL."),
            _l(
                "Start the registration from the LMS: it adds openid_configuration and "
                "registration_token to the tool's registration URL."
            ),
        )
    if require_https and urlsplit(url).scheme != "https":
        raise RegistrationError(
            "insecure_configuration_url",
            _l("The platform's configuration URL is not https."),
            _l("In production the LMS must be reached over https."),
        )


def fetch_platform_configuration(
    url: str, registration_token: str | None, transport: Transport
) -> PlatformConfiguration:
    """GET the OpenID configuration and check everything the tool relies on."""
    headers = {"Accept": "application/json"}
    if registration_token:
        # Canvas wants the token on this request too; Moodle ignores it.
        headers["Authorization"] = "Bearer " + registration_token
    try:
        answer = transport.get(url, headers)
    except outbound.OutboundError as exc:
        raise RegistrationError(
            "configuration_unreachable",
            _l("The tool could not fetch the platform's configuration."),
            _l(
                "The tool %(problem)s. Check that the tool's server can reach the LMS "
                "(firewall, DNS, LTI_TOOL_OUTBOUND_ALLOWLIST for an LMS on a private network).",
                problem=exc.public,
            ),
        ) from exc
    if answer.status != 200:
        raise RegistrationError(
            "configuration_unreachable",
            _l("The platform's configuration URL answered HTTP %(status)s.", status=answer.status),
            _l(
                "It must answer 200 with JSON. The registration token may have expired: "
                "start the registration again from the LMS."
            ),
        )
    try:
        data = answer.json()
    except ValueError as exc:
        raise RegistrationError(
            "bad_configuration",
            _l("The platform's configuration is not JSON."),
            _l("Its configuration URL answered something else."),
        ) from exc
    if not isinstance(data, dict):
        raise RegistrationError("bad_configuration", _l("The platform's configuration is not a JSON object."))
    return validate_platform_configuration(url, data)


def validate_platform_configuration(url: str, data: dict[str, Any]) -> PlatformConfiguration:
    issuer = data.get("issuer")
    if not _absolute(issuer):
        raise RegistrationError("bad_configuration", _l("The platform's configuration has no issuer URL."))
    platform_conf = data.get(PLATFORM_CONFIGURATION)
    platform_conf = platform_conf if isinstance(platform_conf, dict) else {}
    family = str(platform_conf.get("product_family_code") or "")
    issuer = str(issuer).rstrip("/")
    canvas_exception = family.lower() == "canvas" and issuer in CANVAS_ISSUERS
    if origin(issuer) != origin(url) and not canvas_exception:
        raise RegistrationError(
            "issuer_mismatch",
            _l("The platform's issuer does not match the address its configuration came from."),
            _l(
                "Issuer %(issuer)s is not on %(origin)s. A platform can only register for its own issuer.",
                issuer=repr(issuer),
                origin=repr(origin(url)),
            ),
            400,
        )
    missing = [n for n in REQUIRED_ENDPOINTS if not _absolute(data.get(n))]
    if missing:
        raise RegistrationError(
            "bad_configuration",
            _l(
                "The platform's configuration lacks required endpoints: %(missing)s.",
                missing=", ".join(missing),
            ),
            _l("The LMS must support LTI 1.3 Dynamic Registration."),
        )
    algs = data.get("id_token_signing_alg_values_supported")
    if isinstance(algs, list) and "RS256" not in algs:
        raise RegistrationError("unsupported_platform", _l("The platform does not sign with RS256."))
    auth_methods = data.get("token_endpoint_auth_methods_supported")
    if isinstance(auth_methods, list) and "private_key_jwt" not in auth_methods:
        raise RegistrationError(
            "unsupported_platform", _l("The platform does not accept private_key_jwt client assertions.")
        )
    # Objects ({"type": ...}) as the spec has them, or bare strings as Moodle lists them
    # (mod/lti/openid-configuration.php).
    messages = tuple(
        str(m.get("type") if isinstance(m, dict) else m)
        for m in platform_conf.get("messages_supported") or []
        if (isinstance(m, dict) and m.get("type")) or (isinstance(m, str) and m)
    )
    if messages and C.RESOURCE_LINK_REQUEST not in messages:
        raise RegistrationError(
            "unsupported_platform", _l("The platform does not support resource link launches.")
        )
    scopes = data.get("scopes_supported")
    return PlatformConfiguration(
        url=url,
        issuer=issuer,
        authorization_endpoint=data["authorization_endpoint"],
        token_endpoint=data["token_endpoint"],
        jwks_uri=data["jwks_uri"],
        registration_endpoint=data["registration_endpoint"],
        authorization_server=data.get("authorization_server")
        if isinstance(data.get("authorization_server"), str)
        else None,
        product_family_code=family,
        messages_supported=messages,
        scopes_supported=tuple(map(str, scopes)) if isinstance(scopes, list) else None,
        raw=data,
    )


SERVER_ENDPOINTS = ("registration_endpoint", "token_endpoint", "jwks_uri")


def check_endpoints(platform: PlatformConfiguration, policy: outbound.DestinationPolicy) -> None:
    """The endpoints the tool's server will call must be addresses it may call: checked before
    anything is sent or stored (each call checks again where it connects)."""
    for name in SERVER_ENDPOINTS:
        try:
            policy.check_url(getattr(platform, name))
        except outbound.OutboundError as exc:
            log.warning("registration of %s: %s refused: %s", platform.issuer, name, exc.detail)
            raise RegistrationError(
                "endpoint_not_allowed",
                _l("The tool %(problem)s (the platform's %(name)s).", problem=exc.public, name=name),
                _l(
                    "The LMS must be reachable at a public address, or the tool's administrator "
                    "allows its network in LTI_TOOL_OUTBOUND_ALLOWLIST."
                ),
            ) from exc


def registration_request(tool: ToolDescription, platform: PlatformConfiguration) -> dict[str, Any]:
    """The client registration the tool POSTs (IMS DR 1.0 §3.3, plus Canvas's extensions)."""
    scopes = [s for s in SCOPES if platform.scopes_supported is None or s in platform.scopes_supported]
    deep_linking = not platform.messages_supported or (C.DEEP_LINKING_REQUEST in platform.messages_supported)
    # Labels, name and description in every language (LTI DR 1.0 §3.3 makes them localizable;
    # Moodle 4.5 and Canvas read the plain member and ignore the tagged ones).
    link: dict[str, Any] = {
        "type": C.RESOURCE_LINK_REQUEST,
        "target_link_uri": tool.launch_url,
        **language_tagged("label", in_each_language(lambda: tool_name(tool.name))),
    }
    picker: dict[str, Any] = {
        "type": C.DEEP_LINKING_REQUEST,
        "target_link_uri": tool.launch_url,
        **language_tagged("label", in_each_language(lambda: picker_label(tool.name))),
    }
    if platform.is_canvas:
        link["placements"] = ["course_navigation"]
        link[CANVAS + "course_navigation/default_enabled"] = False
        picker["placements"] = ["link_selection", "assignment_selection"]
    else:
        picker["placements"] = ["ContentArea"]
    configuration: dict[str, Any] = {
        "domain": tool.domain,
        "target_link_uri": tool.launch_url,
        **language_tagged("description", in_each_language(tool_description)),
        "claims": list(CLAIMS),
        "messages": [link, picker] if deep_linking else [link],
    }
    if platform.is_canvas:
        configuration[CANVAS + "privacy_level"] = "public"
        configuration[CANVAS + "tool_id"] = "p3-workshop"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": [tool.launch_url],
        **language_tagged("client_name", in_each_language(lambda: tool_name(tool.name))),
        "jwks_uri": tool.jwks_url,
        "logo_uri": tool.logo_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIGURATION: configuration,
    }


def register_with_platform(
    platform: PlatformConfiguration,
    body: dict[str, Any],
    registration_token: str | None,
    transport: Transport,
) -> RegistrationResult:
    """POST the registration; the answer must carry the client_id the platform assigned."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = "Bearer " + registration_token
    try:
        answer = transport.post_json(platform.registration_endpoint, body, headers)
    except outbound.OutboundError as exc:
        raise RegistrationError(
            "platform_unreachable",
            _l("The platform's registration endpoint did not answer."),
            _l("The tool %(problem)s.", problem=exc.public),
        ) from exc
    if answer.status not in (200, 201):
        # What it said goes to the log, never into the page: the endpoint is the caller's choice.
        log.warning(
            "registration refused by %s: HTTP %s: %r",
            platform.issuer,
            answer.status,
            answer.body[:500].decode("utf-8", "replace"),
        )
        raise RegistrationError(
            "platform_refused",
            _l("The platform refused the registration (HTTP %(status)s).", status=answer.status),
            _l(
                "An expired or already used registration token is the usual cause: start the "
                "registration again from the LMS. The tool's log has the platform's answer."
            ),
        )
    try:
        data = answer.json()
    except ValueError as exc:
        raise RegistrationError(
            "platform_refused", _l("The platform's registration answer is not JSON.")
        ) from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("client_id"), str | int)
        or not str(data.get("client_id"))
    ):
        raise RegistrationError(
            "platform_refused", _l("The platform's registration answer has no client_id.")
        )
    conf = data.get(TOOL_CONFIGURATION)
    deployment = conf.get("deployment_id") if isinstance(conf, dict) else None
    return RegistrationResult(
        client_id=str(data["client_id"]),
        deployment_id=str(deployment) if deployment not in (None, "") else None,
        response=data,
    )
