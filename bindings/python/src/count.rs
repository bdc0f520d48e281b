//! `hsm.count`: beam decoder, line counter, simulator, evaluation, flow.

use std::sync::Mutex;

use hsm::core::counting::flow::{flow_rows as rows, flow_summary as summary};
use hsm::core::counting::sim::{SimConfig, simulate as sim};
use hsm::core::counting::{
    Beam, BeamConfig, BeamDecoder as Decoder, BeamEvent, CountingLine, Detection, Direction,
    LineConfig, LineCounter as Counter, Source, Transit, evaluate as eval, flags,
};
use hsm::core::{Micros, StatusCode, Timestamp};
use numpy::{AllowTypeChange, PyArray1, PyArrayLike2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{status_error, to_py};

fn transit_dict<'py>(py: Python<'py>, t: &Transit) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("t_us", t.t.0)?;
    d.set_item("direction", t.direction.name())?;
    d.set_item("persons", t.persons)?;
    d.set_item("source", t.source.name())?;
    d.set_item("flags", flags::names(t.flags).collect::<Vec<_>>())?;
    d.set_item("track_id", t.track_id)?;
    Ok(d)
}

fn poisoned(py: Python<'_>) -> PyErr {
    status_error(
        py,
        StatusCode::Panic,
        "a previous call panicked while holding this object's lock".to_owned(),
    )
}

/// A lane's beam-pair decoder (beam A outer, B inner). Thread-safe: calls
/// from several threads are serialised by an internal lock.
#[pyclass(frozen, module = "hsm.count", name = "BeamDecoder")]
pub(crate) struct PyBeamDecoder {
    inner: Mutex<Decoder>,
}

fn beam_of(py: Python<'_>, s: &str) -> PyResult<Beam> {
    match s {
        "A" | "a" => Ok(Beam::A),
        "B" | "b" => Ok(Beam::B),
        other => Err(status_error(
            py,
            StatusCode::InvalidArgument,
            format!("invalid beam = {other:?}: expected \"A\" or \"B\""),
        )),
    }
}

