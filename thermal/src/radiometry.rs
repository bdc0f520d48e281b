//! Radiometric conversion: raw sensor counts ⇄ temperature.
//!
//! A thermal camera reports each pixel as a number; what that number means
//! depends on the camera. [`Radiometry`] describes the four forms vendors use:
//!
//! | variant | pixel meaning | scene corrections |
//! |---|---|---|
//! | [`Radiometry::Planck`] | raw detector counts, FLIR-style Planck constants R1, R2, B, F, O | emissivity, reflected temperature, atmosphere (distance, humidity, air temperature), IR window |
//! | [`Radiometry::TLinear`] | apparent temperature in centi- or deci-kelvin (Lepton/Boson "TLinear") | none: the camera applied its own |
//! | [`Radiometry::Linear`] | `°C = gain · raw + offset` (vendor linear map) | none |
//! | [`Radiometry::Celsius`] | already °C as `f32` | none (passthrough) |
//!
//! [`Radiometry::compile`] validates the parameters once and precomputes what
//! every pixel shares, giving a [`Converter`]. A [`Converter`] converts single
//! values both ways and whole frames into a caller's buffer; when the
//! parameters stay fixed, [`Converter::lut`] builds a 65 536-entry lookup
//! table ([`CelsiusLut`]) that converts a frame with one load per pixel.
//!
//! ## The Planck model
//!
//! The same model as FLIR's and Thermimage's `raw2temp` (the formulas are in
//! `shared/data/thermal/README.md`): the object's raw signal is the measured
//! raw value divided by the path's transmissions, minus the reflected,
//! atmospheric and window contributions expressed in raw units,
//!
//! ```text
//! raw(T)   = R1 / (R2 · (exp(B / T) − F)) − O                 (T in kelvin)
//! S_obj    = raw / (E·τ1·τ_w·τ2) − (1−E)/E·raw(T_refl) − (1−τ1)/(E·τ1)·raw(T_atm)
//!            − (1−τ_w)/(E·τ1·τ_w)·raw(T_win) − (1−τ2)/(E·τ1·τ_w·τ2)·raw(T_atm)
//! T_obj    = B / ln(R1 / (R2 · (S_obj + O)) + F) − 273.15     (°C)
//! τ        = X·exp(−√(d/2)·(α1 + β1·√h)) + (1−X)·exp(−√(d/2)·(α2 + β2·√h))
//! h        = RH · exp(1.5587 + 0.06939·Ta − 0.00027816·Ta² + 0.00000068455·Ta³)
//! ```
//!
//! with τ1 = τ2 = τ (each half of the path), τ_w the window transmission and
//! the window assumed non-reflective. `S_obj` is affine in `raw`
//! (`S_obj = k·raw − c`), so [`Converter`] precomputes `k` and `c` and each
//! pixel costs one multiply-add, one division and one logarithm.
//!
//! ## Decisions
//! - Kelvin offset 273.15 exactly (one popular reader uses 273.14).
//! - Relative humidity is a fraction in `[0, 1]`, as FLIR files store it.
//! - A pixel outside the model's domain (for Planck `S_obj + O ≤ 0` or a
//!   non-positive temperature; for TLinear a raw 0, which cameras use as
//!   "no data"; for a linear map a result below absolute zero) becomes NaN and
//!   is counted in [`ConversionStats::invalid`]: never a plausible number.
//! - TLinear and linear maps carry the camera's own corrections: the scene
//!   parameters are not applied to them.

use hsm_core::{Celsius, FrameView, FrameViewMut, KELVIN_OFFSET, Kelvin};

use crate::error::ThermalError;

/// FLIR-style Planck calibration constants of a camera, as stored in the
/// CameraInfo record of FLIR files (PlanckR1, PlanckR2, PlanckB, PlanckF,
/// PlanckO).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlanckConstants {
    /// PlanckR1.
    pub r1: f64,
    /// PlanckR2.
    pub r2: f64,
    /// PlanckB (kelvin).
    pub b: f64,
    /// PlanckF.
    pub f: f64,
    /// PlanckO (raw counts).
    pub o: f64,
}

