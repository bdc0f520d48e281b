//! Object models: ellipsoids (blades, rods, coins as their thin limits),
//! closed shells (cans) and composites, each giving `M(ω)`.
//!
//! # The ellipsoid model
//! For a homogeneous ellipsoid with semi-axes `a₁, a₂, a₃` the two limits of
//! its (diagonal, in its own frame) tensor are exact:
//! - magnetostatic (`ω → 0`): `Mᵢᵢ = V (μr − 1) / (1 + Nᵢ (μr − 1))`;
//! - perfect conductor (`ω → ∞`): `Mᵢᵢ = −V / (1 − Nᵢ)`;
//!
//! with `V = 4π a₁a₂a₃/3` and `Nᵢ` the depolarisation factors
//! ([`depolarisation`], exact via Carlson's `R_D`). Between the limits the
//! model follows the exact sphere's normalised transition
//! `h(ω) = (g(ω) − g₀)/(g∞ − g₀)` evaluated at an *eddy-current length*
//! `ρᵢ² = √(aⱼaₖ) · √(min(aⱼ, aₖ) · min(a₁, a₂, a₃))` (the current loop's
//! size times the geometric mean of its narrow width and the thinnest
//! dimension that confines it; for a thin disc of radius `a` and thickness
//! `t` this gives `ρ² ≈ a^{3/2} (t/2)^{1/2}`, within a factor 2–3 of the
//! disc's lowest eddy-current mode for coin-like aspect ratios):
//! `Mᵢᵢ = M⁰ᵢ + (M∞ᵢ − M⁰ᵢ) h(ρᵢ)`.
//! For a sphere this *is* the exact solution; for other shapes it is an
//! engineering approximation with exact limits. Every length enters
//! homogeneously, so both scaling laws hold exactly:
//! size × s → `s³ M(s² ω)`, conductivity × c → `M(c ω)`.
//!
//! The thin-plate limit (a blade, a coin as a flat disc) is the same formula
//! with a small third axis: `V/(1 − N₃)` stays finite and tends to the
//! classical `8a³/3` of a perfectly conducting disc of radius `a`.
//!
//! # Shells
//! A closed shell (an aerosol can) excludes the field at high frequency like
//! the solid body (same `M∞`); its static response uses the wall's volume
//! fraction `f` (`μeff = 1 + f (μr − 1)`), and its eddy-current length is set
//! by the wall: `ρᵢ² = √(aⱼaₖ) · √(min(aⱼ, aₖ) · t)`.

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use crate::error::MetalError;
use crate::polarizability::sphere;
use crate::tensor::{Rotation, Tensor3};

/// A conductor: relative permeability and conductivity (S/m).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Material {
    /// Relative permeability μr (> 0; ≈ 1 for non-ferrous metals).
    pub mu_r: f64,
    /// Conductivity σ in S/m (> 0).
    pub sigma: f64,
}

impl Material {
    /// Plain carbon / tool steel (ferrous).
    pub const CARBON_STEEL: Material = Material {
        mu_r: 100.0,
        sigma: 6.0e6,
    };
    /// Martensitic stainless (420-type cutlery and knife steel; ferromagnetic).
    pub const MARTENSITIC_STAINLESS: Material = Material {
        mu_r: 40.0,
        sigma: 1.8e6,
    };
    /// Austenitic stainless (304-type; almost non-magnetic).
    pub const AUSTENITIC_STAINLESS: Material = Material {
        mu_r: 1.05,
        sigma: 1.4e6,
    };
    /// Aluminium.
    pub const ALUMINIUM: Material = Material {
        mu_r: 1.0,
        sigma: 3.5e7,
    };
    /// Copper.
    pub const COPPER: Material = Material {
        mu_r: 1.0,
        sigma: 5.8e7,
    };
    /// Brass.
    pub const BRASS: Material = Material {
        mu_r: 1.0,
        sigma: 1.5e7,
    };
    /// Zinc die-cast alloy (buckles, zipper pulls).
    pub const ZINC_ALLOY: Material = Material {
        mu_r: 1.0,
        sigma: 1.6e7,
    };
    /// Titanium (spectacle frames, implants).
    pub const TITANIUM: Material = Material {
        mu_r: 1.0,
        sigma: 2.4e6,
    };
    /// Cupronickel (coins).
    pub const CUPRONICKEL: Material = Material {
        mu_r: 1.0,
        sigma: 3.5e6,
    };
    /// Gold (jewellery).
    pub const GOLD: Material = Material {
        mu_r: 1.0,
        sigma: 4.1e7,
    };
    /// Silver (jewellery).
    pub const SILVER: Material = Material {
        mu_r: 1.0,
        sigma: 6.3e7,
    };

