"""Deep Linking: the teacher's picker, and the signed answer auto-posted to the LMS.

The protocol work (settings, the signed JWT) is in lti_tool.lti.deep_linking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import items as item_registry
from lti_tool.content import DEFAULT_MAX_POINTS, LinkableItem
from lti_tool.i18n import gettext as _
from lti_tool.i18n import integer
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti import deep_linking
from lti_tool.lti import session as launch_session
from lti_tool.lti.keys import current_signing_key
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.services import activities
from lti_tool.services import launches as launch_service

bp = Blueprint("deep_linking", __name__, url_prefix="/app/deep-linking")

TITLE_MAX = 255
POINTS_MAX = 1000
# What each kind of item is, in a teacher's words: the picker shows it under each title so
# that no two items read alike (docs/decisions/0016-one-graded-activity.md).
KIND_LABELS = {
    "workshop": _l(
        "The whole workshop in one activity: overview, the six sessions, the "
        "assignment's instructions and the bibliography. Not graded."
    ),
    "session": _l(
        "One session's page: readings, objectives, discussion prompts and a private reflection. Not graded."
    ),
    "assignment": _l("The assignment's instructions. Not graded."),
    "assessment": _l(
        "The graded assignment: learners take the partnership self-assessment here and "
        "get their report. One gradebook column, worth the points you give it."
    ),
}


@dataclass
class Choices:
    """What the teacher picked, as typed, with a message per field that needs fixing."""

    picked: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    points: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # Items not chosen whose title or points the teacher changed, already pointed out once.
    warned: list[str] = field(default_factory=list)


def _settings() -> deep_linking.DeepLinkingSettings:
    launch = launch_session.current()
    try:
        return deep_linking.read_settings(launch.deep_linking_json)
    except deep_linking.DeepLinkingError:
        abort(
            400,
            description=_(
                "This page opens only when you add content from your course "
                '(the LMS\'s "add an activity" or "external tool" button).'
            ),
        )


def _default_points(item: LinkableItem) -> str:
    return str(item.max_points or DEFAULT_MAX_POINTS)


def _changed_but_not_chosen(choices: Choices, items: list[LinkableItem]) -> None:
    """A title or points typed for an item left unticked would be dropped without a word, and
    the teacher would find no graded column in the course: said once, then taken as meant."""
    already = set(choices.warned)
    for item in items:
        if item.item_id in choices.picked or item.item_id in already:
            continue
        # Compared as words: str.split() also splits at the no-break spaces of French titles.
        title = choices.titles[item.item_id].split()
        points = choices.points[item.item_id].strip()
        if title not in ([], item.title.split()) or (item.graded and points != _default_points(item)):
            choices.errors[f"unpicked:{item.item_id}"] = _(
                "You changed “%(name)s” without choosing it: it would not be added. Choose it "
                "to add it, or press “Add to the course” again to leave it out.",
                name=item.title,
            )
            choices.warned.append(item.item_id)


def _read_choices(
    form: Mapping[str, str],
    picked: list[str],
    items: list[LinkableItem],
    accept_multiple: bool,
    warned: list[str] | None = None,
) -> tuple[Choices, list[deep_linking.ContentItem]]:
    known = {item.item_id for item in items}
    choices = Choices(picked=picked, warned=[i for i in dict.fromkeys(warned or []) if i in known])
    chosen: list[deep_linking.ContentItem] = []
    by_id = {item.item_id: item for item in items}
    launch_url = current_app.config["BASE_URL"] + "/lti/launch"
    for item in items:
        choices.titles[item.item_id] = form.get(f"title:{item.item_id}", item.title)
        choices.points[item.item_id] = form.get(f"points:{item.item_id}", _default_points(item))
    _changed_but_not_chosen(choices, items)
    if not picked:
        choices.errors["item"] = _("Choose at least one item to add.")
    elif len(picked) > 1 and not accept_multiple:
        choices.errors["item"] = _("Your course accepts one item at a time: choose just one.")
    for item_id in picked:
        found = by_id.get(item_id)
        if found is None:
            choices.errors["item"] = _("One of the chosen items no longer exists. Choose again.")
            continue
        title = " ".join(choices.titles[item_id].split()) or found.title
        if len(title) > TITLE_MAX:
            choices.errors[f"title:{item_id}"] = _(
                "Use at most %(max)s characters for the title.", max=integer(TITLE_MAX)
            )
        points: int | None = None
        if found.graded:
            raw = choices.points[item_id].strip()
            if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= POINTS_MAX:
                choices.errors[f"points:{item_id}"] = _(
                    "Enter a whole number of points from 1 to %(max)s.", max=integer(POINTS_MAX)
                )
            else:
                points = int(raw)
        # The description in the teacher's language, as the picker showed it (the LMS shows it too).
        text = str(found.description)
        chosen.append(deep_linking.ContentItem(item_id, title, launch_url, points, text))
    return choices, chosen


def _picker(
    settings: deep_linking.DeepLinkingSettings, choices: Choices, status: int = 200
) -> ResponseReturnValue:
    items = item_registry.registry().offered()
    launch = launch_session.current()
    return render_template(
        "deep_linking/picker.html",
        launch=launch,
        items=items,
        # The course's activities already placed as the graded assessment (those the tool has
        # seen launched): adding it again makes a second column and splits the class's results.
        already_placed=[link.title or "" for link in activities.placed_assessments(launch)],
        settings=settings,
        choices=choices,
        kind_labels=KIND_LABELS,
        points_max=POINTS_MAX,
        title_max=TITLE_MAX,
    ), status


@bp.get("/")
@launch_session.launch_required(role=INSTRUCTOR)
def picker() -> ResponseReturnValue:
    settings = _settings()
    items = item_registry.registry().offered()
    choices, _ = _read_choices({}, [], items, settings.accept_multiple)
    return _picker(settings, Choices(titles=choices.titles, points=choices.points))


@bp.post("/")
@launch_session.launch_required(role=INSTRUCTOR)
def respond() -> ResponseReturnValue:
    """Sign the chosen items (or none, on cancel) and post them back to the LMS."""
    settings = _settings()
    launch = launch_session.current()
    items = item_registry.registry().offered()
    if request.form.get("action") == "cancel":
        chosen: list[deep_linking.ContentItem] = []
    else:
        picked = [i for i in dict.fromkeys(request.form.getlist("item")) if i]
        warned = request.form.getlist("warned")
        choices, chosen = _read_choices(request.form, picked, items, settings.accept_multiple, warned)
        if choices.errors:
            return _picker(settings, choices, status=400)
    key = current_signing_key(current_app.config["SECRET_KEY"])
    try:
        token = deep_linking.response_jwt(
            platform=launch.platform,
            deployment_id=launch.deployment.deployment_id,
            settings=settings,
            items=chosen,
            key=key,
        )
    except deep_linking.DeepLinkingError as exc:
        abort(400, description=str(exc))
    if not launch_service.claim_deep_link_answer(launch.id):
        abort(
            409,
            description=_(
                'This selection was already sent to the LMS. To add more, start "Add content" again '
                "from the course."
            ),
        )
    return render_template(
        "deep_linking/return.html", action=settings.return_url, jwt=token, count=len(chosen)
    )
