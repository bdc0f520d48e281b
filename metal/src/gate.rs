//! The gate: coil geometry, field model, and the signal model — Z zones ×
//! F frequencies of demodulated complex samples at a fixed rate.
//!
//! # Frame
//! `x` across the walkway (the left panel, on a walker's left, at
//! `x = −width/2`), `y` along the walking direction (the panels' plane is
//! `y = 0`), `z` up from the floor. Metres.
//!
//! # Coils and field
//! Each side panel carries `levels` transmit/receive coils stacked in
//! height; zone `2k` is level `k` on the left, `2k + 1` on the right. Each
//! coil is a small loop modelled as a magnetic dipole whose distance is
//! softened by the loop radius (`d² = |r|² + a²`, so the field stays finite
//! next to the panel). The coil normals point into the walkway and are
//! tilted alternately forwards/backwards and up/down (±35°, ±25°), as
//! overlapping multi-zone coil sets are: without that diversity no coil
//! would see the `y` components of an object's tensor as it crosses `y = 0`.
//! A zone's response to an object at `p` with (rotated) tensor `M` is
//! `V = G · Hᵀ(p) M H(p)` with the gain `G` ([`GateConfig::gain`]).

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use crate::error::MetalError;
use crate::tensor::Tensor3;

/// The gate's geometry and acquisition settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateConfig {
    /// Clear width between the panels (m).
    pub width_m: f64,
    /// Height of the coil stack (m).
    pub height_m: f64,
    /// Coil levels per side; zones = 2 × levels.
    pub levels: usize,
    /// Operating frequencies (Hz).
    pub frequencies_hz: Vec<f64>,
    /// Demodulated sample rate per zone (Hz).
    pub sample_rate_hz: f64,
    /// Mains frequency (Hz) whose interference is filtered.
    pub mains_hz: f64,
    /// Coil loop radius (m), the field's softening length.
    pub coil_radius_m: f64,
    /// Signal units per (m⁻³)² · m³ of response.
    pub gain: f64,
}

impl Default for GateConfig {
    /// 18 zones (9 levels × 2 sides), 4 frequencies (1, 3, 9, 27 kHz),
    /// 200 Hz, 50 Hz mains, 0.76 m walkway, 2 m coil stack.
    fn default() -> Self {
        GateConfig {
            width_m: 0.76,
            height_m: 2.0,
            levels: 9,
            frequencies_hz: vec![1_000.0, 3_000.0, 9_000.0, 27_000.0],
            sample_rate_hz: 200.0,
            mains_hz: 50.0,
            coil_radius_m: 0.1,
            gain: 1.0e5,
        }
    }
}

/// Left or right panel (a walker's left and right).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Panel {
    /// `x < 0`.
    Left,
    /// `x > 0`.
    Right,
}

/// One zone's coil.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coil {
    /// Centre (m).
    pub position: [f64; 3],
    /// Unit normal (dipole direction).
    pub normal: [f64; 3],
    /// Which panel.
    pub panel: Panel,
    /// Level index from the floor.
    pub level: usize,
}

/// A validated gate with its coils.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    config: GateConfig,
    coils: Vec<Coil>,
    omegas: Vec<f64>,
}

/// The most zones a gate may have.
pub const MAX_ZONES: usize = 64;
/// The most frequencies a gate may have.
pub const MAX_FREQUENCIES: usize = 16;

fn check(field: &'static str, v: f64, ok: bool, expected: &'static str) -> Result<(), MetalError> {
    if v.is_finite() && ok {
        Ok(())
    } else {
        Err(MetalError::InvalidParameter {
            field,
            value: v,
            expected,
        })
    }
}

