"""The LTI protocol layer's errors.

- ``LaunchError``: launch refusals, each with a stable reason code, a plain message and an
  admin hint.
- ``ServiceError``: failures of the LTI Advantage services (token endpoint, AGS, NRPS). ``kind``
  says what the caller should do: ``retry`` (later), ``permanent`` (a person must fix something)
  or ``token_expired`` (renew the access token once). The grade transport translates them into
  the plugin API's ``TransportError`` (lti_tool.services.grades.transport).
"""

from __future__ import annotations


class LaunchError(Exception):
    """A launch (or login initiation) that must be refused with a 4xx.

    ``message`` and ``hint`` may be lazy texts (lti_tool.i18n.lazy_gettext): the refusal page
    shows them in the request's language, the refusal record keeps them in English."""

    kind = "launch"  # what the refusal record says it was (the admin area shows both kinds)

    def __init__(
        self,
        reason: str,
        message: str,
        hint: str = "",
        status: int = 400,
        *,
        issuer: str = "",
        client_id: str = "",
        platform_id: int | None = None,
        retry_url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.hint = hint
        self.status = status
        self.issuer = issuer
        self.client_id = client_id
        self.platform_id = platform_id
        # Where the person can try again in a new, first-party window.
        self.retry_url = retry_url

    def to_dict(self) -> dict[str, object]:
        return {"error": self.reason, "message": str(self.message), "hint": str(self.hint)}


class ServiceError(Exception):
    """An LTI Advantage service call failed; see the module docstring for ``kind``."""

    def __init__(
        self,
        kind: str,
        message: str,
        status_code: int | None = None,
        retry_after: float | None = None,
        *,
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status_code = status_code
        self.retry_after = retry_after
        # The start of the platform's answer to a refused request, for the code that reads a
        # known refusal (Canvas's older-score 400); never shown: its free text is the LMS's.
        self.detail = detail


class ServiceLimit(ServiceError):
    """A read the tool stopped itself, before the platform was done: it passed its total
    deadline (``limit`` "deadline") or would keep more than the tool accepts ("members",
    "bytes", "pages"). Worth trying again later (``kind`` "retry"); never a platform's fault
    that a person could fix."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__("retry", message)
        self.limit = limit
