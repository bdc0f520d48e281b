"""hsm.thermal.FrameProcessor and hsm.thermal.simulate (issue 3's Python door).

Golden vectors: tests/data/extract.vectors over tests/data/thermal/extract_160x120.npy,
the same numbers `cargo test --test golden` and the C test check.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

import hsm
from hsm.thermal import (
    FACE_DTYPE,
    QUALITY_FLAGS,
    FaceReading,
    FrameProcessor,
    Radiometry,
    simulate,
)

from conftest import DATA_DIR, load_vectors

EXTRACT = load_vectors("extract.vectors")
BB = (147, 7, 6, 6, 35.0)


def golden_stack() -> np.ndarray:
    stack: np.ndarray = np.load(DATA_DIR / "thermal" / "extract_160x120.npy")
    assert stack.dtype == np.uint16 and stack.shape == (6, 120, 160)
    return stack


def check_face(v: dict[str, str], rec: np.void) -> None:
    assert [int(rec[k]) for k in ("x", "y", "w", "h", "site_x", "site_y")] == [
        int(v[k]) for k in ("x", "y", "w", "h", "sx", "sy")
    ], v["case"]
    assert int(rec["flags"]) == int(v["flags"]), v["case"]
    tol = float(v["tol"])
    for key in ("site_c", "corrected_c"):
        want, got = float(v[key]), float(rec[key])
        assert abs(got - want) <= tol or (math.isnan(got) and math.isnan(want)), v["case"]


def test_golden_vectors_frame_by_frame_and_stack() -> None:
    stack = golden_stack()
    p = FrameProcessor(Radiometry.tlinear(0.01), BB)
    per_frame = [p.process_array(stack[i], timestamp_us=33_333 * i) for i in range(6)]
    p.reset()
    allf = p.process_stack(stack)
    faces = 0
    for v in EXTRACT:
        i = int(v["frame"])
        if v["kind"] == "frame":
            assert len(per_frame[i]) == int(v["faces"]), v["case"]
            assert int((allf["frame"] == i).sum()) == int(v["faces"]), v["case"]
        else:
            faces += 1
            k = int(v["index"])
            check_face(v, per_frame[i][k])
            check_face(v, allf[allf["frame"] == i][k])
    assert faces >= 6


def test_readings_as_objects_and_structured_array() -> None:
    stack = golden_stack()
    p = FrameProcessor(Radiometry.tlinear(0.01), BB)
    faces = p.process(stack[0])
    assert all(isinstance(f, FaceReading) for f in faces)
    assert len(faces) == 3
    arr = FrameProcessor(Radiometry.tlinear(0.01), BB).process_array(stack[0])
    assert arr.dtype == FACE_DTYPE and len(arr) == 3
    for f, r in zip(faces, arr):
        assert f.bbox == (r["x"], r["y"], r["w"], r["h"])
        assert f.site == (r["site_x"], r["site_y"])
        assert f.site_c == pytest.approx(float(r["site_c"]))
    assert "too_few_pixels" in faces[1].flags and not faces[1].valid
    assert set(QUALITY_FLAGS) >= {"no_blackbody", "glasses", "frozen_frame"}
    info = p.last_frame()
    assert info["dead_rows"] == 0 and math.isfinite(info["blackbody_measured_c"])


def test_no_blackbody_flags_every_reading() -> None:
    faces = FrameProcessor(Radiometry.tlinear(0.01)).process(golden_stack()[2])
    assert faces and all("no_blackbody" in f.flags and math.isnan(f.corrected_c) for f in faces)


def test_float32_celsius_frames_match_counts() -> None:
    stack = golden_stack()
    celsius = np.where(stack == 0, np.nan, stack * 0.01 - 273.15).astype(np.float32)
    a = FrameProcessor(Radiometry.tlinear(0.01), BB).process_stack(stack)
    b = FrameProcessor(Radiometry.celsius(), BB).process_stack(celsius)
    assert len(a) == len(b)
    for key in ("frame", "x", "y", "w", "h", "site_x", "site_y"):
        assert (a[key] == b[key]).all(), key
    assert np.abs(a["site_c"] - b["site_c"]).max() < 0.011


def test_nan_pixels_are_bad_pixels_not_temperatures() -> None:
    stack = golden_stack()
    celsius = (stack[2] * 0.01 - 273.15).astype(np.float32)
    celsius[50:53, 95:105] = np.nan
    faces = FrameProcessor(Radiometry.celsius(), BB).process(celsius)
    assert faces and "saturated" in faces[0].flags
    assert all(math.isfinite(f.site_c) for f in faces)


def test_wrong_dtype_shape_and_pairing() -> None:
    p = FrameProcessor(Radiometry.tlinear(0.01), BB)
    frame = golden_stack()[0]
    with pytest.raises(TypeError):
        p.process(frame.astype(np.int32))
    with pytest.raises(TypeError):
        p.process(frame.astype(np.float64))
    with pytest.raises(TypeError):
        p.process(frame.tolist())
    with pytest.raises(hsm.ShapeError):
        p.process(golden_stack())
    with pytest.raises(hsm.ShapeError):
        p.process_stack(frame)
    with pytest.raises(hsm.ShapeError):
        p.process(np.zeros((0, 5), np.uint16))
    # °C frames need a linear map; Celsius processors need °C frames.
    with pytest.raises(hsm.InvalidValueError):
        FrameProcessor(Radiometry.celsius(), BB).process(frame)
    # The blackbody must lie inside the frame.
    with pytest.raises(hsm.InvalidValueError):
        FrameProcessor(Radiometry.tlinear(0.01), (150, 0, 20, 5, 35.0)).process(frame)
    # Time runs forward.
    p.process(frame, timestamp_us=1_000_000)
    with pytest.raises(hsm.InvalidValueError):
        p.process(frame, timestamp_us=0)
    with pytest.raises(hsm.InvalidValueError):
        FrameProcessor(Radiometry.tlinear(0.01), band=(43.0, 30.0))
    # Non-contiguous input is copied, not misread.
    wide = np.zeros((120, 320), np.uint16)
    wide[:, ::2] = frame
    assert len(FrameProcessor(Radiometry.tlinear(0.01), BB).process(wide[:, ::2])) == 3


def test_simulate_is_seeded_and_screenable() -> None:
    frames, truth = simulate(16, seed=5)
    again, _ = simulate(16, seed=5)
    assert frames.dtype == np.uint16 and frames.shape == (16, 120, 160)
    assert (frames == again).all()
    assert len(truth["frames"]) == 16
    bb = tuple(truth["blackbody"])
    arr = FrameProcessor(Radiometry.tlinear(0.01), bb).process_stack(frames)
    last = arr[arr["frame"] == 15]
    want = truth["frames"][15]["faces"][0]["site_c"]
    assert len(last) == 1 and abs(float(last["corrected_c"][0]) - want) < 0.3
    with pytest.raises(hsm.InvalidValueError):
        simulate(0)


def test_releases_the_gil() -> None:
    # Two threads each process a stack; both finish (and agree).
    stack = np.repeat(golden_stack(), 20, axis=0)
    out: list[np.ndarray] = []

    def work() -> None:
        out.append(FrameProcessor(Radiometry.tlinear(0.01), BB).process_stack(stack))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 2 and (out[0] == out[1]).all()
