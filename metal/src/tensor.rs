//! Complex symmetric 3×3 tensors, rotations, and real symmetric eigenvalues.
//!
//! A magnetic polarizability tensor `M(ω)` is complex symmetric (not
//! Hermitian): `M = R + iI` with `R`, `I` real symmetric. Rotating an object
//! by `Q` turns its tensor into `Q M Qᵀ`; the eigenvalues of `R` and of `I`
//! are therefore rotation invariants — the features the classifier uses.

#![allow(
    clippy::needless_range_loop,
    reason = "index notation mirrors the tensor algebra"
)]

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

/// A complex symmetric 3×3 tensor in m³, stored in full (row-major).
///
/// Constructors keep it symmetric; [`Tensor3::symmetrised`] repairs one read
/// from a file whose off-diagonal entries differ by rounding.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Tensor3(pub [[Complex64; 3]; 3]);

impl Tensor3 {
    /// The zero tensor.
    pub const ZERO: Tensor3 = Tensor3([[Complex64::new(0.0, 0.0); 3]; 3]);

    /// A diagonal tensor (principal axes along x, y, z).
    #[must_use]
    pub fn diagonal(d: [Complex64; 3]) -> Tensor3 {
        let mut t = Tensor3::ZERO;
        for (i, v) in d.into_iter().enumerate() {
            t.0[i][i] = v;
        }
        t
    }

    /// `m · I`, the tensor of a sphere.
    #[must_use]
    pub fn isotropic(m: Complex64) -> Tensor3 {
        Tensor3::diagonal([m; 3])
    }

    /// `(A + Aᵀ)/2`.
    #[must_use]
    pub fn symmetrised(&self) -> Tensor3 {
        let mut t = *self;
        for i in 0..3 {
            for j in 0..3 {
                t.0[i][j] = (self.0[i][j] + self.0[j][i]) * 0.5;
            }
        }
        t
    }

    /// `Q M Qᵀ`: the tensor of the object after rotating it by `q`.
    #[must_use]
    pub fn rotated(&self, q: &Rotation) -> Tensor3 {
        let q = &q.0;
        let mut tmp = [[Complex64::new(0.0, 0.0); 3]; 3];
        for (i, row) in tmp.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                *cell = (0..3).map(|k| self.0[i][k] * q[j][k]).sum();
            }
        }
        let mut out = Tensor3::ZERO;
        for i in 0..3 {
            for j in 0..3 {
                out.0[i][j] = (0..3).map(|k| tmp[k][j] * q[i][k]).sum();
            }
        }
        out
    }

    /// Multiply every entry by a real factor.
    #[must_use]
    pub fn scaled(&self, s: f64) -> Tensor3 {
        let mut t = *self;
        t.0.iter_mut().flatten().for_each(|v| *v *= s);
        t
    }

    /// Entry-wise sum.
    #[must_use]
    pub fn plus(&self, other: &Tensor3) -> Tensor3 {
        let mut t = *self;
        for (a, b) in t.0.iter_mut().flatten().zip(other.0.iter().flatten()) {
            *a += *b;
        }
        t
    }

    /// The real part `R` as a real symmetric matrix.
    #[must_use]
    pub fn re(&self) -> [[f64; 3]; 3] {
        self.0.map(|r| r.map(|v| v.re))
    }

    /// The imaginary part `I` as a real symmetric matrix.
    #[must_use]
    pub fn im(&self) -> [[f64; 3]; 3] {
        self.0.map(|r| r.map(|v| v.im))
    }

    /// Frobenius norm (m³).
    #[must_use]
    pub fn norm(&self) -> f64 {
        self.0
            .iter()
            .flatten()
            .map(Complex64::norm_sqr)
            .sum::<f64>()
            .sqrt()
    }

    /// Relative error of estimated tensors against the truth, over all
    /// frequencies: `‖est − truth‖_F / ‖truth‖_F` (pairs zipped; NaN when
    /// the truth is zero).
    ///
    /// ```
    /// # use hsm_metal::Tensor3;
    /// # use num_complex::Complex64;
    /// let truth = Tensor3::diagonal([Complex64::new(2.0, 0.0); 3]);
    /// let est = Tensor3::diagonal([Complex64::new(2.0, 0.2); 3]);
    /// assert!((Tensor3::relative_error(&[est], &[truth]) - 0.1).abs() < 1e-12);
    /// assert_eq!(Tensor3::relative_error(&[truth], &[truth]), 0.0);
    /// ```
    #[must_use]
    pub fn relative_error(est: &[Tensor3], truth: &[Tensor3]) -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        for (a, b) in est.iter().zip(truth) {
            for (x, y) in a.0.iter().flatten().zip(b.0.iter().flatten()) {
                num += (x - y).norm_sqr();
                den += y.norm_sqr();
            }
        }
        (num / den).sqrt()
    }

    /// `hᵀ M g` for real field vectors `h`, `g` (the induced voltage up to
    /// the coil constants).
    #[must_use]
    pub fn contract(&self, h: &[f64; 3], g: &[f64; 3]) -> Complex64 {
        let mut s = Complex64::new(0.0, 0.0);
        for i in 0..3 {
            for j in 0..3 {
                s += self.0[i][j] * (h[i] * g[j]);
            }
        }
        s
    }

    /// The six independent entries `[xx, yy, zz, xy, xz, yz]`.
    #[must_use]
    pub fn to_six(&self) -> [Complex64; 6] {
        let m = &self.0;
        [m[0][0], m[1][1], m[2][2], m[0][1], m[0][2], m[1][2]]
    }

    /// The tensor with six independent entries `[xx, yy, zz, xy, xz, yz]`.
    #[must_use]
    pub fn from_six(s: [Complex64; 6]) -> Tensor3 {
        Tensor3([[s[0], s[3], s[4]], [s[3], s[1], s[5]], [s[4], s[5], s[2]]])
    }

    /// Whether every entry is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        self.0.iter().flatten().all(|v| v.is_finite())
    }
}

