"""Collects criterion results into one JSON file and prints them as a table.

Usage: python scripts/bench_report.py [CRITERION_DIR] [OUT_JSON]
Defaults: target/criterion and target/bench-results.json.

Reads each benchmark's `new/benchmark.json` (its id and throughput) and
`new/estimates.json` (median and its confidence interval, in ns), so the
file is machine-readable for CI trend tracking and the table is readable in
a log.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def human_time(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "target/bench-results.json")
    rows = []
    for bench in sorted(root.glob("**/new/benchmark.json")):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        median = est["median"]["point_estimate"]
        row = {
            "id": meta["full_id"],
            "median_ns": median,
            "median_ci_ns": [
                est["median"]["confidence_interval"]["lower_bound"],
                est["median"]["confidence_interval"]["upper_bound"],
            ],
        }
        tp = meta.get("throughput") or {}
        for kind in ("Elements", "Bytes"):
            if kind in tp:
                row["throughput"] = {kind.lower(): tp[kind], "per_second": tp[kind] / (median * 1e-9)}
        rows.append(row)
    if not rows:
        print(f"no criterion results under {root}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmarks": rows}, indent=2, ensure_ascii=False) + "\n")
    width = max(len(r["id"]) for r in rows)
    print(f"{'benchmark':<{width}}  {'median':>10}  {'throughput':>16}")
    for r in rows:
        tp = r.get("throughput")
        rate = ""
        if tp:
            per_s = tp["per_second"]
            unit = "elem/s" if "elements" in tp else "B/s"
            rate = f"{per_s / 1e6:.4g} M{unit}" if per_s >= 1e6 else f"{per_s:.4g} {unit}"
        print(f"{r['id']:<{width}}  {human_time(r['median_ns']):>10}  {rate:>16}")
    print(f"\n{len(rows)} benchmarks -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
