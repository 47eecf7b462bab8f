"""The administrator's grade actions (/admin): a platform's refused grades sent again."""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from lti_tool.i18n import gettext as _
from lti_tool.i18n import ngettext
from lti_tool.services import grades as grade_service
from lti_tool.views.admin import _platform_or_404, admin_required, bp


@bp.post("/platforms/<int:platform_id>/grades/resend-failed")
@admin_required
def platform_resend_failed(platform_id: int) -> Response:
    """The platform's refused grades sent again (once its registration is fixed): the same
    status-guarded requeue as `flask grades resend --failed --platform`; twice sends nothing twice."""
    platform = _platform_or_404(platform_id)
    queued = sum(grade_service.resend_failed_everywhere(platform.id, kick=True).values())
    flash(
        ngettext(
            "Platform #%(number)s: %(num)s refused grade will be sent again now.",
            "Platform #%(number)s: %(num)s refused grades will be sent again now.",
            queued,
            number=platform.id,
        )
        if queued
        else _("Platform #%(number)s: no refused grade was left to send again.", number=platform.id)
    )
    return redirect(url_for("admin.dashboard"), code=303)
