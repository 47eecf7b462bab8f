"""A learner's progress: which sessions they opened, and their private reflections.

Every function takes the learner (user and course) from the caller's launch, never from
the request, so nobody can read or write another person's progress.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db, rowcount
from lti_tool.models import Launch, SessionProgress
from lti_tool.models.base import utcnow

REFLECTION_MAX_CHARS = 20_000


class ReflectionTooLong(ValueError):
    pass


class ReflectionConflict(ValueError):
    """The reflection was saved elsewhere (another tab) since the page was shown: not overwritten."""

    def __init__(self, theirs: str, version: int) -> None:
        super().__init__("This reflection was changed in another tab or window.")
        self.theirs = theirs
        self.version = version


@dataclass(frozen=True)
class Progress:
    session_slug: str
    opened: bool
    reflection: str
    reflection_saved_at: datetime | None
    reflection_version: int = 0


def _query(launch: Launch, workshop_slug: str) -> Select[SessionProgress]:
    context = (
        SessionProgress.context_pk.is_(None)
        if launch.context_pk is None
        else SessionProgress.context_pk == launch.context_pk
    )
    return select(SessionProgress).where(
        SessionProgress.user_pk == launch.user_pk,
        context,
        SessionProgress.workshop_slug == workshop_slug,
    )


@functools.cache
def _workshop_rows(in_course: bool) -> Any:
    """_query built once (bound parameters) for the overview, on every launch: SQLAlchemy
    compiles it once."""
    context = (
        SessionProgress.context_pk == bindparam("context_pk")
        if in_course
        else SessionProgress.context_pk.is_(None)
    )
    # The columns the overview shows, as rows (no entities to build: nothing is written here).
    return select(
        SessionProgress.session_slug,
        SessionProgress.reflection,
        SessionProgress.reflection_saved_at,
        SessionProgress.reflection_version,
    ).where(
        SessionProgress.user_pk == bindparam("user_pk"),
        context,
        SessionProgress.workshop_slug == bindparam("workshop_slug"),
    )


def _row(launch: Launch, workshop_slug: str, session_slug: str) -> SessionProgress:
    """The learner's row for a session, created on first use (safe against a racing twin)."""
    query = _query(launch, workshop_slug).where(SessionProgress.session_slug == session_slug)
    row = db.session.scalars(query).first()
    if row is not None:
        return row
    row = SessionProgress(
        user_pk=launch.user_pk,
        context_pk=launch.context_pk,
        workshop_slug=workshop_slug,
        session_slug=session_slug,
        reflection="",
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalars(query).one()
    return row


def _progress(row: Any, session_slug: str) -> Progress:
    """From an entity or a row of its columns (None: never opened)."""
    if row is None:
        return Progress(session_slug, False, "", None)
    return Progress(session_slug, True, row.reflection, row.reflection_saved_at, row.reflection_version)


def mark_opened(launch: Launch, workshop_slug: str, session_slug: str) -> Progress:
    row = _row(launch, workshop_slug, session_slug)
    row.last_opened_at = utcnow()
    db.session.commit()
    return _progress(row, session_slug)


def session_progress(launch: Launch, workshop_slug: str, session_slug: str) -> Progress:
    row = db.session.scalars(
        _query(launch, workshop_slug).where(SessionProgress.session_slug == session_slug)
    ).first()
    return _progress(row, session_slug)


def workshop_progress(launch: Launch, workshop_slug: str) -> dict[str, Progress]:
    """Progress per session slug (sessions never opened are absent)."""
    params = {"user_pk": launch.user_pk, "context_pk": launch.context_pk, "workshop_slug": workshop_slug}
    rows = db.session.execute(_workshop_rows(launch.context_pk is not None), params)
    return {row.session_slug: _progress(row, row.session_slug) for row in rows}


def save_reflection(
    launch: Launch, workshop_slug: str, session_slug: str, text: str, base: int | None = None
) -> Progress:
    """Save the reflection if it is still the version the page showed (``base``; None: whatever
    is stored). Too long: refused whole, never cut. Changed elsewhere since: ReflectionConflict."""
    if len(text) > REFLECTION_MAX_CHARS:
        raise ReflectionTooLong(
            f"Your reflection is {len(text):,} characters long, over the limit of "
            f"{REFLECTION_MAX_CHARS:,}. It was not saved: shorten it and save again (what you "
            "saved before is kept)."
        )
    row = _row(launch, workshop_slug, session_slug)
    db.session.commit()  # the row exists from here on; the update below is conditional
    version = row.reflection_version
    if row.reflection == text:
        return _progress(row, session_slug)
    if base is not None and base != version:
        raise ReflectionConflict(row.reflection, version)
    written = db.session.execute(
        update(SessionProgress)
        .where(SessionProgress.id == row.id, SessionProgress.reflection_version == version)
        .values(reflection=text, reflection_saved_at=utcnow(), reflection_version=version + 1)
    )
    db.session.commit()
    if rowcount(written) != 1:  # another tab saved between our read and our write
        db.session.refresh(row)
        raise ReflectionConflict(row.reflection, row.reflection_version)
    db.session.refresh(row)
    return _progress(row, session_slug)
