"""The learner's and instructor's pages inside the LMS: the workshop, its sessions, the
assignment and the bibliography. Thin: content comes from lti_tool.items, progress from
lti_tool.services.progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from lti_tool import items as item_registry
from lti_tool.content import Session, Workshop
from lti_tool.i18n import gettext as _
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.models import Launch
from lti_tool.security import keyed_digest
from lti_tool.services import activities, activity_settings
from lti_tool.services import progress as progress_service
from lti_tool.services.grades import scale as grade_scale
from lti_tool.views import skeleton
from lti_tool.views.errors import wants_json
from lti_tool.views.readings import shared_readings

bp = Blueprint("pages", __name__, url_prefix="/app")


def _workshop_or_404(slug: str) -> Workshop:
    workshop = item_registry.workshops().get(slug)
    if workshop is None:
        abort(404, description=_("This workshop does not exist. Open the activity again from your course."))
    return workshop


def _session_or_404(workshop: Workshop, slug: str) -> Session:
    session = workshop.session_by_slug(slug)
    if session is None:
        abort(
            404,
            description=_(
                "This session is not part of the workshop. Use the workshop menu to choose a session."
            ),
        )
    return session


def _after_page(work: Callable[[], None] | None) -> None:
    """Call ``work`` once this request's answer is sent (the WSGI server closes the response);
    it must return at once (the server's thread serves the connection's next request after)."""
    if work is None:
        return

    @after_this_request
    def register(response: Response) -> Response:
        response.call_on_close(work)
        return response


def first_target(launch: Launch) -> tuple[str, dict[str, Any]]:
    """Where a launch lands: the endpoint and values of the item the link was made for, or of
    the workshop overview. The launch POST answers with that page (decision 0026); ``/app/``
    (links back to the start of an activity) redirects to it."""
    registry = item_registry.registry()
    item_id = activities.item_of(launch)
    if activities.is_assessment_activity(launch):
        # The graded activity: its points are read from the LMS's line item. An instructor's
        # launch always reads them, before the page (they may just have changed them); a
        # learner's reads them after its page is sent, when they are old (decision 0015).
        if launch.role == INSTRUCTOR:
            grade_scale.refresh(launch, force=True)
        else:
            _after_page(grade_scale.refresh_after_page(launch))
    if item_id is None:
        first = next(iter(registry.workshops), None)
        if first is None:
            abort(
                404,
                description=_(
                    "No workshop is installed in this tool yet. Ask your "
                    "administrator to add the workshop content."
                ),
            )
        return "pages.overview", {"workshop": first}
    item = registry.find(item_id)
    if item is None:
        abort(
            404,
            description=_(
                "This activity opens workshop content that is no longer available (%(item)s). "
                "Ask your instructor to replace the activity; your saved work is kept.",
                item=item_id,
            ),
        )
    return registry.target(item)


def first_page(launch: Launch) -> str:
    """The URL of the page a launch lands on, with the launch token."""
    endpoint, values = first_target(launch)
    return launch_session.launch_url(endpoint, **values)


def enter(endpoint: str, values: dict[str, Any]) -> Response:
    """The launch POST's answer: the page at ``endpoint``, rendered in this request as its own
    GET would render it (its role check included), so a launch costs one request (decision
    0026). Not its CSRF check: that guards the POSTs the tool's own pages make, and this one
    carried a verified id_token. The page names its own URL (``g.page_url``), which
    static/session.js puts in the address bar: reload and back open the page, not the launch."""
    g.page_url = launch_session.launch_url(endpoint, **values)
    g.launch_entry = True
    # Routed to the page as its GET would be: its blueprint's context processors and error
    # handlers, and relative url_for(".x"), follow the request's rule.
    request.url_rule = next(r for r in current_app.url_map.iter_rules(endpoint) if "GET" in (r.methods or ()))
    request.view_args = values
    return current_app.make_response(current_app.ensure_sync(current_app.view_functions[endpoint])(**values))


@bp.get("/")
@launch_session.launch_required()
def home() -> Response:
    """The start of the activity (links back to it): its first page."""
    return redirect(first_page(launch_session.current()), code=303)


@bp.get("/w/<workshop>/")
@launch_session.launch_required()
def overview(workshop: str) -> str:
    found = _workshop_or_404(workshop)
    launch = launch_session.current()
    progress = progress_service.workshop_progress(launch, found.slug)
    shared = shared_readings(found.slug)
    # The same page for every learner of the workshop in a language and role, but for the
    # holes (views/skeleton.py); the course's reading links are printed in it, so they key it.
    key = (skeleton.Same(found), launch.role, tuple(sorted(shared.items())))
    context = launch.context
    return skeleton.render(
        "pages/overview.html",
        key,
        {"workshop": found, "page": "overview", "launch_role": launch.role},
        {
            "person": launch.user.name,
            "course": (context.title or context.context_id) if context else None,
            "status": {s.slug: _status(progress.get(s.slug)) for s in found.sessions},
        },
    )


def _status(progress: progress_service.Progress | None) -> dict[str, str]:
    """A session's mark on the overview: its class and text."""
    if progress is None:
        return {"css": "status-todo", "text": _("Not opened yet")}
    return {
        "css": "status-done",
        "text": _("Opened · reflection saved") if progress.reflection else _("Opened"),
    }


