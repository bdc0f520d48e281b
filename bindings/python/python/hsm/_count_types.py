"""Typed shapes of the plain-data results of :mod:`hsm.count`."""

from __future__ import annotations

from typing import Optional, TypedDict

__all__ = ["DirectionScore", "Evaluation", "Fault", "FlowSummary", "Track", "Transit"]


class Transit(TypedDict):
    """One counted passage."""

    t_us: int
    direction: str
    """``"in"`` or ``"out"``."""
    persons: int
    """1, or 2 with the flag ``"estimated"``."""
    source: str
    """``"beams"``, ``"tracks"`` or ``"truth"``."""
    flags: list[str]
    """Any of ``estimated``, ``born_in_band``, ``vanished_past_line``, ``coasted``, ``queue_overflow``."""
    track_id: int


class Fault(TypedDict):
    """A beam fault raised (``stuck``) or cleared (``recovered``)."""

    t_us: int
    beam: str
    kind: str
    blocked_since_us: int


class Track(TypedDict):
    """A live track of a :class:`hsm.count.LineCounter`."""

    id: int
    x: float
    y: float
    vx: float
    vy: float
    hits: int
    missed: int
    confirmed: bool


class DirectionScore(TypedDict):
    """Scores for one direction."""

    truth: int
    predicted: int
    matched: int
    missed: int
    double: int


Evaluation = TypedDict(
    "Evaluation",
    {
        "in": DirectionScore,
        "out": DirectionScore,
        "truth": int,
        "missed": int,
        "double": int,
        "errors_per_200": float,
        "window_us": int,
    },
)
"""The result of :func:`hsm.count.evaluate`."""


class FlowSummary(TypedDict):
    """The result of :func:`hsm.count.flow_summary`."""

    total_in: int
    total_out: int
    days: int
    daily_avg_in: float
    daily_avg_out: float
    daily_avg_total: float
    peak_hour_start_us: Optional[int]
    peak_hour_total: int
    final_occupancy: int
    max_occupancy: int
