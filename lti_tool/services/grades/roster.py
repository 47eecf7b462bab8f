"""The course roster (NRPS) for the gradebook, cached for a short while per course."""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app

from lti_tool.extensions import db
from lti_tool.i18n import gettext as _
from lti_tool.lti import nrps
from lti_tool.lti.errors import ServiceError
from lti_tool.models import Launch
from lti_tool.services.grades.tokens import service_client


class RosterCache:
    """Rosters recently fetched, per platform and memberships URL (the URL names the course),
    so that reloading the gradebook, or coming back to it after "send again", does not page
    through the whole roster again."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._rosters: dict[tuple[int, str], tuple[float, list[nrps.Member]]] = {}
        self._guard = threading.Lock()

    def get(self, key: tuple[int, str]) -> list[nrps.Member] | None:
        with self._guard:
            found = self._rosters.get(key)
        if found is None or time.monotonic() - found[0] > self.ttl:
            return None
        return found[1]

    def put(self, key: tuple[int, str], members: list[nrps.Member]) -> None:
        if self.ttl > 0:
            with self._guard:
                self._rosters[key] = (time.monotonic(), members)


def _roster_cache(app: Flask) -> RosterCache:
    cache: RosterCache | None = app.extensions.get("lti_tool.roster_cache")
    if cache is None:
        cache = RosterCache(float(app.config["ROSTER_CACHE_SECONDS"]))
        app.extensions["lti_tool.roster_cache"] = cache
    return cache


def roster(launch: Launch, refresh: bool = False) -> tuple[list[nrps.Member], str]:
    """The course's members from the platform (NRPS), or an explanation of why not."""
    if not launch.nrps_url:
        return [], _("The LMS did not offer its course roster (Names and Role Provisioning).")
    cache = _roster_cache(current_app)
    key = (launch.platform_id, launch.nrps_url)
    cached = None if refresh else cache.get(key)
    if cached is not None:
        return cached, ""
    client = service_client(launch.platform)
    url = launch.nrps_url
    db.session.commit()  # end the page's transaction: no pooled connection while the LMS answers
    for _attempt in range(2):
        try:
            members = nrps.members(client, url)
        except ServiceError as error:
            if error.kind != "token_expired":
                return [], _("The course roster could not be fetched: %(error)s", error=error.message)
            continue
        cache.put(key, members)
        return members, ""
    return [], _("The course roster could not be fetched: the LMS refused the access token.")
