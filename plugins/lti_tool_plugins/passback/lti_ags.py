"""LTI Assignment and Grade Services: post the score to the activity's line item, on its points.

Plain data in, plain result out; the HTTP and OAuth2 work is the transport's (lti_tool.lti.ags).

- The line item is the launch's (``lineitem``), or, where the launch names only the line items
  container, the one the LMS keeps for the resource link (by resourceLinkId, resourceId, tag).
  The plugin never creates one: a gradebook column is the teacher's to make, by placing the
  graded item (docs/decisions/0016-one-graded-activity.md).
- The LMS's points are the scale: the line item is read before each score, and the score is sent
  on its ``scoreMaximum`` (docs/decisions/0015-lms-points-are-the-scale.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from lti_tool.i18n import N_
from lti_tool.plugin_api import (
    TOOL_TEXTS,
    DestinationScale,
    GradePassback,
    GradeToSend,
    GradeTransport,
    PassbackResult,
    TransportError,
)

# The tool's own catalogue: the door every plugin's texts go through (docs/plugins.md).
_l = TOOL_TEXTS.lazy_gettext

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_READ_SCOPES = {LINEITEM_SCOPE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"}
# Stored with the grade as written here (a worker sends it, in no one's language) and
# translated where the gradebook shows it: marked with N_.
NO_COLUMN = N_(
    "The LMS has no grade column for this activity. To grade it, give the activity points in "
    "the LMS (Moodle: Grade type Point; Canvas: make it an assignment), then send the grades again."
)


class LtiAgsSettings(Schema):
    class Meta:
        unknown = RAISE

    tag = fields.String(
        load_default="p3-workshop",
        validate=validate.Length(max=255),
        metadata={"label": _l("Line item tag"), "help": _l("Tag of the line items the tool looks for.")},
    )
    resource_id = fields.String(
        load_default="",
        validate=validate.Length(max=255),
        metadata={"label": _l("Resource id"), "help": _l("resourceId of the line items the tool looks for.")},
    )


class LtiAgsPassback(GradePassback):
    name = "lti_ags"
    label = "LTI AGS"
    description = _l(
        "Sends each grade to the LMS gradebook through LTI Assignment and Grade "
        "Services (Moodle, Canvas, and any LTI 1.3 Advantage platform)."
    )
    version = "2"
    api_version = "1.1"  # the plugin API it was written for
    settings_schema = LtiAgsSettings
    auto_priority = 100  # the LMS's own gradebook first, whenever the launch offers it

    def supports(self, grade: GradeToSend, settings: Mapping[str, Any]) -> bool:
        return SCORE_SCOPE in grade.scopes and bool(grade.line_item_url or grade.line_items_url)

    def scale(
        self, grade: GradeToSend, transport: GradeTransport | None, settings: Mapping[str, Any]
    ) -> DestinationScale:
        if transport is None or not self.supports(grade, settings):
            return DestinationScale(graded=False)
        try:
            line_item = grade.line_item_url or self._find(grade, transport, settings)
            if line_item is None:
                return DestinationScale(graded=False)
            return DestinationScale(self._points(grade, transport, line_item), line_item)
        except TransportError as error:
            return DestinationScale(problem=error.message, token_expired=error.kind == "token_expired")

    def deliver(
        self, grade: GradeToSend, transport: GradeTransport | None, settings: Mapping[str, Any]
    ) -> PassbackResult:
        if transport is None:
            return PassbackResult.permanent("no transport to reach the platform")
        if not self.supports(grade, settings):
            return PassbackResult.permanent(
                N_(
                    "The launch has no AGS line item (or line items) URL with the score scope: "
                    "the activity is probably not graded in the LMS."
                )
            )
        try:
            line_item = grade.line_item_url or self._find(grade, transport, settings)
            if line_item is None:
                return PassbackResult.permanent(NO_COLUMN)
            try:
                given, maximum = self._post(grade, transport, line_item)
            except TransportError as error:
                if error.status_code != 404 or grade.line_items_url is None:
                    raise
                if not LINEITEM_READ_SCOPES & set(grade.scopes):
                    raise  # no looking: the LMS's refusal stands
                # The column is gone (deleted in the LMS): the resource link's column, if the LMS
                # keeps one now (made again by the teacher); none: parked, said so (decision 0037).
                found = self._find(grade, transport, settings)
                if found is None:
                    return PassbackResult.permanent(NO_COLUMN, 404)
                if found == line_item:
                    raise
                line_item = found
                given, maximum = self._post(grade, transport, line_item)
        except TransportError as error:
            return _result_of(error)
        return PassbackResult.delivered(
            N_("In the LMS gradebook"), line_item_url=line_item, score_given=given, score_maximum=maximum
        )

    def _post(self, grade: GradeToSend, transport: GradeTransport, line_item: str) -> tuple[float, float]:
        """The score, on the line item's points; returns what was sent (given, maximum)."""
        points = self._points(grade, transport, line_item)
        given, maximum = on_scale(grade.score_given, grade.score_maximum, points)
        transport.post_score(line_item, score_payload(grade, given, maximum))
        return given, maximum

    @staticmethod
    def _find(grade: GradeToSend, transport: GradeTransport, options: Mapping[str, Any]) -> str | None:
        """The resource link's line item in the container, if the LMS keeps one (never created)."""
        if grade.line_items_url is None or not LINEITEM_READ_SCOPES & set(grade.scopes):
            return None
        return transport.find_line_item(
            grade.line_items_url,
            resource_link_id=grade.resource_link_id,
            resource_id=options["resource_id"],
            tag=options["tag"],
        )

    @staticmethod
    def _points(grade: GradeToSend, transport: GradeTransport, line_item: str) -> float | None:
        """The line item's scoreMaximum (None when the launch may not read line items, or the
        LMS gives none: the score then goes on the tool's scale and the LMS rescales it). A
        recent reading that disagrees with the grade's recorded points is checked afresh."""
        if not LINEITEM_READ_SCOPES & set(grade.scopes):
            return None
        try:
            points = _maximum(transport.get_line_item(line_item))
            if points != grade.score_maximum:
                points = _maximum(transport.get_line_item(line_item, fresh=True))
        except TransportError as error:
            if error.kind == "permanent":
                return None  # not readable here: the score goes on the tool's scale, the LMS rescales
            raise
        return points