/// Serde form: `[[[re, im]; 3]; 3]`.
impl Serialize for Tensor3 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.map(|r| r.map(|v| [v.re, v.im])).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Tensor3 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let a = <[[[f64; 2]; 3]; 3]>::deserialize(d)?;
        Ok(Tensor3(a.map(|r| r.map(|[re, im]| Complex64::new(re, im)))))
    }
}

/// A proper rotation matrix `Q` (orthonormal rows, det +1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rotation(pub [[f64; 3]; 3]);

impl Rotation {
    /// No rotation.
    pub const IDENTITY: Rotation = Rotation([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);

    /// From a quaternion `(w, x, y, z)`, normalised here (a zero quaternion
    /// gives the identity).
    #[must_use]
    pub fn from_quaternion(w: f64, x: f64, y: f64, z: f64) -> Rotation {
        let n = (w * w + x * x + y * y + z * z).sqrt();
        if !(n.is_finite() && n > 0.0) {
            return Rotation::IDENTITY;
        }
        let (w, x, y, z) = (w / n, x / n, y / n, z / n);
        Rotation([
            [
                1.0 - 2.0 * (y * y + z * z),
                2.0 * (x * y - z * w),
                2.0 * (x * z + y * w),
            ],
            [
                2.0 * (x * y + z * w),
                1.0 - 2.0 * (x * x + z * z),
                2.0 * (y * z - x * w),
            ],
            [
                2.0 * (x * z - y * w),
                2.0 * (y * z + x * w),
                1.0 - 2.0 * (x * x + y * y),
            ],
        ])
    }

    /// A rotation by `angle` radians about the unit-normalised `axis`.
    #[must_use]
    pub fn about_axis(axis: [f64; 3], angle: f64) -> Rotation {
        let n = (axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]).sqrt();
        if !(n.is_finite() && n > 0.0) {
            return Rotation::IDENTITY;
        }
        let (s, c) = (angle * 0.5).sin_cos();
        Rotation::from_quaternion(c, s * axis[0] / n, s * axis[1] / n, s * axis[2] / n)
    }

    /// A rotation uniformly distributed over SO(3) from three numbers
    /// uniform in `[0, 1)` (Shoemake's method).
    #[must_use]
    pub fn uniform(u1: f64, u2: f64, u3: f64) -> Rotation {
        let tau = 2.0 * core::f64::consts::PI;
        let (a, b) = ((1.0 - u1).sqrt(), u1.sqrt());
        Rotation::from_quaternion(
            a * (tau * u2).sin(),
            a * (tau * u2).cos(),
            b * (tau * u3).sin(),
            b * (tau * u3).cos(),
        )
    }

    /// `Q₁ Q₂` (apply `other` first, then `self`).
    #[must_use]
    pub fn then_after(&self, other: &Rotation) -> Rotation {
        let mut r = [[0.0; 3]; 3];
        for (i, row) in r.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (0..3).map(|k| self.0[i][k] * other.0[k][j]).sum();
            }
        }
        Rotation(r)
    }

    /// `Q v`.
    #[must_use]
    pub fn apply(&self, v: [f64; 3]) -> [f64; 3] {
        self.0.map(|r| r[0] * v[0] + r[1] * v[1] + r[2] * v[2])
    }
}

