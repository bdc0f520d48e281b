//! Radiometry: raw counts ⇄ °C for single values and whole frames.

use hsm::core::{Celsius, FrameView, FrameViewMut};
use hsm::thermal::radiometry::{
    AtmosphericConstants, CelsiusLut, Converter, PlanckConstants, Radiometry, Scene,
    TLinearResolution,
};

use crate::error::{FfiError, hsm_status};
use crate::panic::{free_handle, status_of};
use crate::slice::{as_mut, as_mut_slice, as_ref, as_slice};

/// FLIR-style Planck calibration constants (PlanckR1, R2, B, F, O) as
/// stored in the CameraInfo record of FLIR files.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_planck {
    /// PlanckR1.
    pub r1: f64,
    /// PlanckR2.
    pub r2: f64,
    /// PlanckB, kelvin.
    pub b: f64,
    /// PlanckF.
    pub f: f64,
    /// PlanckO, raw counts.
    pub o: f64,
}

/// Atmospheric transmission constants X, alpha1, alpha2, beta1, beta2.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_atmosphere {
    /// Mixing weight X.
    pub x: f64,
    /// alpha1.
    pub alpha1: f64,
    /// alpha2.
    pub alpha2: f64,
    /// beta1.
    pub beta1: f64,
    /// beta2.
    pub beta2: f64,
}

/// The scene between object and camera. Temperatures in °C; relative
/// humidity as a fraction in [0, 1].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_scene {
    /// Object emissivity in (0, 1]; skin 0.98.
    pub emissivity: f64,
    /// Object distance in metres, >= 0.
    pub distance_m: f64,
    /// Reflected apparent temperature, °C.
    pub reflected_c: f64,
    /// Air temperature, °C.
    pub atmosphere_c: f64,
    /// IR window temperature, °C.
    pub window_c: f64,
    /// IR window transmission in (0, 1]; 1 means no window.
    pub window_transmission: f64,
    /// Relative humidity, fraction in [0, 1].
    pub relative_humidity: f64,
}

/// What a frame conversion found.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct hsm_conversion_stats {
    /// Pixels converted (width × height).
    pub pixels: usize,
    /// Pixels outside the model's domain, written as NaN.
    pub invalid: usize,
}

/// A compiled radiometric map with its 65 536-entry lookup table.
///
/// Created by `hsm_radiometry_new_*`, released by `hsm_radiometry_free`.
/// Immutable after creation: one handle may be used from several threads at
/// once (the functions taking `const hsm_radiometry *` are thread-safe).
pub struct hsm_radiometry {
    converter: Converter,
    lut: CelsiusLut,
}

impl hsm_radiometry {
    /// The compiled model.
    pub(crate) const fn converter(&self) -> &Converter {
        &self.converter
    }
}

impl From<AtmosphericConstants> for hsm_atmosphere {
    fn from(a: AtmosphericConstants) -> Self {
        hsm_atmosphere {
            x: a.x,
            alpha1: a.alpha1,
            alpha2: a.alpha2,
            beta1: a.beta1,
            beta2: a.beta2,
        }
    }
}

impl From<hsm_atmosphere> for AtmosphericConstants {
    fn from(a: hsm_atmosphere) -> Self {
        AtmosphericConstants {
            x: a.x,
            alpha1: a.alpha1,
            alpha2: a.alpha2,
            beta1: a.beta1,
            beta2: a.beta2,
        }
    }
}

impl From<Scene> for hsm_scene {
    fn from(s: Scene) -> Self {
        hsm_scene {
            emissivity: s.emissivity,
            distance_m: s.distance_m,
            reflected_c: s.reflected.get(),
            atmosphere_c: s.atmosphere.get(),
            window_c: s.window.get(),
            window_transmission: s.window_transmission,
            relative_humidity: s.relative_humidity,
        }
    }
}

impl From<hsm_scene> for Scene {
    fn from(s: hsm_scene) -> Self {
        Scene {
            emissivity: s.emissivity,
            distance_m: s.distance_m,
            reflected: Celsius(s.reflected_c),
            atmosphere: Celsius(s.atmosphere_c),
            window: Celsius(s.window_c),
            window_transmission: s.window_transmission,
            relative_humidity: s.relative_humidity,
        }
    }
}

