"""Partnership groups of the self-assessment: start one, join by code or invitation (after
seeing exactly what the others will see of you), leave; the joint report; the teacher's removal
of a member. Thin: lti_tool.services.partnership persists, lti_tool.assessment.partnership
aggregates (docs/decisions/0023-partnership-groups.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request
from werkzeug.wrappers import Response

from lti_tool.assessment.instrument import default_instrument
from lti_tool.assessment.partnership import SIDE_LABELS, Partner, shown_as
from lti_tool.assessment.partnership_charts import joint_charts
from lti_tool.i18n import gettext as _
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.models import Launch, PartnershipGroup
from lti_tool.models.assessment import DRAFT
from lti_tool.services import activity_settings
from lti_tool.services import assessment as assessment_service
from lti_tool.services import partnership as service
from lti_tool.services import partnership_invites as invites
from lti_tool.services import partnership_leaving as leaving
from lti_tool.services.answers import AnswerError
from lti_tool.services.grades.roster import roster
from lti_tool.services.partnership import GroupError
from lti_tool.views import activity
from lti_tool.views.partnership_joint import joint, minimum_shown

bp = Blueprint("partnership", __name__, url_prefix="/app/assessment/partnership")
bp.context_processor(activity.scale_context)


def _go(endpoint: str, **values: Any) -> Response:
    return redirect(launch_session.launch_url(endpoint, **values), code=303)


def _settings(launch: Launch) -> dict[str, Any]:
    return activity_settings.load(activity.link_of(launch))


def _member_details() -> service.Details:
    """The side, organization and naming choice the member's form sent, validated by the service."""
    form = request.form
    return service.details(form.get("side"), form.get("organization"), form.get("named"))


def _learner_launch() -> Launch:
    """A learner in the self-assessment activity, with groups on."""
    launch = activity.assessment_launch()
    if launch.role == INSTRUCTOR:
        abort(403, description=_("Partnership groups are for learners; your class view lists them."))
    if not _settings(launch)["partnership_groups"]:
        abort(403, description=_("Your teacher has turned partnership groups off for this activity."))
    return launch


@bp.get("/")
@launch_session.launch_required()
def group_page(problem: str = "", status: int = 200) -> Any:
    launch = _learner_launch()
    mine = service.membership(launch)
    if mine is None:
        return render_template(
            "assessment/partnership/none.html",
            invitations=invites.invitations(launch),
            removed_from=leaving.removed_from(launch),
            sides=SIDE_LABELS,
            problem=problem,
            form=request.form,
        ), status
    group = service.group_in(activity.link_of(launch), mine.group_id)
    assert group is not None
    partners = service.partners(group, launch.user_pk)
    code = service.current_code(group)
    return render_template(
        "assessment/partnership/group.html",
        group=group,
        me=mine,
        shown=shown_as(partners),
        partners=partners,
        submitted=sum(1 for p in partners if p.means),
        minimum=minimum_shown(_settings(launch)),
        code=service.display_code(code.code) if code else None,
        code_expires=code.expires_at if code else None,
        invites=invites.pending_invites(group, launch.user_pk),
        sides=SIDE_LABELS,
        problem=problem,
    ), status


def _details_page(launch: Launch, step: str, group: PartnershipGroup | None, **extra: Any) -> Any:
    """The form of what a member says of themselves, or its preview: exactly how the others
    will see them (shown_as, the same rule as the joint report)."""
    form = request.form
    who = None
    problem = extra.pop("problem", "")
    status = extra.pop("status", 400)
    if step in ("preview", "confirm"):
        try:
            who = _member_details()
        except GroupError as exc:
            problem, step = exc.message, "details"
    preview = None
    if who is not None:
        others = service.partners(group) if group is not None else []
        me = Partner(0, launch.user.name, who.side, who.organization, who.named, {}, you=True)
        preview = shown_as([*others, me])[0]
    return render_template(
        "assessment/partnership/details.html",
        step=step,
        renamed_from=_draft_renamed(launch, group.name if group else extra.get("name", "")),
        group=group,
        preview=preview,
        who=who,
        sides=SIDE_LABELS,
        form=form,
        problem=problem,
        **extra,
    ), status if problem else 200


def _draft_renamed(launch: Launch, name: str) -> str:
    """The partnership a draft in progress is about, when joining will rename it (every prompt
    names it): said before confirming, not discovered on the next page of statements."""
    current = assessment_service.latest(launch)
    if current is None or current.status != DRAFT or not current.partnership_name:
        return ""
    return (
        ""
        if service.name_key(current.partnership_name) == service.name_key(name)
        else current.partnership_name
    )


@bp.post("/start")
@launch_session.launch_required()
def start() -> Any:
    launch = _learner_launch()
    step = request.form.get("step", "preview")
    try:
        name = assessment_service.partnership_name(request.form.get("name"))
    except AnswerError as exc:
        return group_page(str(exc), 400)
    if step != "confirm":
        return _details_page(launch, step, None, action="partnership.start", name=name)
    try:
        who = _member_details()
        service.create(launch, name, who)
    except GroupError as exc:
        return _details_page(
            launch,
            "details",
            None,
            action="partnership.start",
            name=name,
            problem=exc.message,
            status=exc.status,
        )
    return _go("partnership.group_page")