impl Gate {
    /// Build the coils.
    ///
    /// # Errors
    /// [`MetalError::InvalidParameter`] naming the first unusable setting.
    pub fn new(config: GateConfig) -> Result<Gate, MetalError> {
        let c = &config;
        check(
            "width_m",
            c.width_m,
            c.width_m > 0.2 && c.width_m < 3.0,
            "0.2 < width < 3 m",
        )?;
        check(
            "height_m",
            c.height_m,
            c.height_m > 0.5 && c.height_m < 4.0,
            "0.5 < height < 4 m",
        )?;
        check(
            "levels",
            c.levels as f64,
            (1..=MAX_ZONES / 2).contains(&c.levels),
            "1 to 32 levels per side",
        )?;
        check(
            "frequencies",
            c.frequencies_hz.len() as f64,
            (1..=MAX_FREQUENCIES).contains(&c.frequencies_hz.len()),
            "1 to 16 frequencies",
        )?;
        for &f in &c.frequencies_hz {
            check("frequency_hz", f, f > 0.0, "a frequency > 0 Hz")?;
        }
        check(
            "sample_rate_hz",
            c.sample_rate_hz,
            c.sample_rate_hz >= 20.0,
            "a sample rate >= 20 Hz",
        )?;
        check(
            "mains_hz",
            c.mains_hz,
            c.mains_hz > 0.0,
            "a mains frequency > 0 Hz",
        )?;
        check(
            "coil_radius_m",
            c.coil_radius_m,
            c.coil_radius_m > 0.0,
            "a coil radius > 0 m",
        )?;
        check("gain", c.gain, c.gain > 0.0, "a gain > 0")?;
        let mut coils = Vec::with_capacity(2 * c.levels);
        let dz = c.height_m / c.levels as f64;
        let (yaw, pitch) = (35f64.to_radians(), 25f64.to_radians());
        for level in 0..c.levels {
            for panel in [Panel::Left, Panel::Right] {
                let (sx, phase) = match panel {
                    Panel::Left => (1.0, 0),
                    Panel::Right => (-1.0, 1),
                };
                let ys = if (level + phase) % 2 == 0 { 1.0 } else { -1.0 };
                let zs = if (level / 2 + phase) % 2 == 0 {
                    1.0
                } else {
                    -1.0
                };
                let n = [
                    sx * yaw.cos() * pitch.cos(),
                    ys * yaw.sin() * pitch.cos(),
                    zs * pitch.sin(),
                ];
                coils.push(Coil {
                    position: [-sx * c.width_m / 2.0, 0.0, dz * (level as f64 + 0.5)],
                    normal: n,
                    panel,
                    level,
                });
            }
        }
        let omegas = c
            .frequencies_hz
            .iter()
            .map(|f| 2.0 * core::f64::consts::PI * f)
            .collect();
        Ok(Gate {
            config,
            coils,
            omegas,
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &GateConfig {
        &self.config
    }

    /// The coils, one per zone.
    #[must_use]
    pub fn coils(&self) -> &[Coil] {
        &self.coils
    }

    /// Number of zones Z.
    #[must_use]
    pub fn zones(&self) -> usize {
        self.coils.len()
    }

    /// Number of frequencies F.
    #[must_use]
    pub fn frequencies(&self) -> usize {
        self.omegas.len()
    }

    /// Angular frequencies (rad/s).
    #[must_use]
    pub fn omegas(&self) -> &[f64] {
        &self.omegas
    }

    /// The softened dipole's terms for zone `zone`'s coil at `p` (`None` for
    /// a zone the gate does not have).
    fn dipole(&self, zone: usize, p: [f64; 3]) -> Option<Dipole> {
        let coil = self.coils.get(zone)?;
        let r = [
            p[0] - coil.position[0],
            p[1] - coil.position[1],
            p[2] - coil.position[2],
        ];
        let a = self.config.coil_radius_m;
        let d2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2] + a * a;
        let d = d2.sqrt();
        let m = coil.normal;
        let mr = m[0] * r[0] + m[1] * r[1] + m[2] * r[2];
        let k = 1.0 / (4.0 * core::f64::consts::PI * d2 * d);
        Some(Dipole { r, m, d2, mr, k })
    }

    /// The field of zone `zone`'s coil at `p` per unit moment (m⁻³).
    #[must_use]
    pub fn field(&self, zone: usize, p: [f64; 3]) -> [f64; 3] {
        let Some(Dipole { r, m, d2, mr, k }) = self.dipole(zone, p) else {
            return [0.0; 3];
        };
        [
            k * (3.0 * mr * r[0] / d2 - m[0]),
            k * (3.0 * mr * r[1] / d2 - m[1]),
            k * (3.0 * mr * r[2] / d2 - m[2]),
        ]
    }

    /// The field of zone `zone`'s coil at `p` and its Jacobian
    /// `J[i][j] = ∂hᵢ/∂pⱼ` (closed form of the softened dipole).
    #[must_use]
    pub(crate) fn field_jacobian(&self, zone: usize, p: [f64; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
        let Some(Dipole { r, m, d2, mr, k }) = self.dipole(zone, p) else {
            return ([0.0; 3], [[0.0; 3]; 3]);
        };
        let inv_d2 = 1.0 / d2;
        let u = 3.0 * mr * inv_d2;
        let h = [
            k * (u * r[0] - m[0]),
            k * (u * r[1] - m[1]),
            k * (u * r[2] - m[2]),
        ];
        // ∂h_i/∂r_j = −3 r_j h_i / d² + k (r_i ∂u/∂r_j + u δ_ij),
        // ∂u/∂r_j = 3 m_j / d² − 6 mr r_j / d⁴.
        let du = [
            3.0 * m[0] * inv_d2 - 2.0 * u * r[0] * inv_d2,
            3.0 * m[1] * inv_d2 - 2.0 * u * r[1] * inv_d2,
            3.0 * m[2] * inv_d2 - 2.0 * u * r[2] * inv_d2,
        ];
        let mut jac = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                jac[i][j] =
                    -3.0 * r[j] * h[i] * inv_d2 + k * (r[i] * du[j] + if i == j { u } else { 0.0 });
            }
        }
        (h, jac)
    }

    /// The six coefficients `c` with `V = Σ cₖ · m₆ₖ` for the tensor's six
    /// independent entries `[xx, yy, zz, xy, xz, yz]` (gain included).
    #[must_use]
    pub fn sensitivity(&self, zone: usize, p: [f64; 3]) -> [f64; 6] {
        sens6(self.config.gain, self.field(zone, p))
    }

    /// A zone's response to tensor `m` (gate frame) at `p`.
    #[must_use]
    pub fn response(&self, zone: usize, p: [f64; 3], m: &Tensor3) -> Complex64 {
        let h = self.field(zone, p);
        m.contract(&h, &h) * self.config.gain
    }
}

/// A coil's softened dipole at a point: offset `r` from the coil, its unit
/// normal `m`, `d² = |r|² + a²`, `m · r` and `k = 1 / (4π d³)`.
struct Dipole {
    r: [f64; 3],
    m: [f64; 3],
    d2: f64,
    mr: f64,
    k: f64,
}

/// The six sensitivities `g · [hx², hy², hz², 2hxhy, 2hxhz, 2hyhz]` of a
/// field `h` (see [`Gate::sensitivity`]).
pub(crate) fn sens6(g: f64, h: [f64; 3]) -> [f64; 6] {
    [
        g * h[0] * h[0],
        g * h[1] * h[1],
        g * h[2] * h[2],
        2.0 * g * h[0] * h[1],
        2.0 * g * h[0] * h[2],
        2.0 * g * h[1] * h[2],
    ]
}

/// A whole passage: `T` frames of `Z × F` complex samples, frame-major
/// (`samples[(t · Z + z) · F + f]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    zones: usize,
    freqs: usize,
    samples: Vec<Complex64>,
}

