//! `hsm.gate`: the passage log (queries, close contacts, flow, export,
//! purge) and the simulated-morning demo.
//!
//! The public classes live in `hsm/gate.py`; this module is their native
//! half: [`PyGateQuery`] (a validated [`Query`]), [`PyGateLog`] (a
//! [`PassageLog`] behind a lock) and a few functions. Rows come back either
//! as columns (numeric numpy arrays and lists of strings, which `gate.py`
//! packs into one structured array) or as JSON text equal to the JSON Lines
//! export's lines. Every database call runs with the GIL released.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hsm::StatusCode;
use hsm::core::{Micros, Timestamp};
use hsm::gate::demo::{DemoConfig, run as run_demo};
use hsm::gate::export::{EMPTY_HEADER, ExportRow};
use hsm::gate::{
    Alarms, Bucket, ContactScope, ExportFormat, GateError, Passage, PassageFlags, PassageLog,
    Query, SiteKey, TokenExport, Way, export,
};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{status_error, to_py};

/// An `InvalidValueError` (status InvalidArgument) about a named argument.
fn invalid(py: Python<'_>, message: String) -> PyErr {
    status_error(py, StatusCode::InvalidArgument, message)
}

/// `"drop"`, `"hash"` or `"pseudonym"` (with `export_key`) → what to do
/// with token hashes. A key given with another mode is refused rather than
/// silently unused.
fn token_export(py: Python<'_>, tokens: &str, export_key: Option<&[u8]>) -> PyResult<TokenExport> {
    match (tokens, export_key) {
        ("drop", None) => Ok(TokenExport::Drop),
        ("hash", None) => Ok(TokenExport::Hash),
        ("pseudonym", Some(key)) => SiteKey::new(key)
            .map(TokenExport::Pseudonymise)
            .map_err(|e| to_py(py, e)),
        ("pseudonym", None) => Err(invalid(
            py,
            "tokens = \"pseudonym\" needs export_key (at least 32 bytes)".to_owned(),
        )),
        ("drop" | "hash", Some(_)) => Err(invalid(
            py,
            format!("export_key is only used with tokens = \"pseudonym\", not {tokens:?}"),
        )),
        (other, _) => Err(invalid(
            py,
            format!("tokens = {other:?}: expected \"drop\", \"hash\" or \"pseudonym\""),
        )),
    }
}

/// A duration in seconds as µs; NaN, infinite or beyond ±285 years is an
/// InvalidValueError. The sign is kept (the log refuses negative windows).
fn seconds_to_micros(py: Python<'_>, field: &'static str, seconds: f64) -> PyResult<Micros> {
    let us = seconds * 1e6;
    if us.is_finite() && us.abs() < 9.0e18 {
        Ok(Micros(us.round() as i64))
    } else {
        Err(to_py(
            py,
            GateError::InvalidArgument {
                field,
                value: seconds,
                expected: "a finite number of seconds",
            },
        ))
    }
}

/// A passage-log filter, validated once (see `hsm.gate.PassageLog.query`).
#[pyclass(frozen, module = "hsm._native", name = "GateQuery")]
pub(crate) struct PyGateQuery {
    query: Query,
}

