//! `hsm.thermal.ThermalFile` (behind `hsm.thermal.read`): radiometric files.

use std::sync::{Mutex, MutexGuard};

use hsm::core::Celsius;
use hsm::thermal::formats::{
    CameraInfo, ImageEncoding, Metadata, SceneOverrides, ThermalFile as File,
};
use hsm::thermal::radiometry::CelsiusLut;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::{status_error, to_py};

struct State {
    file: File,
    /// The table for the file's own parameters, built on first use.
    default_lut: Option<CelsiusLut>,
}

/// A radiometric file opened for reading: FLIR radiometric JPEG, FFF, SEQ,
/// CSQ, 16-bit TIFF or `.npy`. Frames are decoded on demand, one at a time.
#[pyclass(frozen, module = "hsm.thermal", name = "ThermalFile")]
pub(crate) struct PyThermalFile {
    state: Mutex<State>,
    name: String,
    frames: usize,
    width: usize,
    height: usize,
    meta: Metadata,
}

impl PyThermalFile {
    fn new(file: File) -> Self {
        let meta = file.metadata().clone();
        PyThermalFile {
            name: file.name().to_owned(),
            frames: file.frame_count(),
            width: file.width(),
            height: file.height(),
            meta,
            state: Mutex::new(State {
                file,
                default_lut: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic cannot happen while the lock is held (no code path
        // panics), but recover the state rather than propagate poison.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn index(&self, i: i64) -> PyResult<usize> {
        let n = self.frames as i64;
        let j = if i < 0 { i + n } else { i };
        if (0..n).contains(&j) {
            Ok(j as usize)
        } else {
            Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "frame index {i} out of range for {} with {} frame(s)",
                self.name, self.frames
            )))
        }
    }

    fn array2<'py, T: numpy::Element>(
        &self,
        py: Python<'py>,
        data: Vec<T>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let flat = PyArray1::from_vec(py, data);
        Ok(flat.reshape([self.height, self.width])?.into_any())
    }
}

fn camera_dict<'py>(py: Python<'py>, c: &CameraInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("model", &c.model)?;
    d.set_item("part_number", &c.part_number)?;
    d.set_item("serial", &c.serial)?;
    d.set_item("software", &c.software)?;
    d.set_item("lens_model", &c.lens_model)?;
    let p = PyDict::new(py);
    p.set_item("r1", c.planck.r1)?;
    p.set_item("r2", c.planck.r2)?;
    p.set_item("b", c.planck.b)?;
    p.set_item("f", c.planck.f)?;
    p.set_item("o", c.planck.o)?;
    d.set_item("planck", p)?;
    let a = PyDict::new(py);
    a.set_item("x", c.atmosphere.x)?;
    a.set_item("alpha1", c.atmosphere.alpha1)?;
    a.set_item("alpha2", c.atmosphere.alpha2)?;
    a.set_item("beta1", c.atmosphere.beta1)?;
    a.set_item("beta2", c.atmosphere.beta2)?;
    d.set_item("atmospheric", a)?;
    d.set_item("emissivity", c.scene.emissivity)?;
    d.set_item("object_distance_m", c.scene.distance_m)?;
    d.set_item("reflected_c", c.scene.reflected.get())?;
    d.set_item("atmosphere_c", c.scene.atmosphere.get())?;
    d.set_item("window_c", c.scene.window.get())?;
    d.set_item("window_transmission", c.scene.window_transmission)?;
    d.set_item("relative_humidity", c.scene.relative_humidity)?;
    match c.capture_time {
        Some(t) => {
            let td = PyDict::new(py);
            td.set_item("unix_seconds", t.unix_seconds)?;
            td.set_item("milliseconds", t.milliseconds)?;
            td.set_item("utc_offset_minutes", t.utc_offset_minutes)?;
            d.set_item("capture_time", td)?;
        }
        None => d.set_item("capture_time", py.None())?,
    }
    d.set_item("frame_rate", c.frame_rate)?;
    Ok(d)
}

#[pymethods]
impl PyThermalFile {
    /// Opens a file by path.
    #[staticmethod]
    fn open(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let file = py.detach(|| File::open(&path)).map_err(|e| to_py(py, e))?;
        Ok(Self::new(file))
    }

    /// Opens a file held in memory; `name` appears in error messages.
    #[staticmethod]
    #[pyo3(signature = (data, name = "<bytes>"))]
    fn from_bytes(py: Python<'_>, data: &Bound<'_, PyBytes>, name: &str) -> PyResult<Self> {
        let bytes: std::sync::Arc<[u8]> = data.as_bytes().into();
        let file = py
            .detach(|| File::from_bytes(bytes, name))
            .map_err(|e| to_py(py, e))?;
        Ok(Self::new(file))
    }

    /// Number of frames.
    #[getter]
    fn frames(&self) -> usize {
        self.frames
    }

