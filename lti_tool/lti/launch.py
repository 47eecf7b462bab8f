"""id_token validation: every check of the LTI 1.3 security framework, in order.

PyJWT reads and verifies the id_token; pylti1p3's per-message-type claim validators check the
claims of resource link and deep linking requests. Platform and deployment lookup, state,
nonce and key handling are our own: they live in the database so launches work without cookies,
a state is single use, and platform key sets are cached (docs/decisions/0001-lti-core.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import jwt
from jwt.utils import base64url_decode
from sqlalchemy import Table, bindparam, update

from lti_tool.extensions import db, rowcount
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti import claims as C
from lti_tool.lti import jws
from lti_tool.lti.errors import LaunchError
from lti_tool.lti.keysets import platform_public_key, rsa_public_key
from lti_tool.lti.message_checks import check_message
from lti_tool.lti.oidc import authentication_refusal, restart_url
from lti_tool.lti.tool_conf import find_deployment, platforms_with_state
from lti_tool.models import Deployment, OidcState, Platform
from lti_tool.models.base import utcnow
from lti_tool.security import same_secret

STATE_COOKIE_PREFIX = "lti1p3_state_"

# Built once (bound parameters): SQLAlchemy compiles it once. A Core statement on the table: the
# session's copy of the state is not read after it.
_STATE_TABLE = cast(Table, OidcState.__table__)
_CONSUME_STATE = (
    update(_STATE_TABLE)
    .where(_STATE_TABLE.c.state == bindparam("state_id"), _STATE_TABLE.c.used_at.is_(None))
    .values(used_at=bindparam("used"))
)


def state_cookie_value(secret_key: str, state: str) -> str:
    return hmac.new(secret_key.encode(), b"state:" + state.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ValidatedLaunch:
    claims: dict[str, Any]
    platform: Platform
    deployment: Deployment
    state: OidcState
    bound_to_browser: bool


@dataclass(frozen=True)
class LaunchPolicy:
    secret_key: str
    leeway: int
    keyset_ttl: int
    base_url: str = ""
    require_state_cookie: bool = False
    # Records a deployment id the platform signed but the tool does not know (or None when it
    # may not): Canvas's Dynamic Registration names none (docs/decisions/0020).
    learn_deployment: Callable[[Platform, str], Deployment | None] | None = None


class LaunchValidator:
    """One launch request, checked step by step (``run``); each refusal is a LaunchError."""

    def __init__(self, params: Mapping[str, str], cookies: Mapping[str, str], policy: LaunchPolicy) -> None:
        self._params = params
        self._cookies = cookies
        self._policy = policy
        self._platform: Platform | None = None
        self._jwt: dict[str, Any] = {}  # the id_token's header and body, before verification

    def _get_request_param(self, key: str) -> str:
        value = self._params.get(key, "")
        return value if isinstance(value, str) else ""

    @property
    def claimed_locale(self) -> str | None:
        """The id_token's locale, unverified: it only picks the language of a refusal."""
        body = self._jwt.get("body")
        presentation = body.get(C.LAUNCH_PRESENTATION) if isinstance(body, dict) else None
        locale = presentation.get("locale") if isinstance(presentation, dict) else None
        return locale if isinstance(locale, str) else None

    # -- the pipeline ---------------------------------------------------------------------

    def run(self) -> ValidatedLaunch:
        id_token, state_value = self._require_params()
        self._decode_unverified(id_token)
        platform, client_id, found_state = self._find_platform(state_value)
        state = self._check_state(found_state)
        claims = self._verify_signature(id_token, platform, client_id)
        self._jwt["body"] = claims
        deployment = self._check_deployment(platform, claims)
        check_message(claims, self._fail)
        self._check_target(claims, state)
        self._consume_state(state, claims, platform)
        if deployment is None:  # learned only from a launch that passed every check
            deployment = self._learn_deployment(platform, claims[C.DEPLOYMENT_ID])
        return ValidatedLaunch(claims, platform, deployment, state, self._bound_to_browser(state))

    def _fail(self, reason: str, message: str, hint: str = "", status: int = 400) -> LaunchError:
        body = self._jwt.get("body") or {}
        platform = self._platform
        return LaunchError(
            reason,
            message,
            hint,
            status,
            issuer=str(body.get("iss", ""))[:500] if isinstance(body, dict) else "",
            client_id=platform.client_id if platform else "",
            platform_id=platform.id if platform else None,
        )

    def _require_params(self) -> tuple[str, str]:
        id_token = self._get_request_param("id_token")
        state = self._get_request_param("state")
        refused = self._get_request_param("error")
        if refused and not id_token:  # the platform refused the sign-in (Moodle's auth.php)
            raise self._fail("platform_refused", *authentication_refusal(refused), 403)
        if not id_token:
            raise self._fail(
                "missing_id_token",
                _l("The launch request carries no id_token."),
                _l("The platform must POST id_token and state to the tool's launch URL."),
            )
        if not state:
            raise self._fail(
                "missing_state",
                _l("The launch request carries no state."),
                _l("Start the launch from the LMS, which first calls the tool's login URL."),
            )
        return id_token, state

    def _decode_unverified(self, id_token: str) -> None:
        # Read only, to find the platform and its key: PyJWT parses the token again, strictly
        # (its base64 alphabet check is most of a parse), when it verifies it (_verify_signature).
        try:
            header_segment, body_segment, _signature = id_token.split(".")
            header = json.loads(base64url_decode(header_segment))
            body = json.loads(base64url_decode(body_segment))
        except (ValueError, TypeError, RecursionError) as exc:  # binascii.Error is a ValueError
            raise self._fail(
                "malformed_token", _l("The id_token is not a readable JWT."), str(exc)[:300]
            ) from exc
        self._jwt = {"header": header, "body": body}
        if not isinstance(header, dict) or not isinstance(body, dict):
            raise self._fail("malformed_token", _l("The id_token is not a readable JWT."))
        if header.get("alg") != "RS256":
            raise self._fail(
                "unsupported_algorithm",
                _l("The id_token must be signed with RS256."),
                _l("The token says alg=%(alg)s.", alg=repr(header.get("alg"))),
            )
        if not isinstance(header.get("kid"), str) or not header["kid"]:
            raise self._fail("missing_kid", _l("The id_token header names no key id (kid)."))

    def _find_platform(self, state_value: str) -> tuple[Platform, str, OidcState | None]:
        """The platform the id_token names, and the login state of ``state_value`` if it is
        that platform's (read in the same statement: _check_state checks it next)."""
        body = self._jwt["body"]
        iss = body.get("iss")
        if not isinstance(iss, str) or not iss:
            raise self._fail("missing_issuer", _l("The id_token has no issuer (iss)."))
        found = platforms_with_state(iss, state_value[:64])
        platforms = [platform for platform, _state in found]
        if not platforms:
            raise self._fail(
                "unknown_issuer",
                _l("This platform is not registered with the tool."),
                _l(
                    "An administrator can register issuer %(issuer)s (flask platform add or the "
                    "admin pages).",
                    issuer=repr(iss),
                ),
                403,
            )
        aud = body.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise self._fail("wrong_audience", _l("The id_token's audience (aud) is malformed."))
        azp = body.get("azp")
        if len(audiences) > 1 or azp is not None:
            # OIDC Core 3.1.3.7: with several audiences azp is required; when present it must be
            # our client id (one of the audiences), even beside a single aud.
            if not isinstance(azp, str) or azp not in audiences:
                raise self._fail(
                    "wrong_azp",
                    _l("The id_token's authorized party (azp) is missing or is not one of its audiences."),
                )
            audiences = [azp]
        for platform, state in found:
            if platform.client_id in audiences:
                self._platform = platform
                return platform, platform.client_id, state
        raise self._fail(
            "unknown_client_id",
            _l("The launch is for a client id this tool does not know for this platform."),
            _l(
                "Registered client ids for %(issuer)s: %(client_ids)s.",
                issuer=repr(iss),
                client_ids=", ".join(p.client_id for p in platforms),
            ),
            403,
        )

    def _check_state(self, state: OidcState | None) -> OidcState:
        """``state``: the login state the launch names, None when there is none for its platform."""
        if state is None:
            raise self._fail(
                "state_not_found",
                _l("This launch was not started by this tool's login step, or it is not this platform's."),
                _l("Open the activity again from the LMS."),
                403,
            )
        if state.used_at is not None:
            raise self._fail(
                "state_used",
                _l("This launch has already been used."),
                _l("Open the activity again from the LMS."),
                403,
            )
        if state.expires_at < utcnow():
            raise self._fail(
                "state_expired",
                _l("This launch took too long to complete."),
                _l("Open the activity again from the LMS."),
                403,
            )
        cookie = self._cookies.get(STATE_COOKIE_PREFIX + state.state)
        if cookie is not None and not same_secret(
            cookie, state_cookie_value(self._policy.secret_key, state.state)
        ):
            raise self._fail(
                "state_mismatch",
                _l("The launch does not belong to this browser."),
                _l("Open the activity again from the LMS."),
                403,
            )
        if cookie is None and self._policy.require_state_cookie and not state.storage_target:
            error = self._fail(
                "state_not_bound",
                _l("Your browser blocked the cookie this tool needs inside the LMS page."),
                _l("Open the activity in a new window, or allow cookies for the tool."),
                403,
            )
            error.retry_url = restart_url(state, self._policy.base_url) or None
            raise error
        return state

    def _bound_to_browser(self, state: OidcState) -> bool:
        return STATE_COOKIE_PREFIX + state.state in self._cookies

    def _verify_signature(self, id_token: str, platform: Platform, client_id: str) -> dict[str, Any]:
        kid = self._jwt["header"]["kid"]
        jwk = platform_public_key(platform, kid, default_ttl=self._policy.keyset_ttl)
        try:
            key = rsa_public_key(json.dumps(jwk, sort_keys=True))
        except Exception as exc:  # anything a platform can publish: EC keys, e < 3, garbage
            raise self._fail(
                "invalid_platform_key",
                _l("The platform's public key for this launch cannot be used."),
                _l(
                    "The key %(kid)s in the platform's key set is not an RSA public key usable with RS256.",
                    kid=repr(kid[:80]),
                ),
                400,
            ) from exc
        try:
            return jws.decode(  # PyJWT's, with its alphabet check in C (lti/jws.py)
                id_token,
                key,
                algorithms=["RS256"],
                audience=client_id,
                issuer=platform.issuer,
                leeway=self._policy.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise self._fail(
                "token_expired",
                _l("The launch token has expired."),
                _l("Check the platform's and the tool's clocks; open the activity again."),
                401,
            ) from exc
        except jwt.ImmatureSignatureError as exc:
            raise self._fail(
                "token_not_yet_valid",
                _l("The launch token was issued in the future."),
                _l(
                    "The platform's clock is ahead of the tool's by more than the "
                    "allowed leeway (LTI_TOOL_JWT_LEEWAY)."
                ),
                401,
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise self._fail(
                "wrong_audience", _l("The launch token is not addressed to this tool."), status=401
            ) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise self._fail(
                "missing_claim",
                _l("The launch token lacks the %(claim)s claim.", claim=repr(exc.claim)),
                status=400,
            ) from exc
        except jwt.InvalidSignatureError as exc:
            raise self._fail(
                "bad_signature",
                _l("The launch token's signature is not valid."),
                _l("The token was not signed by the registered platform's key."),
                401,
            ) from exc
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise self._fail(
                "invalid_token", _l("The launch token could not be verified."), str(exc)[:300], 401
            ) from exc

    def _check_deployment(self, platform: Platform, claims: dict[str, Any]) -> Deployment | None:
        """The launch's deployment, or None when it is new and may be learned (after the
        remaining checks) because the platform has none yet."""
        deployment_id = claims.get(C.DEPLOYMENT_ID)
        if not isinstance(deployment_id, str) or not deployment_id:
            raise self._fail("missing_deployment", _l("The launch names no deployment."))
        deployment = find_deployment(platform, deployment_id)
        if deployment is None and not (self._policy.learn_deployment and not platform.deployments):
            raise self._unknown_deployment(deployment_id)
        return deployment

    def _learn_deployment(self, platform: Platform, deployment_id: str) -> Deployment:
        learn = self._policy.learn_deployment
        learned = learn(platform, deployment_id) if learn else None
        if learned is None:
            raise self._unknown_deployment(deployment_id)
        return learned

    def _unknown_deployment(self, deployment_id: str) -> LaunchError:
        return self._fail(
            "unknown_deployment",
            _l("This deployment of the tool is not registered."),
            _l(
                "Add deployment id %(deployment)s to the platform's registration.",
                deployment=repr(deployment_id),
            ),
            403,
        )

    def _check_target(self, claims: dict[str, Any], state: OidcState) -> None:
        """The launch goes where its login said it would (the login's target_link_uri)."""
        target = claims.get(C.TARGET_LINK_URI)
        if target is None and claims.get(C.MESSAGE_TYPE) == C.DEEP_LINKING_REQUEST:
            return
        if target != state.target_link_uri:
            raise self._fail(
                "target_link_mismatch",
                _l("The launch is for another address than the one its login named."),
                _l("The id_token's target_link_uri must equal the login's target_link_uri."),
                403,
            )

    def _consume_state(self, state: OidcState, claims: dict[str, Any], platform: Platform) -> None:
        if not same_secret(str(claims.get("nonce", "")), state.nonce):
            raise self._fail(
                "nonce_mismatch",
                _l("The launch token's nonce does not match its login."),
                _l("The token may be replayed from another launch."),
                403,
            )
        # Single use, even with two requests racing: only one UPDATE can match.
        result = db.session.execute(_CONSUME_STATE, {"state_id": state.state, "used": utcnow()})
        if rowcount(result) != 1:
            db.session.rollback()
            raise self._fail(
                "state_used",
                _l("This launch has already been used."),
                _l("Open the activity again from the LMS."),
                403,
            )
