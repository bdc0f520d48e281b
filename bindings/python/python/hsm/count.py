"""People counting at the gate: beam pairs, tracked detections, statistics.

- :class:`BeamDecoder` — a lane's two infrared beams (A outer, B inner) →
  transits ``{t_us, direction, persons, source, flags, track_id}`` and
  sensor faults. ``A → A+B → B → clear`` is "in"; the mirror is "out";
  aborted entries, U-turns and loitering never count.
- :class:`LineCounter` — per-frame detections (boxes ``x, y, w, h[, score]``,
  pixels, y down) tracked across frames; "in" is crossing the directed line
  ``(x1, y1) → (x2, y2)`` from its left to its right as seen on the screen.
- :func:`simulate` — a seeded lane simulator: beam events, noisy detections
  and ground truth as dicts of numpy arrays (``pandas.DataFrame(d)`` ready).
- :func:`evaluate` — missed and double counts per direction within ±window,
  reported separately, and errors per 200 people.
- :func:`flow` / :func:`flow_summary` — counts per minute/hour/day, peak
  hour, daily averages (the 日均通行人数 the equipment table uses), occupancy.

Example::

    import hsm

    sim = hsm.count.simulate(minutes=10, seed=7)
    lc = hsm.count.LineCounter((0, 120, 320, 120))
    det, frames = sim["detections"], sim["frames"]
    ...
    score = hsm.count.evaluate(transits, sim["truth"])
    score["errors_per_200"]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt

from hsm._native import BeamDecoder, LineCounter, simulate
from hsm._native import evaluate_columns as _evaluate_columns
from hsm._native import flow_columns as _flow_columns
from hsm._native import flow_summary_columns as _flow_summary_columns
from hsm._count_types import Evaluation, FlowSummary, Transit

__all__ = [
    "BeamDecoder",
    "Evaluation",
    "FlowSummary",
    "LineCounter",
    "Transit",
    "count_beams",
    "count_tracks",
    "evaluate",
    "flow",
    "flow_summary",
    "simulate",
]

#: Transits as a list of dicts (what ``poll()`` returns) or as columns
#: ``{"t_us": [...], "direction": [...], "persons": [...]?}``.
Transits = Union[Sequence[Mapping[str, Any]], Mapping[str, Any]]

_BINS = {"minute": 60_000_000, "hour": 3_600_000_000, "day": 86_400_000_000}


def _columns(transits: Transits) -> tuple[list[int], list[str], list[int]]:
    if isinstance(transits, Mapping):
        t = [int(x) for x in transits["t_us"]]
        d = [str(x) for x in transits["direction"]]
        p = [int(x) for x in transits["persons"]] if "persons" in transits else [1] * len(t)
        return t, d, p
    rows = list(transits)
    return (
        [int(r["t_us"]) for r in rows],
        [str(r["direction"]) for r in rows],
        [int(r.get("persons", 1)) for r in rows],
    )


def evaluate(predicted: Transits, truth: Transits, *, window_ms: float = 1500.0) -> Evaluation:
    """Matches predicted transits to true ones per direction within ±``window_ms``.

    Returns ``{"in": {...}, "out": {...}, "truth", "missed", "double",
    "errors_per_200", "window_us"}``; misses and doubles are counted
    separately, never netted against each other.
    """
    pt, pd, pp = _columns(predicted)
    tt, td, tp = _columns(truth)
    out: Evaluation = _evaluate_columns(pt, pd, pp, tt, td, tp, int(round(window_ms * 1000)))
    return out


def flow(
    transits: Transits,
    *,
    bin: Literal["minute", "hour", "day"] | int = "hour",
    origin_us: int = 0,
) -> dict[str, npt.NDArray[np.int64] | npt.NDArray[np.uint64]]:
    """Counts per bin aligned to ``origin_us`` (local midnight, say):
    ``{"start_us", "in", "out", "occupancy"}`` as numpy arrays, every bin
    from the first transit's to the last's. ``bin`` is a name or a width in µs."""
    width = _BINS[bin] if isinstance(bin, str) else int(bin)
    t, d, p = _columns(transits)
    out: dict[str, npt.NDArray[np.int64] | npt.NDArray[np.uint64]] = _flow_columns(
        t, d, p, origin_us, width
    )
    return out


def flow_summary(transits: Transits, *, origin_us: int = 0, days: int | None = None) -> FlowSummary:
    """Totals, daily averages (over ``days``, default the calendar days
    spanned), the busiest clock hour and occupancy."""
    t, d, p = _columns(transits)
    out: FlowSummary = _flow_summary_columns(t, d, p, origin_us, days)
    return out


def count_beams(
    t_us: Iterable[int], beam: Iterable[str], blocked: Iterable[bool], **settings: Any
) -> dict[str, Any]:
    """Decodes a whole recording: ``{"in", "out", "faults", "events"}`` like
    ``hsm count beams --format json``. ``settings`` go to :class:`BeamDecoder`."""
    d = BeamDecoder(**settings)
    d.push_many([int(x) for x in t_us], [str(x) for x in beam], [bool(x) for x in blocked])
    d.flush()
    events = d.poll()
    faults = d.faults()
    n_in, n_out = d.counts
    return {"in": n_in, "out": n_out, "faults": faults, "events": events}


def count_tracks(
    frames: Iterable[tuple[int, npt.ArrayLike]],
    line: tuple[float, float, float, float],
    **settings: Any,
) -> dict[str, Any]:
    """Counts a whole recording of ``(t_us, boxes)`` frames: ``{"in", "out",
    "events"}`` like ``hsm count tracks --format json``."""
    c = LineCounter(line, **settings)
    events: list[Transit] = []
    for t, boxes in frames:
        arr = np.asarray(boxes, dtype=np.float32).reshape(-1, np.shape(boxes)[-1] if np.size(boxes) else 4)
        c.push_frame(int(t), arr)
        events.extend(c.poll())
    n_in, n_out = c.counts
    return {"in": n_in, "out": n_out, "events": events}
