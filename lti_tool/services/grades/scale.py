"""An activity's points: the LMS's line item is the scale.

Where the points come from, in order (docs/decisions/0015-lms-points-are-the-scale.md):

1. the placement: the lineItem the tool put in its Deep Linking answer, carried back on every
   launch as the ``p3_points`` custom parameter (``note_placement``, at launch);
2. the LMS: the activity's line item, read through the activity's grade passback plugin
   (``refresh``: on an instructor's launch, before its page; after a learner's page is sent,
   ``refresh_after_page``, when the last reading is older than ``GRADES_SCALE_REFRESH_SECONDS``)
   and after every grade delivered (``record_delivered``);
3. otherwise the workshop's default (100).

Every page of a graded activity shows ``scale_of(...)``; grades are recorded on it and sent on
the line item's points as the LMS has them at delivery time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app

from lti_tool.content import DEFAULT_MAX_POINTS
from lti_tool.extensions import db
from lti_tool.lti.ags import AgsTransport
from lti_tool.lti.deep_linking import POINTS_PARAM
from lti_tool.models import ActivityScale, Launch
from lti_tool.models.base import utcnow
from lti_tool.plugin_api import (
    DestinationScale,
    GradePassback,
    GradeToSend,
    PluginRuntimeError,
    SettingsError,
    call_safely,
)
from lti_tool.plugin_manager import GRADE_PASSBACK, UnknownPluginError, plugins
from lti_tool.services.grades import passback
from lti_tool.services.grades.outbox import GradeError, ags_claim, choose_plugin, grade_for
from lti_tool.services.grades.tokens import PlatformDisabled, platform_auth, service_client
from lti_tool.services.grades.transport import PluginTransport
from lti_tool.services.sql import insert_for

log = logging.getLogger("lti_tool.grades")

POINTS_MAX = 1000.0
LMS, PLACEMENT, DEFAULT = "lms", "placement", "default"


@dataclass(frozen=True)
class Scale:
    """The points an activity is graded on, and what the tool knows of its LMS column."""

    points: float
    source: str  # LMS, PLACEMENT or DEFAULT
    graded: bool = True  # False: the LMS said it keeps no grade column for the activity
    problem: str = ""  # why the LMS could not be asked the last time
    checked_at: datetime | None = None

    @property
    def text(self) -> str:
        """The points as people read them: 50, 12.5."""
        return f"{self.points:g}"


DEFAULT_SCALE = Scale(float(DEFAULT_MAX_POINTS), DEFAULT)


def placement_points(custom: Mapping[str, Any]) -> float | None:
    """The points of the placement's lineItem (the ``p3_points`` custom parameter), if sound."""
    raw = custom.get(POINTS_PARAM)
    try:
        points = float(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return points if 0 < points <= POINTS_MAX else None


def _scale(row: ActivityScale | None) -> Scale:
    if row is None:
        return DEFAULT_SCALE
    points = row.points if row.points else DEFAULT_SCALE.points
    source = row.source if row.points else DEFAULT
    return Scale(points, source, row.graded, row.problem, row.checked_at)


def scale_of(resource_link_pk: int | None) -> Scale:
    if resource_link_pk is None:
        return DEFAULT_SCALE
    return _scale(db.session.get(ActivityScale, resource_link_pk, populate_existing=True))


def _upsert(resource_link_pk: int, values: dict[str, Any]) -> None:
    values = {**values, "updated_at": utcnow()}
    insert = insert_for(ActivityScale).values(
        resource_link_pk=resource_link_pk,
        **{"points": None, "source": "", "graded": True, "problem": "", **values},
    )
    db.session.execute(insert.on_conflict_do_update(index_elements=["resource_link_pk"], set_=values))


def note_placement(resource_link_pk: int, custom: Mapping[str, Any]) -> None:
    """At launch (the caller commits): the placement's points, until the LMS's are known."""
    points = placement_points(custom)
    if points is None:
        return
    row = db.session.get(ActivityScale, resource_link_pk)
    if row is None or row.source != LMS:
        if row is None or row.points != points:
            _upsert(resource_link_pk, {"points": points, "source": PLACEMENT})


def _record(resource_link_pk: int, found: DestinationScale) -> Scale:
    now = utcnow()
    if found.problem:
        _upsert(resource_link_pk, {"problem": found.problem[:500], "checked_at": now})
    elif not found.graded:
        _upsert(resource_link_pk, {"graded": False, "line_item_url": None, "problem": "", "checked_at": now})
    else:
        values: dict[str, Any] = {"graded": True, "problem": "", "checked_at": now}
        if found.line_item_url:
            values["line_item_url"] = found.line_item_url[:1000]
        if found.score_maximum and 0 < found.score_maximum:
            values.update(points=float(found.score_maximum), source=LMS)
        _upsert(resource_link_pk, values)
    db.session.commit()
    return scale_of(resource_link_pk)


def record_delivered(resource_link_pk: int, line_item_url: str | None, points: float | None) -> None:
    """A grade was delivered on the LMS's points (the caller commits)."""
    values: dict[str, Any] = {"graded": True, "problem": "", "checked_at": utcnow()}
    if line_item_url:
        values["line_item_url"] = line_item_url[:1000]
    if points and points > 0:
        values.update(points=float(points), source=LMS)
    _upsert(resource_link_pk, values)


def _fresh(scale: Scale, ttl: float) -> bool:
    return scale.checked_at is not None and scale.checked_at > utcnow() - timedelta(seconds=ttl)


def refresh(launch: Launch, *, force: bool = False, app: Flask | None = None) -> Scale:
    """The activity's points, read again from the LMS when the last reading is too old (or
    ``force``). No database connection is held while the LMS is asked."""
    app = app or current_app
    link = launch.resource_link
    if link is None:
        return DEFAULT_SCALE
    current = scale_of(link.id)
    if not force and _fresh(current, float(app.config["GRADES_SCALE_REFRESH_SECONDS"])):
        return current
    claim = ags_claim(launch)
    try:
        plugin = plugins(app).get(GRADE_PASSBACK, choose_plugin(claim, link.id, app))
        settings = passback.settings_of(plugin, passback.activity_choice(link.id, app)[1])
    except (GradeError, UnknownPluginError, SettingsError) as exc:
        log.info("activity %s: points not read (%s)", link.id, exc)
        return current
    probe = grade_for(
        claim,
        user_id="",
        score_given=0.0,
        score_maximum=current.points,
        comment="",
        timestamp="",
        resource_link_id=link.resource_link_id,
        resource_link_title=link.title,
    )
    auth = platform_auth(launch.platform)
    db.session.commit()  # never hold a pooled connection while the LMS is asked
    try:
        found = _ask(app, plugin, probe, settings, auth)
    except PlatformDisabled:  # disabled since the launch was read: not asked (decision 0043)
        log.info("activity %s: points not read, its platform is disabled", link.id)
        return scale_of(link.id)
    return _record(link.id, found)


# Readings of an activity's points after a learner's page run on threads of their own: not in
# the thread that served the page (gunicorn reads the next request of that keep-alive connection
# only once the response is closed), and one per activity at a time in this process; the other
# launches use the points known (none of them waits for it). Keyed by app and activity.
_reading: set[tuple[int, int]] = set()
_reading_guard = threading.Condition()  # notified when a reading ends (drain)
_readers: ThreadPoolExecutor | None = None
READERS = 2  # threads per process: readings of other activities do not queue behind a slow LMS


def _readers_pool() -> ThreadPoolExecutor:
    global _readers
    with _reading_guard:  # made in the process that uses it (after gunicorn's fork)
        if _readers is None:
            _readers = ThreadPoolExecutor(READERS, thread_name_prefix="lms-points")
        return _readers


def refresh_after_page(launch: Launch) -> Callable[[], None] | None:
    """A learner's launch into the graded activity: when its points are older than
    ``GRADES_SCALE_REFRESH_SECONDS``, what to call once the page is sent (the caller registers
    it; it hands the reading to this process's readers and returns at once), else None. A
    learner never waits for the LMS here: a class arriving at once each waited for the LMS's
    token endpoint, which may itself ask this tool for its key set (the tool's threads all
    waiting on the LMS, the LMS on the tool: seconds). Their pages show the points known until
    then (the placement's, the last reading, or the workshop's 100: decision 0028)."""
    link = launch.resource_link
    if link is None or _fresh(scale_of(link.id), float(current_app.config["GRADES_SCALE_REFRESH_SECONDS"])):
        return None
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    launch_id, link_pk = launch.id, link.id
    key = (id(app), link_pk)

    def read() -> None:
        try:
            with app.app_context():
                found = db.session.get(Launch, launch_id)
                if found is not None:
                    refresh(found, app=app)
        except Exception:  # after the response: nobody to answer, so logged
            log.exception("activity %s: points not read after the page of launch %s", link_pk, launch_id)
        finally:
            with _reading_guard:
                _reading.discard(key)
                _reading_guard.notify_all()

    def start() -> None:
        with _reading_guard:
            if key in _reading:
                return
            _reading.add(key)
        try:
            _readers_pool().submit(read)
        except RuntimeError:  # the interpreter is shutting down: the next launch reads them
            with _reading_guard:
                _reading.discard(key)

    return start


def drain(timeout: float = 30) -> bool:
    """Wait until no reading started by ``refresh_after_page`` is in progress in this process
    (True), or ``timeout`` seconds (False)."""
    with _reading_guard:
        return _reading_guard.wait_for(lambda: not _reading, timeout)


def _ask(
    app: Flask, plugin: GradePassback, probe: GradeToSend, settings: dict[str, Any], auth: Any
) -> DestinationScale:
    transport = None
    if plugin.uses_transport:
        transport = PluginTransport(AgsTransport(service_client(auth, app), probe.scopes))
    found = DestinationScale(problem="the access token was refused")
    for _ in range(2):  # a refused token is dropped by the client: the second try gets a new one
        try:
            found = call_safely(plugin.scale, probe, transport, settings)
        except PluginRuntimeError as exc:
            return DestinationScale(problem=f"the {plugin.name} plugin failed: {exc.error}")
        if not found.token_expired:
            return found
    return found
