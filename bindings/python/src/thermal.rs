//! `hsm.thermal.Radiometry`: raw counts ⇄ °C over numpy frames.

use hsm::core::{Celsius, FrameView, FrameViewMut};
use hsm::thermal::ThermalError;
use hsm::thermal::radiometry::{
    AtmosphericConstants, CelsiusLut, Converter, PlanckConstants, Radiometry as Model, Scene,
    TLinearResolution,
};
use hsm::{Error, StatusCode};
use numpy::{IxDyn, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::detach_if_large;
use crate::errors::{status_error, to_py};

/// How a thermal camera's pixel values map to temperature, compiled once.
///
/// Build one with `Radiometry.planck(...)` (raw counts with FLIR-style
/// Planck constants and a scene), `Radiometry.tlinear(0.01 | 0.1)`
/// (Lepton/Boson TLinear counts), `Radiometry.linear(gain, offset)`
/// (°C = gain·raw + offset) or `Radiometry.celsius()` (counts already °C).
/// The parameters are validated and a 65 536-entry lookup table is built
/// in the constructor; after that every frame costs one table load per
/// pixel. Immutable: one instance may be shared by many threads.
#[pyclass(frozen, module = "hsm.thermal", name = "Radiometry")]
pub(crate) struct PyRadiometry {
    converter: Converter,
    lut: CelsiusLut,
    valid_counts: Option<(u16, u16)>,
}

impl PyRadiometry {
    /// The compiled model.
    pub(crate) const fn converter(&self) -> &Converter {
        &self.converter
    }

    /// Validates `model` and precomputes the table (with the GIL released).
    fn compile(py: Python<'_>, model: Model) -> PyResult<Self> {
        let converter = model.compile().map_err(|e| to_py(py, e))?;
        let (lut, valid_counts) = detach_if_large(py, 1 << 16, || {
            let valid = converter
                .valid_counts()
                .map(|range| (*range.start(), *range.end()));
            (converter.lut(), valid)
        });
        Ok(PyRadiometry {
            converter,
            lut,
            valid_counts,
        })
    }
}

/// `(5,)`, `(2, 3)`: a shape as Python prints it.
fn shape_repr(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// `(frames, height, width)` of a 2-D `(H, W)` or 3-D `(N, H, W)` shape.
fn stack_dims(py: Python<'_>, shape: &[usize]) -> PyResult<(usize, usize, usize)> {
    let (frames, height, width) = match *shape {
        [height, width] => (1, height, width),
        [frames, height, width] => (frames, height, width),
        _ => {
            return Err(status_error(
                py,
                StatusCode::FrameShape,
                format!(
                    "raw has shape {} ({} dimension{}): expected a frame (H, W) or a stack of \
                     frames (N, H, W)",
                    shape_repr(shape),
                    shape.len(),
                    if shape.len() == 1 { "" } else { "s" }
                ),
            ));
        }
    };
    if frames == 0 || height == 0 || width == 0 {
        return Err(status_error(
            py,
            StatusCode::FrameShape,
            format!(
                "raw has shape {} and holds no pixels: every dimension must be at least 1",
                shape_repr(shape)
            ),
        ));
    }
    Ok((frames, height, width))
}

/// Converts `frames` packed `height × width` frames through the table.
fn convert_stack(
    lut: &CelsiusLut,
    src: &[u16],
    dst: &mut [f32],
    height: usize,
    width: usize,
) -> Result<(), Error> {
    let per_frame = height.saturating_mul(width).max(1);
    for (s, d) in src.chunks(per_frame).zip(dst.chunks_mut(per_frame)) {
        let src_frame = FrameView::packed(s, width, height)?;
        let mut dst_frame = FrameViewMut::packed(d, width, height)?;
        lut.convert_frame(&src_frame, &mut dst_frame)?;
    }
    Ok(())
}

/// A `ShapeError` about the `out=` argument.
fn out_error(py: Python<'_>, message: String) -> PyErr {
    status_error(py, StatusCode::ShapeMismatch, message)
}

#[pymethods]
impl PyRadiometry {
    /// Raw detector counts with FLIR-style Planck constants and a scene.
    ///
    /// `r1, r2, b, f, o` are the camera's PlanckR1, PlanckR2, PlanckB,
    /// PlanckF and PlanckO; the scene is the object's `emissivity`, its
    /// distance in metres, the reflected, air and IR-window temperatures in
    /// °C, the window's transmission (1 means no window) and the relative
    /// humidity as a fraction in [0, 1]; `x, alpha1, alpha2, beta1, beta2`
    /// are the atmospheric-transmission constants (FLIR's defaults).
    /// Raises InvalidValueError (status InvalidRadiometry or InvalidScene)
    /// naming the first unusable parameter.
    #[staticmethod]
    #[pyo3(signature = (
        *, r1, r2, b, f = 1.0, o, emissivity = 0.98, distance_m = 1.0, reflected_c = 20.0,
        atmosphere_c = 20.0, window_c = 20.0, window_transmission = 1.0,
        relative_humidity = 0.5, x = 1.9, alpha1 = 0.006569, alpha2 = 0.01262,
        beta1 = -0.002276, beta2 = -0.00667
    ),
    // Spelled out because PyO3 renders negative defaults as `...`.
    text_signature = "(*, r1, r2, b, f=1.0, o, emissivity=0.98, distance_m=1.0, reflected_c=20.0, \
        atmosphere_c=20.0, window_c=20.0, window_transmission=1.0, relative_humidity=0.5, x=1.9, \
        alpha1=0.006569, alpha2=0.01262, beta1=-0.002276, beta2=-0.00667)")]
    #[allow(
        clippy::too_many_arguments,
        reason = "mirrors the keyword-only Python signature: one argument per camera or scene parameter"
    )]
    fn planck(
        py: Python<'_>,
        r1: f64,
        r2: f64,
        b: f64,
        f: f64,
        o: f64,
        emissivity: f64,
        distance_m: f64,
        reflected_c: f64,
        atmosphere_c: f64,
        window_c: f64,
        window_transmission: f64,
        relative_humidity: f64,
        x: f64,
        alpha1: f64,
        alpha2: f64,
        beta1: f64,
        beta2: f64,
    ) -> PyResult<Self> {
        let model = Model::Planck {
            constants: PlanckConstants { r1, r2, b, f, o },
            atmosphere: AtmosphericConstants {
                x,
                alpha1,
                alpha2,
                beta1,
                beta2,
            },
            scene: Scene {
                emissivity,
                distance_m,
                reflected: Celsius(reflected_c),
                atmosphere: Celsius(atmosphere_c),
                window: Celsius(window_c),
                window_transmission,
                relative_humidity,
            },
        };
        Self::compile(py, model)
    }

    /// Counts that are apparent temperature in kelvin × 1/`resolution`:
    /// `resolution` is 0.01 (centi-kelvin: Lepton high resolution, Boson) or
    /// 0.1 (deci-kelvin: Lepton low resolution). Count 0 is the cameras'
    /// "no data" value and converts to NaN.
    #[staticmethod]
    fn tlinear(py: Python<'_>, resolution: f64) -> PyResult<Self> {
        let res = if resolution == TLinearResolution::CentiKelvin.kelvin_per_count() {
            TLinearResolution::CentiKelvin
        } else if resolution == TLinearResolution::DeciKelvin.kelvin_per_count() {
            TLinearResolution::DeciKelvin
        } else {
            return Err(to_py(
                py,
                ThermalError::InvalidRadiometry {
                    field: "resolution",
                    value: resolution,
                    expected: "0.01 (centi-kelvin) or 0.1 (deci-kelvin) kelvin per count",
                },
            ));
        };
        Self::compile(py, Model::TLinear(res))
    }

    /// A vendor linear map: °C = `gain` · raw + `offset` (`gain` finite and
    /// non-zero, `offset` finite).
    #[staticmethod]
    fn linear(py: Python<'_>, gain: f64, offset: f64) -> PyResult<Self> {
        Self::compile(py, Model::Linear { gain, offset })
    }

    /// Values that already are °C (passthrough).
    #[staticmethod]
    fn celsius(py: Python<'_>) -> PyResult<Self> {
        Self::compile(py, Model::Celsius)
    }

    /// Converts a frame `(H, W)` or a stack of frames `(N, H, W)` of
    /// `uint16` counts to °C as `float32`, NaN where a count is outside the
    /// model's domain.
    ///
    /// A C-contiguous, aligned `raw` is read in place; any other layout
    /// (a slice such as `a[:, ::2]`, a transpose) is first copied once into
    /// a C-contiguous array. The result is written into `out` when given —
    /// a writable, C-contiguous `float32` array of the same shape, which is
    /// returned — or into a new array. The GIL is released for inputs of
    /// 4096 pixels or more. Raises TypeError when `raw` is not a `uint16`
    /// ndarray, ShapeError for a shape other than 2-D/3-D, an empty array
    /// or an unusable `out`.
    #[pyo3(signature = (raw, out = None))]
    fn to_celsius<'py>(
        &self,
        py: Python<'py>,
        raw: &Bound<'py, PyAny>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
        let untyped = raw.cast::<PyUntypedArray>().map_err(|_| {
            PyTypeError::new_err(format!(
                "raw must be a numpy.ndarray of dtype uint16, not {}",
                raw.get_type()
            ))
        })?;
        let array = untyped.cast::<PyArrayDyn<u16>>().map_err(|_| {
            PyTypeError::new_err(format!(
                "raw has dtype {}, expected uint16 in native byte order \
                 (convert counts with raw.astype(numpy.uint16))",
                untyped.dtype()
            ))
        })?;
        let shape = array.shape().to_vec();
        let (_, height, width) = stack_dims(py, &shape)?;
        // Only a C-contiguous, aligned buffer can be read as a packed slice;
        // anything else is copied once rather than misread.
        let array = if array.is_c_contiguous() && array.is_aligned() {
            array.clone()
        } else {
            array
                .call_method1("copy", ("C",))?
                .cast_into::<PyArrayDyn<u16>>()?
        };
        let out = match out {
            None => PyArrayDyn::<f32>::zeros(py, IxDyn(&shape), false),
            Some(given) => {
                let given = given.cast::<PyArrayDyn<f32>>().map_err(|_| {
                    let what = match given.cast::<PyUntypedArray>() {
                        Ok(a) => format!("dtype {}", a.dtype()),
                        Err(_) => format!("type {}", given.get_type()),
                    };
                    out_error(
                        py,
                        format!(
                            "out has {what}: expected a numpy.ndarray of dtype float32 in \
                             native byte order"
                        ),
                    )
                })?;
                if given.shape() != shape.as_slice() {
                    return Err(out_error(
                        py,
                        format!(
                            "out has shape {}, expected the shape of raw {}",
                            shape_repr(given.shape()),
                            shape_repr(&shape)
                        ),
                    ));
                }
                if !(given.is_c_contiguous() && given.is_aligned()) {
                    return Err(out_error(
                        py,
                        "out must be C-contiguous and aligned (e.g. numpy.empty(raw.shape, \
                         numpy.float32))"
                            .to_owned(),
                    ));
                }
                given.clone()
            }
        };
        let src_guard = array.try_readonly().map_err(|e| {
            status_error(
                py,
                StatusCode::InvalidArgument,
                format!("raw cannot be read: {e}"),
            )
        })?;
        let mut dst_guard = out.try_readwrite().map_err(|e| {
            out_error(
                py,
                format!("out cannot be written: {e} (read-only, or sharing memory with raw)"),
            )
        })?;
        let src = src_guard.as_slice().map_err(|e| {
            status_error(py, StatusCode::Panic, format!("raw is not contiguous: {e}"))
        })?;
        let dst = dst_guard.as_slice_mut().map_err(|e| {
            status_error(py, StatusCode::Panic, format!("out is not contiguous: {e}"))
        })?;
        let lut = &self.lut;
        detach_if_large(py, src.len(), || {
            convert_stack(lut, src, dst, height, width)
        })
        .map_err(|e| to_py(py, e))?;
        Ok(out)
    }

    /// The temperature in °C of one raw value (a count, which may be
    /// fractional). Raises InvalidValueError with status OutOfRange (2003)
    /// when the value maps to no physical temperature.
    fn raw_to_celsius(&self, py: Python<'_>, raw: f64) -> PyResult<f64> {
        self.converter
            .raw_to_celsius(raw)
            .map(Celsius::get)
            .map_err(|e| to_py(py, e))
    }

    /// The exact (fractional) raw value an object at `celsius` °C produces;
    /// the inverse of `raw_to_celsius`. Raises InvalidValueError with status
    /// OutOfRange (2003) for a temperature the model cannot represent.
    fn celsius_to_raw(&self, py: Python<'_>, celsius: f64) -> PyResult<f64> {
        self.converter
            .celsius_to_raw(Celsius(celsius))
            .map_err(|e| to_py(py, e))
    }

    /// The inclusive range `(lo, hi)` of uint16 counts that map to a
    /// temperature, or None when no count does.
    #[getter]
    fn valid_counts(&self) -> Option<(u16, u16)> {
        self.valid_counts
    }

    fn __repr__(&self) -> String {
        match *self.converter.radiometry() {
            Model::Planck {
                constants: c,
                atmosphere: a,
                scene: s,
            } => format!(
                "Radiometry.planck(r1={:?}, r2={:?}, b={:?}, f={:?}, o={:?}, emissivity={:?}, \
                 distance_m={:?}, reflected_c={:?}, atmosphere_c={:?}, window_c={:?}, \
                 window_transmission={:?}, relative_humidity={:?}, x={:?}, alpha1={:?}, \
                 alpha2={:?}, beta1={:?}, beta2={:?})",
                c.r1,
                c.r2,
                c.b,
                c.f,
                c.o,
                s.emissivity,
                s.distance_m,
                s.reflected.get(),
                s.atmosphere.get(),
                s.window.get(),
                s.window_transmission,
                s.relative_humidity,
                a.x,
                a.alpha1,
                a.alpha2,
                a.beta1,
                a.beta2,
            ),
            Model::TLinear(res) => format!("Radiometry.tlinear({:?})", res.kelvin_per_count()),
            Model::Linear { gain, offset } => {
                format!("Radiometry.linear(gain={gain:?}, offset={offset:?})")
            }
            Model::Celsius => "Radiometry.celsius()".to_owned(),
        }
    }
}

/// Adds the thermal classes to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRadiometry>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `planck`'s keyword defaults are spelled as literals in its
    /// `#[pyo3(signature)]` (and checked against `_native.pyi` by stubtest);
    /// this holds them to the core's own defaults.
    #[test]
    fn planck_signature_defaults_are_the_core_defaults() {
        assert_eq!(
            Scene::default(),
            Scene {
                emissivity: 0.98,
                distance_m: 1.0,
                reflected: Celsius(20.0),
                atmosphere: Celsius(20.0),
                window: Celsius(20.0),
                window_transmission: 1.0,
                relative_humidity: 0.5,
            }
        );
        assert_eq!(
            AtmosphericConstants::default(),
            AtmosphericConstants {
                x: 1.9,
                alpha1: 0.006569,
                alpha2: 0.01262,
                beta1: -0.002276,
                beta2: -0.00667,
            }
        );
    }

    #[test]
    fn shapes_print_like_python() {
        assert_eq!(shape_repr(&[]), "()");
        assert_eq!(shape_repr(&[5]), "(5,)");
        assert_eq!(shape_repr(&[2, 3, 4]), "(2, 3, 4)");
    }
}
