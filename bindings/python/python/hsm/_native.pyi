"""Stubs of the private native module ``hsm._native`` (built from bindings/python/src)."""

from os import PathLike
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Literal, final

import numpy as np
import numpy.typing as npt

from hsm._count_types import Evaluation, Fault, FlowSummary, Track, Transit
from hsm._types import StaffingCitation, StaffingDict, StaffingTerm

__all__ = ["__version__", "status_codes", "Radiometry", "ThermalFile", "ThermalFrames", "StaffingResult", "guard_staffing", "policy_equipment_json", "policy_evaluate_json", "policy_rulesets_json", "policy_schedule_json", "BeamDecoder", "LineCounter", "simulate", "evaluate_columns", "flow_columns", "flow_summary_columns", "GateQuery", "GateLog", "gate_run_demo_json", "gate_alarms", "gate_flags", "gate_columns", "Simulator", "Detector", "metal_features", "metal_builtin_objects", "metal_classes", "metal_simulate_dataset", "metal_train", "metal_cross_validate", "metal_evaluate", "metal_detection_trial", "_FrameProcessor", "quality_flags", "simulate_thermal", "bench_scene"]

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

def policy_schedule_json(
    profile_json: str, from_date: str, to_date: str, ruleset: str | None = None
) -> str:
    """A hospital's schedule as JSON, with the iCalendar text under ``ics``."""

@final
class BeamDecoder:
    """A lane's beam-pair decoder (beam A outer, B inner)."""

    def __new__(
        cls,
        *,
        min_dwell_ms: float = 30.0,
        sequence_timeout_s: float = 10.0,
        fault_after_s: float = 30.0,
        pair_occlusion_ms: float = 650.0,
        pair_occlusion_max_ms: float = 1500.0,
        queue_capacity: int = 4096,
    ) -> BeamDecoder: ...
    def push(self, t_us: int, beam: str, blocked: bool) -> None:
        """Feeds one edge: at ``t_us``, ``beam`` ("A" or "B") became blocked or clear."""

    def push_many(self, t_us: Sequence[int], beam: Sequence[str], blocked: Sequence[bool]) -> None:
        """Feeds many edges (equal-length sequences)."""

    def advance(self, t_us: int) -> None:
        """Lets deadlines (debounce, timeout, stuck-beam fault) up to ``t_us`` fire."""

    def flush(self) -> None:
        """Commits edges still inside the debounce (end of a recording)."""

    def poll(self) -> list[Transit]:
        """Takes the queued transits, oldest first."""

    def faults(self) -> list[Fault]:
        """Takes the queued faults, oldest first."""

    @property
    def counts(self) -> tuple[int, int]:
        """People counted so far: ``(in, out)``."""

@final
class LineCounter:
    """A tracker and counting line for one camera."""

    def __new__(
        cls,
        line: tuple[float, float, float, float],
        *,
        band: float = 12.0,
        gate: float = 40.0,
        max_coast: int = 10,
        min_hits: int = 3,
        min_score: float = 0.0,
        count_vanishing: bool = True,
        max_tracks: int = 64,
        max_detections: int = 256,
        queue_capacity: int = 4096,
    ) -> LineCounter: ...
    def push_frame(self, t_us: int, boxes: npt.ArrayLike) -> None:
        """Processes one frame: ``boxes`` is (N, 4) or (N, 5): x, y, w, h[, score]."""

    def poll(self) -> list[Transit]:
        """Takes the queued transits, oldest first."""

    @property
    def counts(self) -> tuple[int, int]:
        """People counted so far: ``(in, out)``."""

    def tracks(self) -> list[Track]:
        """Live tracks."""

def simulate(
    *, minutes: float, seed: int = 1, single_file: bool = False, dropout: float = 0.05, fps: float = 15.0
) -> dict[str, dict[str, Any]]:
    """Runs the seeded lane simulator."""

def evaluate_columns(
    pred_t_us: Sequence[int],
    pred_direction: Sequence[str],
    pred_persons: Sequence[int],
    truth_t_us: Sequence[int],
    truth_direction: Sequence[str],
    truth_persons: Sequence[int],
    window_us: int,
) -> Evaluation:
    """Columns → evaluation (use ``hsm.count.evaluate``)."""

def flow_columns(
    t_us: Sequence[int], direction: Sequence[str], persons: Sequence[int], origin_us: int, width_us: int
) -> dict[str, Any]:
    """Columns → flow rows (use ``hsm.count.flow``)."""

