"""Renders the Python guide's plots of a simulated morning at a hospital
entrance: temperature distribution, alarms over time, flows per hour.

Run by ``scripts/docs.sh`` (the docs build) into ``docs/img/``; CI runs it
into a scratch directory to keep it working. Uses only ``hsm`` and the
pinned plotting stack of ``bindings/python/requirements-docs.txt``.

    python docs/plots/morning.py OUT_DIR [--minutes 120] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import tempfile

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import hsm  # noqa: E402

LOCAL = np.timedelta64(8, "h")  # China Standard Time, UTC+8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "morning.db")
        summary = hsm.gate.run_demo(minutes=args.minutes, seed=args.seed, db=db)
        with hsm.gate.PassageLog.open_read_only(db) as log:
            passages = log.query()
            first, last = int(passages["entry_us"].min()), int(passages["entry_us"].max()) + 1
            flow = log.flow(first, last, bucket="hour")

    fever_bit = hsm.gate.ALARMS["fever"]
    threat_bit = hsm.gate.ALARMS["threat"]
    recheck_bit = hsm.gate.ALARMS["recheck"]
    local = passages["entry_us"].astype("datetime64[us]") + LOCAL
    title = f"A simulated {args.minutes:.0f}-minute morning (seed {args.seed})"

    # 1. Body temperature distribution of inbound passages.
    body = passages["body_c"][np.isfinite(passages["body_c"])]
    fever = (passages["alarms"] & fever_bit) != 0
    fig, ax = plt.subplots(figsize=(7, 4))
    bins = np.arange(35.5, 40.01, 0.1)
    ax.hist(body, bins=bins, color="#4C72B0", label="all screened")
    ax.hist(passages["body_c"][fever], bins=bins, color="#C44E52", label="fever alarm")
    ax.axvline(37.3, color="k", ls="--", lw=1, label="fever line 37.3 °C")
    ax.set_xlabel("estimated body temperature (°C)")
    ax.set_ylabel("passages")
    ax.set_title(f"{title}: temperatures")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "morning-temperatures.png"), dpi=110)
    plt.close(fig)

    # 2. Alarms over time (10-minute bins).
    minutes = (passages["entry_us"] - first) / 60e6
    edges = np.arange(0, args.minutes + 10, 10)
    fig, ax = plt.subplots(figsize=(7, 4))
    for bit, name, colour in [
        (fever_bit, "fever", "#C44E52"),
        (threat_bit, "threat", "#8172B2"),
        (recheck_bit, "re-check", "#CCB974"),
    ]:
        counts, _ = np.histogram(minutes[(passages["alarms"] & bit) != 0], bins=edges)
        # stairs: every bin drawn its full width, the last one too.
        ax.stairs(counts, edges, label=name, color=colour, linewidth=1.8)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("minutes since 07:30")
    ax.set_ylabel("alarms per 10 minutes")
    ax.set_title(f"{title}: alarms")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "morning-alarms.png"), dpi=110)
    plt.close(fig)

    # 3. Flows per hour (persons in and out).
    hours = [
        str((np.datetime64(r["start"], "us") + LOCAL).astype("datetime64[h]"))[-2:] + ":00"
        for r in flow
    ]
    x = np.arange(len(flow))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(x - 0.2, [r["persons_in"] for r in flow], width=0.4, label="in", color="#55A868")
    ax.bar(x + 0.2, [r["persons_out"] for r in flow], width=0.4, label="out", color="#DD8452")
    ax.set_xticks(x, hours)
    ax.set_xlabel("hour (local time)")
    ax.set_ylabel("persons")
    ax.set_title(f"{title}: flow per hour")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "morning-flow.png"), dpi=110)
    plt.close(fig)

    print(
        f"{len(passages)} passages ({summary['truth_in']} in, {summary['truth_out']} out); "
        f"fever {summary['fever']['alarmed']}/{summary['fever']['truth']}, "
        f"threat {summary['threat']['alarmed']}/{summary['threat']['truth']}; "
        f"{local.min()} to {local.max()} local; plots in {args.out}"
    )


if __name__ == "__main__":
    main()