/// The longest passage accepted, in frames (60 s at 200 Hz).
pub const MAX_FRAMES: usize = 12_000;

impl Passage {
    /// Wrap samples of shape `(T, Z, F)`.
    ///
    /// # Errors
    /// [`MetalError::Shape`] if the length is not a positive multiple of
    /// `Z · F` or exceeds [`MAX_FRAMES`] frames; [`MetalError::InvalidParameter`]
    /// for a zero dimension.
    pub fn new(zones: usize, freqs: usize, samples: Vec<Complex64>) -> Result<Passage, MetalError> {
        let frame = zones * freqs;
        if frame == 0 {
            return Err(MetalError::InvalidParameter {
                field: "zones × frequencies",
                value: 0.0,
                expected: "at least one zone and one frequency",
            });
        }
        let t = samples.len() / frame;
        if !samples.len().is_multiple_of(frame) || t == 0 || t > MAX_FRAMES {
            return Err(MetalError::Shape {
                what: "passage samples (T × zones × frequencies)",
                expected: frame * t.clamp(1, MAX_FRAMES),
                got: samples.len(),
            });
        }
        Ok(Passage {
            zones,
            freqs,
            samples,
        })
    }

    /// Zones Z.
    #[must_use]
    pub fn zones(&self) -> usize {
        self.zones
    }

