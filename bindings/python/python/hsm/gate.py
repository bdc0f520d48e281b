"""The gate's passage log: tracing, close contacts, flow, export, retention.

A gate writes one record per passage (temperature, metal finding,
direction, time) into a SQLite passage log. :class:`PassageLog` opens one —
read-write (created and migrated as needed) or, with
:meth:`PassageLog.open_read_only`, an existing log while a gate writes to
it — and answers the questions the log exists for::

    import pandas as pd
    import hsm.gate

    summary = hsm.gate.run_demo(minutes=10, seed=1, db="gate.db")   # a simulated morning
    with hsm.gate.PassageLog.open_read_only("gate.db") as log:
        fevers = log.query(direction="in", alarms=["fever"])          # numpy structured array
        df = pd.DataFrame(fevers)                                     # one row per passage
        near = log.contacts(int(fevers["id"][0]), window_s=60)         # 密切接触人群排查
        log.flow(0, 2**62, bucket="hour")                              # per entrance and hour
        log.export("passages.parquet")                                 # or "csv", "jsonl"

Rows come as a numpy structured array (:meth:`PassageLog.query`,
:meth:`PassageLog.contacts`) with the export's columns (:data:`COLUMNS`):

=====================  =========  ==========================================
field                  dtype      missing
=====================  =========  ==========================================
id                     int64
gate, entrance         str (U)
entry_us, exit_us      int64      (µs since the Unix epoch, UTC;
                                  ``.astype("datetime64[us]")`` for dates)
direction              str (U)    ``"in"``, ``"out"`` or ``"unknown"``
persons                uint32
site_c, corrected_c,   float64    NaN
body_c
thermal_outcome        str (U)    ``""`` (no thermal finding)
thermal_readings       uint32     0
thermal_flags          uint32     0 (quality-flag bits)
metal_detected         bool       False
metal_decision         str (U)    ``""`` (no metal finding)
metal_class            str (U)    ``""``
metal_confidence,      float64    NaN
metal_threat_p
metal_height_band,     str (U)    ``""``
metal_side
alarms, flags          uint32     bitmasks of :data:`ALARMS` / :data:`FLAGS`
token                  str (U)    ``""`` (dropped unless ``tokens="hash"``/``"pseudonym"``)
=====================  =========  ==========================================

— or as plain dicts (:meth:`PassageLog.query_dicts`), exactly the objects
the JSON Lines export writes: ``None`` where a value is missing and
``alarms``/``flags`` as names joined by ``|``.

Errors are the package's typed exceptions: an unknown direction, alarm,
format or bucket name, a NaN temperature or a negative window raise
:class:`hsm.InvalidValueError`; an unreadable database :class:`hsm.HsmIOError`;
a log written by a newer libhsm :class:`hsm.FormatError`. Arguments of the
wrong type raise ``TypeError``. Every database call releases the GIL.
"""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Literal, Optional, TypedDict, Union

import numpy as np
import numpy.typing as npt

from hsm._native import GateLog as _GateLog
from hsm._native import GateQuery as _GateQuery
from hsm._native import gate_alarms as _gate_alarms
from hsm._native import gate_columns as _gate_columns
from hsm._native import gate_flags as _gate_flags
from hsm._native import gate_run_demo_json as _gate_run_demo_json

__all__ = [
    "ALARMS",
    "COLUMNS",
    "ClassTally",
    "DemoSummary",
    "FLAGS",
    "FlowRow",
    "PassageLog",
    "PassageRow",
    "Tally",
    "run_demo",
]

ALARMS: dict[str, int] = _gate_alarms()
"""Alarm names → bits of the ``alarms`` field: ``fever``, ``threat``,
``recheck``, ``sensor_fault``, ``watchlist``."""

FLAGS: dict[str, int] = _gate_flags()
"""Passage flag names → bits of the ``flags`` field (``multiple_persons``,
``multiple_faces``, ``no_face``, ``metal_overlap``, …)."""

COLUMNS: tuple[str, ...] = tuple(_gate_columns())
"""The fields of a passage, in order: the export's columns."""