    /// Frame width in pixels.
    #[getter]
    fn width(&self) -> usize {
        self.width
    }

    /// Frame height in pixels.
    #[getter]
    fn height(&self) -> usize {
        self.height
    }

    /// The file's metadata as a dict (same keys as `hsm thermal info --format json`
    /// without `frames`).
    #[getter]
    fn meta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.meta;
        let d = PyDict::new(py);
        d.set_item("file", &self.name)?;
        d.set_item("format", m.format.name())?;
        d.set_item("width", m.width)?;
        d.set_item("height", m.height)?;
        d.set_item("pixel_encoding", m.pixel_encoding.name())?;
        match &m.camera {
            Some(c) => d.set_item("camera", camera_dict(py, c)?)?,
            None => d.set_item("camera", py.None())?,
        }
        match &m.embedded_image {
            Some(e) => {
                let ed = PyDict::new(py);
                ed.set_item("width", e.width)?;
                ed.set_item("height", e.height)?;
                ed.set_item(
                    "encoding",
                    match e.encoding {
                        ImageEncoding::Jpeg => "jpeg",
                        ImageEncoding::Png => "png",
                        ImageEncoding::Other => "other",
                    },
                )?;
                ed.set_item("data", PyBytes::new(py, &e.data))?;
                d.set_item("embedded_image", ed)?;
            }
            None => d.set_item("embedded_image", py.None())?,
        }
        d.set_item("frame_count", m.frame_count)?;
        Ok(d)
    }

    /// Raw counts of frame `index` as a `uint16` array of shape `(H, W)`.
    fn raw<'py>(&self, py: Python<'py>, index: i64) -> PyResult<Bound<'py, PyAny>> {
        let i = self.index(index)?;
        let mut out = Vec::new();
        py.detach(|| self.lock().file.read_raw(i, &mut out))
            .map_err(|e| to_py(py, e))?;
        self.array2(py, out)
    }

    /// Temperatures of frame `index` in °C as a `float32` array `(H, W)`,
    /// with the file's parameters or the overrides given (NaN where a count
    /// is outside the model's domain).
    #[pyo3(signature = (index, *, emissivity = None, distance = None, reflected = None, atmosphere = None, humidity = None))]
    #[allow(clippy::too_many_arguments, reason = "keyword-only overrides")]
    fn celsius<'py>(
        &self,
        py: Python<'py>,
        index: i64,
        emissivity: Option<f64>,
        distance: Option<f64>,
        reflected: Option<f64>,
        atmosphere: Option<f64>,
        humidity: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let i = self.index(index)?;
        let overrides = SceneOverrides {
            emissivity,
            distance_m: distance,
            reflected: reflected.map(Celsius),
            atmosphere: atmosphere.map(Celsius),
            relative_humidity: humidity,
        };
        let mut out = Vec::new();
        py.detach(|| -> Result<(), hsm::thermal::ThermalError> {
            let mut st = self.lock();
            // One frame, or a one-off parameter set: a table over the
            // frame's own counts is cheaper than the full 65 536-entry LUT.
            if self.frames == 1 || overrides != SceneOverrides::default() {
                let conv = st.file.converter(&overrides)?;
                st.file.read_celsius_with(i, &conv, &mut out)
            } else {
                if st.default_lut.is_none() {
                    st.default_lut = Some(st.file.converter(&overrides)?.lut());
                }
                let State { file, default_lut } = &mut *st;
                match default_lut {
                    Some(lut) => file.read_celsius(i, lut, &mut out),
                    None => Ok(()),
                }
            }
        })
        .map_err(|e| to_py(py, e))?;
        if out.len() != self.width * self.height {
            return Err(status_error(
                py,
                hsm::StatusCode::Panic,
                "internal: no lookup table was built".to_owned(),
            ));
        }
        self.array2(py, out)
    }

    fn __len__(&self) -> usize {
        self.frames
    }

    /// Iterates over the frames' raw counts.
    fn __iter__(slf: Py<Self>) -> PyFrameIter {
        PyFrameIter {
            file: slf,
            next: Mutex::new(0),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "ThermalFile({:?}, format={:?}, frames={}, {}x{})",
            self.name,
            self.meta.format.name(),
            self.frames,
            self.width,
            self.height
        )
    }
}

/// Iterator over a file's raw frames.
#[pyclass(frozen, module = "hsm.thermal", name = "ThermalFrames")]
pub(crate) struct PyFrameIter {
    file: Py<PyThermalFile>,
    next: Mutex<usize>,
}

#[pymethods]
impl PyFrameIter {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let i = {
            let mut n = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let i = *n;
            *n += 1;
            i
        };
        let file = self.file.get();
        if i >= file.frames {
            return Ok(None);
        }
        file.raw(py, i as i64).map(Some)
    }
}

/// Adds the classes to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyThermalFile>()?;
    m.add_class::<PyFrameIter>()?;
    Ok(())
}