/// Atmospheric transmission constants (FLIR's two-term model).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AtmosphericConstants {
    /// Mixing weight X of the two terms.
    pub x: f64,
    /// α1.
    pub alpha1: f64,
    /// α2.
    pub alpha2: f64,
    /// β1.
    pub beta1: f64,
    /// β2.
    pub beta2: f64,
}

impl Default for AtmosphericConstants {
    /// The constants every FLIR file in `shared/data/thermal` stores:
    /// X 1.9, α1 0.006569, α2 0.01262, β1 −0.002276, β2 −0.00667.
    fn default() -> Self {
        AtmosphericConstants {
            x: 1.9,
            alpha1: 0.006569,
            alpha2: 0.01262,
            beta1: -0.002276,
            beta2: -0.00667,
        }
    }
}

/// What lies between the object and the camera, and what it reflects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scene {
    /// Object emissivity in `(0, 1]`. Human skin: 0.98.
    pub emissivity: f64,
    /// Object distance in metres, `>= 0`.
    pub distance_m: f64,
    /// Reflected apparent temperature.
    pub reflected: Celsius,
    /// Air temperature along the path.
    pub atmosphere: Celsius,
    /// Temperature of the IR window (protective glass), if any.
    pub window: Celsius,
    /// Transmission of the IR window in `(0, 1]`; 1 means no window.
    pub window_transmission: f64,
    /// Relative humidity as a fraction in `[0, 1]`.
    pub relative_humidity: f64,
}

impl Default for Scene {
    /// Skin at a gate: emissivity 0.98, 1 m, 20 °C reflected and air, no
    /// window, 50 % relative humidity.
    fn default() -> Self {
        Scene {
            emissivity: 0.98,
            distance_m: 1.0,
            reflected: Celsius(20.0),
            atmosphere: Celsius(20.0),
            window: Celsius(20.0),
            window_transmission: 1.0,
            relative_humidity: 0.5,
        }
    }
}

/// Resolution of a TLinear radiometric stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TLinearResolution {
    /// 0.01 K per count (Lepton "high resolution", Boson).
    CentiKelvin,
    /// 0.1 K per count (Lepton "low resolution").
    DeciKelvin,
}

impl TLinearResolution {
    /// Kelvin per count.
    #[must_use]
    pub const fn kelvin_per_count(self) -> f64 {
        match self {
            TLinearResolution::CentiKelvin => 0.01,
            TLinearResolution::DeciKelvin => 0.1,
        }
    }
}

/// How a camera's pixel values map to temperature. See the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Radiometry {
    /// Raw counts with Planck constants, atmosphere and scene.
    Planck {
        /// Camera calibration constants.
        constants: PlanckConstants,
        /// Atmospheric transmission constants.
        atmosphere: AtmosphericConstants,
        /// Scene parameters.
        scene: Scene,
    },
    /// Counts are apparent temperature in centi- or deci-kelvin.
    TLinear(TLinearResolution),
    /// `°C = gain · raw + offset`.
    Linear {
        /// °C per count, finite and non-zero.
        gain: f64,
        /// °C at count 0, finite.
        offset: f64,
    },
    /// Values are already °C (float frames): passthrough.
    Celsius,
}

/// Result of converting one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ConversionStats {
    /// Pixels converted.
    pub pixels: usize,
    /// Pixels outside the model's domain, written as NaN.
    pub invalid: usize,
}

/// Precomputed per-pixel constants of the Planck model.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PlanckCompiled {
    r1: f64,
    r2: f64,
    b: f64,
    f: f64,
    o: f64,
    /// `S_obj = k · raw − c`.
    k: f64,
    c: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Compiled {
    Planck(PlanckCompiled),
    /// `°C = gain · raw + offset`, with raw 0 invalid when `zero_invalid`.
    Affine {
        gain: f64,
        offset: f64,
        zero_invalid: bool,
    },
    Passthrough,
}

