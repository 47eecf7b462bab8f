"""The activity's results as CSV: one row per attempt (learner, attempt, dates, the partnership,
each area's mean, each area's importance, and every answer), streamed. The columns are the
current questionnaire version's, plus an older version's only when an attempt in the file was
answered on it (docs/decisions/0040-results-csv-columns.md).

Attempts are read in one query, then their answers in batches; each read has its application
context (and connection) to itself, released before its rows are sent, so a slow download never
holds a connection, and an abandoned download leaves nothing open. Every cell goes through
``safe_cell`` (no spreadsheet formulas).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from lti_tool.assessment.instrument import NA, Instrument, instruments_by_version
from lti_tool.extensions import db
from lti_tool.models import AssessmentAnswer, AssessmentAttempt, LtiUser
from lti_tool.services.answers import IMPORTANCE_PREFIX
from lti_tool.spreadsheet import csv_rows

BATCH = 500
FIXED = (
    "learner_id",
    "name",
    "email",
    "attempt",
    "status",
    "instrument_version",
    "partnership",
    "started_at",
    "submitted_at",
)


@functools.cache  # instrument files do not change at run time
def _columns(versions: frozenset[int] = frozenset()) -> tuple[list[str], list[str]]:
    """Areas and statements of the current instrument version, then those only older versions
    have, for the versions in ``versions`` (the attempts' of this export): an older version's
    columns are there when an attempt in the file was answered on it, never empty for everyone
    (docs/decisions/0040-results-csv-columns.md)."""
    every = instruments_by_version()
    newest = max(every)
    areas: list[str] = []
    statements: list[str] = []
    for version in sorted(every, reverse=True):
        if version != newest and version not in versions:
            continue
        instrument = every[version]
        areas += [d for d in instrument.dimension_ids if d not in areas]
        statements += [s for s in instrument.statement_ids if s not in statements]
    return areas, statements


def header(versions: frozenset[int] = frozenset()) -> list[str]:
    areas, statements = _columns(versions)
    return [
        *FIXED,
        *(f"mean_{a}" for a in areas),
        *(f"importance_{a}" for a in areas),
        *(f"answer_{s}" for s in statements),
    ]


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _row(attempt: Any, given: dict[str, str], instrument: Instrument, used: frozenset[int]) -> list[object]:
    areas, statements = _columns(used)
    means: dict[str, str] = {}
    for dim in instrument.dimensions:
        ratings = [int(given[s.id]) for s in dim.statements if given.get(s.id, NA) != NA]
        means[dim.id] = f"{sum(ratings) / len(ratings):.4g}" if ratings else ""
    return [
        attempt.sub,
        attempt.name,
        attempt.email,
        attempt.number,
        attempt.status,
        attempt.instrument_version,
        attempt.partnership_name,
        _when(attempt.created_at),
        _when(attempt.submitted_at),
        *(means.get(a, "") for a in areas),
        *(given.get(IMPORTANCE_PREFIX + a, "") for a in areas),
        *(given.get(s, "") for s in statements),
    ]


def _attempts(resource_link_pk: int) -> Sequence[Any]:
    A = AssessmentAttempt
    return db.session.execute(
        select(
            A.id,
            A.number,
            A.status,
            A.instrument_version,
            A.partnership_name,
            A.created_at,
            A.submitted_at,
            LtiUser.sub,
            LtiUser.name,
            LtiUser.email,
        )
        .join(LtiUser, LtiUser.id == A.user_pk)
        .where(A.resource_link_pk == resource_link_pk)
        .order_by(LtiUser.name, LtiUser.sub, A.number)
    ).all()


def stream_csv(app: Flask, resource_link_pk: int) -> Iterator[str]:
    """The CSV in chunks: a header, then one chunk per batch of attempts. Each batch is read in
    an application context of its own, closed (its connection back to the pool) before the
    chunk is yielded: no context or connection is ever held while the client reads."""
    with app.app_context():
        attempts = _attempts(resource_link_pk)
    used = frozenset(a.instrument_version for a in attempts)
    yield "\ufeff" + csv_rows([header(used)])  # the byte-order mark tells Excel it is UTF-8
    versions = instruments_by_version()
    for start in range(0, len(attempts), BATCH):
        batch = attempts[start : start + BATCH]
        given: dict[int, dict[str, str]] = {a.id: {} for a in batch}
        with app.app_context():
            rows = db.session.execute(
                select(AssessmentAnswer.attempt_id, AssessmentAnswer.item, AssessmentAnswer.value).where(
                    AssessmentAnswer.attempt_id.in_(list(given))
                )
            )
            for attempt_id, item, value in rows:
                given[attempt_id][item] = value
        yield csv_rows(_row(a, given[a.id], versions[a.instrument_version], used) for a in batch)
