"""Each assessment activity's settings: which scoring model and catalogues, how it is graded.

Settings are validated before they are stored (each plugin's own marshmallow schema, then a
trial run of each catalogue), so what is stored always loads; nothing is saved when any
field is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lti_tool.assessment.instrument import Instrument
from lti_tool.extensions import db
from lti_tool.i18n import gettext as _
from lti_tool.i18n import integer
from lti_tool.models import ActivitySettings
from lti_tool.plugin_api import Plugin, SettingsError, validate_settings
from lti_tool.plugin_manager import (
    GRADE_PASSBACK,
    MECHANISM_CATALOGUES,
    SCORING_MODELS,
    PluginManager,
    UnknownPluginError,
)
from lti_tool.validation_messages import translated

GRADING_MODES = ("completion", "model")
INSTRUCTIONS_MAX = 4000
# Settings earlier versions kept that are no longer read: dropped when loaded. The points an
# activity is graded on are the LMS's (lti_tool.services.grades.scale), not a setting.
RETIRED = ("score_maximum",)
DEFAULTS: dict[str, Any] = {
    "scoring_model": "threshold_bands",
    "scoring_settings": {},
    "catalogues": ["workshop"],
    "catalogue_settings": {},
    "grading": "completion",
    "retakes": False,
    "instructions": "",  # the teacher's own words for learners, shown with the assignment
    # The class's discussion view (no names, for projecting) stays hidden until this many
    # learners have submitted, so that nobody's answers can be picked out.
    "discussion_minimum": 3,
    # Partnership groups (docs/decisions/0023-partnership-groups.md): learners may form them,
    # and a group's joint report opens once this many members have submitted (2 at least).
    "partnership_groups": True,
    "group_minimum": 2,
    "passback": "",  # a grade_passback plugin's name, "auto", or "" for the tool's GRADES_PASSBACK
    "passback_settings": {},
}


@dataclass
class SettingsProblems:
    """Errors by form section: "activity", "scoring", or a catalogue's name; then by field."""

    by_section: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, section: str, name: str, message: str) -> None:
        self.by_section.setdefault(section, {}).setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_section)


def load(resource_link_pk: int) -> dict[str, Any]:
    row = db.session.get(ActivitySettings, resource_link_pk)
    stored = json.loads(row.settings_json) if row else {}
    return {**DEFAULTS, **{k: v for k, v in stored.items() if k not in RETIRED}}


def save(resource_link_pk: int, settings: Mapping[str, Any]) -> None:
    row = db.session.get(ActivitySettings, resource_link_pk)
    if row is None:
        row = ActivitySettings(resource_link_pk=resource_link_pk)
        db.session.add(row)
    row.settings_json = json.dumps(dict(settings))
    db.session.commit()


def _plugin_settings(
    section: str, plugin_cls: type[Plugin], raw: Mapping[str, Any], problems: SettingsProblems
) -> dict[str, Any]:
    try:
        return validate_settings(plugin_cls, raw)
    except SettingsError as exc:
        for name, messages in exc.errors.items():
            for message in messages:
                problems.add(section, name, translated(message))
        return {}


