"""The administrator's grade actions (/admin): a platform's refused grades sent again, and the
platform's switch, which holds its grades while it is disabled and sends them once it is enabled
again (decision 0043)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from lti_tool.i18n import gettext as _
from lti_tool.i18n import ngettext
from lti_tool.services import grades as grade_service
from lti_tool.services import platforms as platform_service
from lti_tool.views.admin import _platform_or_404, admin_required, bp


@bp.post("/platforms/<int:platform_id>/grades/resend-failed")
@admin_required
def platform_resend_failed(platform_id: int) -> Response:
    """The platform's refused grades sent again (once its registration is fixed): the same
    status-guarded requeue as `flask grades resend --failed --platform`; twice sends nothing twice."""
    platform = _platform_or_404(platform_id)
    queued = sum(grade_service.resend_failed_everywhere(platform.id, kick=True).values())
    if not queued:
        flash(_("Platform #%(number)s: no refused grade was left to send again.", number=platform.id))
    elif not platform.enabled:  # queued, and held with the others (decision 0043)
        flash(
            ngettext(
                "Platform #%(number)s: %(num)s refused grade will be sent again once it is enabled.",
                "Platform #%(number)s: %(num)s refused grades will be sent again once it is enabled.",
                queued,
                number=platform.id,
            )
        )
    else:
        flash(
            ngettext(
                "Platform #%(number)s: %(num)s refused grade will be sent again now.",
                "Platform #%(number)s: %(num)s refused grades will be sent again now.",
                queued,
                number=platform.id,
            )
        )
    return redirect(url_for("admin.dashboard"), code=303)


@bp.post("/platforms/<int:platform_id>/enabled")
@admin_required
def platform_enabled(platform_id: int) -> Response:
    platform = _platform_or_404(platform_id)
    enable = request.form.get("enabled") == "1"
    released = platform_service.set_enabled(platform, enable)
    if enable:
        flash(
            ngettext(
                "Platform #%(number)s enabled: its %(num)s held grade is being sent now.",
                "Platform #%(number)s enabled: its %(num)s held grades are being sent now.",
                released,
                number=platform.id,
            )
            if released
            else _("Platform #%(number)s enabled.", number=platform.id)
        )
    else:
        # Its sessions ended for good (docs/decisions/0035): the administrator is told before
        # enabling it again; and that the tool stops calling it (decision 0043).
        flash(
            _(
                "Platform #%(number)s disabled: its sessions have ended, and stay ended once it "
                "is enabled again (people then open the activity again from the LMS). The tool "
                "calls it no more: its grades are held, and sent once it is enabled again.",
                number=platform.id,
            )
        )
    return redirect(url_for("admin.dashboard"), code=303)
