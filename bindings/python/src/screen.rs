//! `hsm.thermal.FrameProcessor` and `hsm.thermal.simulate`: per-frame face
//! extraction over numpy frames, and the seeded scene simulator.
//!
//! Results cross into Python as packed little-endian records (`RECORD`
//! bytes each, the layout of `hsm.thermal.FACE_DTYPE`), read with one
//! `numpy.frombuffer`: no per-face Python object is built unless asked for.

use hsm::StatusCode;
use hsm::core::{Celsius, FrameView, Micros, Rect, Timestamp};
use hsm::thermal::extract::{
    BlackbodyConfig, FrameProcessor, FrameResult, ProcessorConfig, QualityFlags, SiteStatistic,
};
use hsm::thermal::sim::{SimConfig, Simulator};
use numpy::{PyArray3, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::detach_if_large;
use crate::errors::{status_error, to_py};
use crate::thermal::PyRadiometry;

/// Bytes per face record (see `FACE_DTYPE` in `hsm/thermal.py`).
const RECORD: usize = 64;

/// Appends the faces of frame `index` of `r` as packed records.
fn push_records(buf: &mut Vec<u8>, index: u32, r: &FrameResult) {
    buf.reserve(RECORD * r.faces().len());
    for f in r.faces() {
        for v in [index, f.bbox.x, f.bbox.y, f.bbox.width, f.bbox.height] {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        buf.extend_from_slice(&f.centroid.x.to_le_bytes());
        buf.extend_from_slice(&f.centroid.y.to_le_bytes());
        for v in [f.area, f.site.x, f.site.y, f.flags.bits(), 0] {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        buf.extend_from_slice(&f.site_c.get().to_le_bytes());
        buf.extend_from_slice(&f.corrected_c.get().to_le_bytes());
    }
}

/// A numpy frame or stack as a C-contiguous array of `T` (copied once when
/// the layout is anything else), with its shape.
fn contiguous<'py, T: numpy::Element>(
    arr: &Bound<'py, PyArrayDyn<T>>,
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    if arr.is_c_contiguous() && arr.is_aligned() {
        Ok(arr.clone())
    } else {
        Ok(arr
            .call_method1("copy", ("C",))?
            .cast_into::<PyArrayDyn<T>>()?)
    }
}

enum Frames<'py> {
    U16(Bound<'py, PyArrayDyn<u16>>),
    F32(Bound<'py, PyArrayDyn<f32>>),
}

impl Frames<'_> {
    fn shape(&self) -> Vec<usize> {
        match self {
            Frames::U16(a) => a.shape().to_vec(),
            Frames::F32(a) => a.shape().to_vec(),
        }
    }
}

fn frames<'py>(what: &str, obj: &Bound<'py, PyAny>) -> PyResult<Frames<'py>> {
    let untyped = obj.cast::<PyUntypedArray>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a numpy.ndarray of dtype uint16 (counts) or float32 (°C), not {}",
            obj.get_type()
        ))
    })?;
    if let Ok(a) = untyped.cast::<PyArrayDyn<u16>>() {
        return Ok(Frames::U16(contiguous(a)?));
    }
    if let Ok(a) = untyped.cast::<PyArrayDyn<f32>>() {
        return Ok(Frames::F32(contiguous(a)?));
    }
    Err(PyTypeError::new_err(format!(
        "{what} has dtype {}, expected uint16 (counts) or float32 (°C) in native byte order",
        untyped.dtype()
    )))
}

fn shape_error(py: Python<'_>, what: &str, shape: &[usize], expected: &str) -> PyErr {
    status_error(
        py,
        StatusCode::FrameShape,
        format!("{what} has shape {shape:?}: expected {expected}"),
    )
}

/// The per-frame face extractor (`hsm_thermal::extract::FrameProcessor`).
#[pyclass(module = "hsm.thermal", name = "_FrameProcessor")]
pub(crate) struct PyFrameProcessor {
    inner: FrameProcessor,
    result: FrameResult,
    results: Vec<FrameResult>,
    last_t: Option<i64>,
    buf: Vec<u8>,
    /// Nanoseconds the last `process_records` spent in the Rust call.
    rust_ns: u64,
}