    fn check(&self) -> Result<(), MetalError> {
        positive("mu_r", self.mu_r)?;
        positive("sigma", self.sigma)?;
        Ok(())
    }
}

fn positive(field: &'static str, v: f64) -> Result<f64, MetalError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(MetalError::InvalidParameter {
            field,
            value: v,
            expected: "a finite value > 0",
        })
    }
}

/// Carlson's symmetric elliptic integral `R_D(x, y, z)` (duplication; x, y ≥
/// 0, z > 0).
fn carlson_rd(mut x: f64, mut y: f64, mut z: f64) -> f64 {
    let mut sum = 0.0;
    let mut fac = 1.0;
    for _ in 0..60 {
        let (sx, sy, sz) = (x.sqrt(), y.sqrt(), z.sqrt());
        let lam = sx * sy + sx * sz + sy * sz;
        sum += fac / (sz * (z + lam));
        fac *= 0.25;
        x = 0.25 * (x + lam);
        y = 0.25 * (y + lam);
        z = 0.25 * (z + lam);
        let mu = (x + y + 3.0 * z) / 5.0;
        let dev = ((x - mu).abs().max((y - mu).abs()).max((z - mu).abs())) / mu;
        if dev < 1e-6 {
            let (ex, ey) = ((mu - x) / mu, (mu - y) / mu);
            let ez = -(ex + ey) / 3.0;
            let (ea, eb) = (ex * ey, ez * ez);
            let ec = ea - eb;
            let ed = ea - 6.0 * eb;
            let ee = ed + 2.0 * ec;
            let series = 1.0
                + ed * (-3.0 / 14.0 + 9.0 / 88.0 * ed - 9.0 / 52.0 * ez * ee)
                + ez * (ee / 6.0 + ez * (-9.0 / 22.0 * ec + ez * 3.0 / 26.0 * ea));
            return 3.0 * sum + fac * series / (mu * mu.sqrt());
        }
    }
    let mu = (x + y + 3.0 * z) / 5.0;
    3.0 * sum + fac / (mu * mu.sqrt())
}

/// Depolarisation (demagnetising) factors of an ellipsoid with semi-axes
/// `a`; they are positive and sum to 1.
///
/// # Errors
/// [`MetalError::InvalidParameter`] for a non-finite or non-positive axis.
pub fn depolarisation(a: [f64; 3]) -> Result<[f64; 3], MetalError> {
    for v in a {
        positive("semi_axis_m", v)?;
    }
    // Work in units of the largest axis so R_D stays well scaled.
    let s = a[0].max(a[1]).max(a[2]);
    let b = a.map(|v| v / s);
    let abc = b[0] * b[1] * b[2];
    let sq = b.map(|v| v * v);
    let n = [
        abc / 3.0 * carlson_rd(sq[1], sq[2], sq[0]),
        abc / 3.0 * carlson_rd(sq[0], sq[2], sq[1]),
        abc / 3.0 * carlson_rd(sq[0], sq[1], sq[2]),
    ];
    Ok(n)
}

/// The exact sphere's normalised transition `h = (g − g₀)/(g∞ − g₀)` at
/// radius `rho`: 0 at DC, → 1 at high frequency.
fn transition(rho: f64, m: Material, omega: f64) -> Result<Complex64, MetalError> {
    if omega == 0.0 {
        return Ok(Complex64::new(0.0, 0.0));
    }
    let g = sphere(rho, m.mu_r, m.sigma, omega)? / (2.0 * core::f64::consts::PI * rho.powi(3));
    let g0 = 2.0 * (m.mu_r - 1.0) / (m.mu_r + 2.0);
    let ginf = -1.0;
    Ok((g - g0) / (ginf - g0))
}

