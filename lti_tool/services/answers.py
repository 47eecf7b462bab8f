"""A learner's answers to the self-assessment, saved as they are given.

No lost update: a page sends each answer with the version of it the page showed; an answer
saved elsewhere since (another tab, another device) is returned as a conflict for the person to
settle, never silently overwritten (docs/decisions/0018-no-lost-update.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update

from lti_tool.assessment.instrument import NA, Instrument, get_instrument
from lti_tool.extensions import db, rowcount
from lti_tool.i18n import gettext as _
from lti_tool.models import AssessmentAnswer, AssessmentAttempt
from lti_tool.models.assessment import DRAFT
from lti_tool.models.base import utcnow
from lti_tool.services.sql import insert_new

IMPORTANCE_PREFIX = "importance:"


class AnswerError(ValueError):
    """An answer that does not fit the instrument; the message names the problem."""


class SubmitRefused(ValueError):
    def __init__(self, message: str, missing: list[Any] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


def answers(attempt: AssessmentAttempt) -> dict[str, str]:
    rows = db.session.execute(
        select(AssessmentAnswer.item, AssessmentAnswer.value).where(AssessmentAnswer.attempt_id == attempt.id)
    )
    return {item: value for item, value in rows}


def count(attempt: AssessmentAttempt) -> int:
    """How many answers the attempt holds (every autosave says it: a count, not the rows)."""
    return _count(attempt.id)


def _count(attempt_id: int) -> int:
    return int(db.session.execute(_COUNT, {"attempt": attempt_id}).scalar_one())


def check_answer(instrument: Instrument, item: str, value: str) -> None:
    if item.startswith(IMPORTANCE_PREFIX):
        dimension = item[len(IMPORTANCE_PREFIX) :]
        if dimension not in instrument.dimension_ids:
            raise AnswerError(_("There is no area %(area)r.", area=dimension))
        if value != NA and not instrument.importance_scale.contains(_int(value)):
            raise AnswerError(_("Importance must be a whole number from 1 to 5, or 'na' (no view)."))
        return
    if item not in instrument.statement_ids:
        raise AnswerError(_("There is no statement %(item)r.", item=item))
    if value != NA and not instrument.scale.contains(_int(value)):
        raise AnswerError(_("A rating must be a whole number from 1 to 5, or 'na'."))


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Change:
    """An answer a person gave on a page, and the version of it the page showed (0: none yet;
    None: overwrite whatever is stored, for clients that do not know versions)."""

    item: str
    value: str
    base: int | None = None


@dataclass(frozen=True)
class Conflict:
    """An answer changed elsewhere (another tab) since the page was shown: not overwritten."""

    item: str
    yours: str
    theirs: str
    version: int  # the stored version: send it back to keep yours


@dataclass
class Saved:
    versions: dict[str, int] = field(default_factory=dict)  # item -> version stored now
    conflicts: list[Conflict] = field(default_factory=list)


def save_changes(attempt: AssessmentAttempt, changes: list[Change]) -> Saved:
    """Save what a person changed, each answer only if it is still the version their page showed
    (or already holds their value): an answer saved elsewhere since is returned as a conflict,
    never silently overwritten. A submitted attempt is final."""
    instrument = get_instrument(attempt.instrument_version, attempt.instrument_id)
    for change in changes:
        check_answer(instrument, change.item, change.value)
    now = utcnow()
    if _guard_draft(attempt.id, attempt.user_pk, attempt.resource_link_pk, now) is None:
        raise SubmitRefused(_("This attempt has been submitted; its answers are final."))
    saved = Saved()
    for change in changes:
        _save_one(attempt.id, change, now, saved)
    db.session.commit()
    return saved


def _stored(attempt_id: int, item: str) -> tuple[str, int] | None:
    row = db.session.execute(
        select(AssessmentAnswer.value, AssessmentAnswer.version).where(
            AssessmentAnswer.attempt_id == attempt_id, AssessmentAnswer.item == item
        )
    ).first()
    return (row[0], row[1]) if row else None


def _insert_first(attempt_id: int, change: Change, now: datetime) -> bool:
    """The item's first answer, in one statement (most autosaves are one); False when an
    answer is already stored (nothing written)."""
    key = {"attempt_id": attempt_id, "item": change.item}
    fields = {"value": change.value, "version": 1, "saved_at": now}
    return insert_new(AssessmentAnswer, key, fields) is not None


def _save_one(attempt_id: int, change: Change, now: datetime, saved: Saved) -> None:
    for _attempt in range(3):  # a twin request may write between our read and our write: read again
        if _insert_first(attempt_id, change, now):
            saved.versions[change.item] = 1
            return
        stored = _stored(attempt_id, change.item)
        if stored is None:
            continue
        value, version = stored
        if value == change.value:  # the same answer given twice (two tabs agree): nothing to do
            saved.versions[change.item] = version
            return
        if change.base is not None and change.base != version:
            saved.conflicts.append(Conflict(change.item, change.value, value, version))
            return
        written = db.session.execute(
            update(AssessmentAnswer)
            .where(
                AssessmentAnswer.attempt_id == attempt_id,
                AssessmentAnswer.item == change.item,
                AssessmentAnswer.version == version,
            )
            .values(value=change.value, version=version + 1, saved_at=now)
        )
        if rowcount(written) == 1:
            saved.versions[change.item] = version + 1
            return
    raise AnswerError(_("This answer is being saved from elsewhere at the same moment; try again."))


# An autosave's statements, built once: a class saves ~60 answers per learner, and building a
# statement (and its cache key) costs more than SQLite running it. Core on the tables, not the
# ORM entities: no ORM result machinery for rows read as tuples.
_ATTEMPTS = cast(Table, AssessmentAttempt.__table__)
_ANSWERS = cast(Table, AssessmentAnswer.__table__)
_TOUCH_OWN_DRAFT = (
    update(_ATTEMPTS)
    .where(
        _ATTEMPTS.c.id == bindparam("attempt"),
        _ATTEMPTS.c.user_pk == bindparam("user"),
        _ATTEMPTS.c.resource_link_pk == bindparam("link"),
        _ATTEMPTS.c.status == DRAFT,
    )
    .values(updated_at=bindparam("now"))
    .returning(_ATTEMPTS.c.instrument_id, _ATTEMPTS.c.instrument_version)
)
_COUNT = select(func.count()).select_from(_ANSWERS).where(_ANSWERS.c.attempt_id == bindparam("attempt"))


def _guard_draft(attempt_id: int, user_pk: int, link_pk: int | None, now: datetime) -> Any:
    """First, and in the same transaction as the answers: the attempt is this learner's, in
    this activity, and still a draft (touched: a submission racing with this save waits for it
    or makes it fail here, so no answer changes after an attempt is submitted). Its instrument's
    id and version, or None (rolled back)."""
    touched = db.session.execute(
        _TOUCH_OWN_DRAFT, {"attempt": attempt_id, "user": user_pk, "link": link_pk, "now": now}
    ).first()
    if touched is None:
        db.session.rollback()
    return touched


@dataclass(frozen=True)
class Autosaved:
    saved: Saved
    answered: int
    total: int


def autosave(attempt_id: int, user_pk: int, link_pk: int, change: Change) -> Autosaved | None:
    """One answer into the learner's draft named by the page, in three statements: the draft's
    guard (the attempt is this learner's, in this activity, and still a draft: the same guard as
    ``save_changes``, which also makes a racing submission wait), the answer, the count answered.
    None when that attempt is not the learner's draft (submitted since, a retake, another's): the
    caller then takes the general path, which says why."""
    now = utcnow()
    touched = _guard_draft(attempt_id, user_pk, link_pk, now)
    if touched is None:
        return None
    instrument = get_instrument(touched.instrument_version, touched.instrument_id)
    try:
        check_answer(instrument, change.item, change.value)
        saved = Saved()
        _save_one(attempt_id, change, now, saved)
    except AnswerError:
        db.session.rollback()
        raise
    answered = _count(attempt_id)
    db.session.commit()
    return Autosaved(saved, answered, instrument.item_total)


def save_answers(attempt: AssessmentAttempt, given: dict[str, str]) -> None:
    """Save answers whatever is stored (clients that do not send versions)."""
    save_changes(attempt, [Change(item, value) for item, value in given.items()])


def versions(attempt: AssessmentAttempt) -> dict[str, int]:
    rows = db.session.execute(
        select(AssessmentAnswer.item, AssessmentAnswer.version).where(
            AssessmentAnswer.attempt_id == attempt.id
        )
    )
    return {item: version for item, version in rows}