    /// Frequencies F.
    #[must_use]
    pub fn freqs(&self) -> usize {
        self.freqs
    }

    /// Frames T.
    #[must_use]
    pub fn frames(&self) -> usize {
        self.samples.len() / (self.zones * self.freqs)
    }

    /// All samples, frame-major.
    #[must_use]
    pub fn samples(&self) -> &[Complex64] {
        &self.samples
    }

    /// Frame `t` (Z × F samples), if it exists.
    #[must_use]
    pub fn frame(&self, t: usize) -> Option<&[Complex64]> {
        let n = self.zones * self.freqs;
        self.samples.get(t * n..(t + 1) * n)
    }
}

/// Streaming input: push frames as they arrive, take the passage when done.
#[derive(Clone, Debug)]
pub struct Recorder {
    zones: usize,
    freqs: usize,
    samples: Vec<Complex64>,
}

impl Recorder {
    /// A recorder for frames of `zones × freqs` samples.
    #[must_use]
    pub fn new(zones: usize, freqs: usize) -> Recorder {
        Recorder {
            zones,
            freqs,
            samples: Vec::new(),
        }
    }

    /// Append one frame (Z × F samples, zone-major).
    ///
    /// # Errors
    /// [`MetalError::Shape`] for a frame of the wrong size or when the
    /// passage would exceed [`MAX_FRAMES`]; [`MetalError::InvalidParameter`]
    /// for a non-finite sample. Nothing is appended on error.
    pub fn push(&mut self, frame: &[Complex64]) -> Result<(), MetalError> {
        let n = self.zones * self.freqs;
        if frame.len() != n {
            return Err(MetalError::Shape {
                what: "frame samples (zones × frequencies)",
                expected: n,
                got: frame.len(),
            });
        }
        if self.samples.len() / n.max(1) >= MAX_FRAMES {
            return Err(MetalError::Shape {
                what: "frames in one passage",
                expected: MAX_FRAMES,
                got: MAX_FRAMES + 1,
            });
        }
        if let Some(bad) = frame.iter().find(|v| !v.is_finite()) {
            return Err(MetalError::InvalidParameter {
                field: "sample",
                value: bad.re + bad.im,
                expected: "finite samples",
            });
        }
        self.samples.extend_from_slice(frame);
        Ok(())
    }

    /// Frames pushed so far.
    #[must_use]
    pub fn frames(&self) -> usize {
        self.samples.len() / (self.zones * self.freqs).max(1)
    }

