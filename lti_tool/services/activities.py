"""What an activity (a resource link) was placed for, and where the graded assessment is.

One rule for graded work (docs/decisions/0016-one-graded-activity.md): a graded
self-assessment exists only in an activity a teacher placed as the assessment. Everywhere else
the tool starts no attempt and creates no line item; it names the placed activity instead.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.items import ASSESSMENT_ITEM_ID
from lti_tool.lti.deep_linking import ITEM_PARAM
from lti_tool.models import Launch, ResourceLink


def item_of(launch: Launch) -> str | None:
    """The item this launch's resource link was placed for (Deep Linking's custom parameter,
    kept on the link when a later launch leaves it out), or None."""
    if launch.resource_link is not None and launch.resource_link.item_ref:
        return launch.resource_link.item_ref
    try:
        custom = json.loads(launch.custom_json or "{}")
    except ValueError:
        custom = {}
    value = custom.get(ITEM_PARAM) if isinstance(custom, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def is_assessment_activity(launch: Launch) -> bool:
    """Is this launch in an activity placed as the graded self-assessment?"""
    return launch.resource_link_pk is not None and item_of(launch) == ASSESSMENT_ITEM_ID


def placed_assessments(launch: Launch) -> list[ResourceLink]:
    """The activities of this launch's course placed as the self-assessment (oldest first)."""
    if launch.context_pk is None:
        return []
    return list(
        db.session.scalars(
            select(ResourceLink)
            .where(ResourceLink.context_pk == launch.context_pk, ResourceLink.item_ref == ASSESSMENT_ITEM_ID)
            .order_by(ResourceLink.id)
        )
    )