#[pymethods]
impl PyBeamDecoder {
    #[new]
    #[pyo3(signature = (*, min_dwell_ms=30.0, sequence_timeout_s=10.0, fault_after_s=30.0, pair_occlusion_ms=650.0, pair_occlusion_max_ms=1500.0, queue_capacity=4096))]
    fn new(
        py: Python<'_>,
        min_dwell_ms: f64,
        sequence_timeout_s: f64,
        fault_after_s: f64,
        pair_occlusion_ms: f64,
        pair_occlusion_max_ms: f64,
        queue_capacity: usize,
    ) -> PyResult<Self> {
        let us = |field: &'static str, v: f64, scale: f64| -> PyResult<Micros> {
            let x = v * scale;
            if x.is_finite() && x.abs() < 9.0e15 {
                Ok(Micros(x.round() as i64))
            } else {
                Err(to_py(
                    py,
                    hsm::core::CoreError::InvalidArgument {
                        field,
                        value: v,
                        expected: "a finite duration",
                    },
                ))
            }
        };
        let cfg = BeamConfig {
            min_dwell: us("min_dwell", min_dwell_ms, 1e3)?,
            sequence_timeout: us("sequence_timeout", sequence_timeout_s, 1e6)?,
            fault_after: us("fault_after", fault_after_s, 1e6)?,
            pair_occlusion: us("pair_occlusion", pair_occlusion_ms, 1e3)?,
            pair_occlusion_max: us("pair_occlusion_max", pair_occlusion_max_ms, 1e3)?,
            queue_capacity,
        };
        Ok(PyBeamDecoder {
            inner: Mutex::new(Decoder::new(cfg).map_err(|e| to_py(py, e))?),
        })
    }

    /// Feeds one edge: at `t_us`, `beam` ("A" or "B") became blocked or clear.
    fn push(&self, py: Python<'_>, t_us: i64, beam: &str, blocked: bool) -> PyResult<()> {
        let beam = beam_of(py, beam)?;
        let mut d = self.inner.lock().map_err(|_| poisoned(py))?;
        d.push(BeamEvent {
            t: Timestamp(t_us),
            beam,
            blocked,
        })
        .map_err(|e| to_py(py, e))
    }

    /// Feeds many edges (equal-length sequences or numpy arrays).
    fn push_many(
        &self,
        py: Python<'_>,
        t_us: Vec<i64>,
        beam: Vec<String>,
        blocked: Vec<bool>,
    ) -> PyResult<()> {
        if t_us.len() != beam.len() || t_us.len() != blocked.len() {
            return Err(status_error(
                py,
                StatusCode::ShapeMismatch,
                format!(
                    "t_us, beam and blocked have lengths {}, {} and {}; they must be equal",
                    t_us.len(),
                    beam.len(),
                    blocked.len()
                ),
            ));
        }
        let events = t_us
            .iter()
            .zip(&beam)
            .zip(&blocked)
            .map(|((t, b), x)| {
                Ok(BeamEvent {
                    t: Timestamp(*t),
                    beam: beam_of(py, b)?,
                    blocked: *x,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let mut d = self.inner.lock().map_err(|_| poisoned(py))?;
        d.push_all(&events).map_err(|e| to_py(py, e))
    }

    /// Lets deadlines (debounce, timeout, stuck-beam fault) up to `t_us` fire.
    fn advance(&self, py: Python<'_>, t_us: i64) -> PyResult<()> {
        let mut d = self.inner.lock().map_err(|_| poisoned(py))?;
        d.advance(Timestamp(t_us)).map_err(|e| to_py(py, e))
    }

    /// Commits edges still inside the debounce (end of a recording).
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.inner.lock().map_err(|_| poisoned(py))?.flush();
        Ok(())
    }

    /// Takes the queued transits, oldest first, as dicts.
    fn poll<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items: Vec<Transit> = self
            .inner
            .lock()
            .map_err(|_| poisoned(py))?
            .drain_transits()
            .collect();
        let dicts = items
            .iter()
            .map(|t| transit_dict(py, t))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, dicts)
    }

    /// Takes the queued faults, oldest first, as dicts
    /// `{t_us, beam, kind, blocked_since_us}`.
    fn faults<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items: Vec<_> = self
            .inner
            .lock()
            .map_err(|_| poisoned(py))?
            .drain_faults()
            .collect();
        let dicts = items
            .iter()
            .map(|f| {
                let d = PyDict::new(py);
                d.set_item("t_us", f.t.0)?;
                d.set_item("beam", f.beam.name())?;
                d.set_item("kind", f.kind.name())?;
                d.set_item("blocked_since_us", f.blocked_since.0)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, dicts)
    }

    /// People counted so far: `(in, out)`.
    #[getter]
    fn counts(&self, py: Python<'_>) -> PyResult<(u64, u64)> {
        let d = self.inner.lock().map_err(|_| poisoned(py))?;
        Ok((d.count(Direction::In), d.count(Direction::Out)))
    }
}

/// A tracker and counting line for one camera. Thread-safe (internal lock).
#[pyclass(frozen, module = "hsm.count", name = "LineCounter")]
pub(crate) struct PyLineCounter {
    inner: Mutex<(Counter, Vec<Detection>)>,
}

#[pymethods]
impl PyLineCounter {
    #[new]
    #[pyo3(signature = (line, *, band=12.0, gate=40.0, max_coast=10, min_hits=3, min_score=0.0, count_vanishing=true, max_tracks=64, max_detections=256, queue_capacity=4096))]
    #[allow(clippy::too_many_arguments, reason = "keyword-only settings")]
    fn new(
        py: Python<'_>,
        line: (f32, f32, f32, f32),
        band: f32,
        gate: f32,
        max_coast: u32,
        min_hits: u32,
        min_score: f32,
        count_vanishing: bool,
        max_tracks: usize,
        max_detections: usize,
        queue_capacity: usize,
    ) -> PyResult<Self> {
        let mut cfg = LineConfig::new(CountingLine::new(line.0, line.1, line.2, line.3));
        cfg.band = band;
        cfg.tracker.gate_px = gate;
        cfg.tracker.max_coast = max_coast;
        cfg.tracker.min_hits = min_hits;
        cfg.tracker.min_score = min_score;
        cfg.count_vanishing = count_vanishing;
        cfg.tracker.max_tracks = max_tracks;
        cfg.tracker.max_detections = max_detections;
        cfg.queue_capacity = queue_capacity;
        let counter = Counter::new(cfg).map_err(|e| to_py(py, e))?;
        Ok(PyLineCounter {
            inner: Mutex::new((counter, Vec::with_capacity(max_detections))),
        })
    }

