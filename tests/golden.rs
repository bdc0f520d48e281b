//! The shared golden vectors (`tests/data/*.vectors`), checked from Rust.
//!
//! The same files are read by the C test program and by pytest, so all three
//! doors are held to the same numbers.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use std::collections::HashMap;

use hsm::StatusCode;
use hsm::core::Celsius;
use hsm::policy::staffing::{StaffingInput, guard_staffing};
use hsm::thermal::radiometry::{
    AtmosphericConstants, PlanckConstants, Radiometry, Scene, TLinearResolution,
};

type Vector = HashMap<String, String>;

fn load(name: &str) -> Vec<Vector> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let vectors: Vec<Vector> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_whitespace()
                .map(|tok| {
                    let (k, v) = tok
                        .split_once('=')
                        .unwrap_or_else(|| panic!("bad token {tok:?}"));
                    (k.to_owned(), v.to_owned())
                })
                .collect()
        })
        .collect();
    assert!(vectors.len() >= 5, "{path}: only {} vectors", vectors.len());
    vectors
}

fn num(v: &Vector, key: &str) -> f64 {
    let s = v
        .get(key)
        .unwrap_or_else(|| panic!("{}: missing {key}", v["case"]));
    s.parse()
        .unwrap_or_else(|e| panic!("{}: {key}={s}: {e}", v["case"]))
}

fn radiometry(v: &Vector) -> Radiometry {
    match v["kind"].as_str() {
        "planck" => Radiometry::Planck {
            constants: PlanckConstants {
                r1: num(v, "r1"),
                r2: num(v, "r2"),
                b: num(v, "b"),
                f: num(v, "f"),
                o: num(v, "o"),
            },
            atmosphere: AtmosphericConstants {
                x: num(v, "x"),
                alpha1: num(v, "a1"),
                alpha2: num(v, "a2"),
                beta1: num(v, "b1"),
                beta2: num(v, "b2"),
            },
            scene: Scene {
                emissivity: num(v, "e"),
                distance_m: num(v, "dist"),
                reflected: Celsius(num(v, "refl")),
                atmosphere: Celsius(num(v, "atm")),
                window: Celsius(num(v, "win")),
                window_transmission: num(v, "win_tau"),
                relative_humidity: num(v, "rh"),
            },
        },
        "tlinear" => Radiometry::TLinear(if (num(v, "res") - 0.01).abs() < 1e-12 {
            TLinearResolution::CentiKelvin
        } else {
            TLinearResolution::DeciKelvin
        }),
        "linear" => Radiometry::Linear {
            gain: num(v, "gain"),
            offset: num(v, "offset"),
        },
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn radiometry_vectors() {
    let mut checked = 0;
    for v in load("radiometry.vectors") {
        let case = &v["case"];
        let raw = num(&v, "raw");
        let result = radiometry(&v)
            .compile()
            .map_err(hsm::Error::from)
            .and_then(|c| {
                // Through the single-value path, the direct frame path and the LUT.
                let one = c.raw_to_celsius(raw)?;
                let lut = c.lut().get(raw as u16);
                Ok((one, lut))
            });
        match (v.get("celsius"), v.get("status")) {
            (Some(_), None) => {
                let (one, lut) = result.unwrap_or_else(|e| panic!("{case}: {e}"));
                let (want, tol) = (num(&v, "celsius"), num(&v, "tol"));
                assert!(
                    (one.get() - want).abs() <= tol,
                    "{case}: {} vs {want} ± {tol}",
                    one.get()
                );
                // f32 storage costs at most ~4e-6 °C at these magnitudes.
                assert!(
                    (f64::from(lut) - want).abs() <= tol.max(1e-5),
                    "{case}: LUT {lut} vs {want}"
                );
            }
            (None, Some(_)) => {
                let want = num(&v, "status") as u32;
                let err = result.expect_err(case);
                assert_eq!(err.code().as_u32(), want, "{case}: {err}");
                assert!(StatusCode::from_u32(want).is_some());
            }
            _ => panic!("{case}: needs exactly one of celsius= or status="),
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} radiometry vectors");
}

#[test]
fn staffing_vectors() {
    for v in load("staffing.vectors") {
        let case = &v["case"];
        let r = guard_staffing(&StaffingInput {
            medical_staff_on_duty: num(&v, "staff") as u32,
            open_beds: num(&v, "beds") as u32,
            daily_outpatient_avg: num(&v, "outpatients") as u32,
        });
        assert_eq!(f64::from(r.required), num(&v, "required"), "{case}");
        assert_eq!(r.binding.name(), v["binding"], "{case}");
        let terms = [
            num(&v, "t_staff"),
            num(&v, "t_beds"),
            num(&v, "t_outpatients"),
        ];
        for (t, want) in r.terms.iter().zip(terms) {
            assert_eq!(f64::from(t.required), want, "{case}: {:?}", t.basis);
        }
    }
}
