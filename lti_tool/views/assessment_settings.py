"""The instructor's settings of a self-assessment activity: scoring model, catalogues, grade
passback, grading, retakes and the instructions learners read. Each plugin's form comes from its
settings schema (lti_tool.views.schema_form); validation is the service's (activity_settings)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response

from lti_tool.assessment.catalogue import column_help
from lti_tool.assessment.instrument import default_instrument
from lti_tool.i18n import gettext as _
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.plugin_manager import GRADE_PASSBACK, MECHANISM_CATALOGUES, SCORING_MODELS, plugins
from lti_tool.services import activity_settings
from lti_tool.views import activity, settings_help
from lti_tool.views.schema_form import form_fields, raw_values, with_uploads

bp = Blueprint("assessment_settings", __name__, url_prefix="/app/assessment")
bp.context_processor(activity.scale_context)


def _form_context(settings: dict[str, Any], problems: Any = None) -> dict[str, Any]:
    manager = plugins()
    by_section = problems.by_section if problems else {}
    return {
        "instrument": default_instrument(),
        "columns": column_help(default_instrument()),
        "summary": settings_help.problem_list(by_section, manager, str(settings.get("scoring_model", ""))),
        "settings": settings,
        "models": [(p, form_fields(p.settings_schema)) for p in manager.available(SCORING_MODELS)],
        "catalogues": [(p, form_fields(p.settings_schema)) for p in manager.available(MECHANISM_CATALOGUES)],
        "passbacks": [(p, form_fields(p.settings_schema)) for p in manager.available(GRADE_PASSBACK)],
        "default_passback": _default_passback(manager),
        "unavailable": [
            i
            for i in manager.describe()
            if i.status != "available"
            and i.kind in {SCORING_MODELS.name, MECHANISM_CATALOGUES.name, GRADE_PASSBACK.name}
        ],
        "problems": by_section,
    }


def _default_passback(manager: Any) -> str:
    """What "The tool's default" is now (GRADES_PASSBACK), in the teacher's words: without it the
    choice read like a second "Automatic"."""
    return settings_help.passback_label(manager, str(current_app.config.get("GRADES_PASSBACK") or "auto"))


# The settings form may carry a catalogue file (at most 200,000 characters, plugins/catalogues/
# uploaded.py): its request may be larger than the tool's general limit (MAX_CONTENT_LENGTH).
CATALOGUE_FORM_MAX_BYTES = 2_000_000


@bp.before_request
def _catalogue_form_limit() -> None:
    # Before anything reads the form (the launch token may be a form field).
    if request.endpoint == "assessment_settings.save_settings":
        request.max_content_length = CATALOGUE_FORM_MAX_BYTES
        request.max_form_memory_size = CATALOGUE_FORM_MAX_BYTES  # the text may come as a field


@bp.get("/settings")
@launch_session.launch_required(role=INSTRUCTOR)
def settings_form() -> str:
    launch = activity.assessment_launch()
    settings = activity_settings.load(activity.link_of(launch))
    return render_template("assessment/settings.html", **_form_context(settings))


@bp.app_template_global("settings_in_use")
def settings_in_use() -> dict[str, Any]:
    """What this activity's saved settings put in use (the "Settings saved" summary)."""
    launch = activity.assessment_launch()
    settings = activity_settings.load(activity.link_of(launch))
    manager = plugins()
    return settings_help.in_use(settings, manager, default_instrument(), _default_passback(manager))


@bp.get("/settings/example-catalogue.<fmt>")
@launch_session.launch_required(role=INSTRUCTOR)
def example_catalogue(fmt: str) -> Response:
    """An example catalogue file, written from the schema (it loads unchanged)."""
    if fmt not in ("csv", "yaml"):
        abort(404, description=_("Example catalogues are offered as .csv and .yaml files."))
    activity.assessment_launch()
    text = settings_help.example_catalogue(plugins(), default_instrument(), fmt)
    return Response(
        text,
        mimetype="text/csv" if fmt == "csv" else "application/yaml",
        headers={"Content-Disposition": f'attachment; filename="example-catalogue.{fmt}"'},
    )


@bp.post("/settings")
@launch_session.launch_required(role=INSTRUCTOR)
def save_settings() -> Any:
    launch = activity.assessment_launch()
    link = activity.link_of(launch)
    manager = plugins()
    form = request.form
    form_values = with_uploads(form.to_dict(), request.files)
    raw: dict[str, Any] = {
        "scoring_model": form.get("scoring_model", ""),
        "scoring_settings": {
            p.name: raw_values(p.settings_schema, form_values, f"scoring.{p.name}")
            for p in manager.available(SCORING_MODELS)
        },
        "catalogues": form.getlist("catalogues"),
        "catalogue_settings": {
            p.name: raw_values(p.settings_schema, form_values, f"catalogue.{p.name}")
            for p in manager.available(MECHANISM_CATALOGUES)
        },
        "passback": form.get("passback", ""),
        "passback_settings": {
            p.name: raw_values(p.settings_schema, form_values, f"passback.{p.name}")
            for p in manager.available(GRADE_PASSBACK)
        },
        "grading": form.get("grading"),
        "retakes": form.get("retakes") == "on",
        "instructions": form.get("instructions", ""),
        # Left blank (or absent): the activity keeps its number.
        "discussion_minimum": form.get("discussion_minimum")
        or activity_settings.load(link)["discussion_minimum"],
        # Absent (an older form, a script): the activity keeps its choice.
        "partnership_groups": form.get("partnership_groups")
        or ("on" if activity_settings.load(link)["partnership_groups"] else "off"),
        "group_minimum": form.get("group_minimum") or activity_settings.load(link)["group_minimum"],
    }
    clean, problems = activity_settings.validate(raw, manager, default_instrument())
    if problems:
        shown = {
            **activity_settings.load(link),
            **{k: v for k, v in raw.items() if not k.endswith("_settings")},
        }
        shown["submitted"] = raw
        return render_template("assessment/settings.html", **_form_context(shown, problems)), 400
    activity_settings.save(link, clean)
    target: Response = redirect(launch_session.launch_url("assessment.start", saved=1), code=303)
    return target