#[pymethods]
impl PyFrameProcessor {
    #[new]
    #[pyo3(signature = (radiometry, blackbody = None, band_lo = 30.0, band_hi = 43.0, min_face_pixels = 800, min_region_pixels = 40, candidates = 24, single_person = true, max_faces = 16))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn new(
        py: Python<'_>,
        radiometry: &PyRadiometry,
        blackbody: Option<(u32, u32, u32, u32, f64)>,
        band_lo: f64,
        band_hi: f64,
        min_face_pixels: u32,
        min_region_pixels: u32,
        candidates: u16,
        single_person: bool,
        max_faces: usize,
    ) -> PyResult<Self> {
        let cfg = ProcessorConfig {
            radiometry: *radiometry.converter().radiometry(),
            band: (Celsius(band_lo), Celsius(band_hi)),
            min_face_pixels,
            min_region_pixels,
            site: SiteStatistic::TrimmedWindow { candidates },
            blackbody: blackbody
                .map(|(x, y, w, h, t)| BlackbodyConfig::new(Rect::new(x, y, w, h), Celsius(t))),
            single_person,
            ..ProcessorConfig::default()
        };
        if !(1..=1024).contains(&max_faces) {
            return Err(status_error(
                py,
                StatusCode::InvalidArgument,
                format!("max_faces is {max_faces}: expected 1..=1024"),
            ));
        }
        let inner = FrameProcessor::new(cfg).map_err(|e| to_py(py, e))?;
        Ok(PyFrameProcessor {
            inner,
            result: FrameResult::with_capacity(max_faces),
            results: Vec::new(),
            last_t: None,
            buf: Vec::new(),
            rust_ns: 0,
        })
    }

    /// One frame → packed face records (bytes).
    #[pyo3(signature = (frame, timestamp_us = None))]
    fn process_records<'py>(
        &mut self,
        py: Python<'py>,
        frame: &Bound<'py, PyAny>,
        timestamp_us: Option<i64>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let t = timestamp_us.unwrap_or_else(|| self.last_t.map_or(0, |p| p.saturating_add(33_333)));
        let frames = frames("frame", frame)?;
        let (inner, result) = (&mut self.inner, &mut self.result);
        let shape = frames.shape();
        let [h, w] = shape[..] else {
            return Err(shape_error(py, "frame", &shape, "a 2-D frame (H, W)"));
        };
        let r = match &frames {
            Frames::U16(a) => {
                let guard = a.try_readonly()?;
                let data = guard.as_slice()?;
                detach_if_large(py, data.len(), || {
                    let t0 = std::time::Instant::now();
                    let r = FrameView::packed(data, w, h)
                        .map_err(hsm::thermal::ThermalError::from)
                        .and_then(|v| inner.process(&v, Timestamp(t), result));
                    (r, t0.elapsed())
                })
            }
            Frames::F32(a) => {
                let guard = a.try_readonly()?;
                let data = guard.as_slice()?;
                detach_if_large(py, data.len(), || {
                    let t0 = std::time::Instant::now();
                    let r = FrameView::packed(data, w, h)
                        .map_err(hsm::thermal::ThermalError::from)
                        .and_then(|v| inner.process_f32(&v, Timestamp(t), result));
                    (r, t0.elapsed())
                })
            }
        };
        let (r, took) = r;
        self.rust_ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        r.map_err(|e| to_py(py, e))?;
        self.last_t = Some(t);
        self.buf.clear();
        push_records(&mut self.buf, 0, &self.result);
        Ok(PyBytes::new(py, &self.buf))
    }

    /// The last frame's frame-level state: flags (bits), dead rows and
    /// columns, blackbody reading, faces beyond `max_faces`.
    fn last_frame<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let r = &self.result;
        d.set_item("timestamp_us", r.timestamp.0)?;
        d.set_item("frame_flags", r.frame_flags.bits())?;
        d.set_item("dead_rows", r.dead_rows)?;
        d.set_item("dead_columns", r.dead_columns)?;
        d.set_item("dropped_faces", r.dropped_faces)?;
        d.set_item("blackbody_measured_c", r.blackbody.measured.get())?;
        d.set_item("blackbody_offset_c", r.blackbody.offset.get())?;
        d.set_item("blackbody_flags", r.blackbody.flags.bits())?;
        Ok(d)
    }

    /// An (N, H, W) stack → packed face records with their frame index.
    #[pyo3(signature = (stack, first_us = 0, interval_us = 33_333))]
    fn process_stack_records<'py>(
        &mut self,
        py: Python<'py>,
        stack: &Bound<'py, PyAny>,
        first_us: i64,
        interval_us: i64,
    ) -> PyResult<Bound<'py, PyBytes>> {
        if interval_us < 0 {
            return Err(status_error(
                py,
                StatusCode::InvalidArgument,
                format!("interval_us is {interval_us}: expected >= 0"),
            ));
        }
        let frames = frames("stack", stack)?;
        // `results` is kept between calls: its face buffers are reused.
        let (inner, results) = (&mut self.inner, &mut self.results);
        let (first, interval) = (Timestamp(first_us), Micros(interval_us));
        let shape = frames.shape();
        let [n, h, w] = shape[..] else {
            return Err(shape_error(
                py,
                "stack",
                &shape,
                "a stack of frames (N, H, W)",
            ));
        };
        let r = match &frames {
            Frames::U16(a) => {
                let guard = a.try_readonly()?;
                let data = guard.as_slice()?;
                detach_if_large(py, data.len(), || {
                    inner.process_stack(data, (n, h, w), first, interval, results)
                })
            }
            Frames::F32(a) => {
                let guard = a.try_readonly()?;
                let data = guard.as_slice()?;
                detach_if_large(py, data.len(), || {
                    inner.process_stack_f32(data, (n, h, w), first, interval, results)
                })
            }
        };
        r.map_err(|e| to_py(py, e))?;
        self.last_t = self.results.last().map(|r| r.timestamp.0);
        self.buf.clear();
        for (i, r) in self.results.iter().enumerate() {
            push_records(&mut self.buf, i as u32, r);
        }
        Ok(PyBytes::new(py, &self.buf))
    }

    /// Nanoseconds the last single-frame call spent inside the Rust
    /// extraction (for measuring the binding's overhead).
    fn last_call_ns(&self) -> u64 {
        self.rust_ns
    }

    /// Forgets the stream's history (blackbody tracking, previous frame).
    fn reset(&mut self) {
        self.inner.reset();
        self.last_t = None;
    }

    /// The band in counts `(lo, hi)`.
    fn band_counts(&self) -> (u16, u16) {
        self.inner.band_counts()
    }
}