def validate(
    raw: Mapping[str, Any], manager: PluginManager, instrument: Instrument
) -> tuple[dict[str, Any], SettingsProblems]:
    """Check submitted settings. `raw` holds the activity fields and, per plugin, its raw
    settings: {"scoring_model", "scoring_settings": {model: {...}}, "catalogues": [...],
    "catalogue_settings": {name: {...}}, "grading", "retakes", "instructions"}."""
    problems = SettingsProblems()
    clean: dict[str, Any] = {}
    model_name = str(raw.get("scoring_model", ""))
    try:
        model = manager.get(SCORING_MODELS, model_name)
        clean["scoring_model"] = model_name
        clean["scoring_settings"] = _plugin_settings(
            "scoring", type(model), raw.get("scoring_settings", {}).get(model_name, {}), problems
        )
    except UnknownPluginError:
        problems.add(
            "scoring", "scoring_model", _("No available scoring model is named “%(name)s”.", name=model_name)
        )
    clean["catalogues"], clean["catalogue_settings"] = [], {}
    for name in raw.get("catalogues", []):
        try:
            catalogue = manager.get(MECHANISM_CATALOGUES, name)
        except UnknownPluginError:
            problems.add(
                "catalogues",
                "catalogues",
                _("No available mechanism catalogue is named “%(name)s”.", name=name),
            )
            continue
        loaded = _plugin_settings(
            name, type(catalogue), raw.get("catalogue_settings", {}).get(name, {}), problems
        )
        if name in problems.by_section:
            continue
        try:  # a trial run: an uploaded file with a bad row is refused now, not at report time
            catalogue.mechanisms(instrument, loaded)
        except Exception as exc:  # noqa: BLE001 - any plugin failure is the teacher's message
            # A catalogue file's problems one by one (CatalogueError.errors), each with its line.
            for message in getattr(exc, "errors", None) or [str(exc)]:
                problems.add(name, "_schema", str(message))
        clean["catalogues"].append(name)
        clean["catalogue_settings"][name] = loaded
    _passback_fields(raw, manager, clean, problems)
    _activity_fields(raw, clean, problems)
    return clean, problems


def _passback_fields(
    raw: Mapping[str, Any], manager: PluginManager, clean: dict[str, Any], problems: SettingsProblems
) -> None:
    """The grade passback choice ("" = the tool's default, "auto", or a plugin) and the
    settings of every available passback plugin (kept, so that switching back keeps them)."""
    choice = str(raw.get("passback") or "")
    names = {p.name for p in manager.available(GRADE_PASSBACK)}
    if choice not in {"", "auto"} | names:
        problems.add(
            "passback", "passback", _("No available grade passback plugin is named “%(name)s”.", name=choice)
        )
    clean["passback"] = choice
    submitted = raw.get("passback_settings") or {}
    clean["passback_settings"] = {
        plugin.name: _plugin_settings(
            f"passback.{plugin.name}", type(plugin), submitted.get(plugin.name, {}), problems
        )
        for plugin in manager.available(GRADE_PASSBACK)
        if plugin.name in submitted
    }


def _activity_fields(raw: Mapping[str, Any], clean: dict[str, Any], problems: SettingsProblems) -> None:
    grading = raw.get("grading")
    if grading not in GRADING_MODES:
        problems.add(
            "activity", "grading", _("Choose full marks on submission or the scoring model's overall result.")
        )
    clean["grading"] = grading
    clean["retakes"] = bool(raw.get("retakes"))
    instructions = str(raw.get("instructions") or "").replace("\r\n", "\n").strip()
    if len(instructions) > INSTRUCTIONS_MAX:
        problems.add(
            "activity",
            "instructions",
            _("Use at most %(count)s characters for the instructions.", count=integer(INSTRUCTIONS_MAX)),
        )
    clean["instructions"] = instructions
    minimum = str(raw.get("discussion_minimum", DEFAULTS["discussion_minimum"])).strip()
    if minimum.isdigit() and 1 <= int(minimum) <= 100:
        clean["discussion_minimum"] = int(minimum)
    else:
        problems.add("activity", "discussion_minimum", _("Enter a whole number of learners from 1 to 100."))
    groups = str(raw.get("partnership_groups") or "on")  # absent: groups stay on (the default)
    clean["partnership_groups"] = groups != "off"
    group_minimum = str(raw.get("group_minimum", DEFAULTS["group_minimum"])).strip()
    if group_minimum.isdigit() and 2 <= int(group_minimum) <= 50:
        clean["group_minimum"] = int(group_minimum)
    else:
        problems.add("activity", "group_minimum", _("Enter a whole number of members from 2 to 50."))
