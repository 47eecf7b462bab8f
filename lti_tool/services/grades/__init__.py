"""Grade passback: the outbox written with the submission, and its delivery.

- ``outbox``: ``record_grade`` (the activity_graded receiver) writes the grade in the
  submission's own transaction and never commits; the commit wakes the delivery thread.
- ``delivery``: claim due grades by lease, prepare a plain-data job, call the ``grade_passback``
  plugin (HTTP only, no database connection held), record the result.
- ``worker``: ``work_batch``, ``run_worker`` (``flask grades work``) and the per-process ``GradePump``.
- ``tokens``: shared access tokens and ``service_client``, the one way to build a platform client.
- ``gradebook``, ``roster``, ``export``, ``dashboard``: what instructors and administrators see.

See docs/grades.md and docs/decisions/0008-grade-outbox.md.
"""

from __future__ import annotations

from lti_tool.services.grades.dashboard import PlatformDelivery, counts, delivery_by_platform, pending_ids
from lti_tool.services.grades.delivery import claim_due, deliver, finish, prepare, send
from lti_tool.services.grades.export import export, exporters
from lti_tool.services.grades.gradebook import (
    GradebookRow,
    gradebook,
    grades_of_link,
    learner_grade,
    resend,
    resend_failed_everywhere,
    resend_failed_of_link,
    status_of,
)
from lti_tool.services.grades.outbox import GradeError, choose_plugin, record_grade, register
from lti_tool.services.grades.roster import roster
from lti_tool.services.grades.tokens import service_client, token_cache
from lti_tool.services.grades.worker import GradePump, WorkStats, pump, run_worker, work_batch

__all__ = [
    "GradeError",
    "GradePump",
    "GradebookRow",
    "PlatformDelivery",
    "WorkStats",
    "choose_plugin",
    "claim_due",
    "counts",
    "deliver",
    "delivery_by_platform",
    "export",
    "exporters",
    "finish",
    "gradebook",
    "grades_of_link",
    "learner_grade",
    "pending_ids",
    "prepare",
    "pump",
    "record_grade",
    "register",
    "resend",
    "resend_failed_everywhere",
    "resend_failed_of_link",
    "roster",
    "run_worker",
    "send",
    "service_client",
    "status_of",
    "token_cache",
    "work_batch",
]