/// A geometric model of a conducting object, in its own frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    /// Solid ellipsoid with semi-axes along x, y, z (m). A blade is a thin
    /// plate (`a₃ ≪ a₂ < a₁`), a coin a disc (`a₁ = a₂ ≫ a₃`), a rod a
    /// prolate spheroid.
    Ellipsoid {
        /// Semi-axes (m).
        semi_axes: [f64; 3],
        /// Material.
        material: Material,
    },
    /// Closed thin-walled shell with the outer semi-axes and wall thickness.
    Shell {
        /// Outer semi-axes (m).
        semi_axes: [f64; 3],
        /// Wall thickness (m), less than the smallest semi-axis.
        wall_m: f64,
        /// Material.
        material: Material,
    },
}

impl Shape {
    /// A solid sphere (exact).
    #[must_use]
    pub fn sphere(radius_m: f64, material: Material) -> Shape {
        Shape::Ellipsoid {
            semi_axes: [radius_m; 3],
            material,
        }
    }

    /// A flat disc (coin, washer): radius and thickness, axis along z.
    #[must_use]
    pub fn disc(radius_m: f64, thickness_m: f64, material: Material) -> Shape {
        Shape::Ellipsoid {
            semi_axes: [radius_m, radius_m, thickness_m / 2.0],
            material,
        }
    }

    /// A thin plate (blade, shoe shank): length along x, width along y,
    /// thickness along z (full dimensions, m).
    #[must_use]
    pub fn plate(length_m: f64, width_m: f64, thickness_m: f64, material: Material) -> Shape {
        Shape::Ellipsoid {
            semi_axes: [length_m / 2.0, width_m / 2.0, thickness_m / 2.0],
            material,
        }
    }

    /// A rod (screwdriver shaft, barrel): length along x, diameter.
    #[must_use]
    pub fn rod(length_m: f64, diameter_m: f64, material: Material) -> Shape {
        Shape::Ellipsoid {
            semi_axes: [length_m / 2.0, diameter_m / 2.0, diameter_m / 2.0],
            material,
        }
    }

    /// A closed can: height along x, diameter, wall thickness.
    #[must_use]
    pub fn can(height_m: f64, diameter_m: f64, wall_m: f64, material: Material) -> Shape {
        Shape::Shell {
            semi_axes: [height_m / 2.0, diameter_m / 2.0, diameter_m / 2.0],
            wall_m,
            material,
        }
    }

    /// The shape with every length multiplied by `s`.
    #[must_use]
    pub fn scaled(&self, s: f64) -> Shape {
        match self {
            Shape::Ellipsoid {
                semi_axes,
                material,
            } => Shape::Ellipsoid {
                semi_axes: semi_axes.map(|v| v * s),
                material: *material,
            },
            Shape::Shell {
                semi_axes,
                wall_m,
                material,
            } => Shape::Shell {
                semi_axes: semi_axes.map(|v| v * s),
                wall_m: wall_m * s,
                material: *material,
            },
        }
    }

    /// The shape with its conductivity multiplied by `c`.
    #[must_use]
    pub fn with_conductivity_scaled(&self, c: f64) -> Shape {
        let mut out = self.clone();
        match &mut out {
            Shape::Ellipsoid { material, .. } | Shape::Shell { material, .. } => {
                material.sigma *= c;
            }
        }
        out
    }

    /// The (diagonal) tensor in the shape's own frame at `omega` (rad/s).
    ///
    /// # Errors
    /// [`MetalError::InvalidParameter`] naming a bad dimension, material
    /// constant or frequency.
    pub fn tensor(&self, omega: f64) -> Result<Tensor3, MetalError> {
        if !(omega.is_finite() && omega >= 0.0) {
            return Err(MetalError::InvalidParameter {
                field: "omega",
                value: omega,
                expected: "a finite angular frequency >= 0 rad/s",
            });
        }
        let (a, material, wall) = match self {
            Shape::Ellipsoid {
                semi_axes,
                material,
            } => (*semi_axes, *material, None),
            Shape::Shell {
                semi_axes,
                wall_m,
                material,
            } => (*semi_axes, *material, Some(*wall_m)),
        };
        material.check()?;
        let n = depolarisation(a)?;
        let vol = 4.0 / 3.0 * core::f64::consts::PI * a[0] * a[1] * a[2];
        let amin = a[0].min(a[1]).min(a[2]);
        let (mu_eff, confine) = match wall {
            None => (material.mu_r, amin),
            Some(t) => {
                let t = positive("wall_m", t)?;
                if t >= amin {
                    return Err(MetalError::InvalidParameter {
                        field: "wall_m",
                        value: t,
                        expected: "a wall thinner than the smallest semi-axis",
                    });
                }
                let inner = (a[0] - t) * (a[1] - t) * (a[2] - t);
                let f = 1.0 - inner / (a[0] * a[1] * a[2]);
                (1.0 + f * (material.mu_r - 1.0), t)
            }
        };
        let mut d = [Complex64::new(0.0, 0.0); 3];
        for i in 0..3 {
            let (j, k) = ((i + 1) % 3, (i + 2) % 3);
            let m0 = vol * (mu_eff - 1.0) / (1.0 + n[i] * (mu_eff - 1.0));
            // 1 − Nᵢ computed as Nⱼ + Nₖ: accurate for thin plates.
            let minf = -vol / (n[j] + n[k]);
            let rho = ((a[j] * a[k]).sqrt() * (a[j].min(a[k]) * confine).sqrt()).sqrt();
            let h = transition(
                rho,
                Material {
                    mu_r: mu_eff,
                    sigma: material.sigma,
                },
                omega,
            )?;
            d[i] = m0 + (minf - m0) * h;
        }
        Ok(Tensor3::diagonal(d))
    }
}

