//! `hsm.metal`: the gate simulator, the detector (whole passages and
//! streaming frames), features, training, cross-validation and the
//! certification-style trial, over numpy arrays.

use std::path::Path;
use std::sync::Mutex;

use hsm::StatusCode;
use hsm::metal::MetalError;
use hsm::metal::classify::{Example, Model, TrainConfig};
use hsm::metal::detect::{Detector, PassageResult, Program};
use hsm::metal::eval::{
    LabelledObject, Orientation, cross_validate, detection_trial, evaluate_objects,
};
use hsm::metal::features::{PER_FREQUENCY, features};
use hsm::metal::gate::{Gate, GateConfig, Passage, Recorder};
use hsm::metal::library::{LibraryObject, ObjectClass, builtin};
use hsm::metal::sim::{BodyLocation, Carried, SimConfig, Simulator};
use hsm::metal::tensor::Tensor3;
use hsm::metal::train::{Labelled, Source, default_model, simulate_examples, variant_objects};
use hsm::metal::{ObjectFile, Signature};
use numpy::{
    Complex64, IxDyn, PyArray1, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{status_error, to_py};

fn err(py: Python<'_>, e: MetalError) -> PyErr {
    to_py(py, e)
}

fn poisoned(py: Python<'_>) -> PyErr {
    status_error(
        py,
        StatusCode::Panic,
        "a previous call panicked while holding this object's lock".to_owned(),
    )
}

fn shape_repr(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A numpy array of `T` (exact dtype, native byte order) as a Vec in C
/// order with its shape; TypeError for anything else.
fn array_of<T: numpy::Element + Copy>(
    arg: &Bound<'_, PyAny>,
    name: &str,
    dtype: &str,
) -> PyResult<(Vec<T>, Vec<usize>)> {
    let untyped = arg.cast::<PyUntypedArray>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name} must be a numpy.ndarray of dtype {dtype}, not {}",
            arg.get_type()
        ))
    })?;
    let array = untyped.cast::<PyArrayDyn<T>>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name} has dtype {}, expected {dtype} in native byte order (convert with .astype(numpy.{dtype}))",
            untyped.dtype()
        ))
    })?;
    let shape = array.shape().to_vec();
    let ro = array.try_readonly()?;
    let v: Vec<T> = ro.as_array().iter().copied().collect();
    Ok((v, shape))
}

fn finite(py: Python<'_>, name: &'static str, v: &[Complex64]) -> PyResult<()> {
    if let Some(bad) = v.iter().find(|c| !c.is_finite()) {
        return Err(err(
            py,
            MetalError::InvalidParameter {
                field: name,
                value: bad.re + bad.im,
                expected: "finite samples (no NaN or infinity)",
            },
        ));
    }
    Ok(())
}

fn shape_error(py: Python<'_>, name: &str, shape: &[usize], expected: &str) -> PyErr {
    status_error(
        py,
        StatusCode::ShapeMismatch,
        format!(
            "{name} has shape {}, expected {expected}",
            shape_repr(shape)
        ),
    )
}

fn result_dict<'py>(py: Python<'py>, r: &PassageResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("alarm", r.decision == hsm::metal::detect::Decision::Alarm)?;
    d.set_item("decision", r.decision.name())?;
    d.set_item("class", r.class.map(ObjectClass::name))?;
    d.set_item("confidence", r.confidence)?;
    d.set_item("threat", r.threat_probability)?;
    d.set_item("height_band", r.height_band.map(|h| h.name()))?;
    d.set_item("side", r.side.map(|s| s.name()))?;
    d.set_item("detected", r.detected)?;
    d.set_item("size_m3", r.size_m3)?;
    d.set_item("position_m", (r.position_m[0], r.position_m[1]))?;
    d.set_item("peak_s", r.peak_s)?;
    d.set_item("fit_residual", r.fit_residual)?;
    let mut t = Vec::with_capacity(9 * r.tensors.len());
    for m in &r.tensors {
        t.extend(m.0.iter().flatten().copied());
    }
    let arr = PyArray1::from_vec(py, t).reshape(vec![r.tensors.len(), 3, 3])?;
    d.set_item("tensors", arr)?;
    Ok(d)
}

fn default_gate(py: Python<'_>) -> PyResult<Gate> {
    Gate::new(GateConfig::default()).map_err(|e| err(py, e))
}