/// A validated [`Radiometry`] with its shared constants precomputed.
///
/// Immutable and `Send + Sync`: one converter may serve many threads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Converter {
    radiometry: Radiometry,
    compiled: Compiled,
}

/// A 65 536-entry raw → °C table for one fixed [`Converter`].
///
/// Building it costs 65 536 conversions (well under a millisecond); after
/// that a frame costs one table load per pixel. Entries outside the model's
/// domain are NaN.
#[derive(Clone, Debug)]
pub struct CelsiusLut {
    table: Box<[f32; 65536]>,
}

fn finite(
    field: &'static str,
    value: f64,
    expected: &'static str,
    scene: bool,
) -> Result<f64, ThermalError> {
    if value.is_finite() {
        Ok(value)
    } else if scene {
        Err(ThermalError::InvalidScene {
            field,
            value,
            expected,
        })
    } else {
        Err(ThermalError::InvalidRadiometry {
            field,
            value,
            expected,
        })
    }
}

fn check(ok: bool, err: ThermalError) -> Result<(), ThermalError> {
    if ok { Ok(()) } else { Err(err) }
}

impl Scene {
    /// Checks every parameter's domain.
    ///
    /// # Errors
    /// [`ThermalError::InvalidScene`] naming the first bad parameter.
    pub fn validate(&self) -> Result<(), ThermalError> {
        let e = finite("emissivity", self.emissivity, "0 < emissivity <= 1", true)?;
        check(
            e > 0.0 && e <= 1.0,
            ThermalError::InvalidScene {
                field: "emissivity",
                value: e,
                expected: "0 < emissivity <= 1",
            },
        )?;
        let d = finite(
            "distance_m",
            self.distance_m,
            "a finite distance >= 0 m",
            true,
        )?;
        check(
            (0.0..=1.0e5).contains(&d),
            ThermalError::InvalidScene {
                field: "distance_m",
                value: d,
                expected: "0 <= distance <= 100 km",
            },
        )?;
        for (field, t) in [
            ("reflected", self.reflected),
            ("atmosphere", self.atmosphere),
            ("window", self.window),
        ] {
            let v = finite(
                field,
                t.get(),
                "a finite temperature above absolute zero",
                true,
            )?;
            check(
                v > -KELVIN_OFFSET && v < 1.0e4,
                ThermalError::InvalidScene {
                    field,
                    value: v,
                    expected: "-273.15 °C < temperature < 10000 °C",
                },
            )?;
        }
        let w = finite(
            "window_transmission",
            self.window_transmission,
            "0 < transmission <= 1",
            true,
        )?;
        check(
            w > 0.0 && w <= 1.0,
            ThermalError::InvalidScene {
                field: "window_transmission",
                value: w,
                expected: "0 < transmission <= 1",
            },
        )?;
        let h = finite(
            "relative_humidity",
            self.relative_humidity,
            "a fraction in [0, 1]",
            true,
        )?;
        check(
            (0.0..=1.0).contains(&h),
            ThermalError::InvalidScene {
                field: "relative_humidity",
                value: h,
                expected: "a fraction in [0, 1] (0.5 means 50 %)",
            },
        )?;
        Ok(())
    }
}

/// Atmospheric transmission over half of the path (`d/2`), FLIR's model.
#[must_use]
pub fn atmospheric_transmission(consts: &AtmosphericConstants, scene: &Scene) -> f64 {
    let ta = scene.atmosphere.get();
    let h2o = scene.relative_humidity
        * (1.5587 + 0.06939 * ta - 0.000_278_16 * ta * ta + 0.000_000_684_55 * ta * ta * ta).exp();
    let s = (scene.distance_m / 2.0).sqrt();
    let sq = h2o.sqrt();
    consts.x * (-s * (consts.alpha1 + consts.beta1 * sq)).exp()
        + (1.0 - consts.x) * (-s * (consts.alpha2 + consts.beta2 * sq)).exp()
}

impl PlanckCompiled {
    /// Raw signal of a blackbody at `t_k` kelvin.
    fn raw_of_kelvin(&self, t_k: f64) -> f64 {
        self.r1 / (self.r2 * ((self.b / t_k).exp() - self.f)) - self.o
    }

