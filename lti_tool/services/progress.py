"""A learner's progress: which sessions they opened, and their private reflections.

Every function takes the learner (user and course) from the caller's launch, never from
the request, so nobody can read or write another person's progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db
from lti_tool.models import Launch, SessionProgress
from lti_tool.models.base import utcnow

REFLECTION_MAX_CHARS = 20_000


class ReflectionTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Progress:
    session_slug: str
    opened: bool
    reflection: str
    reflection_saved_at: datetime | None


def _query(launch: Launch, workshop_slug: str):
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


def _progress(row: SessionProgress | None, session_slug: str) -> Progress:
    if row is None:
        return Progress(session_slug, False, "", None)
    return Progress(session_slug, True, row.reflection, row.reflection_saved_at)


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
    rows = db.session.scalars(_query(launch, workshop_slug))
    return {row.session_slug: _progress(row, row.session_slug) for row in rows}


def save_reflection(launch: Launch, workshop_slug: str, session_slug: str, text: str) -> Progress:
    if len(text) > REFLECTION_MAX_CHARS:
        raise ReflectionTooLong(
            f"Your reflection is longer than {REFLECTION_MAX_CHARS:,} characters. Shorten it and save again."
        )
    row = _row(launch, workshop_slug, session_slug)
    row.reflection = text
    row.reflection_saved_at = utcnow()
    db.session.commit()
    return _progress(row, session_slug)