fn class_of(py: Python<'_>, name: &str) -> PyResult<ObjectClass> {
    ObjectClass::from_name(name).ok_or_else(|| {
        status_error(
            py,
            StatusCode::InvalidMetalParameter,
            format!(
                "unknown class {name:?}: expected one of {}",
                ObjectClass::ALL.map(ObjectClass::name).join(", ")
            ),
        )
    })
}

/// A signature from a built-in object name, a class name or an object file.
fn resolve_object(py: Python<'_>, spec: &str, gate: &Gate) -> PyResult<Signature> {
    let lib = builtin();
    if let Some(o) = lib
        .iter()
        .find(|o| o.name == spec)
        .or_else(|| ObjectClass::from_name(spec).and_then(|c| lib.iter().find(|o| o.class == c)))
    {
        return o.signature(gate.omegas()).map_err(|e| err(py, e));
    }
    let path = Path::new(spec);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| {
            err(
                py,
                MetalError::Io {
                    path: spec.to_owned(),
                    reason: e.to_string(),
                },
            )
        })?;
        let f = ObjectFile::from_json(spec, &text).map_err(|e| err(py, e))?;
        return f.signature.resampled(gate.omegas()).map_err(|e| err(py, e));
    }
    Err(status_error(
        py,
        StatusCode::InvalidMetalParameter,
        format!(
            "object {spec:?} is not a built-in object, a class name or an object file (built-ins: {})",
            lib.iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

fn location_of(py: Python<'_>, name: &str) -> PyResult<BodyLocation> {
    BodyLocation::ALL
        .into_iter()
        .find(|l| l.name() == name)
        .ok_or_else(|| {
            status_error(
                py,
                StatusCode::InvalidMetalParameter,
                format!(
                    "unknown location {name:?}: expected one of {}",
                    BodyLocation::ALL.map(BodyLocation::name).join(", ")
                ),
            )
        })
}

/// The seeded gate simulator (default gate: 18 zones, 4 frequencies,
/// 200 Hz, 2 s passages). Thread-safe (calls are serialised).
#[pyclass(frozen, module = "hsm.metal", name = "Simulator")]
pub(crate) struct PySimulator {
    inner: Mutex<Simulator>,
    pick: Mutex<hsm::core::rng::SplitMix64>,
}

#[pymethods]
impl PySimulator {
    #[new]
    #[pyo3(signature = (seed = 0, *, duration_s = 2.0))]
    fn new(py: Python<'_>, seed: u64, duration_s: f64) -> PyResult<Self> {
        let gate = default_gate(py)?;
        let cfg = SimConfig {
            duration_s,
            ..SimConfig::default()
        };
        Ok(PySimulator {
            inner: Mutex::new(Simulator::new(gate, cfg, seed).map_err(|e| err(py, e))?),
            pick: Mutex::new(hsm::core::rng::SplitMix64::new(seed ^ 0x10CA_7105)),
        })
    }

    /// One passage carrying `object` (a built-in object or class name, an
    /// object-file path, or None for nothing) at `location` (None: random).
    /// Returns `(samples, truth)`: complex128 `(T, Z, F)` and a dict.
    #[pyo3(signature = (object = None, location = None))]
    fn passage<'py>(
        &self,
        py: Python<'py>,
        object: Option<&str>,
        location: Option<&str>,
    ) -> PyResult<(Bound<'py, PyArrayDyn<Complex64>>, Bound<'py, PyDict>)> {
        let mut sim = self.inner.lock().map_err(|_| poisoned(py))?;
        let gate = sim.gate().clone();
        let location = match location {
            Some(l) => location_of(py, l)?,
            None => {
                let mut r = self.pick.lock().map_err(|_| poisoned(py))?;
                BodyLocation::ALL[r.below(BodyLocation::ALL.len() as u64) as usize]
            }
        };
        let items = match object {
            None => Vec::new(),
            Some(spec) => vec![Carried {
                signature: resolve_object(py, spec, &gate)?,
                location,
                orientation: None,
            }],
        };
        let (p, truth) = sim.passage(&items).map_err(|e| err(py, e))?;
        let shape = [p.frames(), p.zones(), p.freqs()];
        let arr = PyArray1::from_slice(py, p.samples()).reshape(IxDyn(&shape))?;
        let t = PyDict::new(py);
        t.set_item("speed_m_s", truth.speed_m_s)?;
        t.set_item("person_height_m", truth.person_height_m)?;
        t.set_item("crossing_s", truth.crossing_s)?;
        t.set_item("object", object)?;
        t.set_item("location", object.map(|_| location.name()))?;
        t.set_item("height_band", object.map(|_| location.height_band().name()))?;
        t.set_item("side", object.map(|_| location.side().name()))?;
        t.set_item("object_height_m", truth.objects.first().map(|o| o.2))?;
        Ok((arr, t))
    }

    /// Zones, frequencies (Hz), sample rate (Hz).
    #[getter]
    fn gate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let sim = self.inner.lock().map_err(|_| poisoned(py))?;
        gate_dict(py, sim.gate())
    }
}

fn gate_dict<'py>(py: Python<'py>, g: &Gate) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("zones", g.zones())?;
    d.set_item("frequencies_hz", g.config().frequencies_hz.clone())?;
    d.set_item("sample_rate_hz", g.config().sample_rate_hz)?;
    Ok(d)
}

