"""Names and Role Provisioning Services: the course roster, page by page (Link rel="next").

A roster is read whole or not at all, within bounds the caller gives: at most ``max_members``
members, ``MAX_BYTES`` received over at most ``MAX_PAGES`` pages, and whatever total deadline
the client carries (``ServiceClient.paged()``). Past any of them the read stops at once and
raises ServiceLimit: a partial roster would show learners as missing from the course."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lti_tool.lti.ags import SCOPE_NRPS, ServiceClient
from lti_tool.lti.errors import ServiceError, ServiceLimit
from lti_tool.lti.roles import role_name

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 100
MAX_BYTES = 8_000_000  # all pages together (one page alone may be as large: outbound.SERVICE)
# Members asked for per page (the service's ``limit``): Canvas otherwise answers 10 a page, so a
# course of 1,000 would pass MAX_PAGES; a platform answers at most its own maximum.
PAGE_SIZE = 1000


def first_page(url: str) -> str:
    """The roster URL asking for PAGE_SIZE members a page, unless the platform's URL names a limit."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "limit" for name, _value in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, ("limit", str(PAGE_SIZE))])))


@dataclass(frozen=True, slots=True)
class Member:
    user_id: str
    name: str
    email: str
    roles: tuple[str, ...]
    status: str

    @property
    def is_learner(self) -> bool:
        return any(role_name(r) == "Learner" for r in self.roles)


def members(client: ServiceClient, url: str, *, max_members: int, max_bytes: int = MAX_BYTES) -> list[Member]:
    """Every member of the context. Raises ServiceError when the platform fails, ServiceLimit
    when the roster passes a bound (deadline, members, bytes, pages)."""
    found: list[Member] = []
    received = 0
    next_url = first_page(url)
    for _ in range(MAX_PAGES):
        body, response = client.get_json(next_url, [SCOPE_NRPS], MEMBERSHIP_TYPE)
        received += len(response.content)
        if received > max_bytes:
            raise ServiceLimit("bytes", f"the LMS roster is larger than {max_bytes} bytes")
        if not isinstance(body, dict) or not isinstance(body.get("members"), list):
            raise ServiceError("retry", "the LMS roster answer has no members list")
        for raw in body["members"]:
            if not isinstance(raw, dict) or not raw.get("user_id"):
                continue
            if len(found) >= max_members:
                raise ServiceLimit("members", f"the LMS roster has more than {max_members} members")
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
        link = response.links.get("next", {}).get("url")
        if not link:
            return found
        next_url = link
    raise ServiceLimit("pages", f"the LMS roster has more than {MAX_PAGES} pages")