def _render_session(
    workshop: Workshop,
    session: Session,
    progress: progress_service.Progress,
    *,
    saved: bool = False,
    error: str = "",
    text: str | None = None,
    conflict: progress_service.ReflectionConflict | None = None,
    status: int = 200,
) -> tuple[str, int]:
    numbers = [s.number for s in workshop.sessions]
    index = numbers.index(session.number)
    return render_template(
        "pages/session.html",
        workshop=workshop,
        session=session,
        page=session.slug,
        progress=progress,
        saved=saved,
        error=error,
        conflict=conflict,
        reflection=progress.reflection if text is None else text,
        # The version this page's text is based on: after a conflict, the other tab's.
        version=conflict.version if conflict else progress.reflection_version,
        previous=workshop.sessions[index - 1] if index > 0 else None,
        next=workshop.sessions[index + 1] if index + 1 < len(numbers) else None,
        max_chars=progress_service.REFLECTION_MAX_CHARS,
        draft_key=_draft_key(launch_session.current(), workshop, session),
    ), status


def _draft_key(launch: Launch, workshop: Workshop, session: Session) -> str:
    """Where reflection.js keeps this person's unsaved text of this session in the browser
    (decision 0053): the same at every launch of theirs, naming neither them nor the page."""
    return keyed_digest(
        current_app.config["SECRET_KEY"],
        "reflection-draft",
        launch.platform_id,
        launch.user_pk,
        launch.context_pk,
        workshop.slug,
        session.slug,
    )


@bp.get("/w/<workshop>/sessions/<session>")
@launch_session.launch_required()
def session(workshop: str, session: str) -> tuple[str, int]:
    found = _workshop_or_404(workshop)
    chosen = _session_or_404(found, session)
    progress = progress_service.mark_opened(launch_session.current(), found.slug, chosen.slug)
    return _render_session(found, chosen, progress, saved=request.args.get("saved") == "1")


def _base_version(raw: str | None) -> int | None:
    """The version of the reflection the page showed (absent: an old page, saved whatever)."""
    return int(raw) if raw is not None and raw.isdigit() else None


@bp.post("/w/<workshop>/sessions/<session>/reflection")
@launch_session.launch_required()
def save_reflection(workshop: str, session: str) -> ResponseReturnValue:
    """Autosave (fetch, JSON answer) and the plain form's fallback (redirect back). Refused
    whole when too long, and when changed elsewhere since the page was shown (409): never
    cut, never silently overwritten."""
    found = _workshop_or_404(workshop)
    chosen = _session_or_404(found, session)
    launch = launch_session.current()
    text = request.form.get("reflection", "").replace("\r\n", "\n")
    target = launch_session.launch_url("pages.session", workshop=found.slug, session=chosen.slug)
    if request.form.get("keep") == "theirs":  # a conflict settled for the other tab's text
        return redirect(target + "#reflection", code=303)
    try:
        saved = progress_service.save_reflection(
            launch, found.slug, chosen.slug, text, _base_version(request.form.get("version"))
        )
    except progress_service.ReflectionTooLong as exc:
        if wants_json():
            return jsonify({"error": "too_long", "message": str(exc)}), 400
        current = progress_service.session_progress(launch, found.slug, chosen.slug)
        return _render_session(found, chosen, current, error=str(exc), text=text, status=400)
    except progress_service.ReflectionConflict as exc:
        if wants_json():
            return jsonify(
                {"error": "conflict", "message": str(exc), "theirs": exc.theirs, "version": exc.version}
            ), 409
        current = progress_service.session_progress(launch, found.slug, chosen.slug)
        return _render_session(found, chosen, current, text=text, conflict=exc, status=409)
    if wants_json():
        stamp = saved.reflection_saved_at
        return jsonify(
            {
                "saved": True,
                "version": saved.reflection_version,
                "saved_at": stamp.isoformat() + "Z" if stamp else None,
            }
        )
    target = launch_session.launch_url("pages.session", workshop=found.slug, session=chosen.slug, saved="1")
    return redirect(target + "#reflection", code=303)


@bp.get("/w/<workshop>/assignment")
@launch_session.launch_required()
def assignment(workshop: str) -> str:
    found = _workshop_or_404(workshop)
    if found.assignment is None:
        abort(404, description=_("This workshop has no assignment."))
    return render_template(
        "pages/assignment.html",
        workshop=found,
        page="assignment",
        assignment=found.assignment,
        placed=placed_assessments(launch_session.current()),
        item=item_registry.registry().find(found.assignment.assessment_ref or ""),
    )


def placed_assessments(launch: Launch) -> list[dict[str, Any]]:
    """The course's activities placed as the graded self-assessment: where learners take it
    (this page starts no attempt: one graded activity, one gradebook column)."""
    return [
        {
            "title": link.title or _("Self-assessment"),  # an LMS may send no title
            "scale": grade_scale.scale_of(link.id),
            "instructions": activity_settings.load(link.id)["instructions"],
        }
        for link in activities.placed_assessments(launch)
    ]


@bp.get("/w/<workshop>/bibliography")
@launch_session.launch_required()
def bibliography(workshop: str) -> str:
    found = _workshop_or_404(workshop)
    return render_template("pages/bibliography.html", workshop=found, page="bibliography")


@bp.get("/items/<path:item_id>")
@launch_session.launch_required()
def coming_soon(item_id: str) -> str:
    """Items whose feature has not registered its own page yet."""
    item = item_registry.registry().find(item_id)
    if item is None:
        abort(404, description=_("This item does not exist."))
    workshop = item_registry.workshops().get(item.workshop_slug)
    return render_template("pages/coming_soon.html", item=item, workshop=workshop, page="assignment")


@bp.get("/session-check")
@launch_session.launch_required()
def session_check() -> dict[str, object]:
    """A small JSON view that proves the session survives fetches (used by tests and pages)."""
    launch = launch_session.current()
    return {
        "user": launch.user.sub,
        "role": launch.role,
        "context": launch.context.context_id if launch.context else None,
    }


@bp.post("/session/renew")
@launch_session.launch_required()
def renew_token() -> dict[str, object]:
    """A fresh launch token for an open page (static/session.js), so that tokens can be short-lived."""
    return {"token": launch_session.fresh_token()}