struct DetectorState {
    detector: Detector,
    recorder: Recorder,
}

/// A detector for the default gate with a program (`"hospital"` or
/// `"strict"`) and a classifier (the shipped model, or `model_json`).
/// Thread-safe (calls are serialised).
#[pyclass(frozen, module = "hsm.metal", name = "Detector")]
pub(crate) struct PyDetector {
    gate: Gate,
    inner: Mutex<DetectorState>,
}

#[pymethods]
impl PyDetector {
    #[new]
    #[pyo3(signature = (program = "hospital", *, model_json = None))]
    fn new(py: Python<'_>, program: &str, model_json: Option<&str>) -> PyResult<Self> {
        let gate = default_gate(py)?;
        let model = match model_json {
            None => default_model(),
            Some(t) => Model::from_json("model_json", t),
        }
        .map_err(|e| err(py, e))?;
        let program = Program::named(program).map_err(|e| err(py, e))?;
        let detector = Detector::new(&gate, program, Some(model)).map_err(|e| err(py, e))?;
        let recorder = Recorder::new(gate.zones(), gate.frequencies());
        Ok(PyDetector {
            gate,
            inner: Mutex::new(DetectorState { detector, recorder }),
        })
    }

    /// Process a whole passage: complex128 `(T, Z, F)`. Returns a dict
    /// (`alarm`, `decision`, `class`, `confidence`, `threat`, `height_band`,
    /// `side`, `detected`, `size_m3`, `position_m`, `peak_s`,
    /// `fit_residual`, `tensors` — complex128 `(F, 3, 3)`).
    fn process<'py>(
        &self,
        py: Python<'py>,
        samples: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (v, shape) = array_of::<Complex64>(samples, "samples", "complex128")?;
        let (z, f) = (self.gate.zones(), self.gate.frequencies());
        if shape.len() != 3 || shape[1] != z || shape[2] != f {
            return Err(shape_error(
                py,
                "samples",
                &shape,
                &format!("(T, {z}, {f})"),
            ));
        }
        finite(py, "samples", &v)?;
        let p = Passage::new(z, f, v).map_err(|e| err(py, e))?;
        let mut st = self.inner.lock().map_err(|_| poisoned(py))?;
        let det: &mut Detector = &mut st.detector;
        let r = py.detach(|| det.process(&p)).map_err(|e| err(py, e))?;
        result_dict(py, &r)
    }

    /// Append one frame, complex128 `(Z, F)` (streaming input).
    fn push(&self, py: Python<'_>, frame: &Bound<'_, PyAny>) -> PyResult<()> {
        let (v, shape) = array_of::<Complex64>(frame, "frame", "complex128")?;
        let (z, f) = (self.gate.zones(), self.gate.frequencies());
        if shape != [z, f] {
            return Err(shape_error(py, "frame", &shape, &format!("({z}, {f})")));
        }
        let mut st = self.inner.lock().map_err(|_| poisoned(py))?;
        st.recorder.push(&v).map_err(|e| err(py, e))
    }

    /// Frames pushed since the last `finish`.
    #[getter]
    fn frames(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self
            .inner
            .lock()
            .map_err(|_| poisoned(py))?
            .recorder
            .frames())
    }

    /// End the streamed passage: process the pushed frames (emptied also on
    /// error) and return the result dict.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut st = self.inner.lock().map_err(|_| poisoned(py))?;
        let p = st.recorder.finish().map_err(|e| err(py, e))?;
        let r = st.detector.process(&p).map_err(|e| err(py, e))?;
        result_dict(py, &r)
    }

    /// Classify estimated tensors, complex128 `(F, 3, 3)`: dict with
    /// `class`, `confidence`, `threat`.
    fn classify<'py>(
        &self,
        py: Python<'py>,
        tensors: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let t = tensors_of(py, tensors, Some(self.gate.frequencies()))?;
        let st = self.inner.lock().map_err(|_| poisoned(py))?;
        let p = st.detector.classify(&t).map_err(|e| err(py, e))?;
        let d = PyDict::new(py);
        d.set_item("class", p.class.name())?;
        d.set_item("confidence", p.confidence)?;
        d.set_item("threat", p.threat_probability)?;
        Ok(d)
    }

    /// Zones, frequencies (Hz), sample rate (Hz).
    #[getter]
    fn gate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        gate_dict(py, &self.gate)
    }
}

