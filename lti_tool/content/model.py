"""Immutable workshop content, built by the schemas in ``schemas.py``.

Collections are tuples so that a loaded workshop can be shared between requests
without anyone mutating it. A Workshop is in one language (``lang``): the loader builds one
per language from the bilingual file.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_POINTS = 100


@dataclass(frozen=True)
class Reading:
    """A book, article or report. ``authors`` may be empty for corporate works."""

    title: str
    authors: tuple[str, ...]
    source: str | None = None
    year: int | None = None
    url: str | None = None
    note: str | None = None
    language: str = "en"  # the language the work is published in (titles stay as published)


@dataclass(frozen=True)
class Session:
    number: int
    slug: str
    title: str
    summary: str
    objectives: tuple[str, ...]
    required_readings: tuple[Reading, ...]
    additional_readings: tuple[Reading, ...]
    discussion_prompts: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    title: str
    summary: str
    steps: tuple[str, ...]
    assessment_ref: str | None = None
    max_points: int = DEFAULT_MAX_POINTS


@dataclass(frozen=True)
class Workshop:
    slug: str
    title: str
    series: str | None
    provider: str
    summary: str
    background: tuple[str, ...]
    objectives: tuple[str, ...]
    sessions: tuple[Session, ...]
    assignment: Assignment | None
    text: Reading | None
    bibliography: tuple[Reading, ...]
    help_text: str
    lang: str = "en"  # the language of this workshop's texts (content/bilingual.py)

    def session(self, number: int) -> Session | None:
        """The session with this number, or None."""
        return next((s for s in self.sessions if s.number == number), None)

    def session_by_slug(self, slug: str) -> Session | None:
        return next((s for s in self.sessions if s.slug == slug), None)
