"""What the settings page says around its fields: the error summary at the top (each problem
linked to its field and named by the field's label), the example catalogue files, and the
summary of what is in use once saved. Plain functions over the plugin manager; no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lti_tool.assessment.catalogue_files import example_csv, example_rows, example_yaml
from lti_tool.assessment.instrument import Instrument, get_instrument
from lti_tool.assessment.model import Mechanism
from lti_tool.i18n import gettext as _
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.plugin_api import validate_settings
from lti_tool.plugin_manager import GRADE_PASSBACK, MECHANISM_CATALOGUES, SCORING_MODELS, PluginManager
from lti_tool.views.schema_form import form_fields

# The activity's own fields: (section, name) -> (the field's id on the page, its label).
ACTIVITY_FIELDS = {
    ("activity", "instructions"): ("instructions", _l("Instructions for learners")),
    ("activity", "grading"): ("grading-completion", _l("Grade given to the LMS")),
    ("activity", "discussion_minimum"): (
        "discussion-minimum",
        _l("Learners who must have submitted before the discussion view shows anything"),
    ),
    ("activity", "retakes"): ("retakes", _l("Allow learners to take it again")),
    ("activity", "group_minimum"): (
        "group-minimum",
        _l("Members who must have submitted before a group's joint report opens"),
    ),
}


@dataclass(frozen=True)
class Problem:
    target: str  # the id of the field it is about
    label: str  # the field's label, as the page shows it
    message: str


def _field(plugin: object, field: str) -> str:
    """A plugin field's name in the error summary: the plugin's label, then the field's."""
    return _("%(plugin)s: %(field)s", plugin=plugin, field=field)


def field_id(kind: str, plugin: str, name: str) -> str:
    """One spelling of a plugin field's id, shared with templates/assessment/settings.html."""
    return f"{kind}-{plugin}-{name}"


def problem_list(
    by_section: Mapping[str, Mapping[str, Sequence[str]]], manager: PluginManager, scoring_model: str
) -> list[Problem]:
    """Every problem of a refused form, in the page's order, linked to its field."""
    places: dict[tuple[str, str], tuple[str, str]] = {}  # in the page's order
    models = manager.available(SCORING_MODELS)
    if models:
        places[("scoring", "scoring_model")] = (f"scoring-model-{models[0].name}", _("Scoring model"))
    for model in models:
        if model.name == scoring_model:
            for spec in form_fields(model.settings_schema):
                places[("scoring", spec.name)] = (
                    field_id("scoring", model.name, spec.name),
                    _field(model.label, spec.label),
                )
            places[("scoring", "_schema")] = (f"scoring-model-{model.name}", str(model.label))
    catalogues = manager.available(MECHANISM_CATALOGUES)
    if catalogues:
        places[("catalogues", "catalogues")] = (
            f"catalogue-use-{catalogues[0].name}",
            _("Mechanism catalogues"),
        )
    for catalogue in catalogues:
        specs = form_fields(catalogue.settings_schema)
        for spec in specs:
            places[(catalogue.name, spec.name)] = (
                field_id("catalogue", catalogue.name, spec.name),
                _field(catalogue.label, spec.label),
            )
        upload = next((s for s in specs if s.upload), None)
        places[(catalogue.name, "_schema")] = (
            (
                field_id("catalogue", catalogue.name, upload.name),
                _("%(plugin)s: your file", plugin=catalogue.label),
            )
            if upload
            else (f"catalogue-use-{catalogue.name}", str(catalogue.label))
        )
    places[("passback", "passback")] = ("passback-default", _("Grade passback"))
    for passback in manager.available(GRADE_PASSBACK):
        for spec in form_fields(passback.settings_schema):
            places[(f"passback.{passback.name}", spec.name)] = (
                field_id("passback", passback.name, spec.name),
                _field(passback.label, spec.label),
            )
    places.update({key: (target, str(label)) for key, (target, label) in ACTIVITY_FIELDS.items()})
    order = list(places)
    found = []
    for section, fields in by_section.items():
        for name, messages in fields.items():
            target, label = places.get((section, name), ("settings-form", name.replace("_", " ")))
            rank = order.index((section, name)) if (section, name) in order else len(order)
            found += [(rank, Problem(target, label, message)) for message in messages]
    return [problem for _, problem in sorted(found, key=lambda pair: pair[0])]


def example_catalogue(manager: PluginManager, instrument: Instrument, fmt: str) -> str:
    """An example catalogue file (``csv`` or ``yaml``): three mechanisms of the largest catalogue
    (with its default settings), in English with their French columns, written in the upload's
    own format."""
    english = get_instrument(instrument.version, instrument.id, lang="en")
    french = get_instrument(instrument.version, instrument.id, lang="fr")
    mechanisms: list[Mechanism] = []
    translated: list[Mechanism] = []
    for catalogue in manager.available(MECHANISM_CATALOGUES):
        try:
            settings = validate_settings(type(catalogue), {})
            found = list(catalogue.mechanisms(english, settings))
            if len(found) > len(mechanisms):
                mechanisms, translated = found, list(catalogue.mechanisms(french, settings))
        except Exception:  # noqa: BLE001 - a catalogue that needs settings offers no example
            continue
    rows = example_rows(english, mechanisms, translated)
    return example_csv(rows) if fmt == "csv" else example_yaml(rows)


def in_use(
    settings: Mapping[str, Any], manager: PluginManager, instrument: Instrument, default_passback: str
) -> dict[str, Any]:
    """What the saved settings put in use, for the "Settings saved" summary: every setting the
    form saves (the scoring model's label, each catalogue with its number of mechanisms, the
    grading and its passback, retakes, whether there are instructions, the discussion's minimum,
    the groups), so that a teacher who changed any one of them sees it said."""
    try:
        model = manager.get(SCORING_MODELS, settings["scoring_model"]).label
    except Exception:  # noqa: BLE001 - said as unavailable, never a 500
        model = settings.get("scoring_model", "")
    catalogues = []
    for name in settings.get("catalogues", []):
        try:
            catalogue = manager.get(MECHANISM_CATALOGUES, name)
            chosen = settings.get("catalogue_settings", {}).get(name, {})
            count = len(catalogue.mechanisms(instrument, validate_settings(type(catalogue), chosen)))
            catalogues.append({"label": catalogue.label, "count": count})
        except Exception:  # noqa: BLE001
            catalogues.append({"label": name, "count": None})
    return {
        "model": model,
        "catalogues": catalogues,
        "grading": settings.get("grading"),
        "passback": _passback_label(settings, manager, default_passback),
        "retakes": bool(settings.get("retakes")),
        "instructions": bool(str(settings.get("instructions") or "").strip()),
        "discussion_minimum": settings.get("discussion_minimum"),
        "partnership_groups": bool(settings.get("partnership_groups")),
        "group_minimum": settings.get("group_minimum"),
    }


def _passback_label(settings: Mapping[str, Any], manager: PluginManager, default_passback: str) -> str:
    """The grade passback chosen, as the settings page names it."""
    choice = str(settings.get("passback") or "")
    if not choice:
        return _("the tool's default (now: %(name)s)", name=default_passback)
    return passback_label(manager, choice)


def passback_label(manager: PluginManager, name: str) -> str:
    """A grade passback choice in the teacher's words: "auto" is Automatic, a plugin its label,
    anything else (a plugin no longer available) its name."""
    if name == "auto":
        return _("Automatic")
    found = [p for p in manager.available(GRADE_PASSBACK) if p.name == name]
    return str(found[0].label) if found else name