    /// The passage recorded so far; the recorder is emptied.
    ///
    /// # Errors
    /// As [`Passage::new`] (e.g. no frame pushed).
    pub fn finish(&mut self) -> Result<Passage, MetalError> {
        Passage::new(self.zones, self.freqs, core::mem::take(&mut self.samples))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_jacobian_matches_finite_differences() {
        let g = Gate::new(GateConfig::default()).unwrap();
        for zone in [0, 5, 12, 17] {
            for p in [[-0.2, 0.05, 0.3], [0.1, -0.2, 1.4], [0.3, 0.3, 0.9]] {
                let (h, jac) = g.field_jacobian(zone, p);
                let h0 = g.field(zone, p);
                for i in 0..3 {
                    assert!((h[i] - h0[i]).abs() <= 1e-12 * h0[i].abs().max(1.0));
                }
                let eps = 1e-6;
                for j in 0..3 {
                    let (mut a, mut b) = (p, p);
                    a[j] += eps;
                    b[j] -= eps;
                    let (ha, hb) = (g.field(zone, a), g.field(zone, b));
                    let scale = jac.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
                    for i in 0..3 {
                        let fd = (ha[i] - hb[i]) / (2.0 * eps);
                        assert!(
                            (fd - jac[i][j]).abs() <= 1e-6 * scale,
                            "{zone} {p:?} {i} {j}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn default_gate_has_18_zones_4_frequencies() {
        let g = Gate::new(GateConfig::default()).unwrap();
        assert_eq!((g.zones(), g.frequencies()), (18, 4));
        for c in g.coils() {
            let n = c.normal;
            assert!((n[0] * n[0] + n[1] * n[1] + n[2] * n[2] - 1.0).abs() < 1e-12);
            // Normals point into the walkway.
            assert!(n[0] * c.position[0] < 0.0);
        }
    }

    #[test]
    fn responses_depend_on_zone_height_and_side() {
        let g = Gate::new(GateConfig::default()).unwrap();
        let m = Tensor3::isotropic(Complex64::new(-1e-6, 5e-7));
        let p = [-0.2, 0.0, 0.3]; // low, left
        let v: Vec<f64> = (0..g.zones())
            .map(|z| g.response(z, p, &m).norm())
            .collect();
        let best = (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
        assert_eq!(g.coils()[best].panel, Panel::Left);
        assert!(g.coils()[best].level <= 1, "{best}");
        // Far from the panels the response falls off steeply.
        let far = g.response(best, [-0.2, 1.0, 0.3], &m).norm();
        assert!(far < 0.02 * v[best]);
        // The sensitivity vector reproduces the contraction.
        let t = Tensor3::from_six([
            Complex64::new(1.0, 0.1),
            Complex64::new(2.0, 0.0),
            Complex64::new(-1.0, 0.3),
            Complex64::new(0.2, 0.0),
            Complex64::new(0.0, -0.4),
            Complex64::new(0.5, 0.5),
        ]);
        let s = g.sensitivity(3, p);
        let lin: Complex64 = s.iter().zip(t.to_six()).map(|(c, m)| m * *c).sum();
        assert!((lin - g.response(3, p, &t)).norm() < 1e-9 * lin.norm());
    }

    #[test]
    fn bad_configs_and_shapes_are_errors() {
        let e = Gate::new(GateConfig {
            levels: 0,
            ..GateConfig::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("levels"));
        assert!(Passage::new(2, 2, vec![Complex64::new(0.0, 0.0); 7]).is_err());
        assert!(Passage::new(2, 2, vec![]).is_err());
        let mut r = Recorder::new(2, 2);
        assert!(r.push(&[Complex64::new(0.0, 0.0); 3]).is_err());
        assert!(r.push(&[Complex64::new(f64::NAN, 0.0); 4]).is_err());
        r.push(&[Complex64::new(1.0, 0.0); 4]).unwrap();
        r.push(&[Complex64::new(2.0, 0.0); 4]).unwrap();
        let p = r.finish().unwrap();
        assert_eq!((p.frames(), p.frame(1).unwrap()[0].re), (2, 2.0));
        assert!(r.finish().is_err());
    }
}
