"""hsm.thermal.Radiometry over numpy frames and stacks."""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt
import pytest

import hsm
from hsm.thermal import Radiometry

CODES = hsm.status_codes()


@pytest.fixture(scope="module")
def sc660() -> Radiometry:
    """IR_2412.jpg's FLIR SC660 constants, as in the golden vectors."""
    return Radiometry.planck(
        r1=21106.77, r2=0.012545258, b=1501.0, f=1.0, o=-7340.0, emissivity=0.95
    )


def counts(shape: tuple[int, ...], seed: int = 0) -> npt.NDArray[np.uint16]:
    """Counts spanning the camera's valid range and some invalid ones below it."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 30000, size=shape, dtype=np.uint16)


def reference(conv: Radiometry, raw: npt.NDArray[np.uint16]) -> npt.NDArray[np.float32]:
    """Pixel by pixel through the scalar (f64) path, NaN out of domain."""
    out = np.empty(raw.shape, dtype=np.float32)
    for index, value in np.ndenumerate(raw):
        try:
            out[index] = conv.raw_to_celsius(float(value))
        except hsm.InvalidValueError as e:
            assert e.code == CODES["OutOfRange"]
            out[index] = np.nan
    return out


def same(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


# ---- conversion ------------------------------------------------------------


def test_frame_matches_scalar_path(sc660: Radiometry) -> None:
    raw = counts((24, 32))
    got = sc660.to_celsius(raw)
    assert got.dtype == np.float32 and got.shape == raw.shape
    assert got.flags.c_contiguous
    np.testing.assert_allclose(got, reference(sc660, raw), rtol=1e-6, equal_nan=True)
    lo, hi = sc660.valid_counts or (None, None)
    assert lo is not None and hi == 65535
    assert np.isnan(got[raw < lo]).all() and not np.isnan(got[raw >= lo]).any()


def test_stack_equals_frame_by_frame(sc660: Radiometry) -> None:
    stack = counts((5, 48, 64), seed=1)  # 15 360 pixels: the GIL is released
    got = sc660.to_celsius(stack)
    assert got.shape == stack.shape
    for i in range(stack.shape[0]):
        assert same(got[i], sc660.to_celsius(stack[i]))


def test_single_pixel_frame_and_stack(sc660: Radiometry) -> None:
    one = np.array([[20218]], dtype=np.uint16)
    assert sc660.to_celsius(one)[0, 0] == pytest.approx(35.2505, abs=1e-3)
    assert sc660.to_celsius(one[None]).shape == (1, 1, 1)


def test_input_is_not_modified(sc660: Radiometry) -> None:
    raw = counts((16, 16))
    before = raw.copy()
    sc660.to_celsius(raw)
    assert np.array_equal(raw, before)


def test_read_only_input_is_accepted(sc660: Radiometry) -> None:
    raw = counts((8, 8))
    raw.flags.writeable = False
    assert same(sc660.to_celsius(raw), sc660.to_celsius(raw.copy()))


# ---- out= ------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(12, 10), (3, 12, 10), (2, 64, 80)])
def test_out_buffer_is_filled_and_returned(sc660: Radiometry, shape: tuple[int, ...]) -> None:
    raw = counts(shape, seed=2)
    out = np.full(shape, -1.0, dtype=np.float32)
    result = sc660.to_celsius(raw, out=out)
    assert result is out  # zero-copy: the caller's buffer, not a copy of it
    assert same(out, sc660.to_celsius(raw))
    # Reusing the buffer overwrites every pixel.
    result2 = sc660.to_celsius(np.full(shape, 20218, dtype=np.uint16), out)
    assert result2 is out
    np.testing.assert_allclose(out, 35.2505, atol=1e-3)


def test_out_none_allocates(sc660: Radiometry) -> None:
    raw = counts((4, 4))
    assert same(sc660.to_celsius(raw, out=None), sc660.to_celsius(raw))


@pytest.mark.parametrize(
    "make_out",
    [
        pytest.param(lambda s: np.empty(s, dtype=np.float64), id="float64"),
        pytest.param(lambda s: np.empty(s, dtype=np.uint16), id="uint16"),
        pytest.param(lambda s: np.empty(s, dtype=">f4"), id="big-endian-float32"),
        pytest.param(lambda s: np.empty((s[0], s[1] + 1), dtype=np.float32), id="shape"),
        pytest.param(lambda s: np.empty(s[::-1], dtype=np.float32).T, id="fortran"),
        pytest.param(
            lambda s: np.empty((s[0], 2 * s[1]), dtype=np.float32)[:, ::2], id="strided"
        ),
        pytest.param(lambda s: np.empty(s[0] * s[1], dtype=np.float32), id="flat"),
        pytest.param(lambda s: [[0.0] * s[1]] * s[0], id="list"),
    ],
)
def test_bad_out_is_a_shape_error(sc660: Radiometry, make_out: object) -> None:
    raw = counts((6, 5))
    out = make_out(raw.shape)  # type: ignore[operator]
    with pytest.raises(hsm.ShapeError) as info:
        sc660.to_celsius(raw, out=out)
    assert info.value.code == CODES["ShapeMismatch"]
    assert "out" in str(info.value)


def test_read_only_out_is_a_shape_error(sc660: Radiometry) -> None:
    raw = counts((6, 5))
    out = np.empty(raw.shape, dtype=np.float32)
    out.flags.writeable = False
    with pytest.raises(hsm.ShapeError, match="out"):
        sc660.to_celsius(raw, out=out)


def test_out_sharing_memory_with_raw_is_refused(sc660: Radiometry) -> None:
    buf = np.zeros(64, dtype=np.float32)
    out = buf[:32].reshape(4, 8)
    raw = buf.view(np.uint16)[:32].reshape(4, 8)  # the same bytes
    with pytest.raises(hsm.ShapeError, match="out"):
        sc660.to_celsius(raw, out=out)


# ---- layouts: never misread --------------------------------------------------


@pytest.mark.parametrize(
    "view",
    [
        pytest.param(lambda a: a[:, ::2], id="column-step"),
        pytest.param(lambda a: a[::3], id="row-step"),
        pytest.param(lambda a: a.T, id="transposed"),
        pytest.param(lambda a: a[::-1, ::-1], id="reversed"),
        pytest.param(lambda a: a[2:9, 3:17], id="window"),
        pytest.param(lambda a: np.asfortranarray(a), id="fortran"),
        pytest.param(lambda a: np.broadcast_to(a[0], (4, a.shape[1])), id="broadcast"),
        pytest.param(lambda a: a.reshape(3, 10, 20).transpose(2, 0, 1), id="stack-transposed"),
        pytest.param(lambda a: a.reshape(3, 10, 20)[:, ::2, 1::3], id="stack-strided"),
    ],
)
def test_non_contiguous_input_matches_its_copy(sc660: Radiometry, view: object) -> None:
    base = counts((30, 20), seed=3)
    raw = view(base)  # type: ignore[operator]
    assert not raw.flags.c_contiguous
    expected = sc660.to_celsius(np.ascontiguousarray(raw))
    got = sc660.to_celsius(raw)
    assert got.shape == raw.shape
    assert same(got, expected)
    np.testing.assert_allclose(got, reference(sc660, raw), rtol=1e-6, equal_nan=True)


def test_misaligned_input_matches_its_copy(sc660: Radiometry) -> None:
    data = counts((6, 7), seed=4)
    buf = bytearray(data.nbytes + 1)
    raw = np.frombuffer(buf, dtype=np.uint16, offset=1, count=data.size).reshape(data.shape)
    raw[...] = data
    assert not raw.flags.aligned
    assert same(sc660.to_celsius(raw), sc660.to_celsius(data))


def test_odd_byte_strides_are_not_misread(sc660: Radiometry) -> None:
    # A uint16 field of a packed record array: 3-byte strides, misaligned.
    rec = np.zeros((4, 5), dtype=[("flag", "u1"), ("raw", "<u2")])
    rec["raw"] = counts((4, 5), seed=5)
    field = rec["raw"]
    assert field.strides[-1] == 3
    assert same(sc660.to_celsius(field), sc660.to_celsius(np.ascontiguousarray(field)))


# ---- bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(np.zeros((4, 4), dtype=np.int32), id="int32"),
        pytest.param(np.zeros((4, 4), dtype=np.int16), id="int16"),
        pytest.param(np.zeros((4, 4), dtype=np.uint8), id="uint8"),
        pytest.param(np.zeros((4, 4), dtype=np.float32), id="float32"),
        pytest.param(np.zeros((4, 4), dtype=np.float64), id="float64"),
        pytest.param(np.zeros((4, 4), dtype=">u2"), id="big-endian-uint16"),
        pytest.param(np.zeros((4, 4), dtype=bool), id="bool"),
    ],
)
def test_wrong_dtype_is_a_type_error_naming_it(sc660: Radiometry, raw: npt.NDArray[np.generic]) -> None:
    with pytest.raises(TypeError) as info:
        sc660.to_celsius(raw)  # type: ignore[arg-type]
    assert str(raw.dtype) in str(info.value)
    assert "uint16" in str(info.value)


@pytest.mark.parametrize("raw", [[[1, 2], [3, 4]], 5, None, b"\x00\x01"])
def test_not_an_array_is_a_type_error(sc660: Radiometry, raw: object) -> None:
    with pytest.raises(TypeError, match="numpy.ndarray"):
        sc660.to_celsius(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "shape, shown",
    [((), "()"), ((7,), "(7,)"), ((2, 3, 4, 5), "(2, 3, 4, 5)"), ((1, 1, 1, 1, 1), "(1, 1, 1, 1, 1)")],
)
def test_wrong_number_of_dimensions_is_a_shape_error(
    sc660: Radiometry, shape: tuple[int, ...], shown: str
) -> None:
    with pytest.raises(hsm.ShapeError) as info:
        sc660.to_celsius(np.zeros(shape, dtype=np.uint16))
    assert shown in str(info.value)
    assert info.value.code == CODES["FrameShape"]
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("shape", [(0, 4), (4, 0), (0, 0), (0, 4, 4), (3, 0, 4), (3, 4, 0)])
def test_empty_is_a_shape_error(sc660: Radiometry, shape: tuple[int, ...]) -> None:
    with pytest.raises(hsm.ShapeError, match="no pixels") as info:
        sc660.to_celsius(np.zeros(shape, dtype=np.uint16))
    assert info.value.code == CODES["FrameShape"]


def test_oversized_frame_is_a_shape_error(sc660: Radiometry) -> None:
    with pytest.raises(hsm.ShapeError) as info:
        sc660.to_celsius(np.zeros((1, 40000), dtype=np.uint16))
    assert info.value.code == CODES["FrameTooLarge"]
    assert "40000" in str(info.value)


# ---- parameters --------------------------------------------------------------------


PLANCK = dict(r1=21106.77, r2=0.012545258, b=1501.0, o=-7340.0)


@pytest.mark.parametrize(
    "field, value, status",
    [
        ("r1", float("nan"), "InvalidRadiometry"),
        ("r2", 0.0, "InvalidRadiometry"),
        ("b", -1.0, "InvalidRadiometry"),
        ("f", float("inf"), "InvalidRadiometry"),
        ("o", float("nan"), "InvalidRadiometry"),
        ("x", float("nan"), "InvalidRadiometry"),
        ("alpha1", float("nan"), "InvalidRadiometry"),
        ("beta2", float("-inf"), "InvalidRadiometry"),
        ("emissivity", float("nan"), "InvalidScene"),
        ("emissivity", 0.0, "InvalidScene"),
        ("emissivity", 1.5, "InvalidScene"),
        ("distance_m", -1.0, "InvalidScene"),
        ("reflected_c", float("nan"), "InvalidScene"),
        ("atmosphere_c", -300.0, "InvalidScene"),
        ("window_c", float("inf"), "InvalidScene"),
        ("window_transmission", 0.0, "InvalidScene"),
        ("relative_humidity", 50.0, "InvalidScene"),
    ],
)
def test_bad_planck_parameter_names_the_field(field: str, value: float, status: str) -> None:
    with pytest.raises(hsm.InvalidValueError) as info:
        Radiometry.planck(**{**PLANCK, field: value})
    exc = info.value
    assert exc.code == CODES[status] and exc.status == status
    # The message names the field (Rust spells the Planck constants in capitals).
    rust_name = {"r1": "R1", "r2": "R2", "b": "B", "f": "F", "o": "O", "x": "X",
                 "reflected_c": "reflected", "atmosphere_c": "atmosphere",
                 "window_c": "window"}.get(field, field)
    assert rust_name in str(exc)


def test_planck_needs_its_constants_by_keyword() -> None:
    with pytest.raises(TypeError):
        Radiometry.planck(21106.77, 0.012545258, 1501.0, 1.0, -7340.0)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Radiometry.planck(r1=1.0, r2=1.0, b=1.0)  # type: ignore[call-arg]


def test_planck_defaults_are_the_documented_ones() -> None:
    default = Radiometry.planck(**PLANCK)
    explicit = Radiometry.planck(
        **PLANCK, f=1.0, emissivity=0.98, distance_m=1.0, reflected_c=20.0,
        atmosphere_c=20.0, window_c=20.0, window_transmission=1.0, relative_humidity=0.5,
        x=1.9, alpha1=0.006569, alpha2=0.01262, beta1=-0.002276, beta2=-0.00667,
    )
    assert repr(default) == repr(explicit)
    assert default.raw_to_celsius(20218) == explicit.raw_to_celsius(20218)


@pytest.mark.parametrize("resolution", [0.0, 0.05, 1.0, -0.01, float("nan")])
def test_tlinear_resolution_must_be_centi_or_deci(resolution: float) -> None:
    with pytest.raises(hsm.InvalidValueError, match="resolution") as info:
        Radiometry.tlinear(resolution)
    assert info.value.code == CODES["InvalidRadiometry"]


@pytest.mark.parametrize("gain, offset", [(0.0, 0.0), (float("nan"), 0.0), (1.0, float("inf"))])
def test_bad_linear_map(gain: float, offset: float) -> None:
    with pytest.raises(hsm.InvalidValueError) as info:
        Radiometry.linear(gain, offset)
    assert info.value.code == CODES["InvalidRadiometry"]


def test_scalar_out_of_domain_is_out_of_range(sc660: Radiometry) -> None:
    for raw in (1000.0, float("nan"), float("inf")):
        with pytest.raises(hsm.InvalidValueError) as info:
            sc660.raw_to_celsius(raw)
        assert info.value.code == 2003 and info.value.status == "OutOfRange"
    for celsius in (float("nan"), -273.15, -500.0):
        with pytest.raises(hsm.InvalidValueError) as info:
            sc660.celsius_to_raw(celsius)
        assert info.value.code == 2003


def test_tlinear_linear_and_passthrough() -> None:
    centi = Radiometry.tlinear(0.01)
    deci = Radiometry.tlinear(0.1)
    assert centi.raw_to_celsius(31015) == pytest.approx(37.0, abs=1e-9)
    assert deci.celsius_to_raw(37.05) == pytest.approx(3102.0, abs=1e-9)
    assert centi.valid_counts == (1, 65535)  # count 0 is "no data"
    frame = np.array([[0, 31015]], dtype=np.uint16)
    out = centi.to_celsius(frame)
    assert np.isnan(out[0, 0]) and out[0, 1] == pytest.approx(37.0, abs=1e-5)
    lin = Radiometry.linear(0.04, -273.15)
    assert lin.raw_to_celsius(7754) == pytest.approx(37.01, abs=1e-9)
    assert lin.valid_counts == (1, 65535)  # count 0 is exactly absolute zero
    assert Radiometry.linear(1.0, -300.0).valid_counts == (27, 65535)
    assert Radiometry.linear(-1.0, -300.0).valid_counts is None
    passthrough = Radiometry.celsius()
    assert passthrough.raw_to_celsius(36.6) == 36.6
    assert passthrough.celsius_to_raw(36.6) == 36.6
    assert np.array_equal(passthrough.to_celsius(np.array([[0, 37]], dtype=np.uint16)), [[0.0, 37.0]])


def test_round_trip(sc660: Radiometry) -> None:
    for celsius in (20.0, 35.0, 37.3, 42.0):
        assert sc660.raw_to_celsius(sc660.celsius_to_raw(celsius)) == pytest.approx(celsius, abs=1e-9)


@pytest.mark.parametrize(
    "conv",
    [
        Radiometry.planck(**PLANCK, emissivity=0.95, distance_m=2.5, beta1=-0.002, relative_humidity=0.3),
        Radiometry.tlinear(0.01),
        Radiometry.tlinear(0.1),
        Radiometry.linear(0.04, -273.15),
        Radiometry.celsius(),
    ],
    ids=repr,
)
def test_repr_round_trips(conv: Radiometry) -> None:
    text = repr(conv)
    assert text.startswith("Radiometry.")
    again = eval(text, {"Radiometry": Radiometry})
    assert repr(again) == text
    assert again.valid_counts == conv.valid_counts


def test_radiometry_is_immutable_and_final(sc660: Radiometry) -> None:
    with pytest.raises(AttributeError):
        sc660.valid_counts = (0, 1)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Radiometry()
    with pytest.raises(TypeError):
        type("Sub", (Radiometry,), {})


# ---- threads -------------------------------------------------------------------------


def test_threads_convert_concurrently(sc660: Radiometry) -> None:
    stacks = [counts((4, 120, 160), seed=10 + i) for i in range(6)]  # 76 800 pixels each
    expected = [sc660.to_celsius(s) for s in stacks]
    results: dict[tuple[int, int], npt.NDArray[np.float32]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stacks))

    def work(i: int) -> None:
        try:
            barrier.wait()
            out = np.empty(stacks[i].shape, dtype=np.float32)
            for round_ in range(5):
                # Alternate between a fresh result and the thread's own buffer.
                got = sc660.to_celsius(stacks[i], out=out if round_ % 2 else None)
                results[(i, round_)] = got.copy()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(stacks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(results) == 5 * len(stacks)
    for (i, _), got in results.items():
        assert same(got, expected[i])


def test_threads_share_one_input(sc660: Radiometry) -> None:
    # Many readers of the same (read-only borrowed) array at once.
    raw = counts((2, 100, 100), seed=20)
    expected = sc660.to_celsius(raw)
    outs = [np.empty(raw.shape, dtype=np.float32) for _ in range(4)]
    threads = [threading.Thread(target=sc660.to_celsius, args=(raw, out)) for out in outs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for out in outs:
        assert same(out, expected)


def test_gil_is_released_for_large_inputs(sc660: Radiometry) -> None:
    # While one thread converts a large stack, the main thread keeps running
    # Python code. Were the GIL held for the whole call, the main thread
    # would be blocked until it returned and count (almost) no ticks.
    import time

    raw = np.full((20, 480, 640), 20218, dtype=np.uint16)
    out = np.empty(raw.shape, dtype=np.float32)
    started, done = threading.Event(), threading.Event()
    duration = [0.0]

    def work() -> None:
        started.set()
        t0 = time.perf_counter()
        sc660.to_celsius(raw, out=out)
        duration[0] = time.perf_counter() - t0
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    started.wait()
    ticks = 0
    while not done.is_set():
        time.sleep(0.001)
        ticks += 1
    worker.join()
    np.testing.assert_allclose(out, 35.2505, atol=1e-3)
    if duration[0] < 0.05:
        pytest.skip(f"conversion too fast ({duration[0] * 1e3:.1f} ms) to observe")
    assert ticks >= 5, f"{ticks} ticks during a {duration[0] * 1e3:.0f} ms conversion"
