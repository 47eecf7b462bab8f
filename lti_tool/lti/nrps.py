"""Names and Role Provisioning Services: the course roster, page by page (Link rel="next")."""

from __future__ import annotations

from dataclasses import dataclass

from lti_tool.lti.ags import SCOPE_NRPS, ServiceClient
from lti_tool.lti.errors import ServiceError
from lti_tool.lti.roles import role_name

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 100


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str
    email: str
    roles: tuple[str, ...]
    status: str

    @property
    def is_learner(self) -> bool:
        return any(role_name(r) == "Learner" for r in self.roles)


def members(client: ServiceClient, url: str) -> list[Member]:
    """Every member of the context. Raises ServiceError when the platform fails."""
    found: list[Member] = []
    next_url: str | None = url
    for _ in range(MAX_PAGES):
        if next_url is None:
            break
        body, response = client.get_json(next_url, [SCOPE_NRPS], MEMBERSHIP_TYPE)
        if not isinstance(body, dict) or not isinstance(body.get("members"), list):
            raise ServiceError("retry", "the LMS roster answer has no members list")
        for raw in body["members"]:
            if not isinstance(raw, dict) or not raw.get("user_id"):
                continue
            listed = raw.get("roles")
            roles = listed if isinstance(listed, list) else []
            name = raw.get("name") or " ".join(
                str(raw[k]) for k in ("given_name", "family_name") if raw.get(k)
            )
            found.append(
                Member(
                    str(raw["user_id"]),
                    str(name or ""),
                    str(raw.get("email") or ""),
                    tuple(str(r) for r in roles),
                    str(raw.get("status") or "Active"),
                )
            )
        next_url = response.links.get("next", {}).get("url")
    return found
