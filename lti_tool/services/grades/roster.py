"""The course roster (NRPS) for the gradebook and partnership invitations, cached for a short
while per course.

A roster is read within bounds (lti_tool.lti.nrps): one total deadline for all its pages and
the retry after a refused token (2 x HTTP_TIMEOUT), at most ``ROSTER_MAX_MEMBERS`` members and
8 MB. Past one of them the roster is not shown, and the page says why; the cache is bounded too
(``RosterCache``)."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, current_app

from lti_tool.extensions import db
from lti_tool.i18n import decimal, integer
from lti_tool.i18n import gettext as _
from lti_tool.lti import nrps
from lti_tool.lti.errors import ServiceError, ServiceLimit
from lti_tool.models import Launch
from lti_tool.services.grades.tokens import PlatformDisabled, service_client

log = logging.getLogger("lti_tool.grades")

Key = tuple[int, str]  # (platform id, memberships URL)


class RosterCache:
    """Rosters recently fetched, per platform and memberships URL (the URL names the course),
    so that reloading the gradebook, or coming back to it after "send again", does not page
    through the whole roster again.

    Bounded, because the URL is the platform's choice: an entry is dropped once ``ttl`` has
    passed; a platform keeps at most ``per_platform`` entries and ``per_platform_members``
    members (a platform naming a new URL per launch turns over only its own entries); all
    platforms together at most ``max_entries`` entries and ``max_members`` members, the oldest
    entries going first."""

    def __init__(
        self,
        ttl: float,
        *,
        per_platform: int = 16,
        per_platform_members: int = 20_000,
        max_entries: int = 1_000,
        max_members: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.per_platform = per_platform
        self.per_platform_members = per_platform_members
        self.max_entries = max_entries
        self.max_members = max_members
        self._clock = clock
        self._rosters: OrderedDict[Key, tuple[float, list[nrps.Member]]] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, key: Key) -> list[nrps.Member] | None:
        with self._guard:
            found = self._rosters.get(key)
            if found is not None and self._clock() - found[0] > self.ttl:
                del self._rosters[key]
                found = None
        return None if found is None else found[1]

    def put(self, key: Key, members: list[nrps.Member]) -> None:
        if self.ttl <= 0:
            return
        now = self._clock()
        with self._guard:
            rosters = self._rosters
            rosters.pop(key, None)
            for old in [k for k, (at, _m) in rosters.items() if now - at > self.ttl]:
                del rosters[old]
            rosters[key] = (now, members)  # the newest last: eviction takes the first
            mine = [k for k in rosters if k[0] == key[0]]
            while mine and (
                len(mine) > self.per_platform
                or sum(len(rosters[k][1]) for k in mine) > self.per_platform_members
            ):
                del rosters[mine.pop(0)]
            while rosters and (
                len(rosters) > self.max_entries
                or sum(len(m) for _at, m in rosters.values()) > self.max_members
            ):
                rosters.popitem(last=False)

    def __len__(self) -> int:
        with self._guard:
            return len(self._rosters)

    def members_kept(self) -> int:
        with self._guard:
            return sum(len(m) for _at, m in self._rosters.values())


def _roster_cache(app: Flask) -> RosterCache:
    cache: RosterCache | None = app.extensions.get("lti_tool.roster_cache")
    if cache is None:
        largest = int(app.config["ROSTER_MAX_MEMBERS"])
        cache = RosterCache(
            float(app.config["ROSTER_CACHE_SECONDS"]),
            per_platform_members=2 * largest,  # two of the largest rosters per platform
            max_members=5 * largest,  # five in all
        )
        app.extensions["lti_tool.roster_cache"] = cache
    return cache


def _limit_message(error: ServiceLimit, seconds: float, most: int) -> str:
    if error.limit == "deadline":
        return _(
            "The course roster is not shown: the LMS did not send all of it within %(seconds)s "
            "seconds. Try again later.",
            seconds=decimal(seconds),
        )
    if error.limit == "members":
        return _(
            "The course roster is not shown: the course has more than %(count)s members, more "
            "than the tool reads.",
            count=integer(most),
        )
    return _("The course roster is not shown: the LMS sent more of it than the tool reads.")


def roster(launch: Launch, refresh: bool = False) -> tuple[list[nrps.Member], str]:
    """The course's members from the platform (NRPS), or an explanation of why not."""
    if not launch.nrps_url:
        return [], _("The LMS did not offer its course roster (Names and Role Provisioning).")
    cache = _roster_cache(current_app)
    key = (launch.platform_id, launch.nrps_url)
    cached = None if refresh else cache.get(key)
    if cached is not None:
        return cached, ""
    most = int(current_app.config["ROSTER_MAX_MEMBERS"])
    try:
        client = service_client(launch.platform).paged()  # one deadline: every page and the retry
    except PlatformDisabled:  # since this page's launch was read (decision 0043)
        return [], _("The course roster is not shown: this LMS is disabled in the tool by its administrator.")
    url = launch.nrps_url
    db.session.commit()  # end the page's transaction: no pooled connection while the LMS answers
    for _attempt in range(2):
        try:
            members = nrps.members(client, url, max_members=most)
        except ServiceLimit as error:
            log.warning("course roster of platform %s not shown: %s", key[0], error.message)
            return [], _limit_message(error, client.total, most)
        except ServiceError as error:
            if error.kind != "token_expired":
                return [], _("The course roster could not be fetched: %(error)s", error=error.message)
            continue
        cache.put(key, members)
        return members, ""
    return [], _("The course roster could not be fetched: the LMS refused the access token.")