/// Compiles `radiometry` and hands a new handle to `*out`.
fn new_handle(radiometry: Radiometry, out: *mut *mut hsm_radiometry) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or a valid pointer slot.
        let out = unsafe { as_mut(out, "out") }?;
        let converter = radiometry.compile()?;
        let lut = converter.lut();
        *out = Box::into_raw(Box::new(hsm_radiometry { converter, lut }));
        Ok(())
    })
}

/// Writes the default scene for skin at a gate (emissivity 0.98, 1 m, 20 °C
/// reflected, air and window, no window, 50 % humidity) into `*out`.
///
/// Returns `HSM_STATUS_NULL_POINTER` when `out` is NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_scene_default(out: *mut hsm_scene) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        *unsafe { as_mut(out, "out") }? = Scene::default().into();
        Ok(())
    })
}

/// Writes FLIR's default atmospheric constants (X 1.9, alpha1 0.006569,
/// alpha2 0.01262, beta1 -0.002276, beta2 -0.00667) into `*out`.
///
/// Returns `HSM_STATUS_NULL_POINTER` when `out` is NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_atmosphere_default(out: *mut hsm_atmosphere) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        *unsafe { as_mut(out, "out") }? = AtmosphericConstants::default().into();
        Ok(())
    })
}

/// Creates a Planck radiometric map (raw counts with FLIR constants).
///
/// `atmosphere` and `scene` may be NULL for the defaults
/// (`hsm_atmosphere_default`, `hsm_scene_default`). Builds the lookup table
/// (about a millisecond). On success writes a new handle to `*out`, to be
/// released with `hsm_radiometry_free`.
///
/// Errors: `HSM_STATUS_NULL_POINTER` (`planck` or `out` NULL),
/// `HSM_STATUS_INVALID_RADIOMETRY` (non-finite or non-positive R1, R2, B; non-finite
/// F, O or atmospheric constant), `HSM_STATUS_INVALID_SCENE` (emissivity not in
/// (0, 1], negative distance, humidity not in [0, 1], …).
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_radiometry_new_planck(
    planck: *const hsm_planck,
    atmosphere: *const hsm_atmosphere,
    scene: *const hsm_scene,
    out: *mut *mut hsm_radiometry,
) -> hsm_status {
    let radiometry = status_of_value(|| {
        // SAFETY: the caller guarantees each pointer is NULL or valid.
        let p = unsafe { as_ref(planck, "planck") }?;
        // SAFETY: as above; NULL selects the default.
        let atmosphere = unsafe { atmosphere.as_ref() }
            .map_or_else(AtmosphericConstants::default, |a| (*a).into());
        // SAFETY: as above; NULL selects the default.
        let scene = unsafe { scene.as_ref() }.map_or_else(Scene::default, |s| (*s).into());
        Ok(Radiometry::Planck {
            constants: PlanckConstants {
                r1: p.r1,
                r2: p.r2,
                b: p.b,
                f: p.f,
                o: p.o,
            },
            atmosphere,
            scene,
        })
    });
    match radiometry {
        Ok(r) => new_handle(r, out),
        Err(s) => s,
    }
}

/// Creates a TLinear radiometric map: counts are apparent temperature at
/// `kelvin_per_count` (0.01 for centi-kelvin, 0.1 for deci-kelvin; nothing
/// else is accepted). Count 0, the cameras' no-data value, converts to NaN.
///
/// Errors: `HSM_STATUS_NULL_POINTER`, `HSM_STATUS_INVALID_RADIOMETRY` for any other resolution.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_radiometry_new_tlinear(
    kelvin_per_count: f64,
    out: *mut *mut hsm_radiometry,
) -> hsm_status {
    let res = if kelvin_per_count == 0.01 {
        TLinearResolution::CentiKelvin
    } else if kelvin_per_count == 0.1 {
        TLinearResolution::DeciKelvin
    } else {
        return status_of(|| {
            Err(FfiError::from(
                hsm::thermal::ThermalError::InvalidRadiometry {
                    field: "kelvin_per_count",
                    value: kelvin_per_count,
                    expected: "0.01 (centi-kelvin) or 0.1 (deci-kelvin)",
                },
            ))
        });
    };
    new_handle(Radiometry::TLinear(res), out)
}

