"""Fixtures for the assessment domain and plugin tests (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lti_tool.assessment.instrument import (
    Dimension,
    Instrument,
    Scale,
    Statement,
    default_instrument,
)

LABELS = ("not at all", "a little", "partly", "mostly", "very well")


def build_instrument(sizes: dict[str, int]) -> Instrument:
    """A tiny instrument: dimension id -> number of statements (ids like ``a-1``)."""
    scale = Scale(1, 5, LABELS, "n/a")
    dims = tuple(
        Dimension(
            dim_id,
            dim_id.title(),
            f"About {dim_id}.",
            tuple(Statement(f"{dim_id}-{n}", f"{dim_id} statement {n}") for n in range(1, count + 1)),
        )
        for dim_id, count in sizes.items()
    )
    return Instrument("test", 1, "Test", "", "", scale, scale, dims)


@pytest.fixture
def instrument() -> Instrument:
    return default_instrument()


@pytest.fixture
def make_instrument() -> Callable[[dict[str, int]], Instrument]:
    return build_instrument
