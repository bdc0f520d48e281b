#!/usr/bin/env python3
"""Read + convert IR_2412.jpg: libhsm's Python reader against flyr, in one process.

flyr (pure Python + numpy) is the fastest Python reader that handles FLIR
radiometric JPEGs; libhsm's bar is to be at least 20x faster at turning the
file on disk into a float °C array with the file's own parameters.

    pip install flyr                                   # the peer
    (cd bindings/python && maturin develop --release)  # libhsm, optimised
    python benches/compare/thermal_files.py [--repeat N] [--json OUT]

Both readers start from the path (open, parse, decode, convert) each time;
the best of N runs per reader is reported (the least disturbed by other
load), with the median beside it, and both results are checked against
Thermimage's reference (FLIRjpg_W640_H480_F1_I.raw) so the comparison is
between correct readers. Sample files are read from ../shared/data/thermal
beside the checkout; the script fails when they are absent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "thermal"


def timed(fn: Callable[[], np.ndarray], repeat: int) -> tuple[list[float], np.ndarray]:
    out = fn()  # warm-up (imports, first-call caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--json", type=Path, help="write the results here as JSON")
    args = ap.parse_args()

    path = SHARED / "IR_2412.jpg"
    if not path.is_file():
        print(f"error: {path} missing (shared/ beside the checkout)", file=sys.stderr)
        return 1
    ref = np.fromfile(SHARED / "FLIRjpg_W640_H480_F1_I.raw", dtype="<f4").reshape(480, 640)

    import hsm

    results: dict[str, dict[str, float]] = {}
    hsm_times, hsm_c = timed(lambda: hsm.thermal.read(path).celsius(0), args.repeat)
    results["libhsm"] = {
        "best_ms": min(hsm_times) * 1e3,
        "median_ms": statistics.median(hsm_times) * 1e3,
        "max_abs_diff_c": float(np.max(np.abs(hsm_c - ref))),
    }
    try:
        import flyr
    except ImportError:
        print("flyr is not installed: `pip install flyr` to time the peer", file=sys.stderr)
        flyr = None
    if flyr is not None:
        flyr_times, flyr_c = timed(lambda: flyr.unpack(str(path)).celsius, max(3, args.repeat // 4))
        results["flyr"] = {
            "best_ms": min(flyr_times) * 1e3,
            "median_ms": statistics.median(flyr_times) * 1e3,
            "max_abs_diff_c": float(np.max(np.abs(flyr_c - ref))),
        }
    print(f"{'reader':8} {'best ms':>9} {'median ms':>10} {'max |dT| vs Thermimage':>24}")
    for name, r in results.items():
        print(f"{name:8} {r['best_ms']:9.2f} {r['median_ms']:10.2f} {r['max_abs_diff_c']:24.2e}")
    if "flyr" in results:
        speedup = results["flyr"]["best_ms"] / results["libhsm"]["best_ms"]
        results["speedup"] = {"flyr_over_libhsm": speedup}
        print(f"libhsm is {speedup:.1f}x faster than flyr (bar: >= 20x)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    ok = results["libhsm"]["max_abs_diff_c"] <= 1e-3
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
