"""LTI Assignment and Grade Services: post the score to the launch's line item.

Plain data in, plain result out; the HTTP and OAuth2 work is the transport's
(lti_tool.lti.ags). Where the launch names only a line items container, the line item of the
resource link is found (by resourceLinkId, resourceId and tag) or created.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from lti_tool.plugin_api import (
    GradePassback,
    GradeToSend,
    GradeTransport,
    PassbackResult,
    TransportError,
)

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


class LtiAgsSettings(Schema):
    class Meta:
        unknown = RAISE

    tag = fields.String(
        load_default="p3-workshop",
        validate=validate.Length(max=255),
        metadata={"label": "Line item tag", "help": "Tag of the line items the tool creates and looks for."},
    )
    resource_id = fields.String(
        load_default="",
        validate=validate.Length(max=255),
        metadata={"label": "Resource id", "help": "resourceId of the line items the tool creates."},
    )


class LtiAgsPassback(GradePassback):
    name = "lti_ags"
    label = "LTI AGS"
    description = (
        "Sends each grade to the LMS gradebook through LTI Assignment and Grade "
        "Services (Moodle, Canvas, and any LTI 1.3 Advantage platform)."
    )
    version = "1"
    api_version = "1.0"  # the plugin API it was written for
    settings_schema = LtiAgsSettings
    auto_priority = 100  # the LMS's own gradebook first, whenever the launch offers it

    def supports(self, grade: GradeToSend, settings: Mapping[str, Any]) -> bool:
        return SCORE_SCOPE in grade.scopes and bool(grade.line_item_url or grade.line_items_url)

    def creates_line_item(self, grade: GradeToSend, settings: Mapping[str, Any]) -> bool:
        # Only a line items container: the resource link's line item is found or created.
        return not grade.line_item_url and bool(grade.line_items_url)

    def deliver(
        self, grade: GradeToSend, transport: GradeTransport | None, settings: Mapping[str, Any]
    ) -> PassbackResult:
        options = settings
        if transport is None:
            return PassbackResult.permanent("no transport to reach the platform")
        if not self.supports(grade, settings):
            return PassbackResult.permanent(
                "The launch has no AGS line item (or line items) URL with the score scope: "
                "the activity is probably not graded in the LMS."
            )
        try:
            line_item = grade.line_item_url or self._line_item(grade, transport, options)
            transport.post_score(line_item, score_payload(grade))
        except TransportError as error:
            return _result_of(error)
        return PassbackResult.delivered("In the LMS gradebook", line_item_url=line_item)

    @staticmethod
    def _line_item(grade: GradeToSend, transport: GradeTransport, options: Mapping[str, Any]) -> str:
        assert grade.line_items_url is not None
        if LINEITEM_SCOPE not in grade.scopes:
            raise TransportError(
                "permanent",
                "The launch carries no line item and the platform "
                "did not grant the lineitem scope to create one.",
            )
        found = transport.find_line_item(
            grade.line_items_url,
            resource_link_id=grade.resource_link_id,
            resource_id=options["resource_id"],
            tag=options["tag"],
        )
        if found:
            return found
        return transport.create_line_item(
            grade.line_items_url,
            label=grade.resource_link_title or "P3 Workshop",
            score_maximum=grade.score_maximum,
            resource_link_id=grade.resource_link_id,
            resource_id=options["resource_id"],
            tag=options["tag"],
        )


def score_payload(grade: GradeToSend) -> dict[str, Any]:
    return {
        "userId": grade.user_id,
        "scoreGiven": grade.score_given,
        "scoreMaximum": grade.score_maximum,
        "comment": grade.comment,
        "timestamp": grade.timestamp,
        "activityProgress": grade.activity_progress,
        "gradingProgress": grade.grading_progress,
    }


def _result_of(error: TransportError) -> PassbackResult:
    if error.kind == "token_expired":
        return PassbackResult.token_expired(error.message)
    if error.kind == "permanent":
        return PassbackResult.permanent(error.message, error.status_code)
    return PassbackResult.retry(error.message, error.retry_after, error.status_code)