    /// Object temperature (°C) of a raw value; `None` outside the domain.
    #[inline]
    fn celsius(&self, raw: f64) -> Option<f64> {
        let denom = self.r2 * (self.k * raw - self.c + self.o);
        let arg = self.r1 / denom + self.f;
        // Computed unconditionally (the logarithm of a non-positive number
        // is NaN, not a trap) and validated once: one predictable branch
        // instead of three lets consecutive pixels overlap in the CPU, about
        // 1.5× faster per frame than branching before the logarithm.
        let t = self.b / arg.ln() - KELVIN_OFFSET;
        (denom > 0.0 && arg > 1.0 && arg.is_finite() && t.is_finite()).then_some(t)
    }
}

impl Radiometry {
    /// Validates the parameters and precomputes the per-frame constants.
    ///
    /// # Errors
    /// [`ThermalError::InvalidRadiometry`] or [`ThermalError::InvalidScene`]
    /// naming the first unusable parameter and its value.
    pub fn compile(&self) -> Result<Converter, ThermalError> {
        let compiled = match *self {
            Radiometry::Planck {
                constants: p,
                atmosphere,
                scene,
            } => {
                let pos = "a finite value > 0";
                for (field, v) in [("R1", p.r1), ("R2", p.r2), ("B", p.b)] {
                    let v = finite(field, v, pos, false)?;
                    check(
                        v > 0.0,
                        ThermalError::InvalidRadiometry {
                            field,
                            value: v,
                            expected: pos,
                        },
                    )?;
                }
                finite("F", p.f, "a finite value", false)?;
                finite("O", p.o, "a finite value", false)?;
                for (field, v) in [
                    ("X", atmosphere.x),
                    ("alpha1", atmosphere.alpha1),
                    ("alpha2", atmosphere.alpha2),
                    ("beta1", atmosphere.beta1),
                    ("beta2", atmosphere.beta2),
                ] {
                    finite(field, v, "a finite value", false)?;
                }
                scene.validate()?;
                let tau = atmospheric_transmission(&atmosphere, &scene);
                check(
                    tau.is_finite() && tau > 0.0,
                    ThermalError::InvalidScene {
                        field: "atmospheric transmission",
                        value: tau,
                        expected: "a transmission > 0 (check distance, humidity and the atmospheric constants)",
                    },
                )?;
                let e = scene.emissivity;
                let w = scene.window_transmission;
                let mut pc = PlanckCompiled {
                    r1: p.r1,
                    r2: p.r2,
                    b: p.b,
                    f: p.f,
                    o: p.o,
                    k: 0.0,
                    c: 0.0,
                };
                let raw_refl = pc.raw_of_kelvin(scene.reflected.to_kelvin().get());
                let raw_atm = pc.raw_of_kelvin(scene.atmosphere.to_kelvin().get());
                let raw_win = pc.raw_of_kelvin(scene.window.to_kelvin().get());
                let refl = (1.0 - e) / e * raw_refl;
                let atm1 = (1.0 - tau) / e / tau * raw_atm;
                let win = (1.0 - w) / e / tau / w * raw_win;
                let atm2 = (1.0 - tau) / e / tau / w / tau * raw_atm;
                pc.k = 1.0 / (e * tau * w * tau);
                pc.c = refl + atm1 + win + atm2;
                check(
                    pc.k.is_finite() && pc.c.is_finite(),
                    ThermalError::InvalidRadiometry {
                        field: "R1/R2/B/F/O",
                        value: pc.c,
                        expected: "constants whose Planck curve is finite at the scene temperatures",
                    },
                )?;
                Compiled::Planck(pc)
            }
            Radiometry::TLinear(res) => Compiled::Affine {
                gain: res.kelvin_per_count(),
                offset: -KELVIN_OFFSET,
                zero_invalid: true,
            },
            Radiometry::Linear { gain, offset } => {
                let g = finite("gain", gain, "a finite, non-zero °C per count", false)?;
                check(
                    g != 0.0,
                    ThermalError::InvalidRadiometry {
                        field: "gain",
                        value: g,
                        expected: "a finite, non-zero °C per count",
                    },
                )?;
                let o = finite("offset", offset, "a finite °C at count 0", false)?;
                Compiled::Affine {
                    gain: g,
                    offset: o,
                    zero_invalid: false,
                }
            }
            Radiometry::Celsius => Compiled::Passthrough,
        };
        Ok(Converter {
            radiometry: *self,
            compiled,
        })
    }
}

