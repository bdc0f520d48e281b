"""libhsm for Python: hospital entrance security gates.

Thermal fever screening, walk-through metal detection, people counting and
hospital-security policy, computed by the Rust library libhsm.

- :mod:`hsm.thermal` — radiometry: raw thermal-camera counts ⇄ °C over
  numpy frames and stacks (:class:`hsm.thermal.Radiometry`).
- :mod:`hsm.metal` — walk-through metal detection: the gate simulator, the
  detector (alarm / re-check / pass, class, height band, side), features,
  training and whole-object evaluation over numpy arrays.
- :mod:`hsm.count` — people counting: beam pairs, tracked detections and a
  counting line, flow statistics, a seeded simulator, evaluation.
- :mod:`hsm.gate` — the passage log a gate writes: queries as numpy
  structured arrays, close contacts, flow, Parquet/CSV/JSONL export,
  retention; a simulated morning (:func:`hsm.gate.run_demo`).
- :mod:`hsm.policy` — a hospital's obligations, with the clause cited
  (:func:`hsm.policy.guard_staffing`).

Errors are :class:`HsmError` subclasses carrying the stable numeric status
``code`` shared with the C ABI; :func:`status_codes` lists them all.

Example::

    import numpy as np
    import hsm

    boson = hsm.thermal.Radiometry.tlinear(0.01)
    frame = np.full((512, 640), 31015, dtype=np.uint16)
    celsius = boson.to_celsius(frame)          # float32 (512, 640), 37.0 °C
    hsm.policy.guard_staffing(staff=2000, beds=1500, outpatients=8000).required  # 75
"""

from __future__ import annotations

from hsm import _native
from hsm._errors import (
    FormatError,
    HsmError,
    HsmIOError,
    InternalError,
    InvalidValueError,
    ShapeError,
)
from hsm._native import status_codes

__version__: str = _native.__version__
"""The libhsm version this package was built from."""

from hsm import count, gate, metal, policy, thermal  # noqa: E402  (needs _native loaded first)

__all__ = [
    "FormatError",
    "HsmError",
    "HsmIOError",
    "InternalError",
    "InvalidValueError",
    "ShapeError",
    "__version__",
    "count",
    "gate",
    "metal",
    "policy",
    "status_codes",
    "thermal",
]