def flow_summary_columns(
    t_us: Sequence[int],
    direction: Sequence[str],
    persons: Sequence[int],
    origin_us: int,
    days: int | None = None,
) -> FlowSummary:
    """Columns → flow summary (use ``hsm.count.flow_summary``)."""

@final
class GateQuery:
    """A passage-log filter, validated once (use ``hsm.gate.PassageLog.query``)."""

    def __new__(
        cls,
        *,
        from_us: int | None = None,
        to_us: int | None = None,
        direction: str | None = None,
        alarms: Sequence[str] | None = None,
        min_body_c: float | None = None,
        max_body_c: float | None = None,
        gate: str | None = None,
        entrance: str | None = None,
        limit: int | None = None,
    ) -> GateQuery: ...
    def __repr__(self) -> str: ...

@final
class GateLog:
    """A passage log opened read-write or read-only (use ``hsm.gate.PassageLog``)."""

    def __new__(cls, path: str | PathLike[str], read_only: bool = False) -> GateLog: ...
    def query_columns(
        self, query: GateQuery, tokens: str = "drop", export_key: bytes | None = None
    ) -> dict[str, Any]:
        """The passages matching ``query`` as columns."""

    def query_json(self, query: GateQuery, tokens: str = "drop", export_key: bytes | None = None) -> str:
        """The passages matching ``query`` as a JSON array of export rows."""

    def contacts_columns(
        self,
        passage_id: int,
        window_s: float,
        same_gate: bool = False,
        tokens: str = "drop",
        export_key: bytes | None = None,
    ) -> dict[str, Any]:
        """Close contacts of a passage as columns."""

    def contacts_json(
        self,
        passage_id: int,
        window_s: float,
        same_gate: bool = False,
        tokens: str = "drop",
        export_key: bytes | None = None,
    ) -> str:
        """Close contacts of a passage as a JSON array of export rows."""

    def flow_json(self, from_us: int, to_us: int, bucket: str = "hour", utc_offset_min: int = 480) -> str:
        """Flow per entrance and bucket as a JSON array."""

    def export(
        self,
        path: str | PathLike[str],
        format: str = "parquet",
        tokens: str = "drop",
        query: GateQuery | None = None,
        export_key: bytes | None = None,
    ) -> int:
        """Writes the passages to a Parquet, CSV or JSON Lines file; the row count."""

    def purge_before(self, cutoff_us: int) -> int:
        """Deletes every passage that entered before ``cutoff_us``; how many."""

    def check_integrity(self) -> None:
        """SQLite's integrity check."""

    @property
    def schema_version(self) -> int:
        """The database's schema version."""

    @property
    def path(self) -> Path:
        """The path the log was opened from."""

    @property
    def read_only(self) -> bool:
        """Whether the log was opened read-only."""

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""

    def close(self) -> None:
        """Closes the database (idempotent)."""

    def __len__(self) -> int: ...

def gate_run_demo_json(minutes: float = 30.0, seed: int = 1, db: str | PathLike[str] | None = None) -> str:
    """Runs the simulated morning; the summary as JSON (use ``hsm.gate.run_demo``)."""

def gate_alarms() -> dict[str, int]:
    """Alarm names → bits."""

def gate_flags() -> dict[str, int]:
    """Passage flag names → bits."""

def gate_columns() -> list[str]:
    """The export's column names, in order."""

@final
class Simulator:
    """The seeded gate simulator (default gate: 18 zones, 4 frequencies, 200 Hz)."""

    def __new__(cls, seed: int = 0, *, duration_s: float = 2.0) -> Simulator: ...
    def passage(
        self, object: str | None = None, location: str | None = None
    ) -> tuple[npt.NDArray[np.complex128], dict[str, Any]]:
        """One passage: complex128 ``(T, Z, F)`` samples and the truth."""

    @property
    def gate(self) -> dict[str, Any]:
        """Zones, frequencies (Hz), sample rate (Hz)."""