impl Converter {
    /// The parameters this converter was compiled from.
    #[must_use]
    pub const fn radiometry(&self) -> &Radiometry {
        &self.radiometry
    }

    /// Temperature of one raw value (a u16 count, or °C for passthrough).
    /// `None` when the value is outside the model's domain.
    #[must_use]
    pub fn celsius_of(&self, raw: f64) -> Option<Celsius> {
        if !raw.is_finite() {
            return None;
        }
        let t = match self.compiled {
            Compiled::Planck(pc) => pc.celsius(raw)?,
            Compiled::Affine {
                gain,
                offset,
                zero_invalid,
            } => {
                if zero_invalid && raw == 0.0 {
                    return None;
                }
                gain.mul_add(raw, offset)
            }
            Compiled::Passthrough => raw,
        };
        (t.is_finite() && t > -KELVIN_OFFSET).then_some(Celsius(t))
    }

    /// Temperature of one raw value.
    ///
    /// # Errors
    /// [`ThermalError::OutOfRange`] when the value is outside the model's domain.
    pub fn raw_to_celsius(&self, raw: f64) -> Result<Celsius, ThermalError> {
        self.celsius_of(raw).ok_or(ThermalError::OutOfRange {
            what: "raw value",
            value: raw,
            detail: "it maps to no physical temperature under these radiometric parameters",
        })
    }

    /// The exact (fractional) raw value an object at `t` produces. The
    /// inverse of [`Converter::raw_to_celsius`].
    ///
    /// # Errors
    /// [`ThermalError::OutOfRange`] for a non-physical temperature or one the
    /// model cannot represent.
    pub fn celsius_to_raw(&self, t: Celsius) -> Result<f64, ThermalError> {
        let out_of_range = |detail| ThermalError::OutOfRange {
            what: "temperature °C",
            value: t.get(),
            detail,
        };
        if !t.get().is_finite() || t.get() <= -KELVIN_OFFSET {
            return Err(out_of_range("not a finite temperature above absolute zero"));
        }
        let raw = match self.compiled {
            Compiled::Planck(pc) => {
                let s = pc.raw_of_kelvin(Kelvin::from(t).get());
                (s + pc.c) / pc.k
            }
            Compiled::Affine { gain, offset, .. } => (t.get() - offset) / gain,
            Compiled::Passthrough => t.get(),
        };
        if raw.is_finite() {
            Ok(raw)
        } else {
            Err(out_of_range("the Planck curve is not finite there"))
        }
    }

    /// The u16 count nearest to the raw value of `t`.
    ///
    /// # Errors
    /// [`ThermalError::OutOfRange`] when the raw value falls outside `0..=65535`.
    pub fn celsius_to_count(&self, t: Celsius) -> Result<u16, ThermalError> {
        let raw = self.celsius_to_raw(t)?.round();
        if (0.0..=65535.0).contains(&raw) {
            Ok(raw as u16)
        } else {
            Err(ThermalError::OutOfRange {
                what: "temperature °C",
                value: t.get(),
                detail: "its raw value lies outside the 16-bit range 0..=65535",
            })
        }
    }

