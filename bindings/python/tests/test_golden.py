"""The shared golden vectors (tests/data/*.vectors), checked through Python.

The same files are read by `cargo test` (tests/golden.rs) and the C test
program, so every door is held to the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import hsm
from hsm.policy import guard_staffing
from hsm.thermal import Radiometry

from conftest import load_vectors

RADIOMETRY = load_vectors("radiometry.vectors")
STAFFING = load_vectors("staffing.vectors")
CODES = hsm.status_codes()
NAMES = {code: name for name, code in CODES.items()}


def num(vector: dict[str, str], key: str) -> float:
    return float(vector[key])


def radiometry(v: dict[str, str]) -> Radiometry:
    kind = v["kind"]
    if kind == "planck":
        return Radiometry.planck(
            r1=num(v, "r1"),
            r2=num(v, "r2"),
            b=num(v, "b"),
            f=num(v, "f"),
            o=num(v, "o"),
            x=num(v, "x"),
            alpha1=num(v, "a1"),
            alpha2=num(v, "a2"),
            beta1=num(v, "b1"),
            beta2=num(v, "b2"),
            emissivity=num(v, "e"),
            distance_m=num(v, "dist"),
            reflected_c=num(v, "refl"),
            atmosphere_c=num(v, "atm"),
            window_c=num(v, "win"),
            window_transmission=num(v, "win_tau"),
            relative_humidity=num(v, "rh"),
        )
    if kind == "tlinear":
        return Radiometry.tlinear(num(v, "res"))
    if kind == "linear":
        return Radiometry.linear(num(v, "gain"), num(v, "offset"))
    raise AssertionError(f"{v['case']}: unknown kind {kind!r}")


def test_vector_files_are_well_formed() -> None:
    for v in RADIOMETRY:
        assert ("celsius" in v) != ("status" in v), v["case"]
    assert len({v["case"] for v in RADIOMETRY}) == len(RADIOMETRY)
    assert len({v["case"] for v in STAFFING}) == len(STAFFING)


@pytest.mark.parametrize(
    "v", [v for v in RADIOMETRY if "celsius" in v], ids=lambda v: v["case"]
)
def test_radiometry_value(v: dict[str, str]) -> None:
    conv = radiometry(v)
    raw, expected, tol = num(v, "raw"), num(v, "celsius"), num(v, "tol")
    # The scalar path is f64 end to end: the vector's own tolerance.
    assert conv.raw_to_celsius(raw) == pytest.approx(expected, abs=tol)
    # The frame path goes through the float32 lookup table: allow for
    # float32 rounding on top of the tolerance.
    frame = np.full((2, 3), int(raw), dtype=np.uint16)
    out = conv.to_celsius(frame)
    assert out.dtype == np.float32 and out.shape == (2, 3)
    f32_tol = tol + 4 * float(np.finfo(np.float32).eps) * abs(expected)
    np.testing.assert_allclose(out, expected, rtol=0, atol=f32_tol)
    # And back: the raw value of the expected temperature is the count.
    back = conv.celsius_to_raw(conv.raw_to_celsius(raw))
    assert back == pytest.approx(raw, rel=1e-9)


@pytest.mark.parametrize(
    "v", [v for v in RADIOMETRY if "status" in v], ids=lambda v: v["case"]
)
def test_radiometry_error(v: dict[str, str]) -> None:
    status = int(v["status"])
    with pytest.raises(hsm.HsmError) as info:
        conv = radiometry(v)
        # Parameters were usable: the raw value itself must be out of range,
        # and the frame path must report it as NaN, never a number.
        frame = np.full((1, 2), int(num(v, "raw")), dtype=np.uint16)
        assert np.isnan(conv.to_celsius(frame)).all(), v["case"]
        conv.raw_to_celsius(num(v, "raw"))
    exc = info.value
    assert exc.code == status, f"{v['case']}: {exc}"
    assert exc.status == NAMES[status]
    # Codes 2001-2003 are all "a value outside its domain".
    assert isinstance(exc, hsm.InvalidValueError) and isinstance(exc, ValueError)
    assert str(exc)


@pytest.mark.parametrize("v", STAFFING, ids=lambda v: v["case"])
def test_staffing(v: dict[str, str]) -> None:
    r = guard_staffing(
        staff=int(v["staff"]), beds=int(v["beds"]), outpatients=int(v["outpatients"])
    )
    assert r.required == int(v["required"])
    assert r.binding == v["binding"]
    assert [t["required"] for t in r.terms] == [
        int(v["t_staff"]),
        int(v["t_beds"]),
        int(v["t_outpatients"]),
    ]
    assert [t["input"] for t in r.terms] == [
        int(v["staff"]),
        int(v["beds"]),
        int(v["outpatients"]),
    ]
    for t in r.terms:
        assert math.ceil(t["exact_guards"] - 1e-9) <= t["required"]