@bp.post("/join")
@launch_session.launch_required()
def join() -> Any:
    launch = _learner_launch()
    try:
        group = service.group_of_code(launch, request.form.get("code"))
    except GroupError as exc:
        return group_page(exc.message, exc.status)
    step = request.form.get("step", "details")
    code = request.form.get("code", "")
    if step != "confirm":
        return _details_page(launch, step, group, action="partnership.join", code=code)
    try:
        who = _member_details()
        service.join(launch, group, who)
    except GroupError as exc:
        if exc.status == 409:
            return group_page(exc.message, 409)
        return _details_page(
            launch, "details", group, action="partnership.join", code=code, problem=exc.message
        )
    return _go("partnership.group_page")


@bp.post("/accept/<int:invite_id>")
@launch_session.launch_required()
def accept(invite_id: int) -> Any:
    launch = _learner_launch()
    group = invites.invited_to(launch, invite_id)
    if group is None:
        return group_page(_("This invitation is no longer open: it was withdrawn or answered."), 404)
    step = request.form.get("step", "details")
    extra = {"action": "partnership.accept", "invite_id": invite_id}
    if step != "confirm":
        return _details_page(launch, step, group, **extra)
    try:
        who = _member_details()
        service.join(launch, group, who)
    except GroupError as exc:
        if exc.status == 409:
            return group_page(exc.message, 409)
        return _details_page(launch, "details", group, problem=exc.message, **extra)
    return _go("partnership.group_page")


@bp.post("/decline/<int:invite_id>")
@launch_session.launch_required()
def decline(invite_id: int) -> Response:
    invites.decline(_learner_launch(), invite_id)
    return _go("partnership.group_page")


@bp.post("/leave")
@launch_session.launch_required()
def leave() -> Response:
    leaving.leave(_learner_launch())
    return _go("partnership.group_page")


def _own_group(launch: Launch) -> PartnershipGroup:
    mine = service.membership(launch)
    group = service.group_in(activity.link_of(launch), mine.group_id) if mine else None
    if group is None:
        abort(409, description=_("You are not in a partnership group of this activity (any more)."))
    return group


@bp.post("/code")
@launch_session.launch_required()
def new_code() -> Response:
    service.replace_code(_own_group(_learner_launch()))
    return _go("partnership.group_page")


@bp.get("/invite")
@launch_session.launch_required()
def invite_form() -> Any:
    launch = _learner_launch()
    group = _own_group(launch)
    people, problem = roster(launch)
    taken = {u.sub for _, u in service.members(group)}
    candidates = [m for m in people if m.is_learner and m.status == "Active" and m.user_id not in taken]
    # Members the LMS no longer lists as active in the course: said, never dropped silently
    # (their scores stay until they leave or the teacher removes them).
    active = {m.user_id for m in people if m.status == "Active"}
    gone = [] if problem else [u.sub for _, u in service.members(group) if u.sub not in active]
    return render_template(
        "assessment/partnership/invite.html",
        group=group,
        candidates=candidates,
        problem=problem,
        gone=len(gone),
    )


@bp.post("/invite")
@launch_session.launch_required()
def invite() -> Response:
    launch = _learner_launch()
    group = _own_group(launch)
    people, problem = roster(launch)
    chosen = set(request.form.getlist("sub"))
    if problem or not chosen:
        abort(400, description=problem or _("Choose at least one person to invite."))
    # The sender and the members are not offered; a forged or stale form is told why, not obeyed.
    in_group = {u.sub for _, u in service.members(group)}
    if launch.user.sub in chosen:
        abort(400, description=_("You are already in this group: choose the people you want to invite."))
    if chosen & in_group:
        names = ", ".join(sorted(u.name or u.sub for _, u in service.members(group) if u.sub in chosen))
        abort(
            400,
            description=_(
                "Already in this group: %(names)s. Invite people who are not in it yet.", names=names
            ),
        )
    found = [m for m in people if m.user_id in chosen and m.is_learner]
    if len(found) != len(chosen):
        abort(400, description=_("Invite people from this course's list only."))
    for member in found:
        invites.invite(launch, group, member.user_id, member.name)
    return _go("partnership.group_page", invited=len(found))


@bp.get("/<int:group_id>/report")
@launch_session.launch_required()
def report(group_id: int) -> Any:
    launch = activity.assessment_launch()
    link = activity.link_of(launch)
    group = service.group_in(link, group_id)
    if group is None:
        abort(404, description=_("No such partnership group in this activity."))
    settings = _settings(launch)
    if launch.role != INSTRUCTOR:
        mine = service.membership(launch)
        if mine is None or mine.group_id != group.id or not settings["partnership_groups"]:
            abort(403, description=_("Only the group's members and the teacher see its joint report."))
    found = joint(group, settings, launch.user_pk)
    minimum = minimum_shown(settings)
    instrument = default_instrument()
    scale = (instrument.scale.minimum, instrument.scale.maximum)
    _model, guides = activity.model_and_guides(settings)
    return render_template(
        "assessment/partnership/report.html",
        group=group,
        report=found,
        minimum=minimum,
        ready=len(found.members) >= minimum,
        charts=joint_charts(found, scale, guides) if len(found.members) >= minimum else None,
        instrument=instrument,
    )


@bp.post("/<int:group_id>/remove/<int:member_id>")
@launch_session.launch_required(role=INSTRUCTOR)
def remove(group_id: int, member_id: int) -> Response:
    link = activity.link_of(launch_session.current())
    if not leaving.remove_member(link, group_id, member_id):
        abort(404, description=_("No such member in this activity's groups."))
    return _go("assessment.start", removed=1)