#[pymethods]
impl PyGateQuery {
    /// Every given field must match: entry time in `[from_us, to_us)`,
    /// `direction` ("in", "out", "unknown"), any of the `alarms` (names of
    /// `hsm.gate.ALARMS`), body temperature within `[min_body_c,
    /// max_body_c]` °C (finite), `gate`, `entrance`; at most `limit` rows in
    /// entry order.
    #[new]
    #[pyo3(signature = (
        *, from_us = None, to_us = None, direction = None, alarms = None, min_body_c = None,
        max_body_c = None, gate = None, entrance = None, limit = None
    ))]
    #[allow(
        clippy::too_many_arguments,
        reason = "mirrors the keyword-only Python signature: one argument per filter"
    )]
    fn new(
        py: Python<'_>,
        from_us: Option<i64>,
        to_us: Option<i64>,
        direction: Option<&str>,
        alarms: Option<Vec<String>>,
        min_body_c: Option<f64>,
        max_body_c: Option<f64>,
        gate: Option<String>,
        entrance: Option<String>,
        limit: Option<i64>,
    ) -> PyResult<Self> {
        let direction = match direction {
            None => None,
            Some(name) => Some(Way::from_name(name).ok_or_else(|| {
                invalid(
                    py,
                    format!("direction = {name:?}: expected \"in\", \"out\" or \"unknown\""),
                )
            })?),
        };
        let mut bits = Alarms::NONE;
        for name in alarms.iter().flatten() {
            bits |= Alarms::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = Alarms::ALL.iter().map(|(_, n)| *n).collect();
                invalid(
                    py,
                    format!(
                        "alarms contains {name:?}: expected names among {}",
                        known.join(", ")
                    ),
                )
            })?;
        }
        for (field, value) in [("min_body_c", min_body_c), ("max_body_c", max_body_c)] {
            if let Some(v) = value.filter(|v| !v.is_finite()) {
                return Err(to_py(
                    py,
                    GateError::InvalidArgument {
                        field,
                        value: v,
                        expected: "a finite temperature in °C",
                    },
                ));
            }
        }
        let limit = match limit {
            None => None,
            Some(n) => Some(u64::try_from(n).map_err(|_| {
                to_py(
                    py,
                    GateError::InvalidArgument {
                        field: "limit",
                        value: n as f64,
                        expected: "a non-negative number of rows",
                    },
                )
            })?),
        };
        Ok(PyGateQuery {
            query: Query {
                from: from_us.map(Timestamp),
                to: to_us.map(Timestamp),
                direction,
                alarms: bits,
                min_body_c,
                max_body_c,
                gate,
                entrance,
                token: None,
                limit,
            },
        })
    }

    fn __repr__(&self) -> String {
        format!("GateQuery({:?})", self.query)
    }
}

/// Passages as columns, filled with the GIL released and handed to Python
/// in one go. Missing values: NaN (floats), `""` (strings), 0 / False
/// (counts, bits, `metal_detected`).
#[derive(Default)]
struct Columns {
    id: Vec<i64>,
    gate: Vec<String>,
    entrance: Vec<String>,
    entry_us: Vec<i64>,
    exit_us: Vec<i64>,
    direction: Vec<&'static str>,
    persons: Vec<u32>,
    site_c: Vec<f64>,
    corrected_c: Vec<f64>,
    body_c: Vec<f64>,
    thermal_outcome: Vec<&'static str>,
    thermal_readings: Vec<u32>,
    thermal_flags: Vec<u32>,
    metal_detected: Vec<bool>,
    metal_decision: Vec<String>,
    metal_class: Vec<String>,
    metal_confidence: Vec<f64>,
    metal_threat_p: Vec<f64>,
    metal_height_band: Vec<String>,
    metal_side: Vec<String>,
    alarms: Vec<u32>,
    flags: Vec<u32>,
    token: Vec<String>,
}

impl Columns {
    fn push(&mut self, p: Passage, tokens: &TokenExport) {
        let (alarms, flags) = (p.alarms.0, p.flags.0);
        let r = ExportRow::new(p, tokens);
        self.id.push(r.id);
        self.gate.push(r.gate);
        self.entrance.push(r.entrance);
        self.entry_us.push(r.entry_us);
        self.exit_us.push(r.exit_us);
        self.direction.push(r.direction);
        self.persons.push(r.persons);
        self.site_c.push(r.site_c.unwrap_or(f64::NAN));
        self.corrected_c.push(r.corrected_c.unwrap_or(f64::NAN));
        self.body_c.push(r.body_c.unwrap_or(f64::NAN));
        self.thermal_outcome.push(r.thermal_outcome.unwrap_or(""));
        self.thermal_readings.push(r.thermal_readings.unwrap_or(0));
        self.thermal_flags.push(r.thermal_flags.unwrap_or(0));
        self.metal_detected.push(r.metal_detected.unwrap_or(false));
        self.metal_decision
            .push(r.metal_decision.unwrap_or_default());
        self.metal_class.push(r.metal_class.unwrap_or_default());
        self.metal_confidence
            .push(r.metal_confidence.unwrap_or(f64::NAN));
        self.metal_threat_p
            .push(r.metal_threat_p.unwrap_or(f64::NAN));
        self.metal_height_band
            .push(r.metal_height_band.unwrap_or_default());
        self.metal_side.push(r.metal_side.unwrap_or_default());
        self.alarms.push(alarms);
        self.flags.push(flags);
        self.token.push(r.token.unwrap_or_default());
    }

