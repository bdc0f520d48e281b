//! MPT-Calculator folder import against the exact sphere (tests/data/metal/mpt_sphere).
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests"
)]

use std::path::PathBuf;

use hsm_metal::polarizability::sphere;
use hsm_metal::{MetalError, import_mpt_dir};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/metal")
        .join(name)
}

#[test]
fn sphere_folder_imports_and_interpolates() {
    let s = import_mpt_dir(&data("mpt_sphere"), "sphere").unwrap();
    assert_eq!(s.omegas.len(), 25);
    assert_eq!(s.label, "sphere");
    let m = s.at(1.0e5).unwrap();
    assert!((m.0[0][0].re + 4.4150e-6).abs() < 5e-11, "{m:?}");
    assert!((m.0[2][2].im - 1.5296e-6).abs() < 5e-11, "{m:?}");
    assert!(m.0[0][1].norm() == 0.0);
    // Gate frequencies between quarter-decade samples: within 3 % of the exact value.
    for f_hz in [1_000.0, 3_000.0, 8_000.0, 20_000.0, 77_777.0] {
        let w = 2.0 * core::f64::consts::PI * f_hz;
        let got = s.at(w).unwrap().0[1][1];
        let want = sphere(0.01, 1.5, 5.96e6, w).unwrap();
        assert!(
            (got - want).norm() < 3e-2 * want.norm(),
            "{f_hz} Hz: {got} vs {want}"
        );
    }
    let n0 = s.n0.unwrap();
    assert!((n0[0][0] - s.tensors[0].0[0][0].re).abs() < 1e-3 * n0[0][0]);
    // Out of the sampled range: an error, not an extrapolation.
    assert!(matches!(
        s.at(1.0),
        Err(MetalError::InvalidParameter { field: "omega", .. })
    ));
}

#[test]
fn size_scaling_of_an_imported_signature_matches_the_exact_larger_sphere() {
    let s = import_mpt_dir(&data("mpt_sphere"), "sphere")
        .unwrap()
        .size_scaled(2.0);
    let w = 2.0 * core::f64::consts::PI * 5_000.0;
    let got = s.at(w).unwrap().0[0][0];
    let want = sphere(0.02, 1.5, 5.96e6, w).unwrap();
    assert!((got - want).norm() < 3e-2 * want.norm(), "{got} vs {want}");
}

#[test]
fn missing_and_mismatched_folders_are_errors() {
    let e = import_mpt_dir(&data("no_such_folder"), "x").unwrap_err();
    assert!(matches!(e, MetalError::Io { .. }), "{e}");
    assert_eq!(e.code(), hsm_core::StatusCode::Io);
    let dir = std::env::temp_dir().join(format!("hsm_mpt_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Frequencies.csv"), "10\n100\n").unwrap();
    std::fs::write(
        dir.join("Tensors.csv"),
        "(1+0j),0j,0j,0j,(1+0j),0j,0j,0j,(1+0j)\n",
    )
    .unwrap();
    let e = import_mpt_dir(&dir, "x").unwrap_err();
    assert!(e.to_string().contains("1 tensors for 2 frequencies"), "{e}");
    assert_eq!(e.code(), hsm_core::StatusCode::Format);
    std::fs::remove_dir_all(&dir).unwrap();
}