#: numpy dtype of each column; "U" is unicode sized to the longest value.
_DTYPES: dict[str, str] = {
    "id": "i8",
    "gate": "U",
    "entrance": "U",
    "entry_us": "i8",
    "exit_us": "i8",
    "direction": "U",
    "persons": "u4",
    "site_c": "f8",
    "corrected_c": "f8",
    "body_c": "f8",
    "thermal_outcome": "U",
    "thermal_readings": "u4",
    "thermal_flags": "u4",
    "metal_detected": "?",
    "metal_decision": "U",
    "metal_class": "U",
    "metal_confidence": "f8",
    "metal_threat_p": "f8",
    "metal_height_band": "U",
    "metal_side": "U",
    "alarms": "u4",
    "flags": "u4",
    "token": "U",
}

#: A path argument.
PathArg = Union[str, os.PathLike[str]]
#: Alarm names: one, or any of several.
AlarmNames = Union[str, Iterable[str]]


class PassageRow(TypedDict):
    """One passage as the JSON Lines export writes it."""

    id: int
    gate: str
    entrance: str
    entry_us: int
    exit_us: int
    direction: str
    """``"in"``, ``"out"`` or ``"unknown"``."""
    persons: int
    site_c: Optional[float]
    corrected_c: Optional[float]
    body_c: Optional[float]
    thermal_outcome: Optional[str]
    """``"normal"``, ``"fever"``, ``"recheck"``, or None without a thermal finding."""
    thermal_readings: Optional[int]
    thermal_flags: Optional[int]
    metal_detected: Optional[bool]
    metal_decision: Optional[str]
    """``"pass"``, ``"recheck"``, ``"alarm"``, or None without a metal finding."""
    metal_class: Optional[str]
    metal_confidence: Optional[float]
    metal_threat_p: Optional[float]
    metal_height_band: Optional[str]
    metal_side: Optional[str]
    alarms: str
    """Alarm names joined by ``|`` (``""``: none)."""
    flags: str
    """Flag names joined by ``|``."""
    token: Optional[str]


class FlowRow(TypedDict):
    """Passages of one entrance in one bucket."""

    entrance: str
    start: int
    """Bucket start (local midnight or hour), µs since the Unix epoch."""
    persons_in: int
    persons_out: int
    fever: int
    threat: int
    recheck: int


class Tally(TypedDict):
    """One truth-versus-gate tally of :func:`run_demo`."""

    truth: int
    alarmed: int
    rechecked: int
    false_alarms: int


ClassTally = TypedDict(
    "ClassTally", {"class": str, "carried": int, "alarmed": int, "rechecked": int}
)
"""Per threat class of :func:`run_demo`: passes carrying it, alarmed, re-checked."""


class DemoSummary(TypedDict):
    """What :func:`run_demo` did and how it compares with the truth."""

    minutes: float
    seed: int
    truth_in: int
    truth_out: int
    passages_in: int
    passages_out: int
    passages: int
    multiple_persons: int
    metal_without_passage: int
    matched: int
    matched_flagged: int
    merged_unflagged: int
    unmatched_persons: int
    unmatched_passages: int
    fever: Tally
    threat: Tally
    threat_alone: Tally
    threat_classes: list[ClassTally]
    nuisance: Tally
    nuisance_alone: Tally
    rechecks: int
    sensor_faults: int
    frames: int
    metal_samples: int
    wall_s: float
    speed_factor: float


def _structured(columns: dict[str, Any]) -> npt.NDArray[np.void]:
    """Native columns → one structured array with the fields of :data:`COLUMNS`."""
    values: dict[str, npt.NDArray[Any]] = {}
    for name in COLUMNS:
        kind = _DTYPES[name]
        if kind == "U":
            arr = np.array(columns[name], dtype=np.str_).reshape(-1)
        else:
            arr = np.asarray(columns[name], dtype=kind)
        values[name] = arr
    n = len(values["id"])
    out = np.empty(n, dtype=[(name, arr.dtype) for name, arr in values.items()])
    for name, arr in values.items():
        out[name] = arr
    return out


def _alarm_list(alarms: AlarmNames) -> list[str]:
    if isinstance(alarms, str):
        return [alarms]
    return list(alarms)


def _opt_us(value: Optional[int]) -> Optional[int]:
    return None if value is None else operator.index(value)