    /// Processes one frame at `t_us`: `boxes` is an (N, 4) or (N, 5) array
    /// of x, y, w, h[, score] (box top-left and size, pixels, y down).
    fn push_frame(
        &self,
        py: Python<'_>,
        t_us: i64,
        boxes: PyArrayLike2<'_, f32, AllowTypeChange>,
    ) -> PyResult<()> {
        let shape = boxes.shape().to_vec();
        let cols = shape.get(1).copied().unwrap_or(0);
        if shape[0] > 0 && cols != 4 && cols != 5 {
            return Err(status_error(
                py,
                StatusCode::ShapeMismatch,
                format!(
                    "boxes has shape {shape:?}: expected (N, 4) for x, y, w, h or (N, 5) with a score"
                ),
            ));
        }
        let view = boxes.as_array();
        let mut guard = self.inner.lock().map_err(|_| poisoned(py))?;
        let (counter, scratch) = &mut *guard;
        scratch.clear();
        for row in view.rows() {
            scratch.push(Detection {
                x: row[0],
                y: row[1],
                w: row[2],
                h: row[3],
                score: if cols == 5 { row[4] } else { 1.0 },
            });
        }
        counter
            .push_frame(Timestamp(t_us), scratch)
            .map_err(|e| to_py(py, e))
    }

    /// Takes the queued transits, oldest first, as dicts.
    fn poll<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items: Vec<Transit> = self
            .inner
            .lock()
            .map_err(|_| poisoned(py))?
            .0
            .drain()
            .collect();
        let dicts = items
            .iter()
            .map(|t| transit_dict(py, t))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, dicts)
    }

    /// People counted so far: `(in, out)`.
    #[getter]
    fn counts(&self, py: Python<'_>) -> PyResult<(u64, u64)> {
        let g = self.inner.lock().map_err(|_| poisoned(py))?;
        Ok((g.0.count(Direction::In), g.0.count(Direction::Out)))
    }

    /// Live tracks as dicts `{id, x, y, vx, vy, hits, missed, confirmed}`.
    fn tracks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let g = self.inner.lock().map_err(|_| poisoned(py))?;
        let dicts =
            g.0.tracker()
                .tracks()
                .iter()
                .map(|t| {
                    let d = PyDict::new(py);
                    d.set_item("id", t.id)?;
                    d.set_item("x", t.pos.x)?;
                    d.set_item("y", t.pos.y)?;
                    d.set_item("vx", t.vel.x)?;
                    d.set_item("vy", t.vel.y)?;
                    d.set_item("hits", t.hits)?;
                    d.set_item("missed", t.missed)?;
                    d.set_item("confirmed", t.confirmed)?;
                    Ok(d)
                })
                .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, dicts)
    }
}