    /// `{column: numpy array | list[str]}`, keyed by the export's column
    /// names.
    fn into_dict(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", PyArray1::from_vec(py, self.id))?;
        d.set_item("gate", self.gate)?;
        d.set_item("entrance", self.entrance)?;
        d.set_item("entry_us", PyArray1::from_vec(py, self.entry_us))?;
        d.set_item("exit_us", PyArray1::from_vec(py, self.exit_us))?;
        d.set_item("direction", self.direction)?;
        d.set_item("persons", PyArray1::from_vec(py, self.persons))?;
        d.set_item("site_c", PyArray1::from_vec(py, self.site_c))?;
        d.set_item("corrected_c", PyArray1::from_vec(py, self.corrected_c))?;
        d.set_item("body_c", PyArray1::from_vec(py, self.body_c))?;
        d.set_item("thermal_outcome", self.thermal_outcome)?;
        d.set_item(
            "thermal_readings",
            PyArray1::from_vec(py, self.thermal_readings),
        )?;
        d.set_item("thermal_flags", PyArray1::from_vec(py, self.thermal_flags))?;
        d.set_item(
            "metal_detected",
            PyArray1::from_vec(py, self.metal_detected),
        )?;
        d.set_item("metal_decision", self.metal_decision)?;
        d.set_item("metal_class", self.metal_class)?;
        d.set_item(
            "metal_confidence",
            PyArray1::from_vec(py, self.metal_confidence),
        )?;
        d.set_item(
            "metal_threat_p",
            PyArray1::from_vec(py, self.metal_threat_p),
        )?;
        d.set_item("metal_height_band", self.metal_height_band)?;
        d.set_item("metal_side", self.metal_side)?;
        d.set_item("alarms", PyArray1::from_vec(py, self.alarms))?;
        d.set_item("flags", PyArray1::from_vec(py, self.flags))?;
        d.set_item("token", self.token)?;
        Ok(d)
    }
}

/// Passages as the JSON Lines export writes them, as one JSON array.
fn rows_json(rows: Vec<Passage>, tokens: &TokenExport) -> Result<String, GateError> {
    let rows: Vec<ExportRow> = rows
        .into_iter()
        .map(|p| ExportRow::new(p, tokens))
        .collect();
    serde_json::to_string(&rows).map_err(|e| GateError::Storage(format!("JSON: {e}")))
}

/// Any serialisable result as JSON text.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, GateError> {
    serde_json::to_string(value).map_err(|e| GateError::Storage(format!("JSON: {e}")))
}

/// A passage log (SQLite, WAL) opened read-write or read-only. Thread-safe:
/// calls are serialised by an internal lock, with the GIL released.
#[pyclass(frozen, module = "hsm._native", name = "GateLog")]
pub(crate) struct PyGateLog {
    /// `None` once closed.
    inner: Mutex<Option<PassageLog>>,
    path: PathBuf,
    read_only: bool,
}

impl PyGateLog {
    fn lock(&self) -> MutexGuard<'_, Option<PassageLog>> {
        // No code path panics while holding the lock; recover rather than
        // propagate poison.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` on the open log with the GIL released.
    fn with_log<T, F>(&self, py: Python<'_>, work: F) -> PyResult<T>
    where
        T: Send,
        F: Send + FnOnce(&mut PassageLog) -> Result<T, GateError>,
    {
        let out = py.detach(|| self.lock().as_mut().map(work));
        match out {
            Some(result) => result.map_err(|e| to_py(py, e)),
            None => Err(invalid(
                py,
                format!("the passage log {} is closed", self.path.display()),
            )),
        }
    }

    fn columns<'py>(
        &self,
        py: Python<'py>,
        tokens: &str,
        export_key: Option<&[u8]>,
        fetch: impl Send + FnOnce(&PassageLog, &mut dyn FnMut(Passage)) -> Result<(), GateError>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let tokens = token_export(py, tokens, export_key)?;
        let cols = self.with_log(py, |log| {
            let mut cols = Columns::default();
            fetch(log, &mut |p| cols.push(p, &tokens))?;
            Ok(cols)
        })?;
        cols.into_dict(py)
    }
}