def _query(
    from_us: Optional[int],
    to_us: Optional[int],
    direction: Optional[str],
    alarms: AlarmNames,
    min_body_c: Optional[float],
    max_body_c: Optional[float],
    gate: Optional[str],
    entrance: Optional[str],
    limit: Optional[int],
) -> _GateQuery:
    return _GateQuery(
        from_us=_opt_us(from_us),
        to_us=_opt_us(to_us),
        direction=direction,
        alarms=_alarm_list(alarms),
        min_body_c=min_body_c,
        max_body_c=max_body_c,
        gate=gate,
        entrance=entrance,
        limit=None if limit is None else operator.index(limit),
    )


class PassageLog:
    """An open passage log (SQLite in WAL mode).

    ``PassageLog(path)`` opens the log read-write, creating it and migrating
    an older schema; :meth:`open_read_only` opens an existing one without
    writing (queries and exports while a gate writes). Use it as a context
    manager or call :meth:`close`. Thread-safe: calls are serialised and run
    with the GIL released.
    """

    __slots__ = ("_log",)

    _log: _GateLog

    def __init__(self, path: PathArg) -> None:
        self._log = _GateLog(os.fspath(path))

    @classmethod
    def open_read_only(cls, path: PathArg) -> PassageLog:
        """Opens an existing log read-only. Raises :class:`hsm.HsmIOError`
        when it does not exist or its schema is older than this libhsm's."""
        log = cls.__new__(cls)
        log._log = _GateLog(os.fspath(path), read_only=True)
        return log

    def query(
        self,
        from_us: Optional[int] = None,
        to_us: Optional[int] = None,
        *,
        direction: Optional[Literal["in", "out", "unknown"]] = None,
        alarms: AlarmNames = (),
        min_body_c: Optional[float] = None,
        max_body_c: Optional[float] = None,
        gate: Optional[str] = None,
        entrance: Optional[str] = None,
        limit: Optional[int] = None,
        tokens: Literal["drop", "hash", "pseudonym"] = "drop",
        export_key: Optional[bytes] = None,
    ) -> npt.NDArray[np.void]:
        """The passages matching every given filter, in entry order, as a
        structured array (``pandas.DataFrame(arr)`` for a table).

        Entry in ``[from_us, to_us)``; ``direction``; any of ``alarms``
        (names of :data:`ALARMS`); body temperature within
        ``[min_body_c, max_body_c]`` °C; ``gate``; ``entrance``; at most
        ``limit`` rows. ``tokens="hash"`` fills ``token`` with the stored
        keyed hash (hex); ``tokens="pseudonym"`` with that hash hashed again
        under ``export_key`` (bytes, at least 32), so that rows of one person
        link to each other but not to the log or to another export.
        """
        q = _query(from_us, to_us, direction, alarms, min_body_c, max_body_c, gate, entrance, limit)
        return _structured(self._log.query_columns(q, tokens, export_key))

    def query_dicts(
        self,
        from_us: Optional[int] = None,
        to_us: Optional[int] = None,
        *,
        direction: Optional[Literal["in", "out", "unknown"]] = None,
        alarms: AlarmNames = (),
        min_body_c: Optional[float] = None,
        max_body_c: Optional[float] = None,
        gate: Optional[str] = None,
        entrance: Optional[str] = None,
        limit: Optional[int] = None,
        tokens: Literal["drop", "hash", "pseudonym"] = "drop",
        export_key: Optional[bytes] = None,
    ) -> list[PassageRow]:
        """As :meth:`query`, as a list of dicts: the JSON Lines export's
        objects (``None`` for missing values, alarm and flag names joined by
        ``|``)."""
        q = _query(from_us, to_us, direction, alarms, min_body_c, max_body_c, gate, entrance, limit)
        rows: list[PassageRow] = json.loads(self._log.query_json(q, tokens, export_key))
        return rows

    def contacts(
        self,
        passage_id: int,
        window_s: float,
        same_gate: bool = False,
        *,
        tokens: Literal["drop", "hash", "pseudonym"] = "drop",
        export_key: Optional[bytes] = None,
    ) -> npt.NDArray[np.void]:
        """Close contacts of passage ``passage_id``: every other passage
        whose entry lies within ±``window_s`` seconds of its entry, at the
        same entrance (or, with ``same_gate``, the same gate), in entry
        order. Raises :class:`hsm.InvalidValueError` for an unknown id or a
        negative or non-finite window."""
        return _structured(
            self._log.contacts_columns(
                operator.index(passage_id), window_s, same_gate, tokens, export_key
            )
        )

    def contacts_dicts(
        self,
        passage_id: int,
        window_s: float,
        same_gate: bool = False,
        *,
        tokens: Literal["drop", "hash", "pseudonym"] = "drop",
        export_key: Optional[bytes] = None,
    ) -> list[PassageRow]:
        """As :meth:`contacts`, as a list of dicts (see :meth:`query_dicts`)."""
        rows: list[PassageRow] = json.loads(
            self._log.contacts_json(
                operator.index(passage_id), window_s, same_gate, tokens, export_key
            )
        )
        return rows

    def flow(
        self,
        from_us: int,
        to_us: int,
        bucket: Literal["hour", "day"] = "hour",
        utc_offset_min: int = 480,
    ) -> list[FlowRow]:
        """Persons in and out and fever/threat/re-check passages per
        entrance and bucket, for entries in ``[from_us, to_us)``; buckets
        are aligned to local time at ``utc_offset_min`` (China: +480)."""
        rows: list[FlowRow] = json.loads(
            self._log.flow_json(
                operator.index(from_us), operator.index(to_us), bucket, operator.index(utc_offset_min)
            )
        )
        return rows

    def export(
        self,
        path: PathArg,
        format: Literal["parquet", "csv", "jsonl"] = "parquet",
        tokens: Literal["drop", "hash", "pseudonym"] = "drop",
        *,
        export_key: Optional[bytes] = None,
        from_us: Optional[int] = None,
        to_us: Optional[int] = None,
        direction: Optional[Literal["in", "out", "unknown"]] = None,
        alarms: AlarmNames = (),
        min_body_c: Optional[float] = None,
        max_body_c: Optional[float] = None,
        gate: Optional[str] = None,
        entrance: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> int:
        """Writes the passages (all, or those matching the filters of
        :meth:`query`) to ``path`` as Parquet (Snappy; ``entry_us``/``exit_us``
        typed as UTC timestamps), CSV or JSON Lines, streaming; returns the
        row count. Token hashes are dropped unless ``tokens="hash"`` (the
        stored keyed hashes) or ``tokens="pseudonym"`` (hashed again under
        ``export_key``; see :meth:`query`)."""
        q = _query(from_us, to_us, direction, alarms, min_body_c, max_body_c, gate, entrance, limit)
        return self._log.export(os.fspath(path), format, tokens, q, export_key)

    def purge_before(self, cutoff_us: int) -> int:
        """Deletes every passage that entered before ``cutoff_us``, leaving
        no byte of it in the database files; returns how many."""
        return self._log.purge_before(operator.index(cutoff_us))

    def check_integrity(self) -> None:
        """SQLite's integrity check; raises :class:`hsm.HsmIOError` with its
        report unless the database is intact."""
        self._log.check_integrity()

    @property
    def schema_version(self) -> int:
        """The database's schema version (``PRAGMA user_version``)."""
        return self._log.schema_version

    @property
    def path(self) -> str:
        """The path the log was opened from."""
        return os.fspath(self._log.path)

    @property
    def read_only(self) -> bool:
        """Whether the log was opened with :meth:`open_read_only`."""
        return self._log.read_only

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._log.closed

    def close(self) -> None:
        """Closes the database; idempotent. Later calls raise
        :class:`hsm.InvalidValueError`."""
        self._log.close()

    def __len__(self) -> int:
        return len(self._log)

    def __enter__(self) -> PassageLog:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("read-only" if self.read_only else "read-write")
        return f"PassageLog({self.path!r}, {state})"


def run_demo(minutes: float = 30.0, seed: int = 1, db: Optional[PathArg] = None) -> DemoSummary:
    """Simulates a morning at a hospital entrance (people, beams, overhead
    detections, thermal approaches, metal recordings), runs it through a
    gate session and compares the passages with the truth, person by person.

    Passages are appended to the log at ``db`` (created if needed) when
    given. Same ``seed``, same passages. Runs with the GIL released.
    Raises :class:`hsm.InvalidValueError` unless ``0 < minutes <= 1440``.
    """
    path = None if db is None else os.fspath(db)
    out: DemoSummary = json.loads(_gate_run_demo_json(minutes, operator.index(seed), path))
    return out