/// Runs the simulator; returns `{"beams": {...}, "detections": {...},
/// "truth": {...}}`, each a dict of equal-length numpy arrays (or lists of
/// strings) ready for `pandas.DataFrame`.
#[pyfunction]
#[pyo3(signature = (*, minutes, seed=1, single_file=false, dropout=0.05, fps=15.0))]
fn simulate<'py>(
    py: Python<'py>,
    minutes: f64,
    seed: u64,
    single_file: bool,
    dropout: f64,
    fps: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = SimConfig {
        seed,
        minutes,
        single_file,
        p_dropout: dropout,
        fps,
        ..SimConfig::default()
    };
    let out = py.detach(|| sim(&cfg)).map_err(|e| to_py(py, e))?;
    let beams = PyDict::new(py);
    beams.set_item(
        "t_us",
        PyArray1::from_iter(py, out.beam_events.iter().map(|e| e.t.0)),
    )?;
    beams.set_item(
        "beam",
        out.beam_events
            .iter()
            .map(|e| e.beam.name())
            .collect::<Vec<_>>(),
    )?;
    beams.set_item(
        "blocked",
        PyArray1::from_iter(py, out.beam_events.iter().map(|e| e.blocked)),
    )?;
    let dets = PyDict::new(py);
    let mut frame = Vec::with_capacity(out.detections.len());
    let mut t = Vec::with_capacity(out.detections.len());
    for f in &out.frames {
        for _ in 0..f.len {
            frame.push(f.frame);
            t.push(f.t.0);
        }
    }
    dets.set_item("frame", PyArray1::from_vec(py, frame))?;
    dets.set_item("t_us", PyArray1::from_vec(py, t))?;
    dets.set_item(
        "x",
        PyArray1::from_iter(py, out.detections.iter().map(|d| d.x)),
    )?;
    dets.set_item(
        "y",
        PyArray1::from_iter(py, out.detections.iter().map(|d| d.y)),
    )?;
    dets.set_item(
        "w",
        PyArray1::from_iter(py, out.detections.iter().map(|d| d.w)),
    )?;
    dets.set_item(
        "h",
        PyArray1::from_iter(py, out.detections.iter().map(|d| d.h)),
    )?;
    dets.set_item(
        "score",
        PyArray1::from_iter(py, out.detections.iter().map(|d| d.score)),
    )?;
    let frames = PyDict::new(py);
    frames.set_item(
        "frame",
        PyArray1::from_iter(py, out.frames.iter().map(|f| f.frame)),
    )?;
    frames.set_item(
        "t_us",
        PyArray1::from_iter(py, out.frames.iter().map(|f| f.t.0)),
    )?;
    let truth = PyDict::new(py);
    truth.set_item(
        "t_us",
        PyArray1::from_iter(py, out.truth.iter().map(|t| t.t.0)),
    )?;
    truth.set_item(
        "direction",
        out.truth
            .iter()
            .map(|t| t.direction.name())
            .collect::<Vec<_>>(),
    )?;
    truth.set_item(
        "persons",
        PyArray1::from_iter(py, out.truth.iter().map(|t| t.persons)),
    )?;
    truth.set_item(
        "behaviour",
        out.truth_behaviour
            .iter()
            .map(|b| b.name())
            .collect::<Vec<_>>(),
    )?;
    truth.set_item(
        "person",
        PyArray1::from_iter(py, out.truth.iter().map(|t| t.track_id)),
    )?;
    let d = PyDict::new(py);
    d.set_item("beams", beams)?;
    d.set_item("detections", dets)?;
    d.set_item("frames", frames)?;
    d.set_item("truth", truth)?;
    Ok(d)
}

fn transits(
    py: Python<'_>,
    what: &'static str,
    t_us: &[i64],
    direction: &[String],
    persons: &[u32],
) -> PyResult<Vec<Transit>> {
    if t_us.len() != direction.len() || t_us.len() != persons.len() {
        return Err(status_error(
            py,
            StatusCode::ShapeMismatch,
            format!(
                "{what}: t_us, direction and persons have lengths {}, {} and {}; they must be equal",
                t_us.len(),
                direction.len(),
                persons.len()
            ),
        ));
    }
    t_us.iter()
        .zip(direction)
        .zip(persons)
        .enumerate()
        .map(|(i, ((t, d), p))| {
            let direction = match d.as_str() {
                "in" => Direction::In,
                "out" => Direction::Out,
                other => {
                    return Err(status_error(
                        py,
                        StatusCode::InvalidArgument,
                        format!("{what}.direction[{i}] = {other:?}: expected \"in\" or \"out\""),
                    ));
                }
            };
            Ok(Transit {
                t: Timestamp(*t),
                direction,
                persons: *p,
                source: Source::Truth,
                flags: 0,
                track_id: 0,
            })
        })
        .collect()
}