    /// Converts a frame of u16 counts into °C, writing into `dst`.
    ///
    /// Out-of-domain pixels become NaN and are counted. For repeated frames
    /// with fixed parameters, [`Converter::lut`] is several times faster.
    ///
    /// # Errors
    /// [`ThermalError::Core`] with a shape mismatch when `dst` is not the
    /// size of `src`.
    pub fn convert_frame(
        &self,
        src: &FrameView<'_, u16>,
        dst: &mut FrameViewMut<'_, f32>,
    ) -> Result<ConversionStats, ThermalError> {
        dst.check_same_shape(src, "destination frame")?;
        // One specialised loop per model: the variant is matched once per
        // frame, not per pixel.
        match self.compiled {
            Compiled::Planck(pc) => {
                for (srow, drow) in src.rows().zip(dst.rows_mut()) {
                    for (s, d) in srow.iter().zip(drow.iter_mut()) {
                        *d = to_f32(pc.celsius(f64::from(*s)).map(Celsius));
                    }
                }
            }
            Compiled::Affine { .. } | Compiled::Passthrough => {
                for (srow, drow) in src.rows().zip(dst.rows_mut()) {
                    for (s, d) in srow.iter().zip(drow.iter_mut()) {
                        *d = to_f32(self.celsius_of(f64::from(*s)));
                    }
                }
            }
        }
        let invalid = dst
            .rows_mut()
            .map(|r| r.iter().filter(|v| v.is_nan()).count())
            .sum();
        Ok(ConversionStats {
            pixels: src.pixel_count(),
            invalid,
        })
    }

    /// Builds the 65 536-entry lookup table for these parameters.
    #[must_use]
    pub fn lut(&self) -> CelsiusLut {
        let mut table = Box::new([f32::NAN; 65536]);
        for (raw, slot) in table.iter_mut().enumerate() {
            *slot = to_f32(self.celsius_of(raw as f64));
        }
        CelsiusLut { table }
    }

    /// The contiguous range of u16 counts that map to a temperature, or
    /// `None` when no count does. For Planck and TLinear maps the valid
    /// counts form one interval because the map is monotonic.
    #[must_use]
    pub fn valid_counts(&self) -> Option<core::ops::RangeInclusive<u16>> {
        let ok = |r: u16| self.celsius_of(f64::from(r)).is_some();
        let lo = (0..=u16::MAX).find(|&r| ok(r))?;
        let hi = (lo..=u16::MAX).rev().find(|&r| ok(r))?;
        Some(lo..=hi)
    }
}

/// Narrows a temperature to the `f32` a frame stores: NaN when there is no
/// temperature or when it does not fit in `f32` (a linear map with an absurd
/// gain), so a frame never holds ±inf counted as valid.
#[inline]
fn to_f32(t: Option<Celsius>) -> f32 {
    match t {
        Some(c) if (c.get() as f32).is_finite() => c.get() as f32,
        _ => f32::NAN,
    }
}

impl CelsiusLut {
    /// The temperature of a count (NaN when out of the model's domain).
    #[must_use]
    pub fn get(&self, raw: u16) -> f32 {
        self.table[usize::from(raw)]
    }

    /// The whole table, indexed by count.
    #[must_use]
    pub fn as_slice(&self) -> &[f32] {
        &self.table[..]
    }