/// `{name: bit}` of every quality flag.
#[pyfunction]
fn quality_flags(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for (f, name) in QualityFlags::ALL {
        d.set_item(name, f.bits())?;
    }
    Ok(d)
}

/// Renders `frames` frames of the default scene (people walking to a
/// 160 × 120 TLinear 0.01 K camera, one after another, with the blackbody)
/// → `(uint16 (N, 120, 160) counts, truth as JSON text)`.
#[pyfunction]
#[pyo3(signature = (frames, seed = 1))]
fn simulate_thermal<'py>(
    py: Python<'py>,
    frames: usize,
    seed: u64,
) -> PyResult<(Bound<'py, PyArray3<u16>>, String)> {
    if frames == 0 || frames > 100_000 {
        return Err(status_error(
            py,
            StatusCode::InvalidArgument,
            format!("frames is {frames}: expected 1..=100000"),
        ));
    }
    let cfg = SimConfig {
        seed,
        ..SimConfig::default()
    };
    let (w, h) = (cfg.camera.width, cfg.camera.height);
    let (counts, truth) = py
        .detach(|| -> Result<(Vec<u16>, String), hsm::thermal::ThermalError> {
            let mut sim = Simulator::new(cfg)?;
            let mut counts = Vec::with_capacity(frames * w * h);
            let mut items = Vec::with_capacity(frames);
            let bb = cfg.blackbody.map(|b| {
                let r = b.interior(2);
                (r.x, r.y, r.width, r.height, b.set_point.get())
            });
            'outer: loop {
                for f in sim.passage().frames {
                    counts.extend_from_slice(&f.counts);
                    let faces: Vec<String> = f
                        .truth
                        .faces
                        .iter()
                        .map(|t| {
                            format!(
                                "{{\"person\": {}, \"bbox\": [{}, {}, {}, {}], \"site_c\": {}, \"body_c\": {}, \"fever\": {}, \"glasses\": {}}}",
                                t.person,
                                t.bbox.x,
                                t.bbox.y,
                                t.bbox.width,
                                t.bbox.height,
                                t.site.get(),
                                t.body.get(),
                                t.fever,
                                t.glasses
                            )
                        })
                        .collect();
                    items.push(format!(
                        "{{\"frame\": {}, \"timestamp_us\": {}, \"camera_offset_c\": {}, \"faces\": [{}]}}",
                        items.len(),
                        f.truth.timestamp.0,
                        f.truth.camera_offset.get(),
                        faces.join(", ")
                    ));
                    if items.len() == frames {
                        break 'outer;
                    }
                }
            }
            let bb = bb.map_or("null".to_owned(), |(x, y, bw, bh, t)| {
                format!("[{x}, {y}, {bw}, {bh}, {t}]")
            });
            let truth = format!(
                "{{\"seed\": {seed}, \"width\": {w}, \"height\": {h}, \"radiometry\": \"tlinear-0.01\", \"netd_k\": {}, \"blackbody\": {bb}, \"frames\": [{}]}}",
                cfg.camera.netd_k,
                items.join(", ")
            );
            Ok((counts, truth))
        })
        .map_err(|e| to_py(py, e))?;
    let arr = numpy::PyArray1::from_vec(py, counts).reshape([frames, h, w])?;
    Ok((arr, truth))
}

