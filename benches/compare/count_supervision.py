#!/usr/bin/env python3
"""libhsm's line counter side by side with supervision's LineZone + a tracker.

Both count the same simulated detections (``hsm.count.simulate``: singles,
side-by-side pairs, groups, tailgaters, U-turns, loiterers, position noise,
isolated misses, false detections and dropout bursts of 1-5 frames), for
several dropout rates. Each is scored against the simulator's truth with
``hsm.count.evaluate`` (±1.5 s per direction; missed and double counts
separately) and timed per frame.

- libhsm: ``hsm.count.LineCounter((0, 120, 320, 120))`` with its defaults,
  called through the Python binding (``push_frame`` + ``poll`` per frame,
  so the binding's call overhead is included).
- supervision: ``trackers.ByteTrackTracker(frame_rate=FPS)`` (defaults
  otherwise) feeding ``supervision.LineZone`` on the same line, with the
  CENTER anchor (the same semantics as libhsm's centre) and with
  supervision's default four-corner anchors. Timed: ``tracker.update`` +
  ``LineZone.trigger`` (building ``sv.Detections`` is not counted).
  supervision's "in" is the crossing that libhsm calls "out" for this line
  (checked at start-up), so directions are mapped.

Setup (not part of the project's requirements)::

    .venv/bin/python -m pip install supervision trackers
    (cd bindings/python && maturin develop --release)   # a debug build is ~10x slower
    .venv/bin/python benches/compare/count_supervision.py --minutes 60

Bars (issue 6): libhsm makes fewer errors than supervision in every dropout
scenario (p > 0; p = 0 is a control where both may be perfect) and is >= 50x
faster per frame. Exit status 0 when both bars hold, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np

import hsm
from hsm.count import LineCounter, evaluate, simulate

LINE = (0.0, 120.0, 320.0, 120.0)


def frames_of(sim: dict[str, Any]) -> list[tuple[int, np.ndarray]]:
    det = sim["detections"]
    boxes = np.stack([det["x"], det["y"], det["w"], det["h"], det["score"]], axis=1).astype(np.float32)
    fr = sim["frames"]
    starts = np.searchsorted(det["frame"], fr["frame"])
    ends = np.searchsorted(det["frame"], fr["frame"], side="right")
    return [(int(t), boxes[s:e]) for t, s, e in zip(fr["t_us"], starts, ends)]


def run_libhsm(frames: list[tuple[int, np.ndarray]]) -> tuple[list[dict[str, Any]], float]:
    c = LineCounter(LINE)
    events: list[dict[str, Any]] = []
    spent = 0
    for t, boxes in frames:
        t0 = time.perf_counter_ns()
        c.push_frame(t, boxes)
        got = c.poll()
        spent += time.perf_counter_ns() - t0
        events += got
    return events, spent / 1e3 / len(frames)


def sv_direction_map() -> dict[str, str]:
    """Which libhsm direction supervision's crossed_in means on LINE."""
    import supervision as sv
    import trackers

    lz = sv.LineZone(start=sv.Point(0, 120), end=sv.Point(320, 120), triggering_anchors=(sv.Position.CENTER,))
    tr = trackers.ByteTrackTracker(frame_rate=15)
    for k in range(30):
        y = 20 + 8 * k  # walking down the image: libhsm "in"
        d = sv.Detections(xyxy=np.array([[140.0, y - 15, 180.0, y + 15]]), confidence=np.array([0.9]), class_id=np.array([0]))
        lz.trigger(tr.update(d))
    if lz.in_count == 1:
        return {"in": "in", "out": "out"}
    assert lz.out_count == 1, (lz.in_count, lz.out_count)
    return {"in": "out", "out": "in"}