#[pymethods]
impl PyGateLog {
    /// Opens the log at `path`: read-write (created and migrated as needed)
    /// or, with `read_only`, an existing log for queries and exports.
    #[new]
    #[pyo3(signature = (path, read_only = false))]
    fn new(py: Python<'_>, path: PathBuf, read_only: bool) -> PyResult<Self> {
        let log = py
            .detach(|| {
                if read_only {
                    PassageLog::open_read_only(&path)
                } else {
                    PassageLog::open(&path)
                }
            })
            .map_err(|e| to_py(py, e))?;
        Ok(PyGateLog {
            inner: Mutex::new(Some(log)),
            path,
            read_only,
        })
    }

    /// The passages matching `query` as columns.
    #[pyo3(signature = (query, tokens = "drop", export_key = None))]
    fn query_columns<'py>(
        &self,
        py: Python<'py>,
        query: &PyGateQuery,
        tokens: &str,
        export_key: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let q = query.query.clone();
        self.columns(py, tokens, export_key, move |log, push| {
            log.scan(&q, |p| {
                push(p);
                Ok(())
            })
        })
    }

    /// The passages matching `query` as a JSON array of export rows.
    #[pyo3(signature = (query, tokens = "drop", export_key = None))]
    fn query_json(
        &self,
        py: Python<'_>,
        query: &PyGateQuery,
        tokens: &str,
        export_key: Option<&[u8]>,
    ) -> PyResult<String> {
        let tokens = token_export(py, tokens, export_key)?;
        let q = query.query.clone();
        self.with_log(py, |log| rows_json(log.query(&q)?, &tokens))
    }

    /// Close contacts of passage `passage_id` within ±`window_s` seconds as
    /// columns.
    #[pyo3(signature = (passage_id, window_s, same_gate = false, tokens = "drop", export_key = None))]
    fn contacts_columns<'py>(
        &self,
        py: Python<'py>,
        passage_id: i64,
        window_s: f64,
        same_gate: bool,
        tokens: &str,
        export_key: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let window = seconds_to_micros(py, "window_s", window_s)?;
        let scope = contact_scope(same_gate);
        self.columns(py, tokens, export_key, move |log, push| {
            log.contacts(passage_id, window, scope)?
                .into_iter()
                .for_each(push);
            Ok(())
        })
    }

    /// Close contacts as a JSON array of export rows.
    #[pyo3(signature = (passage_id, window_s, same_gate = false, tokens = "drop", export_key = None))]
    fn contacts_json(
        &self,
        py: Python<'_>,
        passage_id: i64,
        window_s: f64,
        same_gate: bool,
        tokens: &str,
        export_key: Option<&[u8]>,
    ) -> PyResult<String> {
        let window = seconds_to_micros(py, "window_s", window_s)?;
        let tokens = token_export(py, tokens, export_key)?;
        let scope = contact_scope(same_gate);
        self.with_log(py, |log| {
            rows_json(log.contacts(passage_id, window, scope)?, &tokens)
        })
    }

    /// Flow per entrance and bucket ("hour" or "day") as a JSON array.
    #[pyo3(signature = (from_us, to_us, bucket = "hour", utc_offset_min = 480))]
    fn flow_json(
        &self,
        py: Python<'_>,
        from_us: i64,
        to_us: i64,
        bucket: &str,
        utc_offset_min: i64,
    ) -> PyResult<String> {
        let bucket = match bucket {
            "hour" => Bucket::Hour,
            "day" => Bucket::Day,
            other => {
                return Err(invalid(
                    py,
                    format!("bucket = {other:?}: expected \"hour\" or \"day\""),
                ));
            }
        };
        let offset = i32::try_from(utc_offset_min).map_err(|_| {
            to_py(
                py,
                GateError::InvalidArgument {
                    field: "utc_offset_min",
                    value: utc_offset_min as f64,
                    expected: "-840 ..= 840 minutes",
                },
            )
        })?;
        self.with_log(py, |log| {
            to_json(&log.flow(Timestamp(from_us), Timestamp(to_us), bucket, offset)?)
        })
    }

    /// Writes the passages matching `query` (all when None) to `path` as
    /// "parquet", "csv" or "jsonl"; returns the row count.
    #[pyo3(signature = (path, format = "parquet", tokens = "drop", query = None, export_key = None))]
    fn export(
        &self,
        py: Python<'_>,
        path: PathBuf,
        format: &str,
        tokens: &str,
        query: Option<&PyGateQuery>,
        export_key: Option<&[u8]>,
    ) -> PyResult<u64> {
        let fmt = ExportFormat::from_name(format).ok_or_else(|| {
            invalid(
                py,
                format!("format = {format:?}: expected \"parquet\", \"csv\" or \"jsonl\""),
            )
        })?;
        let tokens = token_export(py, tokens, export_key)?;
        let q = query.map(|q| q.query.clone()).unwrap_or_default();
        self.with_log(py, |log| export(log, &q, fmt, &tokens, &path))
    }

    /// Deletes (and overwrites) every passage that entered before
    /// `cutoff_us`; returns how many.
    fn purge_before(&self, py: Python<'_>, cutoff_us: i64) -> PyResult<u64> {
        self.with_log(py, |log| log.purge_before(Timestamp(cutoff_us)))
    }

    /// `PRAGMA integrity_check`; raises HsmIOError (status Storage) with
    /// SQLite's report unless it is "ok".
    fn check_integrity(&self, py: Python<'_>) -> PyResult<()> {
        self.with_log(py, |log| log.check_integrity())
    }

    /// The database's schema version.
    #[getter]
    fn schema_version(&self, py: Python<'_>) -> PyResult<u32> {
        self.with_log(py, |log| log.schema_version())
    }

    /// The path the log was opened from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Whether the log was opened read-only.
    #[getter]
    fn read_only(&self) -> bool {
        self.read_only
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.lock().is_none()
    }

    /// Closes the database (idempotent); later calls raise InvalidValueError.
    fn close(&self, py: Python<'_>) {
        let log = self.lock().take();
        py.detach(move || drop(log));
    }

    /// Number of passages.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let n = self.with_log(py, |log| log.len())?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
}