fn tensors_of(
    py: Python<'_>,
    arg: &Bound<'_, PyAny>,
    freqs: Option<usize>,
) -> PyResult<Vec<Tensor3>> {
    let (v, shape) = array_of::<Complex64>(arg, "tensors", "complex128")?;
    let ok = shape.len() == 3
        && shape[1] == 3
        && shape[2] == 3
        && shape[0] >= 1
        && freqs.is_none_or(|f| f == shape[0]);
    if !ok {
        let f = freqs.map_or("F".to_owned(), |f| f.to_string());
        return Err(shape_error(py, "tensors", &shape, &format!("({f}, 3, 3)")));
    }
    finite(py, "tensors", &v)?;
    Ok(v.chunks_exact(9)
        .map(|c| Tensor3([[c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], c[8]]]))
        .collect())
}

/// Rotation-invariant features of tensors `(F, 3, 3)` → float64 `(13·F,)`.
#[pyfunction]
fn metal_features<'py>(
    py: Python<'py>,
    tensors: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let t = tensors_of(py, tensors, None)?;
    Ok(PyArray1::from_vec(py, features(&t)))
}

/// The built-in objects: list of dicts `name`, `class`, `threat`.
#[pyfunction]
fn metal_builtin_objects(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    builtin()
        .iter()
        .map(|o| {
            let d = PyDict::new(py);
            d.set_item("name", &o.name)?;
            d.set_item("class", o.class.name())?;
            d.set_item("threat", o.class.is_threat())?;
            Ok(d)
        })
        .collect()
}

/// Class names, threats first, and which are threats.
#[pyfunction]
fn metal_classes() -> Vec<(&'static str, bool)> {
    ObjectClass::ALL
        .iter()
        .map(|c| (c.name(), c.is_threat()))
        .collect()
}

type Dataset<'py> = (
    Bound<'py, PyArrayDyn<f64>>,
    Vec<&'static str>,
    Vec<String>,
    Vec<&'static str>,
);

/// A labelled data set end to end through the simulated gate: `objects`
/// is `"builtin"` or `"variants"` (`per_class` seeded random objects of
/// every class). Returns `(features (N, 52), classes, groups, locations)`.
#[pyfunction]
#[pyo3(signature = (objects = "variants", *, per_class = 8, passes = 4, seed = 0))]
fn metal_simulate_dataset<'py>(
    py: Python<'py>,
    objects: &str,
    per_class: usize,
    passes: usize,
    seed: u64,
) -> PyResult<Dataset<'py>> {
    let gate = default_gate(py)?;
    let objs: Vec<LibraryObject> = match objects {
        "builtin" => builtin(),
        "variants" => variant_objects(&ObjectClass::ALL, per_class, seed),
        other => {
            return Err(status_error(
                py,
                StatusCode::InvalidMetalParameter,
                format!("objects = {other:?}: expected \"builtin\" or \"variants\""),
            ));
        }
    };
    let data = py
        .detach(|| {
            let sources = objs
                .iter()
                .map(|o| Source::from_object(o, &gate))
                .collect::<Result<Vec<_>, _>>()?;
            simulate_examples(&gate, &sources, passes, seed)
        })
        .map_err(|e| err(py, e))?;
    let d = data
        .first()
        .map_or(PER_FREQUENCY * 4, |l| l.example.features.len());
    let mut x = Vec::with_capacity(data.len() * d);
    for l in &data {
        x.extend_from_slice(&l.example.features);
    }
    let x = PyArray1::from_vec(py, x).reshape(IxDyn(&[data.len(), d]))?;
    Ok((
        x,
        data.iter().map(|l| l.example.class.name()).collect(),
        data.iter().map(|l| l.group.clone()).collect(),
        data.iter().map(|l| l.location.name()).collect(),
    ))
}

