"""A class's results, per area, from aggregate counts (pure: no SQL, no Flask).

The database gives, per area, how many respondents had each (sum of ratings, number of ratings)
pair: a small frequency table, however large the class (lti_tool.services.cohort). Every
statistic here is exact from that table: means of means, median and quartiles, range, a
histogram by half point, and how many respondents have an area below the scoring model's
attention cut-off (what each one's report flags, for the built-in models).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lti_tool.assessment.instrument import Instrument

BIN_WIDTH = 0.5


@dataclass(frozen=True)
class Frequency:
    """``people`` respondents rated ``count`` statements of an area, for a total of ``total``."""

    dimension_id: str
    total: int
    count: int
    people: int


@dataclass(frozen=True)
class AreaStats:
    number: int
    dimension_id: str
    title: str
    respondents: int  # with a mean in this area
    mean: float | None  # the mean of the respondents' area means
    median: float | None
    q1: float | None
    q3: float | None
    low: float | None
    high: float | None
    bins: tuple[int, ...]  # respondents per half point of the scale, from its minimum
    flagged: int | None  # respondents whose mean is below the attention cut-off (None: no cut-off)
    importance: float | None = None  # the mean importance given (views only)
    importance_views: int = 0


@dataclass(frozen=True)
class FirstLatest:
    """An area's class mean in the first and in the latest attempt of those who retook it."""

    dimension_id: str
    title: str
    first: float | None
    latest: float | None
    people: int

    @property
    def delta(self) -> float | None:
        return None if self.first is None or self.latest is None else self.latest - self.first


def bin_index(value: float, low: int, high: int) -> int:
    """The half-point bin of a mean (halves go up: 1.25 joins 1.5)."""
    top = round((high - low) / BIN_WIDTH)
    return max(0, min(top, math.floor((value - low) / BIN_WIDTH + 0.5)))


def bin_labels(low: int, high: int) -> list[str]:
    count = round((high - low) / BIN_WIDTH) + 1
    return [f"{low + i * BIN_WIDTH:.1f}" for i in range(count)]


class _Sorted:
    """A sorted list of values given as (value, how many times): positions without expanding."""

    def __init__(self, counted: dict[float, int]) -> None:
        self.values = sorted(counted)
        self.ends: list[int] = []  # the position after the last copy of each value
        running = 0
        for value in self.values:
            running += counted[value]
            self.ends.append(running)
        self.n = running

    def at(self, position: int) -> float:
        return self.values[bisect.bisect_right(self.ends, position)]

    def median(self) -> float:
        half = self.n // 2
        return self.at(half) if self.n % 2 else (self.at(half - 1) + self.at(half)) / 2

    def quartiles(self) -> tuple[float, float]:
        """As statistics.quantiles(n=4, method="inclusive") gives them."""
        if self.n == 1:
            return self.at(0), self.at(0)
        m = self.n - 1
        found = []
        for i in (1, 3):
            j, delta = divmod(i * m, 4)
            found.append((self.at(j) * (4 - delta) + self.at(j + 1) * delta) / 4 if delta else self.at(j))
        return found[0], found[1]


def area_stats(
    instrument: Instrument,
    frequencies: Iterable[Frequency],
    attention_below: float | None = None,
    importance: Mapping[str, tuple[float, int]] | None = None,
) -> tuple[AreaStats, ...]:
    """One AreaStats per area of ``instrument``, in its order. ``importance`` maps an area to
    (mean importance, number of views)."""
    low, high = instrument.scale.minimum, instrument.scale.maximum
    counted: dict[str, dict[float, int]] = {d: {} for d in instrument.dimension_ids}
    for f in frequencies:
        if f.dimension_id in counted and f.count > 0 and f.people > 0:
            value = f.total / f.count
            counted[f.dimension_id][value] = counted[f.dimension_id].get(value, 0) + f.people
    stats = []
    for number, dim in enumerate(instrument.dimensions, start=1):
        found = _Sorted(counted[dim.id])
        bins = [0] * (round((high - low) / BIN_WIDTH) + 1)
        for value, people in counted[dim.id].items():
            bins[bin_index(value, low, high)] += people
        imp, views = (importance or {}).get(dim.id, (None, 0))
        if not found.n:
            empty = (None,) * 6
            stats.append(AreaStats(number, dim.id, dim.title, 0, *empty, tuple(bins), None, imp, views))
            continue
        q1, q3 = found.quartiles()
        total = sum(value * people for value, people in counted[dim.id].items())
        below = None
        if attention_below is not None:
            below = sum(people for value, people in counted[dim.id].items() if value < attention_below)
        stats.append(
            AreaStats(
                number,
                dim.id,
                dim.title,
                found.n,
                total / found.n,
                found.median(),
                q1,
                q3,
                found.values[0],
                found.values[-1],
                tuple(bins),
                below,
                imp,
                views,
            )
        )
    return tuple(stats)


def most_flagged(stats: Iterable[AreaStats], limit: int = 5) -> list[AreaStats]:
    """The areas the class most often has below the attention cut-off, most first."""
    flagged = [s for s in stats if s.flagged]
    return sorted(flagged, key=lambda s: (-(s.flagged or 0), s.number))[:limit]


def first_and_latest(
    instrument: Instrument, first: Iterable[Frequency], latest: Iterable[Frequency]
) -> tuple[FirstLatest, ...]:
    then = {s.dimension_id: s for s in area_stats(instrument, first)}
    now = {s.dimension_id: s for s in area_stats(instrument, latest)}
    return tuple(
        FirstLatest(d.id, d.title, then[d.id].mean, now[d.id].mean, now[d.id].respondents)
        for d in instrument.dimensions
    )