/// Eigenvalues of a real symmetric 3×3 matrix, descending (closed form,
/// trigonometric method; no iteration, no allocation).
#[must_use]
pub fn sym_eigenvalues(a: &[[f64; 3]; 3]) -> [f64; 3] {
    let p1 = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    let q = (a[0][0] + a[1][1] + a[2][2]) / 3.0;
    let scale = a.iter().flatten().fold(0.0_f64, |m, v| m.max(v.abs()));
    if p1 <= 1e-30 * scale * scale || scale == 0.0 {
        let mut d = [a[0][0], a[1][1], a[2][2]];
        d.sort_by(|x, y| y.total_cmp(x));
        return d;
    }
    let p2 = (a[0][0] - q).powi(2) + (a[1][1] - q).powi(2) + (a[2][2] - q).powi(2) + 2.0 * p1;
    let p = (p2 / 6.0).sqrt();
    let b = |i: usize, j: usize| (a[i][j] - if i == j { q } else { 0.0 }) / p;
    let det = b(0, 0) * (b(1, 1) * b(2, 2) - b(1, 2) * b(2, 1))
        - b(0, 1) * (b(1, 0) * b(2, 2) - b(1, 2) * b(2, 0))
        + b(0, 2) * (b(1, 0) * b(2, 1) - b(1, 1) * b(2, 0));
    let r = (det / 2.0).clamp(-1.0, 1.0);
    let phi = r.acos() / 3.0;
    // cos(φ + 2π/3) = −cos φ / 2 − (√3 / 2) sin φ: one sin_cos.
    let (sn, cs) = phi.sin_cos();
    let e1 = q + 2.0 * p * cs;
    let e3 = q + 2.0 * p * (-0.5 * cs - 0.5 * 3.0f64.sqrt() * sn);
    let e2 = 3.0 * q - e1 - e3;
    [e1, e2, e3]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(re: f64, im: f64) -> Complex64 {
        Complex64::new(re, im)
    }

    fn sample() -> Tensor3 {
        Tensor3::from_six([
            c(3.0, 1.0),
            c(-2.0, 0.5),
            c(1.0, 2.0),
            c(0.3, -0.1),
            c(-0.7, 0.2),
            c(0.4, 0.9),
        ])
    }

    #[test]
    fn eigenvalues_of_known_matrices() {
        let e = sym_eigenvalues(&[[2.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 5.0]]);
        assert_eq!(e, [5.0, 2.0, -1.0]);
        // [[2,1,0],[1,2,0],[0,0,3]] has eigenvalues 3, 3, 1.
        let e = sym_eigenvalues(&[[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 3.0]]);
        for (g, w) in e.iter().zip([3.0, 3.0, 1.0]) {
            // Repeated eigenvalues lose half the digits in acos (≈ 1e-8).
            assert!((g - w).abs() < 1e-7, "{e:?}");
        }
    }

    #[test]
    fn rotation_about_z_by_quarter_turn() {
        let q = Rotation::about_axis([0.0, 0.0, 1.0], core::f64::consts::FRAC_PI_2);
        let v = q.apply([1.0, 0.0, 0.0]);
        assert!((v[0]).abs() < 1e-15 && (v[1] - 1.0).abs() < 1e-15);
        let t = Tensor3::diagonal([c(1.0, 0.0), c(2.0, 0.0), c(3.0, 0.0)]).rotated(&q);
        assert!((t.0[0][0].re - 2.0).abs() < 1e-12 && (t.0[1][1].re - 1.0).abs() < 1e-12);
    }

    #[test]
    fn serde_round_trip() {
        let t = sample();
        let s = serde_json::to_string(&t).unwrap();
        let back: Tensor3 = serde_json::from_str(&s).unwrap();
        assert_eq!(t, back);
    }

    proptest! {
        #[test]
        fn rotation_preserves_invariants(u1 in 0.0..1.0f64, u2 in 0.0..1.0f64, u3 in 0.0..1.0f64) {
            let q = Rotation::uniform(u1, u2, u3);
            // Orthonormal with det +1.
            let qq = q.then_after(&Rotation(
                [0, 1, 2].map(|i| [0, 1, 2].map(|j| q.0[j][i])),
            ));
            for i in 0..3 {
                for j in 0..3 {
                    let want = if i == j { 1.0 } else { 0.0 };
                    prop_assert!((qq.0[i][j] - want).abs() < 1e-12);
                }
            }
            let t = sample();
            let r = t.rotated(&q);
            prop_assert!((r.norm() - t.norm()).abs() < 1e-12 * t.norm());
            for (a, b) in [(t.re(), r.re()), (t.im(), r.im())] {
                let (ea, eb) = (sym_eigenvalues(&a), sym_eigenvalues(&b));
                for k in 0..3 {
                    prop_assert!((ea[k] - eb[k]).abs() < 1e-10, "{ea:?} {eb:?}");
                }
            }
            // Symmetry is kept.
            prop_assert!((r.0[0][1] - r.0[1][0]).norm() < 1e-12);
        }

        #[test]
        fn eigenvalues_sum_to_trace(a in -5.0..5.0f64, b in -5.0..5.0f64, d in -5.0..5.0f64,
                                    x in -3.0..3.0f64, y in -3.0..3.0f64, z in -3.0..3.0f64) {
            let m = [[a, x, y], [x, b, z], [y, z, d]];
            let e = sym_eigenvalues(&m);
            prop_assert!((e[0] + e[1] + e[2] - (a + b + d)).abs() < 1e-9);
            prop_assert!(e[0] >= e[1] - 1e-12 && e[1] >= e[2] - 1e-12);
        }
    }
}
