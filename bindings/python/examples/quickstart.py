"""libhsm from Python in a dozen lines: run after `pip install hsm`.

Converts a stack of raw thermal frames to degrees Celsius and computes the
guard staffing a hospital needs. Exits non-zero if a result is off.
"""

import numpy as np

import hsm

r = hsm.thermal.Radiometry.planck(
    r1=21106.77, r2=0.012545258, b=1501.0, f=1.0, o=-7340.0, emissivity=0.95
)
frames = np.full((4, 512, 640), 20218, dtype=np.uint16)  # (N, H, W) raw counts
celsius = r.to_celsius(frames)  # float32, NaN where a pixel is out of domain
need = hsm.policy.guard_staffing(staff=2000, beds=1500, outpatients=8000)
print(f"hsm {hsm.__version__}: {celsius.shape} frames at {celsius.max():.4f} C; "
      f"{need.required} guards ({need.binding})")
assert abs(float(celsius.max()) - 35.2505) < 1e-3
assert (need.required, need.binding) == (75, "beds")
try:
    hsm.thermal.Radiometry.planck(r1=1.0, r2=1.0, b=1.0, o=0.0, emissivity=float("nan"))
except hsm.InvalidValueError as e:  # also a ValueError; e.code is the stable status code
    assert e.code == 2002, e.code
else:
    raise SystemExit("NaN emissivity was accepted")
