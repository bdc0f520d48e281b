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

from hsm._native import Radiometry, ThermalFile, ThermalFrames

__all__ = ["Radiometry", "ThermalFile", "ThermalFrames", "read"]


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