/// One part of a composite object: a shape, its orientation in the object's
/// frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// The geometry and material.
    pub shape: Shape,
    /// Rotation from the part's frame to the object's frame, row-major.
    pub rotation: [[f64; 3]; 3],
}

/// An object as a sum of parts (the dipole approximation: the parts'
/// tensors add; mutual coupling is neglected).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Composite {
    /// The parts.
    pub parts: Vec<Part>,
}

impl Composite {
    /// A composite of one unrotated part.
    #[must_use]
    pub fn single(shape: Shape) -> Composite {
        Composite {
            parts: vec![Part {
                shape,
                rotation: Rotation::IDENTITY.0,
            }],
        }
    }

    /// Add a part rotated by `q`.
    #[must_use]
    pub fn with(mut self, shape: Shape, q: Rotation) -> Composite {
        self.parts.push(Part {
            shape,
            rotation: q.0,
        });
        self
    }

    /// `Σ Qₚ Mₚ(ω) Qₚᵀ`.
    ///
    /// # Errors
    /// As [`Shape::tensor`].
    pub fn tensor(&self, omega: f64) -> Result<Tensor3, MetalError> {
        let mut t = Tensor3::ZERO;
        for p in &self.parts {
            t = t.plus(&p.shape.tensor(omega)?.rotated(&Rotation(p.rotation)));
        }
        Ok(t)
    }

