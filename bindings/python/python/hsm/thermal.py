"""Thermal cameras: raw counts ⇄ temperature.

:class:`Radiometry` describes how a camera's pixel values map to °C — FLIR-style
Planck constants with a scene (:meth:`Radiometry.planck`), Lepton/Boson
TLinear counts (:meth:`Radiometry.tlinear`), a vendor linear map
(:meth:`Radiometry.linear`) or values already in °C
(:meth:`Radiometry.celsius`) — and converts whole numpy frames or stacks of
frames through a lookup table, releasing the GIL for frame-sized inputs::

    import numpy as np
    from hsm.thermal import Radiometry

    sc660 = Radiometry.planck(r1=21106.77, r2=0.012545258, b=1501.0, o=-7340.0,
                              emissivity=0.95)
    raw = np.full((2, 480, 640), 20218, dtype=np.uint16)    # a stack of 2 frames
    out = np.empty(raw.shape, dtype=np.float32)
    sc660.to_celsius(raw, out=out)                           # 35.25 °C everywhere
    sc660.raw_to_celsius(20218)                              # 35.2505...
    sc660.celsius_to_raw(37.3)                               # the raw value of a fever

Frames must be ``uint16`` arrays of shape ``(H, W)`` or ``(N, H, W)``; the
result is ``float32`` of the same shape with NaN where a count lies outside
the model's domain (never a plausible number). C-contiguous input is read
without copying; other layouts are copied once.
"""

from __future__ import annotations

import os

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hsm._native import Radiometry, ThermalFile, ThermalFrames, _FrameProcessor
from hsm._native import bench_scene as _bench_scene
from hsm._native import quality_flags as _quality_flags
from hsm._native import simulate_thermal as _simulate_thermal

__all__ = [
    "FACE_DTYPE",
    "QUALITY_FLAGS",
    "FaceReading",
    "FrameProcessor",
    "Radiometry",
    "ThermalFile",
    "ThermalFrames",
    "bench_scene",
    "read",
    "simulate",
]

#: Quality flags by name → bit (``FaceReading.flags`` and ``FACE_DTYPE['flags']``).
QUALITY_FLAGS: dict[str, int] = dict(_quality_flags())

#: One face per record, as returned by :meth:`FrameProcessor.process_array`
#: and :meth:`FrameProcessor.process_stack` (64-byte little-endian records).
FACE_DTYPE = np.dtype(
    {
        "names": [
            "frame", "x", "y", "w", "h", "centroid_x", "centroid_y", "area",
            "site_x", "site_y", "flags", "site_c", "corrected_c",
        ],
        "formats": [
            "<u4", "<u4", "<u4", "<u4", "<u4", "<f4", "<f4", "<u4",
            "<u4", "<u4", "<u4", "<f8", "<f8",
        ],
        "offsets": [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56],
        "itemsize": 64,
    }
)


@dataclass(frozen=True)
class FaceReading:
    """One face in one frame (see :class:`FrameProcessor`)."""

    bbox: tuple[int, int, int, int]
    centroid: tuple[float, float]
    area: int
    site: tuple[int, int]
    site_c: float
    corrected_c: float
    flags: frozenset[str]

    @property
    def valid(self) -> bool:
        """No quality flag is set."""
        return not self.flags

    @classmethod
    def from_record(cls, r: Any) -> FaceReading:
        """From one record of a ``FACE_DTYPE`` array."""
        bits = int(r["flags"])
        return cls(
            bbox=(int(r["x"]), int(r["y"]), int(r["w"]), int(r["h"])),
            centroid=(float(r["centroid_x"]), float(r["centroid_y"])),
            area=int(r["area"]),
            site=(int(r["site_x"]), int(r["site_y"])),
            site_c=float(r["site_c"]),
            corrected_c=float(r["corrected_c"]),
            flags=frozenset(n for n, b in QUALITY_FLAGS.items() if bits & b),
        )


