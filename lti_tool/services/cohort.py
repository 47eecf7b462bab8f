"""A class's results for the teacher: aggregate queries only (no query per learner).

- ``area_frequencies``: per area, how many learners had each (sum, count) of ratings, for each
  learner's latest submitted attempt and, for those who retook it, their first one. One grouped
  query; the statistics are computed from that small table (lti_tool.assessment.cohort).
- ``learners``: one row per learner of the activity (attempts, latest status and progress,
  sessions of the workshop opened), from three grouped queries.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select

from lti_tool.assessment.cohort import (
    AreaStats,
    FirstLatest,
    Frequency,
    area_stats,
    first_and_latest,
    most_flagged,
)
from lti_tool.assessment.instrument import default_instrument, instruments_by_version
from lti_tool.assessment.model import Guide
from lti_tool.extensions import db
from lti_tool.models import (
    AssessmentAnswer,
    AssessmentAreaTotal,
    AssessmentAttempt,
    Launch,
    LtiUser,
    SessionProgress,
)
from lti_tool.models.assessment import DRAFT, SUBMITTED

A, Answer, Total = AssessmentAttempt, AssessmentAnswer, AssessmentAreaTotal


def _submitted(resource_link_pk: int) -> Any:
    """Submitted attempts with their order per learner: rn_last = 1 is the latest, rn_first = 1
    the first, n how many the learner submitted."""
    return (
        select(
            A.id.label("attempt_id"),
            func.row_number().over(partition_by=A.user_pk, order_by=A.number.desc()).label("rn_last"),
            func.row_number().over(partition_by=A.user_pk, order_by=A.number).label("rn_first"),
            func.count().over(partition_by=A.user_pk).label("n"),
        )
        .where(A.resource_link_pk == resource_link_pk, A.status == SUBMITTED)
        .subquery()
    )


@dataclass(frozen=True)
class Frequencies:
    latest: list[Frequency]  # every learner's latest submitted attempt
    importance: dict[str, tuple[float, int]]  # area -> (mean importance, views), latest attempts
    first: list[Frequency]  # the first attempt of learners who submitted more than once
    latest_of_retakers: list[Frequency]  # and their latest


def area_frequencies(resource_link_pk: int, with_retakes: bool = True) -> Frequencies:
    """Two grouped queries over the per-area totals (a few thousand rows out, however large the
    class): latest attempts (with importance), then first and latest of those who retook it."""
    ranked = _submitted(resource_link_pk)
    latest_ids = select(ranked.c.attempt_id).where(ranked.c.rn_last == 1)
    rows = db.session.execute(
        select(Total.dimension_id, Total.total, Total.rated, Total.importance, func.count())
        .where(Total.attempt_id.in_(latest_ids))
        .group_by(Total.dimension_id, Total.total, Total.rated, Total.importance)
    ).all()
    found = Frequencies([], {}, [], [])
    weights: dict[str, list[int]] = {}
    for area, total, rated, importance, people in rows:
        if rated:
            found.latest.append(Frequency(area, int(total), int(rated), int(people)))
        if importance is not None:
            summed = weights.setdefault(area, [0, 0])
            summed[0] += int(importance) * int(people)
            summed[1] += int(people)
    found.importance.update({a: (t / n, n) for a, (t, n) in weights.items()})
    if not with_retakes:
        return found
    is_first = (ranked.c.rn_first == 1).label("is_first")
    retakes = db.session.execute(
        select(Total.dimension_id, Total.total, Total.rated, is_first, func.count())
        .join(ranked, ranked.c.attempt_id == Total.attempt_id)
        .where(ranked.c.n > 1, or_(ranked.c.rn_first == 1, ranked.c.rn_last == 1), Total.rated > 0)
        .group_by(Total.dimension_id, Total.total, Total.rated, is_first)
    ).all()
    for area, total, rated, first, people in retakes:
        frequency = Frequency(area, int(total), int(rated), int(people))
        (found.first if first else found.latest_of_retakers).append(frequency)
    return found


@dataclass(frozen=True)
class LearnerRow:
    user_pk: int
    name: str
    sub: str
    attempts: int  # attempts started in this activity
    submitted_attempts: int
    latest_id: int | None
    latest_number: int | None
    status: str | None  # draft / submitted; None: not started
    submitted_at: datetime | None
    partnership: str
    answered: int  # answers saved in the latest attempt
    total: int  # answers its instrument asks for
    sessions_opened: int


@functools.cache
def _questions(version: int) -> int:
    inst = instruments_by_version()[version]
    return len(inst.statement_ids) + len(inst.dimension_ids)


def learners(resource_link_pk: int, context_pk: int | None, workshop_slug: str | None) -> list[LearnerRow]:
    """Everyone who started the self-assessment or opened a session of the workshop in this
    course, instructors excepted, by name."""
    ranked = (
        select(
            A.id,
            A.user_pk,
            A.number,
            A.status,
            A.submitted_at,
            A.partnership_name,
            A.instrument_version,
            func.row_number().over(partition_by=A.user_pk, order_by=A.number.desc()).label("rn"),
            func.count().over(partition_by=A.user_pk).label("attempts"),
            func.sum(case((A.status == SUBMITTED, 1), else_=0)).over(partition_by=A.user_pk).label("done"),
        )
        .where(A.resource_link_pk == resource_link_pk)
        .subquery()
    )
    latest_rows = db.session.execute(
        select(
            ranked.c.user_pk,
            ranked.c.attempts,
            ranked.c.done,
            ranked.c.id,
            ranked.c.number,
            ranked.c.status,
            ranked.c.submitted_at,
            ranked.c.partnership_name,
            ranked.c.instrument_version,
            LtiUser.name,
            LtiUser.sub,
        )
        .join(LtiUser, LtiUser.id == ranked.c.user_pk)
        .where(ranked.c.rn == 1)
    ).all()
    by_user = {row[0]: row for row in latest_rows}
    # Progress is counted for drafts only: a submitted attempt has answered everything.
    drafts = select(A.id).where(A.resource_link_pk == resource_link_pk, A.status == DRAFT)
    answered = dict(
        db.session.execute(
            select(Answer.attempt_id, func.count())
            .where(Answer.attempt_id.in_(drafts.scalar_subquery()))
            .group_by(Answer.attempt_id)
        ).all()
    )
    sessions: dict[int, int] = {}
    names = {row.user_pk: (row.name, row.sub) for row in latest_rows}
    if context_pk is not None:
        distinct_sessions = func.count(func.distinct(SessionProgress.session_slug))
        query = (
            select(SessionProgress.user_pk, distinct_sessions, LtiUser.name, LtiUser.sub)
            .join(LtiUser, LtiUser.id == SessionProgress.user_pk)
            .where(SessionProgress.context_pk == context_pk)
        )
        if workshop_slug:
            query = query.where(SessionProgress.workshop_slug == workshop_slug)
        grouped = query.group_by(SessionProgress.user_pk, LtiUser.name, LtiUser.sub)
        for user, count, name, sub in db.session.execute(grouped).all():
            sessions[user] = int(count)
            names[user] = (name, sub)
    staff: set[int] = set()
    if context_pk is not None:
        staff_query = select(Launch.user_pk).where(
            Launch.context_pk == context_pk, Launch.role == "instructor"
        )
        staff = set(db.session.scalars(staff_query.distinct()))
    people = (set(by_user) | set(sessions)) - (staff - set(by_user))
    rows = []
    for user_pk in people:
        name, sub = names.get(user_pk, ("", ""))
        found = by_user.get(user_pk)
        if found is None:
            opened = sessions.get(user_pk, 0)
            rows.append(LearnerRow(user_pk, name, sub, 0, 0, None, None, None, None, "", 0, 0, opened))
            continue
        _, attempts, done, latest_id, number, status, submitted_at, partnership, version, _, _ = found
        total = _questions(version)
        rows.append(
            LearnerRow(
                user_pk,
                name,
                sub,
                int(attempts),
                int(done),
                latest_id,
                number,
                status,
                submitted_at,
                partnership,
                int(answered.get(latest_id, 0)) if status == DRAFT else total,
                total,
                sessions.get(user_pk, 0),
            )
        )
    return sorted(rows, key=lambda r: ((r.name or r.sub).casefold(), r.user_pk))


def submitted_learners(resource_link_pk: int) -> int:
    """How many learners have submitted at least once (the discussion view's threshold)."""
    found = db.session.scalar(
        select(func.count(func.distinct(A.user_pk))).where(
            A.resource_link_pk == resource_link_pk, A.status == SUBMITTED
        )
    )
    return int(found or 0)


@dataclass(frozen=True)
class ClassCounts:
    submitted: int  # learners with at least one submitted attempt
    drafts: int  # learners whose latest attempt is a draft
    retakers: int  # learners with more than one submitted attempt


def counts(rows: Sequence[LearnerRow]) -> ClassCounts:
    return ClassCounts(
        sum(1 for r in rows if r.submitted_attempts),
        sum(1 for r in rows if r.status == DRAFT),
        sum(1 for r in rows if r.submitted_attempts > 1),
    )


@dataclass(frozen=True)
class ClassResults:
    """What the class view and the discussion view show, computed in a handful of queries."""

    instrument: Any  # the newest instrument version: its areas are the rows
    areas: tuple[AreaStats, ...]
    flagged: list[AreaStats]
    first_latest: tuple[FirstLatest, ...]
    guides: tuple[Guide, ...]
    attention_below: float | None


def class_results(resource_link_pk: int, guides: Sequence[Guide], with_retakes: bool = True) -> ClassResults:
    instrument = default_instrument()
    attention = next((g.value for g in guides if g.attention_below), None)
    found = area_frequencies(resource_link_pk, with_retakes)
    areas = area_stats(instrument, found.latest, attention, found.importance)
    first_latest = first_and_latest(instrument, found.first, found.latest_of_retakers) if found.first else ()
    return ClassResults(instrument, areas, most_flagged(areas), first_latest, tuple(guides), attention)