/// `(x, y, w, h, set_point_c)` of a blackbody region.
type BlackbodyTuple = (u32, u32, u32, u32, f64);

/// The speed bench's scene (`hsm_thermal::sim::bench_scene`): `n` frames of
/// three faces and the blackbody → `(uint16 (n, height, width), blackbody
/// interior (x, y, w, h, set_point_c))`.
#[pyfunction]
#[pyo3(signature = (width, height, n, seed = 1))]
fn bench_scene<'py>(
    py: Python<'py>,
    width: usize,
    height: usize,
    n: usize,
    seed: u64,
) -> PyResult<(Bound<'py, PyArray3<u16>>, BlackbodyTuple)> {
    if n == 0 || n > 1024 {
        return Err(status_error(
            py,
            StatusCode::InvalidArgument,
            format!("n is {n}: expected 1..=1024"),
        ));
    }
    let (frames, cfg) = py
        .detach(|| hsm::thermal::sim::bench_scene(width, height, n, seed))
        .map_err(|e| to_py(py, e))?;
    let bb = cfg.blackbody.map_or((0, 0, 0, 0, f64::NAN), |b| {
        let r = b.interior(2);
        (r.x, r.y, r.width, r.height, b.set_point.get())
    });
    let flat: Vec<u16> = frames.concat();
    let arr = numpy::PyArray1::from_vec(py, flat).reshape([n, height, width])?;
    Ok((arr, bb))
}

/// Adds the screening classes and functions to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFrameProcessor>()?;
    m.add_function(wrap_pyfunction!(quality_flags, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_thermal, m)?)?;
    m.add_function(wrap_pyfunction!(bench_scene, m)?)?;
    Ok(())
}