fn contact_scope(same_gate: bool) -> ContactScope {
    if same_gate {
        ContactScope::SameGate
    } else {
        ContactScope::SameEntrance
    }
}

/// Runs the simulated morning (`hsm.gate.run_demo`) with the GIL released;
/// returns the summary as JSON. Passages go to the log at `db` when given.
#[pyfunction]
#[pyo3(signature = (minutes = 30.0, seed = 1, db = None))]
fn gate_run_demo_json(
    py: Python<'_>,
    minutes: f64,
    seed: u64,
    db: Option<PathBuf>,
) -> PyResult<String> {
    let cfg = DemoConfig {
        minutes,
        seed,
        ..DemoConfig::default()
    };
    py.detach(|| {
        let mut log = db.map(PassageLog::open).transpose()?;
        let summary = run_demo(&cfg, log.as_mut(), |_| {})?;
        to_json(&summary)
    })
    .map_err(|e| to_py(py, e))
}

/// Alarm names → bits: `{"fever": 1, "threat": 2, …}`.
#[pyfunction]
fn gate_alarms(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for (bit, name) in Alarms::ALL {
        d.set_item(*name, bit.0)?;
    }
    Ok(d)
}

/// Passage flag names → bits: `{"multiple_persons": 1, …}`.
#[pyfunction]
fn gate_flags(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for (bit, name) in PassageFlags::ALL {
        d.set_item(*name, bit.0)?;
    }
    Ok(d)
}

/// The export's column names, in order (the CSV header).
#[pyfunction]
fn gate_columns() -> Vec<&'static str> {
    EMPTY_HEADER.to_vec()
}

/// Adds the gate classes and functions to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGateQuery>()?;
    m.add_class::<PyGateLog>()?;
    m.add_function(wrap_pyfunction!(gate_run_demo_json, m)?)?;
    m.add_function(wrap_pyfunction!(gate_alarms, m)?)?;
    m.add_function(wrap_pyfunction!(gate_flags, m)?)?;
    m.add_function(wrap_pyfunction!(gate_columns, m)?)?;
    Ok(())
}