def run_supervision(
    frames: list[tuple[int, np.ndarray]], fps: float, anchors: str, mapping: dict[str, str]
) -> tuple[list[dict[str, Any]], float]:
    import supervision as sv
    import trackers

    kw = {"triggering_anchors": (sv.Position.CENTER,)} if anchors == "center" else {}
    lz = sv.LineZone(start=sv.Point(LINE[0], LINE[1]), end=sv.Point(LINE[2], LINE[3]), **kw)
    tr = trackers.ByteTrackTracker(frame_rate=fps)
    events: list[dict[str, Any]] = []
    spent = 0
    for t, b in frames:
        xyxy = np.empty((len(b), 4), dtype=np.float64)
        xyxy[:, 0] = b[:, 0]
        xyxy[:, 1] = b[:, 1]
        xyxy[:, 2] = b[:, 0] + b[:, 2]
        xyxy[:, 3] = b[:, 1] + b[:, 3]
        d = sv.Detections(xyxy=xyxy, confidence=b[:, 4].astype(np.float64), class_id=np.zeros(len(b), dtype=int))
        t0 = time.perf_counter_ns()
        tracked = tr.update(d)
        crossed_in, crossed_out = lz.trigger(tracked)
        spent += time.perf_counter_ns() - t0
        for _ in range(int(np.sum(crossed_in))):
            events.append({"t_us": t, "direction": mapping["in"]})
        for _ in range(int(np.sum(crossed_out))):
            events.append({"t_us": t, "direction": mapping["out"]})
    return events, spent / 1e3 / len(frames)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--dropouts", default="0,0.02,0.05,0.1,0.2", help="dropout-start probabilities per person-frame")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    try:
        import supervision
        import trackers  # noqa: F401
    except ImportError as e:
        print(f"supervision/trackers not installed ({e}); pip install supervision trackers", file=sys.stderr)
        return 2
    fps = 15.0
    mapping = sv_direction_map()
    rows = []
    for p in (float(x) for x in args.dropouts.split(",")):
        sim = simulate(minutes=args.minutes, seed=args.seed, dropout=p, fps=fps)
        frames = frames_of(sim)
        truth = sim["truth"]
        results = {"libhsm": run_libhsm(frames)}
        for anchors in ("center", "corners"):
            results[f"supervision ByteTrack ({anchors})"] = run_supervision(frames, fps, anchors, mapping)
        for name, (events, us) in results.items():
            e = evaluate(events, truth)
            rows.append(
                {
                    "dropout": p,
                    "counter": name,
                    "people": e["truth"],
                    "missed": e["missed"],
                    "double": e["double"],
                    "errors_per_200": round(e["errors_per_200"], 3),
                    "us_per_frame": round(us, 2),
                    "frames": len(frames),
                }
            )
    if args.json:
        print(json.dumps({"hsm": hsm.__version__, "supervision": supervision.__version__, "rows": rows}, indent=2))
        return 0
    print(f"hsm {hsm.__version__}, supervision {supervision.__version__}, {args.minutes} min per scenario, seed {args.seed}")
    print(f"supervision's crossed_in is libhsm's {mapping['in']!r} on this line\n")
    print("| dropout p | counter | people | missed | double | errors / 200 | µs / frame |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['dropout']} | {r['counter']} | {r['people']} | {r['missed']} | {r['double']} | "
            f"{r['errors_per_200']} | {r['us_per_frame']} |"
        )
    print()
    ok = True
    for p in sorted({r["dropout"] for r in rows}):
        group = [r for r in rows if r["dropout"] == p]
        ours = next(r for r in group if r["counter"] == "libhsm")
        others = [r for r in group if r["counter"] != "libhsm"]
        mine = ours["missed"] + ours["double"]
        if p > 0:
            fewer = all(mine < o["missed"] + o["double"] for o in others)
            verdict = f"fewer errors than every supervision setup: {fewer}"
        else:  # the control without dropouts: no worse is the most anyone can do at 0 errors
            fewer = all(mine <= o["missed"] + o["double"] for o in others)
            verdict = f"control without dropouts, no more errors than supervision: {fewer}"
        speed = min(o["us_per_frame"] for o in others) / max(ours["us_per_frame"], 1e-9)
        ok &= fewer and speed >= 50
        print(f"dropout {p}: libhsm {verdict}; speed-up >= {speed:.0f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