@final
class Detector:
    """A detector for the default gate with a program and a classifier."""

    def __new__(cls, program: str = "hospital", *, model_json: str | None = None) -> Detector: ...
    def process(self, samples: npt.NDArray[np.complex128]) -> dict[str, Any]:
        """Process a whole passage, complex128 ``(T, Z, F)``."""

    def push(self, frame: npt.NDArray[np.complex128]) -> None:
        """Append one frame, complex128 ``(Z, F)``."""

    @property
    def frames(self) -> int:
        """Frames pushed since the last ``finish``."""

    def finish(self) -> dict[str, Any]:
        """End the streamed passage and process it."""

    def classify(self, tensors: npt.NDArray[np.complex128]) -> dict[str, Any]:
        """Classify estimated tensors, complex128 ``(F, 3, 3)``."""

    @property
    def gate(self) -> dict[str, Any]:
        """Zones, frequencies (Hz), sample rate (Hz)."""

def metal_features(tensors: npt.NDArray[np.complex128]) -> npt.NDArray[np.float64]:
    """Rotation-invariant features of tensors ``(F, 3, 3)`` → ``(13·F,)``."""

def metal_builtin_objects() -> list[dict[str, Any]]:
    """The built-in objects: ``name``, ``class``, ``threat``."""

def metal_classes() -> list[tuple[str, bool]]:
    """Class names, threats first, with their threat flag."""

def metal_simulate_dataset(
    objects: str = "variants", *, per_class: int = 8, passes: int = 4, seed: int = 0
) -> tuple[npt.NDArray[np.float64], list[str], list[str], list[str]]:
    """``(features (N, D), classes, groups, locations)`` through the simulated gate."""

def metal_train(
    features: npt.NDArray[np.float64],
    classes: Sequence[str],
    *,
    hidden: int = 32,
    epochs: int = 600,
    l2: float = 1e-4,
    seed: int = 1,
    threat_weight: float = 2.0,
) -> str:
    """Train a classifier; returns the model file as JSON text."""

def metal_cross_validate(
    features: npt.NDArray[np.float64],
    classes: Sequence[str],
    groups: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
    hidden: int = 32,
    epochs: int = 600,
    l2: float = 1e-4,
    threat_weight: float = 2.0,
) -> dict[str, Any]:
    """Group k-fold cross-validation (whole groups held out)."""

def metal_evaluate(
    objects: Sequence[tuple[str, str, str, bool]], *, folds: int = 5, passes: int = 8, seed: int = 0
) -> dict[str, Any]:
    """Whole-object cross-validation of ``(path, label, group, threat)`` rows."""

def metal_detection_trial(program: str = "hospital", *, passes: int = 3, seed: int = 11) -> dict[str, Any]:
    """The certification-style trial on the built-in objects."""

@final
class _FrameProcessor:
    """Per-frame face extraction (use ``hsm.thermal.FrameProcessor``)."""

    def __new__(
        cls,
        radiometry: Radiometry,
        blackbody: tuple[int, int, int, int, float] | None = None,
        band_lo: float = 30.0,
        band_hi: float = 43.0,
        min_face_pixels: int = 800,
        min_region_pixels: int = 40,
        candidates: int = 24,
        single_person: bool = True,
        max_faces: int = 16,
    ) -> _FrameProcessor: ...
    def process_records(
        self,
        frame: npt.NDArray[np.uint16] | npt.NDArray[np.float32],
        timestamp_us: int | None = None,
    ) -> bytes:
        """One (H, W) frame → packed face records (``FACE_DTYPE``)."""

    def last_frame(self) -> dict[str, Any]:
        """The last frame's frame-level state."""

    def process_stack_records(
        self,
        stack: npt.NDArray[np.uint16] | npt.NDArray[np.float32],
        first_us: int = 0,
        interval_us: int = 33333,
    ) -> bytes:
        """An (N, H, W) stack → packed face records with their frame index."""

    def last_call_ns(self) -> int:
        """Nanoseconds the last single-frame call spent in the Rust extraction."""

    def reset(self) -> None:
        """Forgets the stream's history."""

    def band_counts(self) -> tuple[int, int]:
        """The band in counts ``(lo, hi)``."""

def quality_flags() -> dict[str, int]:
    """``{name: bit}`` of every quality flag."""

def simulate_thermal(frames: int, seed: int = 1) -> tuple[npt.NDArray[np.uint16], str]:
    """Frames of the default thermal scene and their truth as JSON text."""

def bench_scene(
    width: int, height: int, n: int, seed: int = 1
) -> tuple[npt.NDArray[np.uint16], tuple[int, int, int, int, float]]:
    """The speed bench's three-face scene and its blackbody interior."""