/// Columns → evaluation dict (see `hsm.count.evaluate`).
#[pyfunction]
#[allow(clippy::too_many_arguments, reason = "two column sets")]
fn evaluate_columns<'py>(
    py: Python<'py>,
    pred_t_us: Vec<i64>,
    pred_direction: Vec<String>,
    pred_persons: Vec<u32>,
    truth_t_us: Vec<i64>,
    truth_direction: Vec<String>,
    truth_persons: Vec<u32>,
    window_us: i64,
) -> PyResult<Bound<'py, PyDict>> {
    let p = transits(py, "predicted", &pred_t_us, &pred_direction, &pred_persons)?;
    let t = transits(py, "truth", &truth_t_us, &truth_direction, &truth_persons)?;
    let e = eval(&p, &t, Micros(window_us)).map_err(|e| to_py(py, e))?;
    let d = PyDict::new(py);
    for (name, s) in [("in", e.inbound), ("out", e.outbound)] {
        let x = PyDict::new(py);
        x.set_item("truth", s.truth)?;
        x.set_item("predicted", s.predicted)?;
        x.set_item("matched", s.matched)?;
        x.set_item("missed", s.missed)?;
        x.set_item("double", s.double)?;
        d.set_item(name, x)?;
    }
    d.set_item("truth", e.truth())?;
    d.set_item("missed", e.missed())?;
    d.set_item("double", e.double())?;
    d.set_item("errors_per_200", e.errors_per_200())?;
    d.set_item("window_us", e.window_us)?;
    Ok(d)
}

/// Columns → flow rows (see `hsm.count.flow`).
#[pyfunction]
fn flow_columns<'py>(
    py: Python<'py>,
    t_us: Vec<i64>,
    direction: Vec<String>,
    persons: Vec<u32>,
    origin_us: i64,
    width_us: i64,
) -> PyResult<Bound<'py, PyDict>> {
    let tx = transits(py, "transits", &t_us, &direction, &persons)?;
    let r = rows(&tx, Timestamp(origin_us), Micros(width_us)).map_err(|e| to_py(py, e))?;
    let d = PyDict::new(py);
    d.set_item(
        "start_us",
        PyArray1::from_iter(py, r.iter().map(|x| x.start.0)),
    )?;
    d.set_item("in", PyArray1::from_iter(py, r.iter().map(|x| x.inbound)))?;
    d.set_item("out", PyArray1::from_iter(py, r.iter().map(|x| x.outbound)))?;
    d.set_item(
        "occupancy",
        PyArray1::from_iter(py, r.iter().map(|x| x.occupancy)),
    )?;
    Ok(d)
}

/// Columns → flow summary (see `hsm.count.flow_summary`).
#[pyfunction]
#[pyo3(signature = (t_us, direction, persons, origin_us, days=None))]
fn flow_summary_columns<'py>(
    py: Python<'py>,
    t_us: Vec<i64>,
    direction: Vec<String>,
    persons: Vec<u32>,
    origin_us: i64,
    days: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let tx = transits(py, "transits", &t_us, &direction, &persons)?;
    let s = summary(&tx, Timestamp(origin_us), days).map_err(|e| to_py(py, e))?;
    let d = PyDict::new(py);
    d.set_item("total_in", s.total_in)?;
    d.set_item("total_out", s.total_out)?;
    d.set_item("days", s.days)?;
    d.set_item("daily_avg_in", s.daily_avg_in)?;
    d.set_item("daily_avg_out", s.daily_avg_out)?;
    d.set_item("daily_avg_total", s.daily_avg_total)?;
    d.set_item("peak_hour_start_us", s.peak_hour_start.map(|t| t.0))?;
    d.set_item("peak_hour_total", s.peak_hour_total)?;
    d.set_item("final_occupancy", s.final_occupancy)?;
    d.set_item("max_occupancy", s.max_occupancy)?;
    Ok(d)
}

/// Adds the counting classes and functions to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBeamDecoder>()?;
    m.add_class::<PyLineCounter>()?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate_columns, m)?)?;
    m.add_function(wrap_pyfunction!(flow_columns, m)?)?;
    m.add_function(wrap_pyfunction!(flow_summary_columns, m)?)?;
    Ok(())
}
