//! Rotation-invariant signature features.
//!
//! Per frequency: the three eigenvalues of `Re M` and of `Im M`
//! (descending), the traces of `Re M` and `Im M` (linear, hence the most
//! robust to estimation noise), the Frobenius norms of `Re M`, `Im M` and
//! `M`, and the anisotropy `λmax − λmin` of `Re M` and `Im M` — 13 numbers, each passed through a signed
//! logarithm `slog(x) = sign(x) · ln(1 + |x| / 1e-8 m³)` so that objects
//! from a coin to a firearm sit on one scale and a size change by `s` is
//! (for large responses) a shift by `3 ln s`. Rotating the object leaves
//! them unchanged (a property test checks it).

use crate::tensor::{Tensor3, sym_eigenvalues};

/// Features per frequency.
pub const PER_FREQUENCY: usize = 13;

/// The reference scale of the signed logarithm (m³).
pub const SLOG_SCALE_M3: f64 = 1e-8;

/// `sign(x) · ln(1 + |x| / 1e-8)`.
#[must_use]
pub fn slog(x: f64) -> f64 {
    let u = x.abs() / SLOG_SCALE_M3;
    // For u >= 1, 1 + u rounds harmlessly and `ln` is cheaper than `ln_1p`.
    x.signum() * if u >= 1.0 { (1.0 + u).ln() } else { u.ln_1p() }
}

/// Write the features of `tensors` (one per frequency) into `out`, which
/// must hold `PER_FREQUENCY × tensors.len()` values; returns how many were
/// written (fewer if `out` is short).
pub fn write_features(tensors: &[Tensor3], out: &mut [f64]) -> usize {
    let mut n = 0;
    for (t, chunk) in tensors.iter().zip(out.chunks_exact_mut(PER_FREQUENCY)) {
        let r = sym_eigenvalues(&t.re());
        let i = sym_eigenvalues(&t.im());
        chunk[0] = slog(r[0]);
        chunk[1] = slog(r[1]);
        chunk[2] = slog(r[2]);
        chunk[3] = slog(i[0]);
        chunk[4] = slog(i[1]);
        chunk[5] = slog(i[2]);
        chunk[6] = slog(t.norm());
        let (re, im) = (t.re(), t.im());
        let fro = |m: &[[f64; 3]; 3]| m.iter().flatten().map(|v| v * v).sum::<f64>().sqrt();
        chunk[7] = slog(re[0][0] + re[1][1] + re[2][2]);
        chunk[8] = slog(im[0][0] + im[1][1] + im[2][2]);
        chunk[9] = slog(fro(&re));
        chunk[10] = slog(fro(&im));
        chunk[11] = slog(r[0] - r[2]);
        chunk[12] = slog(i[0] - i[2]);
        n += PER_FREQUENCY;
    }
    n
}

/// The features of `tensors` as a vector.
#[must_use]
pub fn features(tensors: &[Tensor3]) -> Vec<f64> {
    let mut v = vec![0.0; PER_FREQUENCY * tensors.len()];
    write_features(tensors, &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::builtin;
    use crate::tensor::Rotation;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn features_are_rotation_invariant(k in 0usize..24, u1 in 0.0..1.0f64, u2 in 0.0..1.0f64, u3 in 0.0..1.0f64) {
            let lib = builtin();
            let o = &lib[k % lib.len()];
            let w = [6283.0, 56548.0];
            let s = o.signature(&w).unwrap();
            let q = Rotation::uniform(u1, u2, u3);
            let rotated: Vec<_> = s.tensors.iter().map(|t| t.rotated(&q)).collect();
            let (a, b) = (features(&s.tensors), features(&rotated));
            for (x, y) in a.iter().zip(&b) {
                prop_assert!((x - y).abs() < 1e-5, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn slog_is_odd_and_monotone() {
        assert_eq!(slog(0.0), 0.0);
        assert!((slog(-1e-6) + slog(1e-6)).abs() < 1e-15);
        assert!(slog(2e-6) > slog(1e-6));
    }
}
