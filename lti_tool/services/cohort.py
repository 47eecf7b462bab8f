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

from sqlalchemy import and_, case, func, select, union
from sqlalchemy import false as sa_false

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
    """Grouped queries over the activity's per-area totals, walking the index
    ``ix_area_total_link_group`` (a few thousand rows out, however large the class): every
    learner's latest submitted attempt (all totals but those of superseded attempts, usually
    few), then the first and latest of those who retook it."""
    ranked = _submitted(resource_link_pk)
    superseded = select(ranked.c.attempt_id).where(ranked.c.rn_last > 1)
    rows = db.session.execute(
        select(Total.dimension_id, Total.total, Total.rated, Total.importance, func.count())
        .where(Total.resource_link_pk == resource_link_pk, Total.attempt_id.not_in(superseded))
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
    if with_retakes:
        found.first.extend(_grouped(ranked, ranked.c.rn_first == 1))
        found.latest_of_retakers.extend(_grouped(ranked, ranked.c.rn_last == 1))
    return found


def _grouped(ranked: Any, which: Any) -> list[Frequency]:
    """Frequencies over the attempts of learners who submitted more than once, chosen by ``which``."""
    chosen = select(ranked.c.attempt_id).where(ranked.c.n > 1, which)
    # Those who retook it are few: look their attempts up by primary key (no activity-wide scan).
    rows = db.session.execute(
        select(Total.dimension_id, Total.total, Total.rated, func.count())
        .where(Total.attempt_id.in_(chosen), Total.rated > 0)
        .group_by(Total.dimension_id, Total.total, Total.rated)
    ).all()
    return [Frequency(area, int(total), int(rated), int(people)) for area, total, rated, people in rows]


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


def _latest_attempts(resource_link_pk: int) -> Any:
    """Every attempt of the activity with, per learner, its order from the latest (rn = 1), how
    many the learner started, and how many they submitted."""
    return (
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


@dataclass(frozen=True)
class Roster:
    """One page of the activity's learners, and counts over all of them."""

    rows: list[LearnerRow]  # this page, by name
    learners: int  # everyone who started the self-assessment or opened a session
    submitted: int  # learners with at least one submitted attempt
    drafts: int  # learners whose latest attempt is a draft
    retakers: int  # learners with more than one submitted attempt
    draft_rows: list[LearnerRow]  # the first drafts, by name, for the summary


def roster(
    resource_link_pk: int,
    context_pk: int | None,
    workshop_slug: str | None,
    page: int = 1,
    page_size: int = 100,
    drafts_shown: int = 10,
) -> Roster:
    """Learners with their latest attempt and the sessions they opened, a page at a time: the
    page's ids first (by name), then the details of those ids only, and counts from grouped
    queries. However many learners the activity has, only a page of them is read."""
    ranked = _latest_attempts(resource_link_pk)
    latest = select(ranked).where(ranked.c.rn == 1).subquery()
    in_course = SessionProgress.context_pk == context_pk if context_pk is not None else sa_false()
    if workshop_slug:
        in_course = and_(in_course, SessionProgress.workshop_slug == workshop_slug)
    instructors = select(Launch.user_pk).where(Launch.context_pk == context_pk, Launch.role == "instructor")
    # Who to list: everyone with an attempt, and learners (not instructors) who opened a session.
    people = union(
        select(A.user_pk.label("user_pk")).where(A.resource_link_pk == resource_link_pk),
        select(SessionProgress.user_pk).where(in_course, SessionProgress.user_pk.not_in(instructors)),
    ).subquery()
    by_name = (func.lower(func.coalesce(func.nullif(LtiUser.name, ""), LtiUser.sub)), LtiUser.id)
    page_ids = list(
        db.session.scalars(
            select(people.c.user_pk)
            .join(LtiUser, LtiUser.id == people.c.user_pk)
            .order_by(*by_name)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    draft_ids = list(
        db.session.scalars(
            select(latest.c.user_pk)
            .join(LtiUser, LtiUser.id == latest.c.user_pk)
            .where(latest.c.status == DRAFT)
            .order_by(*by_name)
            .limit(drafts_shown)
        )
    )
    wanted = set(page_ids) | set(draft_ids)
    details = {
        row.user_pk: row for row in db.session.execute(select(latest).where(latest.c.user_pk.in_(wanted)))
    }
    names = dict(
        (u, (n, s))
        for u, n, s in db.session.execute(
            select(LtiUser.id, LtiUser.name, LtiUser.sub).where(LtiUser.id.in_(wanted))
        )
    )
    opened = dict(
        db.session.execute(
            select(SessionProgress.user_pk, func.count(func.distinct(SessionProgress.session_slug)))
            .where(in_course, SessionProgress.user_pk.in_(wanted))
            .group_by(SessionProgress.user_pk)
        ).all()
    )
    drafts = [row.id for row in details.values() if row.status == DRAFT]
    answered = dict(
        db.session.execute(
            select(Answer.attempt_id, func.count())
            .where(Answer.attempt_id.in_(drafts))
            .group_by(Answer.attempt_id)
        ).all()
    )
    counts = db.session.execute(
        select(
            func.count(latest.c.id).filter(latest.c.done > 0),
            func.count(latest.c.id).filter(latest.c.status == DRAFT),
            func.count(latest.c.id).filter(latest.c.done > 1),
        )
    ).one()
    learners = db.session.scalar(select(func.count()).select_from(people)) or 0

    def row(user_pk: int) -> LearnerRow:
        return _learner_row(
            user_pk, names[user_pk], details.get(user_pk), int(opened.get(user_pk, 0)), answered
        )

    return Roster(
        [row(u) for u in page_ids],
        int(learners),
        int(counts[0]),
        int(counts[1]),
        int(counts[2]),
        [row(u) for u in draft_ids],
    )


def _learner_row(
    user_pk: int, name_sub: tuple[str, str], latest: Any, opened: int, answered: dict[int, int]
) -> LearnerRow:
    name, sub = name_sub
    if latest is None:  # opened sessions, never started the self-assessment
        return LearnerRow(user_pk, name, sub, 0, 0, None, None, None, None, "", 0, 0, opened)
    total = _questions(latest.instrument_version)
    return LearnerRow(
        user_pk,
        name,
        sub,
        int(latest.attempts),
        int(latest.done),
        latest.id,
        latest.number,
        latest.status,
        latest.submitted_at,
        latest.partnership_name or "",
        int(answered.get(latest.id, 0)) if latest.status == DRAFT else total,
        total,
        opened,
    )


def submitted_learners(resource_link_pk: int) -> int:
    """How many learners have submitted at least once (the discussion view's threshold)."""
    found = db.session.scalar(
        select(func.count(func.distinct(A.user_pk))).where(
            A.resource_link_pk == resource_link_pk, A.status == SUBMITTED
        )
    )
    return int(found or 0)


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
