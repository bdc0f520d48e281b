"""Stubs of the private native module ``hsm._native`` (built from bindings/python/src)."""

from os import PathLike
from typing import Any, Literal, final

import numpy as np
import numpy.typing as npt

from hsm._types import StaffingCitation, StaffingDict, StaffingTerm

__all__ = ["__version__", "status_codes", "Radiometry", "ThermalFile", "ThermalFrames", "StaffingResult", "guard_staffing", "policy_equipment_json", "policy_evaluate_json", "policy_rulesets_json"]

__version__: str

def status_codes() -> dict[str, int]:
    """Every stable status code, by name: ``{"Ok": 0, "InvalidArgument": 1001, …}``."""

@final
class Radiometry:
    """How a thermal camera's pixel values map to temperature, compiled once."""

    @staticmethod
    def planck(
        *,
        r1: float,
        r2: float,
        b: float,
        f: float = 1.0,
        o: float,
        emissivity: float = 0.98,
        distance_m: float = 1.0,
        reflected_c: float = 20.0,
        atmosphere_c: float = 20.0,
        window_c: float = 20.0,
        window_transmission: float = 1.0,
        relative_humidity: float = 0.5,
        x: float = 1.9,
        alpha1: float = 0.006569,
        alpha2: float = 0.01262,
        beta1: float = -0.002276,
        beta2: float = -0.00667,
    ) -> Radiometry:
        """Raw detector counts with FLIR-style Planck constants and a scene."""

    @staticmethod
    def tlinear(resolution: float) -> Radiometry:
        """TLinear counts: kelvin per count ``resolution`` is 0.01 or 0.1."""

    @staticmethod
    def linear(gain: float, offset: float) -> Radiometry:
        """A vendor linear map: °C = gain · raw + offset."""

    @staticmethod
    def celsius() -> Radiometry:
        """Values that already are °C (passthrough)."""

    def to_celsius(
        self,
        raw: npt.NDArray[np.uint16],
        out: npt.NDArray[np.float32] | None = None,
    ) -> npt.NDArray[np.float32]:
        """Converts ``uint16`` counts of shape (H, W) or (N, H, W) to °C as ``float32``."""

    def raw_to_celsius(self, raw: float) -> float:
        """The temperature in °C of one raw value."""

    def celsius_to_raw(self, celsius: float) -> float:
        """The exact raw value an object at ``celsius`` °C produces."""

    @property
    def valid_counts(self) -> tuple[int, int] | None:
        """The inclusive range of counts that map to a temperature, or None."""

    def __repr__(self) -> str: ...

@final
class ThermalFile:
    """A radiometric file opened for reading: FLIR radiometric JPEG, FFF, SEQ,
    CSQ, 16-bit TIFF or `.npy`. Frames are decoded on demand, one at a time."""

    @staticmethod
    def open(path: str | PathLike[str]) -> ThermalFile:
        """Opens a file by path."""

    @staticmethod
    def from_bytes(data: bytes, name: str = "<bytes>") -> ThermalFile:
        """Opens a file held in memory; `name` appears in error messages."""

    @property
    def frames(self) -> int:
        """Number of frames."""

    @property
    def width(self) -> int:
        """Frame width in pixels."""

    @property
    def height(self) -> int:
        """Frame height in pixels."""

    @property
    def meta(self) -> dict[str, Any]:
        """The file's metadata (same keys as ``hsm thermal info --format json`` without ``frames``)."""

    def raw(self, index: int) -> npt.NDArray[np.uint16]:
        """Raw counts of frame `index` as a `uint16` array of shape `(H, W)`."""

    def celsius(
        self,
        index: int,
        *,
        emissivity: float | None = None,
        distance: float | None = None,
        reflected: float | None = None,
        atmosphere: float | None = None,
        humidity: float | None = None,
    ) -> npt.NDArray[np.float32]:
        """Temperatures of frame `index` in °C as a `float32` array `(H, W)`."""

    def __len__(self) -> int: ...
    def __iter__(self) -> ThermalFrames: ...
    def __repr__(self) -> str: ...

@final
class ThermalFrames:
    """Iterator over a file's raw frames."""

    def __iter__(self) -> ThermalFrames: ...
    def __next__(self) -> npt.NDArray[np.uint16]: ...

@final
class StaffingResult:
    """The guards a hospital requires, with the derivation and the clause cited."""

    @property
    def required(self) -> int:
        """Guards required: the largest of the three terms."""

    @property
    def binding(self) -> Literal["medical_staff", "beds", "outpatients"]:
        """The term that sets ``required`` (the first on ties)."""

    @property
    def terms(self) -> list[StaffingTerm]:
        """Every term, in the order staff, beds, outpatients."""

    @property
    def citation(self) -> StaffingCitation:
        """The clause this rule encodes."""

    def to_dict(self) -> StaffingDict:
        """Everything as plain Python data."""

    def __repr__(self) -> str: ...

def guard_staffing(*, staff: int, beds: int, outpatients: int) -> StaffingResult:
    """Guards a hospital must employ under 豫卫医函〔2024〕10号 一(三)."""

def policy_rulesets_json() -> str:
    """The embedded rule sets as a JSON array."""

def policy_equipment_json(
    location: str, daily_traffic: int, site: str | None = None, ruleset: str | None = None
) -> str:
    """The 附件4 equipment for one screening point, as JSON."""

def policy_evaluate_json(
    profiles_json: str, as_of: str, ruleset: str | None = None, trace: bool = False
) -> str:
    """Evaluates a JSON array of hospital profiles; a JSON array of evaluations."""
