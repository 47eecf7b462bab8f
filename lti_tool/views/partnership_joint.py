"""A group's joint report under its activity's settings (scoring model's cut-offs, mechanism
catalogues), for the members' page and the teacher's class view alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lti_tool.assessment.instrument import default_instrument
from lti_tool.assessment.partnership import JointArea, JointReport, Partner, joint_report
from lti_tool.assessment.report import collect_mechanisms
from lti_tool.models import PartnershipGroup
from lti_tool.plugin_manager import plugins
from lti_tool.services import assessment as assessment_service
from lti_tool.services import partnership as service
from lti_tool.views import activity

DEFAULT_ATTENTION = 3.0  # when the scoring model gives no cut-off: the middle of a 1-5 scale


def minimum_shown(settings: dict[str, Any]) -> int:
    """Members who must have submitted before a joint report opens (a spread needs two)."""
    return max(2, int(settings.get("group_minimum") or 2))


def joint(
    group: PartnershipGroup,
    settings: dict[str, Any],
    viewer_pk: int | None,
    partners: list[Partner] | None = None,
) -> JointReport:
    instrument = default_instrument()
    _model, guides = activity.model_and_guides(settings)
    cut = next((g.value for g in guides if g.attention_below), DEFAULT_ATTENTION)
    lower = [g.value for g in guides if g.value < cut]
    mechanisms, *_ = collect_mechanisms(instrument, assessment_service.catalogues(settings, plugins()))
    return joint_report(
        instrument,
        service.partners(group, viewer_pk) if partners is None else partners,
        attention_below=cut,
        poor_below=min(lower) if lower else None,
        mechanisms=mechanisms,
    )


@dataclass(frozen=True)
class TeacherRow:
    summary: service.GroupSummary
    report: JointReport
    ready: bool

    @property
    def most_divergent(self) -> JointArea | None:
        return self.report.divergent[0] if self.report.divergent else None


def teacher_rows(resource_link_pk: int, settings: dict[str, Any]) -> list[TeacherRow]:
    """The activity's groups for the class view: members, submitted, divergence at a glance."""
    rows = []
    minimum = minimum_shown(settings)
    for summary in service.groups_of(resource_link_pk):
        found = joint(summary.group, settings, None, summary.partners)
        rows.append(TeacherRow(summary, found, len(found.members) >= minimum))
    return rows