class FrameProcessor:
    """Finds the faces in thermal frames and reads each one's temperature.

    Configured once, then called per frame of one camera stream (it tracks
    the blackbody over time and compares each frame with the previous one)::

        p = FrameProcessor(Radiometry.tlinear(0.01), blackbody=(147, 7, 6, 6, 35.0))
        faces = p.process(frame)          # list[FaceReading]
        arr = p.process_array(frame)      # numpy structured array, FACE_DTYPE
        allf = p.process_stack(stack)     # one record per face, field 'frame'

    Frames are ``uint16`` counts under the radiometry, or ``float32`` °C
    (with ``Radiometry.celsius()`` — NaN pixels count as bad pixels). The
    work runs with the GIL released. ``blackbody`` is ``(x, y, w, h,
    set_point_c)`` of the emitter's interior; without it every reading is
    flagged ``NO_BLACKBODY`` and ``corrected_c`` is NaN.
    """

    def __init__(
        self,
        radiometry: Radiometry,
        blackbody: tuple[int, int, int, int, float] | None = None,
        *,
        band: tuple[float, float] = (30.0, 43.0),
        min_face_pixels: int = 800,
        min_region_pixels: int = 40,
        candidates: int = 24,
        single_person: bool = True,
        max_faces: int = 16,
    ) -> None:
        self._p = _FrameProcessor(
            radiometry, blackbody, band[0], band[1], min_face_pixels, min_region_pixels,
            candidates, single_person, max_faces,
        )

    def process_array(
        self,
        frame: npt.NDArray[np.uint16] | npt.NDArray[np.float32],
        timestamp_us: int | None = None,
    ) -> npt.NDArray[np.void]:
        """One (H, W) frame → its faces as a ``FACE_DTYPE`` structured array.

        ``timestamp_us`` defaults to the previous frame's + 33 333 µs (0 first).
        """
        return np.frombuffer(self._p.process_records(frame, timestamp_us), dtype=FACE_DTYPE)

    def process(
        self,
        frame: npt.NDArray[np.uint16] | npt.NDArray[np.float32],
        timestamp_us: int | None = None,
    ) -> list[FaceReading]:
        """One (H, W) frame → its faces as :class:`FaceReading` objects."""
        return [FaceReading.from_record(r) for r in self.process_array(frame, timestamp_us)]

    def process_stack(
        self,
        stack: npt.NDArray[np.uint16] | npt.NDArray[np.float32],
        first_us: int = 0,
        interval_us: int = 33_333,
    ) -> npt.NDArray[np.void]:
        """An (N, H, W) stack → every face as a ``FACE_DTYPE`` array (field ``frame``)."""
        return np.frombuffer(
            self._p.process_stack_records(stack, first_us, interval_us), dtype=FACE_DTYPE
        )

    def last_frame(self) -> dict[str, Any]:
        """The last frame's state: ``frame_flags``, ``dead_rows``,
        ``dead_columns``, ``dropped_faces``, ``blackbody_measured_c``,
        ``blackbody_offset_c``, ``blackbody_flags``, ``timestamp_us``."""
        return self._p.last_frame()

    def reset(self) -> None:
        """Forgets the stream's history (blackbody tracking, previous frame)."""
        self._p.reset()

    def last_call_ns(self) -> int:
        """Nanoseconds the last :meth:`process`/:meth:`process_array` call
        spent inside the Rust extraction (the rest of its time is the
        binding's overhead)."""
        return self._p.last_call_ns()

    @property
    def band_counts(self) -> tuple[int, int]:
        """The segmentation band in counts, ``(lo, hi)`` inclusive."""
        return self._p.band_counts()


def simulate(frames: int, seed: int = 1) -> tuple[npt.NDArray[np.uint16], dict[str, Any]]:
    """Renders ``frames`` frames of the seeded default scene.

    People walk one after another towards a 160 × 120 TLinear 0.01 K camera
    (NETD 50 mK, a 35 °C blackbody top right, 5 % febrile). Returns the
    ``uint16`` counts ``(N, 120, 160)`` and the truth: ``{"seed", "width",
    "height", "radiometry", "netd_k", "blackbody": [x, y, w, h, set_point]
    (pass it to :class:`FrameProcessor`), "frames": [{"frame",
    "timestamp_us", "camera_offset_c", "faces": [{"person", "bbox",
    "site_c", "body_c", "fever", "glasses"}]}]}``. Same seed, same frames.
    """
    counts, truth = _simulate_thermal(frames, seed)
    return counts, json.loads(truth)


def read(source: str | os.PathLike[str] | bytes | bytearray | memoryview) -> ThermalFile:
    """Opens a radiometric file from a path or from its bytes.

    Reads FLIR radiometric JPEGs, FFF, SEQ and CSQ recordings, 16-bit TIFF
    and ``.npy`` stacks. The result has ``frames`` (the count), ``raw(i)``
    (``uint16`` counts), ``celsius(i, **overrides)`` (``float32`` °C with
    the file's parameters; overrides: ``emissivity``, ``distance``,
    ``reflected``, ``atmosphere``, ``humidity``), ``meta`` (a dict) and
    iterates over its raw frames, one decoded at a time::

        f = hsm.thermal.read("IR_2412.jpg")
        t = f.celsius(0)                      # float32 (480, 640)
        for raw in f: ...                     # uint16 (H, W) per frame

    Malformed files raise :class:`hsm.FormatError` naming the file, the
    byte offset and what was expected; unreadable ones :class:`hsm.HsmIOError`.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return ThermalFile.from_bytes(bytes(source))
    return ThermalFile.open(os.fspath(source))


def bench_scene(
    width: int, height: int, n: int, seed: int = 1
) -> tuple[npt.NDArray[np.uint16], tuple[int, int, int, int, float]]:
    """The speed bars' scene: ``n`` TLinear 0.01 K frames of three faces and
    the blackbody at ``width × height``, and the blackbody's interior
    ``(x, y, w, h, set_point_c)`` for :class:`FrameProcessor` — the frames
    the Rust bench ``thermal_extract`` and ``benches/compare`` measure."""
    return _bench_scene(width, height, n, seed)
