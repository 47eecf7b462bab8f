"""flask grades ...: the grade delivery worker and a look at the outbox."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup

from lti_tool.i18n import N_, ngettext
from lti_tool.i18n import gettext as _
from lti_tool.services import grades as grade_service
from lti_tool.services import platforms as platform_service
from lti_tool.services.grades.held import held_count

STATUS_LABELS = {"pending": N_("pending"), "delivered": N_("delivered"), "failed": N_("failed")}

grades_cli = AppGroup("grades", help="Grade passback: the delivery worker and the outbox.")
log = logging.getLogger("lti_tool.grades")


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (systemd's stop, docker stop) and SIGINT (Ctrl-C) end the worker gracefully: it
    finishes the deliveries in flight and records them. A second signal stops it at once."""
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("grade worker: %s received, finishing the deliveries in flight", signal.Signals(signum).name)
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@grades_cli.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@click.option(
    "--max-seconds", type=click.FloatRange(min=0), default=None, help="Stop after this many seconds."
)
def work(once: bool, max_seconds: float | None) -> None:
    """Deliver pending grades to the platforms (safe to run on several servers at once)."""
    stop = threading.Event()
    with _stop_on_signals(stop):
        stats = grade_service.run_worker(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            once=once,
            max_seconds=max_seconds,
            stop=stop,
        )
    # The administrator's language (LC_ALL / LC_MESSAGES / LANG), as every command.
    summary = _(
        "delivered %(delivered)s, retrying %(retrying)s, failed %(failed)s",
        delivered=stats.delivered,
        retrying=stats.retrying,
        failed=stats.failed,
    )
    if stats.lost_leases:
        summary = _("%(summary)s, leases lost %(lost)s", summary=summary, lost=stats.lost_leases)
    click.echo(summary)


@grades_cli.command("status")
def status() -> None:
    """How many grades are pending, delivered and failed (and held: pending for a disabled platform)."""
    counts = grade_service.counts()
    for key, label in STATUS_LABELS.items():
        click.echo(f"{_(label)}\t{counts.get(key, 0)}")
    held = held_count()
    if held:  # of the pending ones; the line is there only then (scripts read the three above)
        label = _("held (platform disabled)")
        click.echo(f"{label}\t{held}")


@grades_cli.command("resend")
@click.option("--failed", is_flag=True, help="The grades the LMS refused (required: the only kind for now).")
@click.option(
    "--platform",
    "platform_ref",
    default=None,
    metavar="ID",
    help="Only this platform (#id from 'platform list').",
)
@click.option(
    "--since",
    "since_days",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Only grades refused in the last DAYS days.",
    metavar="DAYS",
)
def resend(failed: bool, platform_ref: str | None, since_days: float | None) -> None:
    """Send again the grades the LMS refused, e.g. once a platform's registration is fixed."""
    if not failed:
        click.echo(
            _("Error: say which grades to send again: --failed (the grades the LMS refused)."), err=True
        )
        sys.exit(2)
    platform_id = None
    if platform_ref is not None:
        platform = platform_service.find_platform_by_ref(platform_ref.lstrip("#"))
        if platform is None:
            click.echo(
                _("Error: no platform %(ref)s (give its #id from 'platform list')", ref=repr(platform_ref)),
                err=True,
            )
            sys.exit(2)
        platform_id = platform.id
    queued = grade_service.resend_failed_everywhere(platform_id, since_days)
    if not queued:
        click.echo(_("No refused grades to send again."))
        return
    for pid, count in sorted(queued.items()):
        found = platform_service.find_platform_by_ref(str(pid))
        label = f"#{pid} {found.name or found.issuer} ({found.client_id})" if found else f"#{pid}"
        if found is not None and not found.enabled:  # held with its other grades (decision 0043)
            line = ngettext(
                "%(platform)s: %(num)s grade will be sent again once the platform is enabled",
                "%(platform)s: %(num)s grades will be sent again once the platform is enabled",
                count,
                platform=label,
            )
        else:
            line = ngettext(
                "%(platform)s: %(num)s grade will be sent again",
                "%(platform)s: %(num)s grades will be sent again",
                count,
                platform=label,
            )
        click.echo(line)
    total = sum(queued.values())
    click.echo(
        ngettext(
            "%(num)s grade queued in all: `flask --app lti_tool grades work` delivers it.",
            "%(num)s grades queued in all: `flask --app lti_tool grades work` delivers them.",
            total,
        )
    )
