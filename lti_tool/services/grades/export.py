"""Downloads of an activity's grades, made by the grade_passback plugins that offer one
(``export_label``), e.g. the CSV of gradebook_export for platforms without a gradebook service."""

from __future__ import annotations

from lti_tool.models import Launch
from lti_tool.models.grades import NOT_SENT
from lti_tool.plugin_api import ExportFile, GradePassback, GradeRecord, call_safely
from lti_tool.plugin_manager import GRADE_PASSBACK, UnknownPluginError, plugins
from lti_tool.services.grades import passback
from lti_tool.services.grades.gradebook import grades_of_link


def exporters(launch: Launch) -> list[GradePassback]:
    """The plugins that can export this activity's grades: those its grades went through, and
    the one the activity chose."""
    if launch.resource_link_pk is None:
        return []
    names = {g.plugin for g in grades_of_link(launch.resource_link_pk)}
    names.add(passback.activity_choice(launch.resource_link_pk)[0])
    found = []
    for name in sorted(names):
        try:
            plugin = plugins().get(GRADE_PASSBACK, name)
        except UnknownPluginError:
            continue
        if plugin.export_label:
            found.append(plugin)
    return found


def export(launch: Launch, plugin_name: str) -> ExportFile | None:
    """The activity's grades exported by one plugin (None: it offers no export here)."""
    plugin = next((p for p in exporters(launch) if p.name == plugin_name), None)
    if plugin is None or launch.resource_link_pk is None:
        return None
    records = [
        GradeRecord(
            g.user.sub,
            g.user.name,
            g.user.email,
            g.score_given,
            g.score_maximum,
            g.comment,
            g.graded_at,
            g.status,
        )
        for g in grades_of_link(launch.resource_link_pk)
        if g.status != NOT_SENT  # an observer's: no gradebook's (decision 0050)
    ]
    settings = passback.settings_of(plugin, passback.activity_choice(launch.resource_link_pk)[1])
    return call_safely(plugin.export, records, settings)