    /// Every length × `s`.
    #[must_use]
    pub fn scaled(&self, s: f64) -> Composite {
        Composite {
            parts: self
                .parts
                .iter()
                .map(|p| Part {
                    shape: p.shape.scaled(s),
                    rotation: p.rotation,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const W: f64 = 2.0 * core::f64::consts::PI * 8000.0;

    #[test]
    fn depolarisation_known_cases() {
        let n = depolarisation([1.0, 1.0, 1.0]).unwrap();
        for v in n {
            assert!((v - 1.0 / 3.0).abs() < 1e-10, "{n:?}");
        }
        // Prolate spheroid, aspect 4: N_long = (1−e²)/e² (atanh(e)/e − 1).
        let n = depolarisation([4.0, 1.0, 1.0]).unwrap();
        let e = (1.0f64 - 1.0 / 16.0).sqrt();
        let want = (1.0 - e * e) / (e * e) * (e.atanh() / e - 1.0);
        assert!((n[0] - want).abs() < 1e-9, "{n:?} {want}");
        assert!((n.iter().sum::<f64>() - 1.0).abs() < 1e-10);
        let n = depolarisation([3.0, 0.2, 0.01]).unwrap();
        assert!((n.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{n:?}");
    }

    #[test]
    fn ellipsoid_of_equal_axes_is_the_exact_sphere() {
        let m = Shape::sphere(
            0.01,
            Material {
                mu_r: 1.5,
                sigma: 5.96e6,
            },
        )
        .tensor(1.0e5)
        .unwrap();
        let exact = sphere(0.01, 1.5, 5.96e6, 1.0e5).unwrap();
        for i in 0..3 {
            assert!((m.0[i][i] - exact).norm() < 1e-12 * exact.norm(), "{m:?}");
        }
        assert!((m.0[0][0].re + 4.4150e-6).abs() < 5e-11);
    }

    #[test]
    fn thin_perfectly_conducting_disc_tends_to_eight_thirds_a_cubed() {
        let a: f64 = 0.0125;
        let m = Shape::disc(a, a * 1e-3, Material::COPPER)
            .tensor(1e12)
            .unwrap();
        let want = -8.0 / 3.0 * a.powi(3);
        assert!(
            (m.0[2][2].re - want).abs() < 0.01 * want.abs(),
            "{m:?} {want}"
        );
        // In-plane response is tiny by comparison.
        assert!(m.0[0][0].norm() < 0.02 * want.abs());
    }

    #[test]
    fn ferrous_and_non_ferrous_signs() {
        let steel = Shape::rod(0.1, 0.006, Material::CARBON_STEEL)
            .tensor(2.0 * core::f64::consts::PI * 1000.0)
            .unwrap();
        assert!(
            steel.0[0][0].re > 0.0,
            "ferrous long axis is positive at low f"
        );
        let al = Shape::can(0.2, 0.06, 0.0003, Material::ALUMINIUM)
            .tensor(W)
            .unwrap();
        for i in 0..3 {
            assert!(al.0[i][i].re < 0.0 && al.0[i][i].im > 0.0, "{al:?}");
        }
    }

    #[test]
    fn bad_shapes_are_named() {
        let e = Shape::can(0.1, 0.02, 0.02, Material::ALUMINIUM)
            .tensor(W)
            .unwrap_err();
        assert!(e.to_string().contains("wall_m"));
        let e = Shape::disc(-1.0, 0.001, Material::GOLD)
            .tensor(W)
            .unwrap_err();
        assert!(e.to_string().contains("semi_axis_m"));
        let e = Shape::disc(
            0.01,
            0.001,
            Material {
                mu_r: 1.0,
                sigma: f64::NAN,
            },
        )
        .tensor(W)
        .unwrap_err();
        assert!(e.to_string().contains("sigma"));
    }

    #[test]
    fn composite_is_the_sum_of_rotated_parts() {
        let blade = Shape::plate(0.1, 0.02, 0.002, Material::MARTENSITIC_STAINLESS);
        let q = Rotation::about_axis([0.0, 0.0, 1.0], 0.7);
        let c = Composite::single(blade.clone()).with(blade.clone(), q);
        let m = c.tensor(W).unwrap();
        let want = blade
            .tensor(W)
            .unwrap()
            .plus(&blade.tensor(W).unwrap().rotated(&q));
        assert!((m.plus(&want.scaled(-1.0))).norm() < 1e-18);
    }

    fn close(a: &Tensor3, b: &Tensor3) -> bool {
        a.plus(&b.scaled(-1.0)).norm() <= 1e-9 * a.norm().max(b.norm())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn size_scaling_law(s in 0.2..5.0f64, l in 0.005..0.2f64, r1 in 0.05..1.0f64, r2 in 0.01..1.0f64,
                            w in 1.0e2..1.0e6f64, shell in any::<bool>(), ferrous in any::<bool>()) {
            let mat = if ferrous { Material::CARBON_STEEL } else { Material::ALUMINIUM };
            let shape = if shell {
                Shape::can(2.0 * l, 2.0 * l * r1, l * r1 * r2 * 0.5, mat)
            } else {
                Shape::Ellipsoid { semi_axes: [l, l * r1, l * r1 * r2], material: mat }
            };
            let big = shape.scaled(s).tensor(w).unwrap();
            let law = shape.tensor(s * s * w).unwrap().scaled(s.powi(3));
            prop_assert!(close(&big, &law), "{big:?} vs {law:?}");
        }

        #[test]
        fn conductivity_scaling_law(c in 0.1..10.0f64, l in 0.005..0.2f64, r1 in 0.05..1.0f64,
                                    w in 1.0e2..1.0e6f64, ferrous in any::<bool>()) {
            let mat = if ferrous { Material::CARBON_STEEL } else { Material::COPPER };
            let shape = Shape::Ellipsoid { semi_axes: [l, l * r1, l * r1 * 0.3], material: mat };
            let a = shape.with_conductivity_scaled(c).tensor(w).unwrap();
            let b = shape.tensor(c * w).unwrap();
            prop_assert!(close(&a, &b), "{a:?} vs {b:?}");
        }
    }
}
