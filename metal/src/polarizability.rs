//! Magnetic polarizability tensors (MPTs): an object's eddy-current signature.
//!
//! A small metal object in a walk-through detector responds as a magnetic
//! dipole, `V ≈ H_rx · M(ω) · H_tx`, where `M(ω)` is its complex symmetric
//! 3×3 polarizability tensor in m³. For a sphere the tensor is `m(ω) · I`,
//! with `m` known in closed form ([`sphere`]).
//!
//! Sign convention: that of Ledger & Lionheart and MPT-Calculator (time
//! dependence `e^{iωt}` with the induced field's loss in `+Im`): a
//! non-magnetic conductor has `Re m < 0` (eddy currents expel the field) and
//! `Im m > 0` (loss). Tensors imported from MPT-Calculator use the same one.

use num_complex::Complex64;

use crate::error::MetalError;

/// Permeability of free space, H/m (the pre-2019 exact value; the 2019 SI
/// value differs by 1e-10 relative).
pub const MU_0: f64 = 4.0e-7 * core::f64::consts::PI;

fn positive(field: &'static str, value: f64, expected: &'static str) -> Result<f64, MetalError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(MetalError::InvalidParameter {
            field,
            value,
            expected,
        })
    }
}

/// The exact polarizability `m` (m³) of a homogeneous sphere, `M = m · I`.
///
/// `radius_m` > 0, `mu_r` ≥ 1 is not required (any > 0), `sigma` in S/m > 0,
/// `omega` in rad/s ≥ 0. At `omega = 0` the magnetostatic limit
/// `4πR³ (μr − 1)/(μr + 2)` is returned.
///
/// Formula (Wait 1951; as in Ledger & Lionheart 2016): with
/// `k = √(−iωμσ)·R`, `t = tanh k`,
/// `m = 2πR³ · (2μ(t − k) + μ0(k²t − k + t)) / (μ(t − k) − μ0(k²t − k + t))`.
///
/// ```
/// use hsm_metal::polarizability::sphere;
/// // 1 cm radius, μr 1.5, σ 5.96e6 S/m, ω = 1e5 rad/s.
/// let m = sphere(0.01, 1.5, 5.96e6, 1.0e5)?;
/// assert!((m.re - -4.4150e-6).abs() < 1e-9 && (m.im - 1.5296e-6).abs() < 1e-9);
/// # Ok::<(), hsm_metal::MetalError>(())
/// ```
///
/// # Errors
/// [`MetalError::InvalidParameter`] naming a non-finite or non-positive input.
pub fn sphere(radius_m: f64, mu_r: f64, sigma: f64, omega: f64) -> Result<Complex64, MetalError> {
    let r = positive("radius_m", radius_m, "a finite radius > 0 m")?;
    let mu_r = positive("mu_r", mu_r, "a finite relative permeability > 0")?;
    let sigma = positive("sigma", sigma, "a finite conductivity > 0 S/m")?;
    if !(omega.is_finite() && omega >= 0.0) {
        return Err(MetalError::InvalidParameter {
            field: "omega",
            value: omega,
            expected: "a finite angular frequency >= 0 rad/s",
        });
    }
    let scale = 2.0 * core::f64::consts::PI * r * r * r;
    let mu = mu_r * MU_0;
    let k = (Complex64::new(0.0, -omega * mu * sigma)).sqrt() * r;
    if k.norm() < 1e-4 {
        // Series limit: (t − k) → −k³/3, (k²t − k + t) → 2k³/3.
        return Ok(Complex64::from(2.0 * scale * (mu_r - 1.0) / (mu_r + 2.0)));
    }
    // tanh saturates to ±1 long before exp overflows.
    let t = if k.re.abs() > 20.0 {
        Complex64::from(k.re.signum())
    } else {
        k.tanh()
    };
    let a = t - k;
    let b = k * k * t - k + t;
    Ok(scale * (2.0 * mu * a + MU_0 * b) / (mu * a - MU_0 * b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_value() {
        let m = sphere(0.01, 1.5, 5.96e6, 1.0e5).unwrap();
        assert!((m.re + 4.4150e-6).abs() < 5e-11, "{m}");
        assert!((m.im - 1.5296e-6).abs() < 5e-11, "{m}");
    }

    #[test]
    fn limits() {
        let r: f64 = 0.01;
        let vol = 2.0 * core::f64::consts::PI * r.powi(3);
        // Magnetostatic limit of a permeable sphere.
        let m0 = sphere(r, 100.0, 1e6, 0.0).unwrap();
        assert!((m0.re - 2.0 * vol * 99.0 / 102.0).abs() < 1e-15 && m0.im == 0.0);
        // Continuity of the low-frequency branch.
        let m_small = sphere(r, 100.0, 1e6, 1e-6).unwrap();
        assert!((m_small - m0).norm() < 1e-9 * m0.norm());
        // Perfect-conductor limit for μr = 1: m → −2πR³.
        let m_inf = sphere(r, 1.0, 1e8, 1e9).unwrap();
        assert!(
            (m_inf.re + vol).abs() < 1e-3 * vol && m_inf.im.abs() < 1e-2 * vol,
            "{m_inf}"
        );
        // Non-magnetic conductors have Re < 0 and Im > 0 at moderate frequency.
        let al = sphere(r, 1.0, 3.5e7, 2.0 * core::f64::consts::PI * 5000.0).unwrap();
        assert!(al.re < 0.0 && al.im > 0.0);
    }

    #[test]
    fn bad_inputs_are_named() {
        for (f, m) in [
            ("radius_m", sphere(0.0, 1.0, 1.0, 1.0)),
            ("mu_r", sphere(1.0, f64::NAN, 1.0, 1.0)),
            ("sigma", sphere(1.0, 1.0, -1.0, 1.0)),
            ("omega", sphere(1.0, 1.0, 1.0, f64::INFINITY)),
        ] {
            assert!(m.unwrap_err().to_string().contains(f));
        }
    }
}