fn examples(py: Python<'_>, x: &Bound<'_, PyAny>, classes: &[String]) -> PyResult<Vec<Example>> {
    let (v, shape) = array_of::<f64>(x, "features", "float64")?;
    if shape.len() != 2 || shape[0] != classes.len() || shape[1] == 0 {
        return Err(shape_error(
            py,
            "features",
            &shape,
            &format!("(N, D) with N = {} labels", classes.len()),
        ));
    }
    if v.iter().any(|x| !x.is_finite()) {
        return Err(err(
            py,
            MetalError::InvalidParameter {
                field: "features",
                value: f64::NAN,
                expected: "finite features",
            },
        ));
    }
    classes
        .iter()
        .zip(v.chunks_exact(shape[1]))
        .map(|(c, f)| {
            Ok(Example {
                features: f.to_vec(),
                class: class_of(py, c)?,
            })
        })
        .collect()
}

fn train_config(
    hidden: usize,
    epochs: usize,
    l2: f64,
    seed: u64,
    threat_weight: f64,
) -> TrainConfig {
    TrainConfig {
        hidden,
        epochs,
        l2,
        seed,
        threat_weight,
        ..TrainConfig::default()
    }
}

/// Train a classifier on features `(N, D)` with class names; returns the
/// model file (JSON text) for `Detector(model_json=...)`.
#[pyfunction]
#[pyo3(signature = (features, classes, *, hidden = 32, epochs = 600, l2 = 1e-4, seed = 1, threat_weight = 2.0))]
#[allow(
    clippy::too_many_arguments,
    reason = "keyword arguments of a Python function"
)]
fn metal_train(
    py: Python<'_>,
    features: &Bound<'_, PyAny>,
    classes: Vec<String>,
    hidden: usize,
    epochs: usize,
    l2: f64,
    seed: u64,
    threat_weight: f64,
) -> PyResult<String> {
    let ex = examples(py, features, &classes)?;
    let cfg = train_config(hidden, epochs, l2, seed, threat_weight);
    let freqs = GateConfig::default().frequencies_hz;
    let m = py
        .detach(|| Model::train(&ex, &freqs, &cfg, "hsm.metal.train"))
        .map_err(|e| err(py, e))?;
    m.to_json().map_err(|e| err(py, e))
}

fn cv_dict<'py>(py: Python<'py>, r: &hsm::metal::eval::CvReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("folds", r.folds)?;
    d.set_item("examples", r.examples)?;
    d.set_item("accuracy", r.accuracy)?;
    d.set_item("threat_detection_rate", r.threat_detection)?;
    d.set_item("false_alarm_rate", r.false_alarm_rate)?;
    d.set_item("threshold", r.threshold)?;
    d.set_item("threat_detection_at_5pct_fa", r.threat_detection_at_5pct_fa)?;
    d.set_item(
        "classes",
        r.classes.iter().map(|c| c.name()).collect::<Vec<_>>(),
    )?;
    d.set_item("confusion", r.confusion.clone())?;
    Ok(d)
}

/// Group k-fold cross-validation (whole groups held out) of the
/// classifier on features `(N, D)`.
#[pyfunction]
#[pyo3(signature = (features, classes, groups, *, folds = 5, seed = 0, hidden = 32, epochs = 600, l2 = 1e-4, threat_weight = 2.0))]
#[allow(
    clippy::too_many_arguments,
    reason = "keyword arguments of a Python function"
)]
fn metal_cross_validate<'py>(
    py: Python<'py>,
    features: &Bound<'py, PyAny>,
    classes: Vec<String>,
    groups: Vec<String>,
    folds: usize,
    seed: u64,
    hidden: usize,
    epochs: usize,
    l2: f64,
    threat_weight: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let ex = examples(py, features, &classes)?;
    if groups.len() != ex.len() {
        return Err(status_error(
            py,
            StatusCode::ShapeMismatch,
            format!("{} groups for {} examples", groups.len(), ex.len()),
        ));
    }
    let data: Vec<Labelled> = ex
        .into_iter()
        .zip(groups)
        .map(|(example, group)| Labelled {
            example,
            group,
            location: BodyLocation::Head,
        })
        .collect();
    let cfg = train_config(hidden, epochs, l2, seed, threat_weight);
    let freqs = GateConfig::default().frequencies_hz;
    let r = py
        .detach(|| cross_validate(&data, &freqs, folds, 0.5, &cfg, seed))
        .map_err(|e| err(py, e))?;
    cv_dict(py, &r)
}

