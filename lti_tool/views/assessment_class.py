"""The teacher's side of the self-assessment: the class view (the instructor's landing page of
the activity), the discussion view for projecting (aggregates only, no names), and the results
as CSV. Thin: queries in lti_tool.services.cohort and .results_export, charts in
lti_tool.assessment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from lti_tool import items as item_registry
from lti_tool.assessment.radar import radar_pair
from lti_tool.assessment.strip import strip_svg
from lti_tool.extensions import this_app
from lti_tool.i18n import decimal_symbol
from lti_tool.i18n import gettext as _
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.models import Launch
from lti_tool.services import activity_settings
from lti_tool.services import cohort as cohort_service
from lti_tool.services.cohort import ClassResults
from lti_tool.services.results_export import stream_csv
from lti_tool.views import activity, partnership_joint
from lti_tool.views.params import MAX_ID

bp = Blueprint("assessment_class", __name__, url_prefix="/app/assessment/class")
bp.context_processor(activity.scale_context)  # the activity's points, on every page of it

PAGE_SIZE = 100  # learners per page of the class view's table


def _two_places(value: float | None) -> str:
    """A mean in a chart's description: two decimals, the language's decimal sign."""
    return f"{value or 0:.2f}".replace(".", decimal_symbol())


def _charts(results: ClassResults) -> dict[str, Any]:
    areas = results.areas
    scale = results.instrument.scale
    titles = [a.title for a in areas]
    means = [a.mean for a in areas]
    band = [(a.q1, a.q3) for a in areas]
    described = "; ".join(
        _("%(number)s. %(title)s: no respondent", number=a.number, title=a.title)
        if a.mean is None
        else _(
            "%(number)s. %(title)s: mean %(mean)s, middle half %(q1)s to %(q3)s, n = %(n)s",
            number=a.number,
            title=a.title,
            mean=_two_places(a.mean),
            q1=_two_places(a.q1),
            q3=_two_places(a.q3),
            n=a.respondents,
        )
        for a in areas
    )
    description = _(
        "Class mean of each area on the scale of 1 to %(maximum)s, with the middle half of "
        "the class as a band. %(areas)s.",
        maximum=scale.maximum,
        areas=described,
    )

    wide, compact = radar_pair(
        titles,
        means,
        scale.maximum,
        title=_("The class's profile"),
        description=description,
        id_prefix="class-radar",
        guides=results.guides,
        band=band,
    )
    strips = {
        a.dimension_id: strip_svg(
            a.bins,
            scale=(scale.minimum, scale.maximum),
            mean=a.mean,
            cut=results.attention_below,
            title=_("Distribution: %(area)s", area=a.title),
            id_prefix=f"strip-{a.dimension_id}",
        )
        for a in areas
    }
    return {"radar_wide": wide, "radar_compact": compact, "strips": strips}


def _link() -> int:
    link = launch_session.current().resource_link_pk
    if link is None:
        abort(400, description=_("Open the self-assessment from its activity in your course."))
    return link


def _workshop_of(launch: Launch) -> Any:
    item_ref = launch.resource_link.item_ref if launch.resource_link else None
    item = item_registry.registry().find(item_ref or "") if item_ref else None
    return item_registry.workshops().get(item.workshop_slug) if item else None


def class_view(launch: Launch) -> str:
    """The instructor's page of the activity: who has answered, and the class by area."""
    link = launch.resource_link_pk
    assert link is not None
    settings = activity_settings.load(link)
    model, guides = activity.model_and_guides(settings)
    workshop = _workshop_of(launch)
    slug = workshop.slug if workshop else None
    # Bounded before the query (an OFFSET beyond 64 bits is a database error), then clamped to
    # the pages there are: a page past the last shows the last.
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_ID)
    found = cohort_service.roster(link, launch.context_pk, slug, page, PAGE_SIZE)
    pages = max(1, -(-found.learners // PAGE_SIZE))
    if page > pages:
        page = pages
        found = cohort_service.roster(link, launch.context_pk, slug, page, PAGE_SIZE)
    results = cohort_service.class_results(link, guides, with_retakes=found.retakers > 0)
    return render_template(
        "assessment/class.html",
        settings=settings,
        model=model,
        roster=found,
        results=results,
        charts=_charts(results) if found.submitted else None,
        page=page,
        pages=pages,
        sessions_total=len(workshop.sessions) if workshop else None,
        groups=partnership_joint.teacher_rows(link, settings),
    )


@bp.get("/discussion")
@launch_session.launch_required(role=INSTRUCTOR)
def discussion() -> str:
    """For projecting in class: aggregates only, no names, nothing below the set minimum."""
    link = _link()
    settings = activity_settings.load(link)
    minimum = int(settings.get("discussion_minimum") or 3)
    _model, guides = activity.model_and_guides(settings)
    submitted = cohort_service.submitted_learners(link)
    results = cohort_service.class_results(link, guides) if submitted >= minimum else None
    return render_template(
        "assessment/discussion.html",
        submitted=submitted,
        minimum=minimum,
        results=results,
        charts=_charts(results) if results else None,
    )


@bp.get("/results.csv")
@launch_session.launch_required(role=INSTRUCTOR)
def results_csv() -> Response:
    return Response(
        stream_csv(this_app(), _link()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=self-assessment-results.csv"},
    )
