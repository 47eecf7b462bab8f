"""Launch refusals: each has a stable reason code, a plain message and an admin hint."""

from __future__ import annotations


class LaunchError(Exception):
    """A launch (or login initiation) that must be refused with a 4xx."""

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
        return {"error": self.reason, "message": self.message, "hint": self.hint}
