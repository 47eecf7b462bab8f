"""Readings a teacher can complete: the course's links and notes for the workshop's readings
(an instructor's page), and what the workshop's pages show learners for each reading."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request
from werkzeug.wrappers import Response

from lti_tool import items as item_registry
from lti_tool.content import Workshop
from lti_tool.i18n import gettext as _
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.services import readings as reading_service

bp = Blueprint("readings", __name__, url_prefix="/app")


@bp.app_template_global("reading_key")
def reading_key(reading: Any) -> str:
    return reading_service.reading_key(reading)


@bp.app_template_global("shared_readings")
def shared_readings(workshop_slug: str) -> dict[str, reading_service.Shared]:
    """The course's links and notes for a workshop's readings (read once per request)."""
    cache = g.setdefault("shared_readings", {})
    if workshop_slug not in cache:
        cache[workshop_slug] = reading_service.shared(g.get("launch"), workshop_slug)
    return dict(cache[workshop_slug])


def _workshop(slug: str) -> Workshop:
    workshop = item_registry.workshops().get(slug)
    if workshop is None:
        abort(404, description=_("This workshop does not exist. Open the activity again from your course."))
    return workshop


def _page(workshop: Workshop, values: dict[str, tuple[str, str]] | None = None, problems: Any = None) -> str:
    readings = reading_service.all_readings(workshop)
    stored = reading_service.shared(launch_session.current(), workshop.slug)
    shown = values or {key: (s.url or "", s.note) for key, s in stored.items()}
    labels = {"url": _("link"), "note": _("note")}
    summary = [
        (f"{field}-{key}", reading.title, labels[field], message)
        for key, reading in readings
        for field, message in (problems or {}).get(key, {}).items()
    ]
    return render_template(
        "pages/readings.html",
        workshop=workshop,
        page="readings",
        readings=readings,
        shown=shown,
        problems=problems or {},
        summary=summary,
        has_course=launch_session.current().context_pk is not None,
        saved=request.args.get("saved") == "1",
    )


@bp.get("/w/<workshop>/readings")
@launch_session.launch_required(role=INSTRUCTOR)
def edit(workshop: str) -> str:
    return _page(_workshop(workshop))


@bp.post("/w/<workshop>/readings")
@launch_session.launch_required(role=INSTRUCTOR)
def save(workshop: str) -> Any:
    found = _workshop(workshop)
    launch = launch_session.current()
    if launch.context_pk is None:
        abort(400, description=_("Links to readings belong to a course: open the tool from your course."))
    keys = [key for key, _ in reading_service.all_readings(found)]
    given = {
        key: (request.form.get(f"url-{key}", ""), request.form.get(f"note-{key}", ""))
        for key in keys
        if f"url-{key}" in request.form or f"note-{key}" in request.form
    }
    problems = reading_service.save(launch, found.slug, given, keys)
    if problems:
        return _page(found, given, problems), 400
    target: Response = redirect(
        launch_session.launch_url("readings.edit", workshop=found.slug, saved="1"), code=303
    )
    return target