def _maximum(line_item: Mapping[str, Any]) -> float | None:
    points = line_item.get("scoreMaximum")
    if isinstance(points, bool) or not isinstance(points, int | float) or not points > 0:
        return None
    return float(points)


def on_scale(given: float, maximum: float, points: float | None) -> tuple[float, float]:
    """The score on the LMS's points (unchanged when they are unknown or already the same)."""
    if points is None or points == maximum or maximum <= 0:
        return given, maximum
    return round(given / maximum * points, 6), points


# Canvas's score extension (scores_controller.rb): each score submits the assignment, at
# ``submitted_at`` when given, else when Canvas receives it; other platforms ignore it.
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


def score_payload(
    grade: GradeToSend, given: float, maximum: float, now: datetime | None = None
) -> dict[str, Any]:
    """The AGS score. ``timestamp`` is when the score is sent (never before the grade was made):
    Moodle and Canvas refuse a score dated before their own clock's record of the grade's last
    change, which a score dated when the learner was graded is whenever the previous one reached
    the LMS after that (an answer lost, a second attempt while the first was on its way). The
    tool itself sends only a learner's latest grade, one delivery at a time, so send times keep
    the order of the grades (decision 0041). ``submitted_at`` is when the learner's grade was
    made: a score the outbox delivers late (the LMS was down) does not make the work late in
    Canvas (decision 0038)."""
    payload: dict[str, Any] = {
        "userId": grade.user_id,
        "scoreGiven": given,
        "scoreMaximum": maximum,
        "comment": grade.comment,
        "timestamp": sent_at(grade.timestamp, now),
        "activityProgress": grade.activity_progress,
        "gradingProgress": grade.grading_progress,
    }
    if grade.timestamp:
        payload[CANVAS_SUBMISSION] = {"submitted_at": grade.timestamp}
    return payload


def sent_at(graded: str, now: datetime | None = None) -> str:
    """ISO 8601 (UTC, milliseconds) of ``now``, or of ``graded`` if that is later (a clock moved
    back) or ``now`` cannot be compared with it."""
    sent = (now or datetime.now(UTC)).astimezone(UTC)
    try:
        made = datetime.fromisoformat(graded.replace("Z", "+00:00"))
    except ValueError:
        made = None
    if made is not None and made.tzinfo is not None and made > sent:
        return graded
    return sent.isoformat(timespec="milliseconds")


def _result_of(error: TransportError) -> PassbackResult:
    if error.kind == "token_expired":
        return PassbackResult.token_expired(error.message)
    if error.kind == "permanent":
        return PassbackResult.permanent(error.message, error.status_code)
    return PassbackResult.retry(error.message, error.retry_after, error.status_code)