    /// Converts a frame of u16 counts into °C through the table.
    ///
    /// # Errors
    /// [`ThermalError::Core`] with a shape mismatch when `dst` is not the
    /// size of `src`.
    pub fn convert_frame(
        &self,
        src: &FrameView<'_, u16>,
        dst: &mut FrameViewMut<'_, f32>,
    ) -> Result<ConversionStats, ThermalError> {
        dst.check_same_shape(src, "destination frame")?;
        let table: &[f32; 65536] = &self.table;
        let mut invalid = 0usize;
        for (srow, drow) in src.rows().zip(dst.rows_mut()) {
            for (s, d) in srow.iter().zip(drow.iter_mut()) {
                // A u16 always indexes a 65 536-entry array: no bounds check.
                *d = table[usize::from(*s)];
            }
            invalid += drow.iter().filter(|v| v.is_nan()).count();
        }
        Ok(ConversionStats {
            pixels: src.pixel_count(),
            invalid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsm_core::StatusCode;
    use proptest::prelude::*;

    /// IR_2412.jpg's constants (FLIR SC660), from its CameraInfo record.
    fn ir2412() -> Radiometry {
        Radiometry::Planck {
            constants: PlanckConstants {
                r1: 21106.77,
                r2: 0.012545258,
                b: 1501.0,
                f: 1.0,
                o: -7340.0,
            },
            atmosphere: AtmosphericConstants::default(),
            scene: Scene {
                emissivity: 0.95,
                ..Scene::default()
            },
        }
    }

    #[test]
    fn ir2412_reference_points() {
        // Independent readers (Thermimage raw2temp and two others) report
        // 17917 → 22.7359 °C and 20218 → 35.2505 °C for this camera.
        let c = ir2412().compile().unwrap();
        assert!((c.raw_to_celsius(17917.0).unwrap().get() - 22.7359).abs() < 1e-3);
        assert!((c.raw_to_celsius(20218.0).unwrap().get() - 35.2505).abs() < 1e-3);
    }

    #[test]
    fn lut_and_direct_agree_and_count_invalid() {
        let c = ir2412().compile().unwrap();
        let lut = c.lut();
        let src: Vec<u16> = vec![0, 1000, 17917, 20218, 65535, 7000];
        let mut a = vec![0f32; 6];
        let mut b = vec![0f32; 6];
        let sv = FrameView::packed(&src, 3, 2).unwrap();
        let sa = c
            .convert_frame(&sv, &mut FrameViewMut::packed(&mut a, 3, 2).unwrap())
            .unwrap();
        let sb = lut
            .convert_frame(&sv, &mut FrameViewMut::packed(&mut b, 3, 2).unwrap())
            .unwrap();
        assert_eq!(sa, sb);
        for (x, y) in a.iter().zip(&b) {
            assert!(
                x.is_nan() && y.is_nan() || (x - y).abs() == 0.0,
                "{x} vs {y}"
            );
        }
        // With O = -7340 the Planck curve needs S_obj > 7340: low counts are invalid.
        assert!(a[0].is_nan() && a[1].is_nan());
        assert!(sa.invalid >= 2);
        let valid = c.valid_counts().unwrap();
        assert!(
            *valid.start() > 7000 && *valid.end() == u16::MAX,
            "{valid:?}"
        );
    }

    #[test]
    fn tlinear_and_linear() {
        let centi = Radiometry::TLinear(TLinearResolution::CentiKelvin)
            .compile()
            .unwrap();
        assert!((centi.raw_to_celsius(31015.0).unwrap().get() - 37.0).abs() < 1e-9);
        assert!(
            centi.raw_to_celsius(0.0).is_err(),
            "count 0 is the camera's no-data value"
        );
        let deci = Radiometry::TLinear(TLinearResolution::DeciKelvin)
            .compile()
            .unwrap();
        assert!((deci.raw_to_celsius(3101.5).unwrap().get() - 37.0).abs() < 1e-9);
        assert_eq!(deci.celsius_to_count(Celsius(36.95)).unwrap(), 3101);
        assert!(
            deci.celsius_to_count(Celsius(7000.0)).is_err(),
            "beyond 65535 counts"
        );
        let lin = Radiometry::Linear {
            gain: 0.04,
            offset: -273.15,
        }
        .compile()
        .unwrap();
        assert!((lin.raw_to_celsius(7753.75).unwrap().get() - 37.0).abs() < 1e-9);
        assert!(lin.raw_to_celsius(-1.0).is_err());
        // A gain so large that temperatures overflow f32: NaN and counted, never ±inf.
        let huge = Radiometry::Linear {
            gain: 1e300,
            offset: 0.0,
        }
        .compile()
        .unwrap();
        let (src, mut dst) = ([1u16, 0], [0f32; 2]);
        let stats = huge
            .convert_frame(
                &FrameView::packed(&src, 2, 1).unwrap(),
                &mut FrameViewMut::packed(&mut dst, 2, 1).unwrap(),
            )
            .unwrap();
        assert!(dst[0].is_nan() && stats.invalid == 1, "{dst:?} {stats:?}");
        assert!(huge.lut().get(1).is_nan());
        let pass = Radiometry::Celsius.compile().unwrap();
        assert_eq!(pass.raw_to_celsius(36.6).unwrap().get(), 36.6);
        assert!(pass.raw_to_celsius(f64::NAN).is_err());
    }

    #[test]
    fn bad_parameters_name_the_field() {
        let mut r = ir2412();
        if let Radiometry::Planck { scene, .. } = &mut r {
            scene.emissivity = f64::NAN;
        }
        let e = r.compile().unwrap_err();
        assert_eq!(e.code(), StatusCode::InvalidScene);
        assert!(e.to_string().contains("emissivity"), "{e}");

        let mut r = ir2412();
        if let Radiometry::Planck { constants, .. } = &mut r {
            constants.b = 0.0;
        }
        let e = r.compile().unwrap_err();
        assert_eq!(e.code(), StatusCode::InvalidRadiometry);
        assert!(e.to_string().contains('B'), "{e}");

        for (field, scene) in [
            (
                "relative_humidity",
                Scene {
                    relative_humidity: 50.0,
                    ..Scene::default()
                },
            ),
            (
                "distance_m",
                Scene {
                    distance_m: -1.0,
                    ..Scene::default()
                },
            ),
            (
                "window_transmission",
                Scene {
                    window_transmission: 0.0,
                    ..Scene::default()
                },
            ),
            (
                "reflected",
                Scene {
                    reflected: Celsius(-300.0),
                    ..Scene::default()
                },
            ),
        ] {
            let r = Radiometry::Planck {
                constants: PlanckConstants {
                    r1: 1.0,
                    r2: 1.0,
                    b: 1.0,
                    f: 1.0,
                    o: 0.0,
                },
                atmosphere: AtmosphericConstants::default(),
                scene,
            };
            let e = r.compile().unwrap_err();
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
        let e = Radiometry::Linear {
            gain: 0.0,
            offset: 0.0,
        }
        .compile()
        .unwrap_err();
        assert!(e.to_string().contains("gain"), "{e}");
    }

    #[test]
    fn shape_mismatch_is_an_error() {
        let c = ir2412().compile().unwrap();
        let src = [18000u16; 6];
        let mut dst = [0f32; 4];
        let e = c
            .convert_frame(
                &FrameView::packed(&src, 3, 2).unwrap(),
                &mut FrameViewMut::packed(&mut dst, 2, 2).unwrap(),
            )
            .unwrap_err();
        assert_eq!(e.code(), StatusCode::ShapeMismatch);
    }

    proptest! {
        /// raw → °C → raw returns the same count within 1 over the camera's
        /// valid range, for every scene within the domain.
        #[test]
        fn planck_round_trip(raw in 7500u16..=65535, e in 0.5f64..=1.0, d in 0.0f64..50.0, rh in 0.0f64..=1.0, ta in -20.0f64..45.0) {
            let r = Radiometry::Planck {
                constants: PlanckConstants { r1: 21106.77, r2: 0.012545258, b: 1501.0, f: 1.0, o: -7340.0 },
                atmosphere: AtmosphericConstants::default(),
                scene: Scene { emissivity: e, distance_m: d, relative_humidity: rh, atmosphere: Celsius(ta), ..Scene::default() },
            };
            let c = r.compile().unwrap();
            if let Some(t) = c.celsius_of(f64::from(raw)) {
                let back = c.celsius_to_raw(t).unwrap();
                prop_assert!((back - f64::from(raw)).abs() <= 1e-6 * f64::from(raw), "{raw} -> {t:?} -> {back}");
                // And through the f32 a frame stores: within one count.
                let back32 = c.celsius_to_raw(Celsius(f64::from(t.get() as f32))).unwrap();
                prop_assert!((back32 - f64::from(raw)).abs() <= 1.0);
            }
        }

        #[test]
        fn conversion_is_monotonic(a in 8000u16..65535) {
            let c = ir2412().compile().unwrap();
            let (x, y) = (c.celsius_of(f64::from(a)).unwrap(), c.celsius_of(f64::from(a) + 1.0).unwrap());
            prop_assert!(y.get() > x.get());
        }
    }
}
