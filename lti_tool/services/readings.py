"""Readings a teacher can complete: per course, a link or a note for any reading of the workshop
(many readings have no link in the workshop's content, and some links are old). Learners see the
teacher's link, the content's own, or "your instructor will share this reading".

The course is the launch's (``context_pk``); a launch without a course has none of these.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from lti_tool.content import Reading, Workshop
from lti_tool.extensions import db
from lti_tool.i18n import gettext as _
from lti_tool.i18n import integer
from lti_tool.models import Launch, ReadingLink
from lti_tool.models.base import utcnow

# Built once (bound parameters): every overview reads it, SQLAlchemy compiles it once.
_SHARED = select(ReadingLink.reading_key, ReadingLink.url, ReadingLink.note).where(
    ReadingLink.context_pk == bindparam("context_pk"), ReadingLink.workshop_slug == bindparam("workshop_slug")
)
URL_MAX = 2000
NOTE_MAX = 500


@dataclass(frozen=True)
class Shared:
    """What the course's teacher gave for a reading."""

    url: str | None
    note: str


def reading_key(reading: Reading) -> str:
    """A reading's stable name across the workshop's pages: its title (and year), as a slug.
    The same work on a session page and in the bibliography shares one link."""
    text = unicodedata.normalize("NFKD", reading.title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:100] or "reading"
    return f"{slug}-{reading.year}" if reading.year else slug


def all_readings(workshop: Workshop) -> list[tuple[str, Reading]]:
    """Every reading of the workshop once, in the order the pages show them: each session's
    required then additional readings, the suggested text, then the rest of the bibliography."""
    seen: dict[str, Reading] = {}
    found: list[Reading] = []
    for session in workshop.sessions:
        found += [*session.required_readings, *session.additional_readings]
    if workshop.text is not None:
        found.append(workshop.text)
    found += list(workshop.bibliography)
    for reading in found:
        seen.setdefault(reading_key(reading), reading)
    return list(seen.items())


def shared(launch: Launch | None, workshop_slug: str) -> dict[str, Shared]:
    """The course's links and notes, by reading key (none without a course)."""
    if launch is None or launch.context_pk is None:
        return {}
    rows = db.session.execute(_SHARED, {"context_pk": launch.context_pk, "workshop_slug": workshop_slug})
    return {row.reading_key: Shared(row.url, row.note) for row in rows}


def check(url: str, note: str) -> dict[str, str]:
    """Problems with a link and note, by field ("url", "note"), in plain words."""
    problems = {}
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems["url"] = _("Give the whole address, starting with https:// (or http://).")
        elif len(url) > URL_MAX:
            problems["url"] = _(
                "Use at most %(max)s characters for the address (it has %(count)s).",
                max=integer(URL_MAX),
                count=integer(len(url)),
            )
    if len(note) > NOTE_MAX:
        problems["note"] = _(
            "Use at most %(max)s characters for the note (it has %(count)s).",
            max=integer(NOTE_MAX),
            count=integer(len(note)),
        )
    return problems


def save(
    launch: Launch, workshop_slug: str, given: Mapping[str, tuple[str, str]], known: Iterable[str]
) -> dict[str, dict[str, str]]:
    """Save the teacher's links and notes (``given``: key -> (url, note); both empty removes it).
    Nothing is saved if anything is wrong: the problems, by key then field."""
    try:
        return _save(launch, workshop_slug, given, known)
    except IntegrityError:  # a colleague saved the same reading's first link at the same moment
        db.session.rollback()
        return _save(launch, workshop_slug, given, known)


def _save(
    launch: Launch, workshop_slug: str, given: Mapping[str, tuple[str, str]], known: Iterable[str]
) -> dict[str, dict[str, str]]:
    if launch.context_pk is None:
        raise ValueError(_("Readings' links belong to a course: this launch has none."))
    keys = set(known)
    cleaned = {
        key: (url.strip(), " ".join(note.split())) for key, (url, note) in given.items() if key in keys
    }
    problems = {key: found for key, (url, note) in cleaned.items() if (found := check(url, note))}
    if problems:
        return problems
    current = {
        row.reading_key: row
        for row in db.session.scalars(
            select(ReadingLink).where(
                ReadingLink.context_pk == launch.context_pk, ReadingLink.workshop_slug == workshop_slug
            )
        )
    }
    now = utcnow()
    for key, (url, note) in cleaned.items():
        row = current.get(key)
        if not url and not note:
            if row is not None:
                db.session.execute(delete(ReadingLink).where(ReadingLink.id == row.id))
            continue
        if row is None:
            row = ReadingLink(context_pk=launch.context_pk, workshop_slug=workshop_slug, reading_key=key)
            db.session.add(row)
        elif row.url == (url or None) and row.note == note:
            continue
        row.url, row.note, row.updated_at, row.updated_by_pk = url or None, note, now, launch.user_pk
    db.session.commit()
    return {}
