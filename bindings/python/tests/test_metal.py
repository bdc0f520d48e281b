"""hsm.metal: simulator, detector (whole and streaming), features, training, evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hsm
from hsm import metal

from conftest import DATA_DIR

FIELDS = {"alarm", "decision", "class", "confidence", "threat", "height_band", "side"}


def test_simulator_is_seeded_and_shaped() -> None:
    a, ta = metal.Simulator(3).passage("pistol_steel", "left_pocket")
    b, tb = metal.Simulator(3).passage("pistol_steel", "left_pocket")
    c, _ = metal.Simulator(4).passage("pistol_steel", "left_pocket")
    assert a.shape == (400, 18, 4) and a.dtype == np.complex128
    np.testing.assert_array_equal(a, b)
    assert ta == tb
    assert not np.array_equal(a, c)
    assert ta["height_band"] == "waist" and ta["side"] == "left"
    assert metal.Simulator(0).gate["zones"] == 18


def test_detector_whole_and_streaming_agree() -> None:
    x, _ = metal.Simulator(7).passage("kitchen_knife_20cm_stainless", "waist_front")
    det = metal.Detector("hospital")
    whole = det.process(x)
    assert FIELDS <= set(whole)
    assert whole["alarm"] is True and whole["decision"] == "alarm"
    assert whole["height_band"] == "waist"
    assert whole["tensors"].shape == (4, 3, 3) and whole["tensors"].dtype == np.complex128
    for frame in x:
        det.push(frame)
    assert det.frames == 400
    streamed = det.finish()
    assert det.frames == 0
    assert streamed["decision"] == whole["decision"] and streamed["threat"] == whole["threat"]
    # Classification alone on the estimated tensors gives the same threat.
    c = det.classify(whole["tensors"])
    assert c["class"] == whole["class"] and c["threat"] == pytest.approx(whole["threat"])


def test_empty_passage_passes() -> None:
    x, truth = metal.Simulator(2).passage(None)
    assert truth["location"] is None
    r = metal.Detector().process(x)
    assert r["decision"] == "pass" and r["alarm"] is False
    assert r["class"] is None and r["height_band"] is None and r["side"] is None


def test_non_contiguous_input_is_read_in_logical_order() -> None:
    x, _ = metal.Simulator(5).passage("knife", "right_pocket")
    fortran = np.asfortranarray(x)
    det = metal.Detector()
    assert det.process(fortran)["threat"] == det.process(x)["threat"]


def test_bad_dtype_shape_and_nan() -> None:
    det = metal.Detector()
    x, _ = metal.Simulator(1).passage("keys")
    with pytest.raises(TypeError, match="complex128"):
        det.process(x.real)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="complex128"):
        det.process(x.astype(np.complex64))
    with pytest.raises(TypeError):
        det.process([[1.0]])  # type: ignore[arg-type]
    with pytest.raises(hsm.ShapeError):
        det.process(x[:, :17, :])
    with pytest.raises(hsm.ShapeError):
        det.process(x[0])
    with pytest.raises(hsm.ShapeError):
        det.process(x[:10])  # shorter than 0.3 s
    bad = x.copy()
    bad[100, 3, 2] = complex(np.nan, 0.0)
    with pytest.raises(hsm.InvalidValueError):
        det.process(bad)
    with pytest.raises(hsm.InvalidValueError):
        det.push(bad[100])
    with pytest.raises(hsm.ShapeError):
        det.push(x[0, :, :3])
    assert det.frames == 0
    with pytest.raises(hsm.ShapeError):
        det.finish()
    with pytest.raises(hsm.ShapeError):
        det.classify(np.zeros((3, 3, 3), np.complex128))
    with pytest.raises(hsm.InvalidValueError):
        metal.Detector("lenient")
    with pytest.raises(hsm.FormatError):
        metal.Detector(model_json="{}")
    with pytest.raises(hsm.InvalidValueError):
        metal.Simulator(0).passage("banana")
    with pytest.raises(hsm.InvalidValueError):
        metal.Simulator(0).passage("keys", "elbow")
    with pytest.raises(hsm.ShapeError):
        metal.features(np.zeros((4, 3), np.complex128))
    with pytest.raises(TypeError):
        metal.features(np.zeros((4, 3, 3)))  # type: ignore[arg-type]


def test_features_are_rotation_invariant() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 3, 3)) + 1j * rng.normal(size=(4, 3, 3))
    t = ((a + a.transpose(0, 2, 1)) * 1e-6).astype(np.complex128)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    rotated = np.einsum("ij,fjk,lk->fil", q, t, q).astype(np.complex128)
    f1, f2 = metal.features(t), metal.features(rotated)
    assert f1.shape == (52,) and f1.dtype == np.float64
    np.testing.assert_allclose(f1, f2, atol=1e-6)


def test_train_cross_validate_and_use_a_model() -> None:
    X, y, groups, locations = metal.simulate_dataset("variants", per_class=2, passes=2, seed=3)
    assert X.shape == (len(y), 52) and len(groups) == len(y) == len(locations)
    assert set(y) <= {name for name, _ in metal.classes()}
    model = metal.train(X, y, hidden=8, epochs=50)
    det = metal.Detector(model_json=model)
    x, _ = metal.Simulator(9).passage("pistol_steel")
    assert FIELDS <= set(det.process(x))
    cv = metal.cross_validate(X, y, groups, folds=2, hidden=8, epochs=50)
    for k in ("accuracy", "threat_detection_rate", "false_alarm_rate", "threat_detection_at_5pct_fa"):
        assert 0.0 <= cv[k] <= 1.0
    with pytest.raises(hsm.ShapeError):
        metal.train(X[:-1], y)
    with pytest.raises(hsm.InvalidValueError):
        metal.train(X, ["banana"] * len(y))
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(hsm.InvalidValueError):
        metal.train(Xn, y)
    with pytest.raises(TypeError):
        metal.train(X.astype(np.float32), y)


def test_evaluate_an_object_list(tmp_path: Path) -> None:
    sphere = DATA_DIR / "metal" / "mpt_sphere"
    rows = [(sphere, "sphere", f"g{i}", i % 2 == 0) for i in range(2)]
    with pytest.raises(hsm.InvalidValueError):
        metal.evaluate(rows, folds=2, passes=1)  # one label, two threat values
    # Six groups, three folds: every training set holds both labels.
    rows = [(sphere, "ball" if i % 2 else "shot", f"g{i}", i % 2 == 0) for i in range(6)]
    r = metal.evaluate(rows, folds=3, passes=2, seed=1)
    assert r["labels"] == ["shot", "ball"]  # threat labels first
    for k in ("threat_detection_rate", "false_alarm_rate", "accuracy"):
        assert 0.0 <= r[k] <= 1.0
    with pytest.raises(hsm.HsmIOError):
        metal.evaluate([(tmp_path / "nope.json", "a", "g", True)] * 2, folds=2)


def test_builtins_and_trial_shape() -> None:
    objs = metal.builtin_objects()
    assert any(o["name"] == "pistol_steel" and o["threat"] for o in objs)
    assert any(o["class"] == "phone" and not o["threat"] for o in objs)
