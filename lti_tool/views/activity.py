"""What the views of an activity share: its launch, the graded-activity rule, its points.

One rule for graded work (docs/decisions/0016-one-graded-activity.md): attempts are started,
answered and graded only in an activity placed as the self-assessment; elsewhere a 403 says where
it is. Every page of the graded activity shows its points (the LMS's: ``scale_context``).
"""

from __future__ import annotations

from typing import Any

from flask import abort, g

from lti_tool.assessment.model import Guide
from lti_tool.i18n import gettext as _
from lti_tool.lti import session as launch_session
from lti_tool.models import Launch
from lti_tool.plugin_api import SettingsError, validate_settings
from lti_tool.plugin_manager import SCORING_MODELS, UnknownPluginError, plugins
from lti_tool.services import activities
from lti_tool.services.grades import scale as grade_scale


def link_of(launch: Launch) -> int:
    """The launch's resource link (the activity), or a 400 saying to open one."""
    if launch.resource_link_pk is None:
        abort(400, description=_("Open the self-assessment from its activity in your course."))
    return launch.resource_link_pk


def activity_launch() -> Launch:
    launch = launch_session.current()
    link_of(launch)
    return launch


def assessment_launch() -> Launch:
    """A launch in the activity placed as the self-assessment, or a 403 naming where it is."""
    launch = activity_launch()
    if not activities.is_assessment_activity(launch):
        titles = [link.title for link in activities.placed_assessments(launch) if link.title]
        where = (
            _("It is the activity “%(title)s” in your course: open it there.", title=titles[0])
            if len(titles) == 1
            else _("Open its own activity in your course.")
        )
        abort(403, description=_("The self-assessment is not part of this activity.") + " " + where)
    return launch


def scale_context() -> dict[str, Any]:
    """A blueprint context processor: ``scale`` (the activity's points) on the graded activity."""
    launch = g.get("launch")
    if launch is None or not activities.is_assessment_activity(launch):
        return {}
    return {"scale": grade_scale.scale_of(launch.resource_link_pk)}


def model_and_guides(settings: dict[str, Any]) -> tuple[Any, tuple[Guide, ...]]:
    """The activity's scoring model and its cut-offs (None, () when it cannot be used)."""
    try:
        model = plugins().get(SCORING_MODELS, settings["scoring_model"])
        return model, model.performance_guides(
            validate_settings(type(model), settings.get("scoring_settings", {}))
        )
    except (UnknownPluginError, SettingsError):
        return None, ()