/// Creates a linear radiometric map: °C = `gain` · count + `offset`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`, `HSM_STATUS_INVALID_RADIOMETRY` (gain zero or non-finite,
/// offset non-finite).
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_radiometry_new_linear(
    gain: f64,
    offset: f64,
    out: *mut *mut hsm_radiometry,
) -> hsm_status {
    new_handle(Radiometry::Linear { gain, offset }, out)
}

/// Releases a handle. `hsm_radiometry_free(NULL)` does nothing. The handle
/// must not be used afterwards, nor freed twice.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_radiometry_free(radiometry: *mut hsm_radiometry) {
    // SAFETY: the caller passes NULL or a live handle from this door's
    // `_new`/`_open`, and frees it once.
    unsafe { free_handle(radiometry) };
}

/// Converts one raw value to °C into `*out_celsius`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`, `HSM_STATUS_OUT_OF_RANGE` when the value maps to no
/// physical temperature (NaN, or outside the Planck curve's domain).
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_radiometry_raw_to_celsius(
    radiometry: *const hsm_radiometry,
    raw: f64,
    out_celsius: *mut f64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees both pointers are NULL or valid.
        let r = unsafe { as_ref(radiometry, "radiometry") }?;
        // SAFETY: as above.
        let out = unsafe { as_mut(out_celsius, "out_celsius") }?;
        *out = r.converter.raw_to_celsius(raw)?.get();
        Ok(())
    })
}

/// Converts a temperature in °C to the exact (fractional) raw value an
/// object at that temperature produces, into `*out_raw`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`, `HSM_STATUS_OUT_OF_RANGE` for NaN or a temperature at or
/// below absolute zero.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_radiometry_celsius_to_raw(
    radiometry: *const hsm_radiometry,
    celsius: f64,
    out_raw: *mut f64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees both pointers are NULL or valid.
        let r = unsafe { as_ref(radiometry, "radiometry") }?;
        // SAFETY: as above.
        let out = unsafe { as_mut(out_raw, "out_raw") }?;
        *out = r.converter.celsius_to_raw(Celsius(celsius))?;
        Ok(())
    })
}

/// Converts a frame of u16 counts into °C through the lookup table.
///
/// `src` holds `src_len` elements: `height` rows of `width` pixels, row `y`
/// starting at element `y * src_stride`. `dst` likewise with `dst_stride`.
/// Strides count **elements**, not bytes; the last row needs only `width`
/// elements. Pixels outside the model's domain are written as NaN and
/// counted. `out_stats` may be NULL. Does not allocate.
///
/// Errors: `HSM_STATUS_NULL_POINTER` (`radiometry`, `src` or `dst`),
/// `HSM_STATUS_FRAME_SHAPE` (zero width or height, stride < width, a buffer too short
/// for the shape), `HSM_STATUS_FRAME_TOO_LARGE` (a side above 32768). Nothing is
/// written to `dst` or `out_stats` on error.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_radiometry_convert_frame(
    radiometry: *const hsm_radiometry,
    src: *const u16,
    src_len: usize,
    width: u32,
    height: u32,
    src_stride: usize,
    dst: *mut f32,
    dst_len: usize,
    dst_stride: usize,
    out_stats: *mut hsm_conversion_stats,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees each pointer is NULL or valid for its length.
        let r = unsafe { as_ref(radiometry, "radiometry") }?;
        // SAFETY: as above.
        let src = unsafe { as_slice(src, src_len, "src") }?;
        // SAFETY: as above; `dst` does not alias `src` (different element types).
        let dst = unsafe { as_mut_slice(dst, dst_len, "dst") }?;
        let (w, h) = (width as usize, height as usize);
        let sv = FrameView::new(src, w, h, src_stride)?;
        let mut dv = FrameViewMut::new(dst, w, h, dst_stride)?;
        let stats = r.lut.convert_frame(&sv, &mut dv)?;
        // SAFETY: `out_stats` is NULL or valid.
        if let Some(out) = unsafe { out_stats.as_mut() } {
            *out = hsm_conversion_stats {
                pixels: stats.pixels,
                invalid: stats.invalid,
            };
        }
        Ok(())
    })
}

/// Like `status_of` but for a body producing a value.
fn status_of_value<T>(body: impl FnOnce() -> Result<T, FfiError>) -> Result<T, hsm_status> {
    crate::panic::ffi_boundary(body)
}
