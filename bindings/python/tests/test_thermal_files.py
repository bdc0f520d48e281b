"""hsm.thermal.read on real radiometric files.

The GPL samples (IR_2412.jpg, SampleSEQ.seq, SampleCSQ.csq and the Thermimage
references) are read from ``../shared/data/thermal`` beside the checkout; the
tests fail loudly when it is absent. The permissive ones are in
``tests/data/thermal``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

import hsm
from hsm.thermal import read

from conftest import DATA_DIR, REPO_ROOT

SHARED = REPO_ROOT.parent / "shared" / "data" / "thermal"
COPIED = DATA_DIR / "thermal"


def shared(name: str) -> Path:
    assert (SHARED / "README.md").is_file(), (
        f"sample files missing: expected {SHARED} beside the checkout"
    )
    return SHARED / name


def test_ir_2412_matches_thermimage() -> None:
    f = read(shared("IR_2412.jpg"))
    assert f.frames == 1 and len(f) == 1
    t = f.celsius(0)
    assert t.dtype == np.float32 and t.shape == (480, 640)
    ref = np.fromfile(shared("FLIRjpg_W640_H480_F1_I.raw"), dtype="<f4").reshape(480, 640)
    assert float(np.max(np.abs(t - ref))) <= 1e-3
    raw = f.raw(0)
    assert raw.dtype == np.uint16
    assert (int(raw.min()), int(raw.max())) == (17917, 20218)
    assert f.meta["camera"]["model"] == "FLIR SC660"
    assert f.meta["format"] == "flir-jpeg"


def test_seq_iteration_and_reference() -> None:
    f = read(str(shared("SampleSEQ.seq")))
    frames = list(f)
    assert len(frames) == 2 and all(r.shape == (480, 640) for r in frames)
    ref = np.fromfile(shared("SampleSEQ_W640_H480_F2_I3.97.raw"), dtype="<f4").reshape(2, 480, 640)
    for i in range(2):
        assert float(np.max(np.abs(f.celsius(i) - ref[i]))) <= 1e-3
    assert np.array_equal(f.raw(-1), frames[1])


def test_csq_all_frames_decode() -> None:
    f = read(shared("SampleCSQ.csq"))
    assert f.frames == 8 and f.meta["pixel_encoding"] == "jpeg-ls"
    r0 = f.raw(0)
    assert (int(r0.min()), int(r0.max())) == (13721, 16295)
    assert abs(float(f.celsius(0).mean()) - 22.5619) < 1e-3


def test_from_bytes_and_overrides() -> None:
    data = (COPIED / "zenmuse_xtr.jpg").read_bytes()
    f = read(data)
    base = f.celsius(0)
    assert abs(float(base.mean()) - 27.7041) < 1e-3
    hotter = f.celsius(0, emissivity=0.5)
    assert float(hotter.mean()) > float(base.mean())
    same = f.celsius(0, distance=20.0, reflected=22.0, atmosphere=32.0, humidity=0.5)
    assert float(np.max(np.abs(same - base))) < 1e-4
    assert f.meta["camera"]["emissivity"] == pytest.approx(0.70)
    with pytest.raises(hsm.InvalidValueError):
        f.celsius(0, emissivity=2.0)


def test_embedded_visible_image() -> None:
    f = read(COPIED / "flir_example.jpg")
    img = f.meta["embedded_image"]
    assert img is not None and img["encoding"] in ("jpeg", "png")
    assert isinstance(img["data"], bytes) and len(img["data"]) > 1000


def test_errors_are_typed_and_name_the_offset() -> None:
    data = (COPIED / "frame_000000_le.fff").read_bytes()
    with pytest.raises(hsm.FormatError) as e:
        read(data[:2000])
    assert e.value.status == "Truncated"
    assert "offset" in str(e.value)
    with pytest.raises(hsm.FormatError) as e:
        read(COPIED / "frame_000000.txt")
    assert e.value.status == "UnsupportedFormat"
    with pytest.raises(hsm.HsmIOError):
        read("/nonexistent/file.seq")
    f = read(data)
    with pytest.raises(IndexError):
        f.raw(1)


def test_raw_only_files_refuse_celsius(tmp_path: Path) -> None:
    npy = tmp_path / "stack.npy"
    np.save(npy, np.stack([read(COPIED / "ax8.jpg").raw(0)] * 3))
    f = read(npy)
    assert f.frames == 3 and f.meta["camera"] is None
    assert np.array_equal(f.raw(2), read(COPIED / "ax8.jpg").raw(0))
    with pytest.raises(hsm.FormatError):
        f.celsius(0)


def test_threads_share_one_file() -> None:
    f = read(COPIED / "frame_000000.fff")
    want = f.celsius(0)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                assert np.array_equal(f.celsius(0), want, equal_nan=True)
        except BaseException as e:  # noqa: BLE001 - collected for the main thread
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
