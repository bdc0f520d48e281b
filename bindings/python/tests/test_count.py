"""hsm.count: the shared golden vectors, the simulator, evaluation, flow, errors."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

import hsm
from hsm.count import BeamDecoder, LineCounter, evaluate, flow, flow_summary, simulate

from conftest import load_vectors

VECTORS = load_vectors("counting.vectors")
FRAME_US = 66_667


def _token(t: Mapping[str, Any], unit: int) -> str:
    d = "i" if t["direction"] == "in" else "o"
    return f"{d}{t['t_us'] // unit}{'x2' if t['persons'] == 2 else ''}"


def _run_beams(v: dict[str, str]) -> tuple[tuple[int, int], str, str, tuple[int, int] | None]:
    d = BeamDecoder()
    status = None
    for i, tok in enumerate(v["events"].split(",")):
        try:
            d.push(int(tok[:-2]) * 1000, tok[-2], tok[-1] == "1")
        except hsm.HsmError as e:
            status = (e.code, i)
            break
    d.advance(int(v["advance"]) * 1000)
    d.flush()
    transits = ",".join(_token(t, 1000) for t in d.poll()) or "none"
    faults = (
        ",".join(f"{'s' if f['kind'] == 'stuck' else 'r'}{f['beam']}{f['t_us'] // 1000}" for f in d.faults())
        or "none"
    )
    return d.counts, transits, faults, status


def _run_tracks(v: dict[str, str]) -> tuple[tuple[int, int], str, tuple[int, int] | None]:
    line = tuple(float(x) for x in v["line"].split(","))
    bw, bh = (float(x) for x in v["box"].split("x"))
    try:
        c = LineCounter(line)  # type: ignore[arg-type]
    except hsm.HsmError as e:
        return (0, 0), "none", (e.code, -1)
    status = None
    got: list[str] = []
    frames = v["frames"].split(";")
    for k, fr in enumerate(frames):
        boxes = np.zeros((0, 4), dtype=np.float32)
        if fr != "-":
            centres = [tuple(float(x) for x in p.split(",")) for p in fr.split("/")]
            boxes = np.array([[x - bw / 2, y - bh / 2, bw, bh] for x, y in centres], dtype=np.float32)
        try:
            c.push_frame(k * FRAME_US, boxes)
        except hsm.HsmError as e:
            status = (e.code, k)
            break
        got += [_token(t, FRAME_US) for t in c.poll()]
    if status is None:
        for k in range(len(frames), len(frames) + 15):
            c.push_frame(k * FRAME_US, np.zeros((0, 4)))
            got += [_token(t, FRAME_US) for t in c.poll()]
    return c.counts, ",".join(got) or "none", status


@pytest.mark.parametrize("v", VECTORS, ids=[v["case"] for v in VECTORS])
def test_golden_vectors(v: dict[str, str]) -> None:
    want_status = (int(v["status"]), int(v["at"])) if "status" in v else None
    if v["kind"] == "beams":
        counts, transits, faults, status = _run_beams(v)
        assert faults == v["faults"]
    else:
        counts, transits, status = _run_tracks(v)
    assert counts == (int(v["in"]), int(v["out"]))
    assert transits == v["transits"]
    assert status == want_status


def test_simulate_is_deterministic_and_dataframe_ready() -> None:
    a = simulate(minutes=2, seed=5)
    b = simulate(minutes=2, seed=5)
    for part in ("beams", "detections", "truth"):
        for key, col in a[part].items():
            assert np.array_equal(np.asarray(col), np.asarray(b[part][key])), (part, key)
    det = a["detections"]
    lengths = {len(col) for col in det.values()}
    assert len(lengths) == 1
    assert det["x"].dtype == np.float32 and det["t_us"].dtype == np.int64
    assert set(a["truth"]["direction"]) <= {"in", "out"}
    assert len(a["truth"]["t_us"]) > 30


def test_line_counter_on_the_simulator_meets_the_bar() -> None:
    sim = simulate(minutes=20, seed=21)
    det = sim["detections"]
    c = LineCounter((0, 120, 320, 120))
    boxes = np.stack([det["x"], det["y"], det["w"], det["h"], det["score"]], axis=1)
    starts = np.searchsorted(det["frame"], sim["frames"]["frame"])
    ends = np.searchsorted(det["frame"], sim["frames"]["frame"], side="right")
    transits = []
    for t, s, e in zip(sim["frames"]["t_us"], starts, ends):
        c.push_frame(int(t), boxes[s:e])
        transits += c.poll()
    score = evaluate(transits, sim["truth"])
    assert score["truth"] == len(sim["truth"]["t_us"])
    assert score["errors_per_200"] <= 2.0, score
    assert score["in"]["matched"] + score["in"]["missed"] == score["in"]["truth"]


def test_count_beams_matches_the_decoder() -> None:
    sim = simulate(minutes=10, seed=4, single_file=True)
    b = sim["beams"]
    r = hsm.count.count_beams(b["t_us"], b["beam"], b["blocked"])
    score = evaluate(r["events"], sim["truth"])
    assert r["in"] + r["out"] == sum(t["persons"] for t in r["events"])
    assert score["errors_per_200"] <= 1.0, score
    assert r["faults"] == []


def test_evaluate_reports_misses_and_doubles_separately() -> None:
    truth = {"t_us": [1_000_000, 5_000_000], "direction": ["in", "in"]}
    pred = [{"t_us": 1_100_000, "direction": "in"}, {"t_us": 1_200_000, "direction": "in"}]
    e = evaluate(pred, truth, window_ms=500)
    assert (e["missed"], e["double"]) == (1, 1)
    assert e["in"] == {"truth": 2, "predicted": 2, "matched": 1, "missed": 1, "double": 1}
    assert math.isclose(e["errors_per_200"], 200.0)
    with pytest.raises(hsm.InvalidValueError, match="direction"):
        evaluate([{"t_us": 0, "direction": "sideways"}], truth)


def test_flow_rows_and_summary() -> None:
    h = 3_600_000_000
    tx = {"t_us": [5, h + 1, h + 2, 25 * h], "direction": ["in", "in", "out", "out"]}
    rows = flow(tx, bin="hour")
    assert rows["in"].tolist()[:2] == [1, 1] and len(rows["start_us"]) == 26
    assert rows["occupancy"][-1] == 0
    s = flow_summary(tx)
    assert (s["total_in"], s["total_out"], s["days"]) == (2, 2, 2)
    assert s["daily_avg_in"] == 1.0 and s["peak_hour_start_us"] == h
    with pytest.raises(hsm.InvalidValueError, match="bin width"):
        flow(tx, bin=0)


def test_errors_name_the_field() -> None:
    c = LineCounter((0, 120, 320, 120))
    with pytest.raises(hsm.InvalidValueError, match=r"detections\[1\]") as info:
        c.push_frame(0, np.array([[1, 2, 3, 4], [np.nan, 2, 3, 4]], dtype=np.float32))
    assert info.value.status == "InvalidArgument"
    c.push_frame(10, np.zeros((0, 4)))
    with pytest.raises(hsm.InvalidValueError) as info2:
        c.push_frame(5, np.zeros((0, 4)))
    assert info2.value.status == "OutOfOrder" and info2.value.code == 1005
    with pytest.raises(hsm.ShapeError) as info3:
        c.push_frame(20, np.zeros((300, 4), dtype=np.float32))
    assert info3.value.status == "CapacityExceeded"
    with pytest.raises(hsm.ShapeError):
        c.push_frame(20, np.zeros((2, 3)))
    with pytest.raises(hsm.InvalidValueError, match="line"):
        LineCounter((5, 5, 5, 5))
    with pytest.raises(hsm.InvalidValueError, match="beam"):
        BeamDecoder().push(0, "C", True)
    with pytest.raises(hsm.InvalidValueError, match="min_dwell"):
        BeamDecoder(min_dwell_ms=-1)
    with pytest.raises(hsm.InvalidValueError, match="minutes"):
        simulate(minutes=float("nan"))
    assert hsm.status_codes()["CapacityExceeded"] == 1006


def test_one_counter_shared_by_threads() -> None:
    c = LineCounter((0, 120, 320, 120))
    lock = threading.Lock()
    frame = [0]

    def work() -> None:
        for _ in range(200):
            with lock:  # frames must be in time order; the counter is still locked inside
                k = frame[0]
                frame[0] += 1
            try:
                c.push_frame(k * FRAME_US, np.array([[140, (20 + 8 * k) % 240, 40, 30]], dtype=np.float32))
            except hsm.InvalidValueError:
                pass  # a frame overtaken by another thread is out of order: fine
            c.poll()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(c.counts) >= 0
