"""Class statistics from frequency tables match the statistics module on the expanded data."""

from __future__ import annotations

import random
import statistics

import pytest

from lti_tool.assessment.cohort import Frequency, area_stats, bin_index, first_and_latest, most_flagged


def test_stats_from_frequencies_equal_those_of_the_expanded_values(make_instrument):
    inst = make_instrument({"a": 4, "b": 3})
    rng = random.Random(5)
    for size in (1, 2, 3, 4, 7, 50, 501):
        people = [(rng.randint(4, 20), rng.randint(1, 4)) for _ in range(size)]  # (total, rated)
        freqs = [Frequency("a", t, c, 1) for t, c in people]
        values = sorted(t / c for t, c in people)
        (a, b) = area_stats(inst, freqs, attention_below=3.0)
        assert a.respondents == size and a.mean == pytest.approx(statistics.fmean(values))
        assert a.median == pytest.approx(statistics.median(values))
        expected = statistics.quantiles(values, n=4, method="inclusive") if size > 1 else values * 3
        assert (a.q1, a.q3) == (pytest.approx(expected[0]), pytest.approx(expected[2]))
        assert (a.low, a.high) == (values[0], values[-1])
        assert a.flagged == sum(v < 3.0 for v in values) and sum(a.bins) == size
        assert b.respondents == 0 and b.mean is None and b.flagged is None


def test_hand_worked_class_and_bins(make_instrument):
    inst = make_instrument({"a": 4})
    # means 1.0 (x1), 3.0 (x1), 4.0 (x1): mean 2.67, median 3, quartiles 2.0 and 3.5
    freqs = [Frequency("a", 4, 4, 1), Frequency("a", 12, 4, 1), Frequency("a", 16, 4, 1)]
    (a,) = area_stats(inst, freqs, attention_below=4.0, importance={"a": (3.5, 2)})
    assert (round(a.mean, 2), a.median, a.q1, a.q3, a.flagged) == (2.67, 3.0, 2.0, 3.5, 2)
    assert a.bins == (1, 0, 0, 0, 1, 0, 1, 0, 0) and (a.importance, a.importance_views) == (3.5, 2)
    assert [bin_index(v, 1, 5) for v in (1.0, 1.24, 1.25, 4.9, 5.0)] == [0, 0, 1, 8, 8]
    assert [s.dimension_id for s in most_flagged([a])] == ["a"]


def test_first_and_latest(make_instrument):
    inst = make_instrument({"a": 2, "b": 2})
    first = [Frequency("a", 2, 2, 2)]
    latest = [Frequency("a", 8, 2, 1), Frequency("a", 6, 2, 1), Frequency("b", 4, 2, 2)]
    a, b = first_and_latest(inst, first, latest)
    assert (a.first, a.latest, a.delta, a.people) == (1.0, 3.5, 2.5, 2)
    assert (b.first, b.latest, b.delta) == (None, 2.0, None)