/// Whole-object cross-validation of an object list: rows of
/// `(path, label, group, threat)` — an object file or an MPT-Calculator
/// folder each.
#[pyfunction]
#[pyo3(signature = (objects, *, folds = 5, passes = 8, seed = 0))]
fn metal_evaluate<'py>(
    py: Python<'py>,
    objects: Vec<(String, String, String, bool)>,
    folds: usize,
    passes: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let gate = default_gate(py)?;
    let list = objects
        .iter()
        .map(|(p, l, g, t)| LabelledObject::load(Path::new(p), l, g, *t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(py, e))?;
    let r = py
        .detach(|| evaluate_objects(&gate, &list, folds, passes, &TrainConfig::default(), seed))
        .map_err(|e| err(py, e))?;
    let d = PyDict::new(py);
    d.set_item("folds", r.folds)?;
    d.set_item("objects", r.objects)?;
    d.set_item("groups", r.groups)?;
    d.set_item("passes", r.passes)?;
    d.set_item("examples", r.examples)?;
    d.set_item("accuracy", r.accuracy)?;
    d.set_item("threat_detection_rate", r.threat_detection_rate)?;
    d.set_item("false_alarm_rate", r.false_alarm_rate)?;
    d.set_item("threshold", r.threshold)?;
    d.set_item("threat_detection_at_5pct_fa", r.threat_detection_at_5pct_fa)?;
    d.set_item("labels", r.labels.clone())?;
    d.set_item("confusion", r.confusion.clone())?;
    Ok(d)
}

/// The certification-style trial on the built-in objects: every object ×
/// body location (random orientation), `passes` each.
#[pyfunction]
#[pyo3(signature = (program = "hospital", *, passes = 3, seed = 11))]
fn metal_detection_trial<'py>(
    py: Python<'py>,
    program: &str,
    passes: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let gate = default_gate(py)?;
    let program = Program::named(program).map_err(|e| err(py, e))?;
    let model = default_model().map_err(|e| err(py, e))?;
    let mut det = Detector::new(&gate, program, Some(model)).map_err(|e| err(py, e))?;
    let r = py
        .detach(|| {
            let sources = builtin()
                .iter()
                .map(|o| Source::from_object(o, &gate))
                .collect::<Result<Vec<_>, _>>()?;
            detection_trial(
                &gate,
                &mut det,
                &sources,
                &BodyLocation::ALL,
                &[Orientation::Random],
                passes,
                seed,
            )
        })
        .map_err(|e| err(py, e))?;
    let d = PyDict::new(py);
    d.set_item("program", &r.program)?;
    d.set_item("threat_detection", r.threat_detection)?;
    d.set_item(
        "worst_location",
        r.worst_location.map(|(l, v)| (l.name(), v)),
    )?;
    d.set_item("nuisance_rate", r.nuisance_rate)?;
    d.set_item("height_band_accuracy", r.height_band_accuracy)?;
    d.set_item("side_accuracy", r.side_accuracy)?;
    d.set_item("table", r.table())?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySimulator>()?;
    m.add_class::<PyDetector>()?;
    m.add_function(wrap_pyfunction!(metal_features, m)?)?;
    m.add_function(wrap_pyfunction!(metal_builtin_objects, m)?)?;
    m.add_function(wrap_pyfunction!(metal_classes, m)?)?;
    m.add_function(wrap_pyfunction!(metal_simulate_dataset, m)?)?;
    m.add_function(wrap_pyfunction!(metal_train, m)?)?;
    m.add_function(wrap_pyfunction!(metal_cross_validate, m)?)?;
    m.add_function(wrap_pyfunction!(metal_evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(metal_detection_trial, m)?)?;
    Ok(())
}
