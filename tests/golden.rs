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

/// The stack and processor of `extract.vectors`: 6 frames of 160 × 120
/// (two of the speed bench's three-face scene, four of one person's walk),
/// TLinear 0.01 K, the default blackbody (interior 147,7,6,6 at 35 °C),
/// processed in order at 0, 33 333, 66 666 … µs with the library defaults.
fn extract_stack() -> (Vec<u16>, hsm::thermal::extract::FrameProcessor) {
    use hsm::core::Rect;
    use hsm::thermal::extract::{BlackbodyConfig, FrameProcessor, ProcessorConfig};
    use hsm::thermal::formats::{NpyStack, read_npy_stack};
    let dir = format!("{}/tests/data/thermal", env!("CARGO_MANIFEST_DIR"));
    let path = format!("{dir}/extract_160x120.npy");
    if std::env::var_os("HSM_BLESS").is_some() {
        use hsm::thermal::formats::{ExportFormat, StackWriter};
        use hsm::thermal::sim::{SimConfig, Simulator, bench_scene};
        let (mut frames, _) = bench_scene(160, 120, 2, 7).unwrap();
        let mut sim = Simulator::new(SimConfig {
            seed: 11,
            ..SimConfig::default()
        })
        .unwrap();
        frames.extend(sim.passage().frames.into_iter().skip(4).map(|f| f.counts));
        let mut w = StackWriter::create(
            std::path::Path::new(&path),
            ExportFormat::Npy,
            false,
            frames.len(),
            160,
            120,
        )
        .unwrap();
        for f in &frames {
            w.write_raw(f).unwrap();
        }
        w.finish().unwrap();
    }
    let NpyStack::U16 { data, shape } = read_npy_stack(&path).unwrap() else {
        panic!("{path}: not uint16");
    };
    assert_eq!(shape, (6, 120, 160));
    let p = FrameProcessor::new(ProcessorConfig {
        blackbody: Some(BlackbodyConfig::new(Rect::new(147, 7, 6, 6), Celsius(35.0))),
        ..ProcessorConfig::default()
    })
    .unwrap();
    (data, p)
}

/// `extract.vectors`: every face of every frame of `extract_160x120.npy`
/// (box, site, temperatures, flags) and each frame's face count.
/// `HSM_BLESS=1` regenerates the stack and the vectors.
#[test]
fn extract_vectors() {
    use hsm::core::{Micros, Timestamp};
    let (data, mut p) = extract_stack();
    let mut results = Vec::new();
    p.process_stack(
        &data,
        (6, 120, 160),
        Timestamp(0),
        Micros(33_333),
        &mut results,
    )
    .unwrap();
    let vpath = format!("{}/tests/data/extract.vectors", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("HSM_BLESS").is_some() {
        let mut s = String::from(
            "# libhsm golden vectors: per-frame face extraction (issue 3).\n\
             #\n\
             # Read by: tests/golden.rs (Rust), bindings/c/tests/test_thermal_screen.c (C),\n\
             # bindings/python/tests/test_thermal_screen.py (Python). Input:\n\
             # tests/data/thermal/extract_160x120.npy, uint16 (6, 120, 160), TLinear 0.01 K,\n\
             # processed in order at t = 33333*frame us with the library defaults\n\
             # (band 30-43 C, min face 800 px, min region 40, 24 candidates, single\n\
             # person) and the blackbody 147,7,6,6 at 35 C. One line per frame\n\
             # (kind=frame: frame, faces) and per face (kind=face: frame, index,\n\
             # x y w h = bbox, sx sy = site, site_c, corrected_c, flags = bits,\n\
             # tol = absolute tolerance in C). Regenerate: HSM_BLESS=1 cargo test\n\
             # --test golden extract_vectors.\n",
        );
        for (i, r) in results.iter().enumerate() {
            s.push_str(&format!(
                "case=frame{i} kind=frame frame={i} faces={}\n",
                r.faces().len()
            ));
            for (k, f) in r.faces().iter().enumerate() {
                s.push_str(&format!(
                    "case=frame{i}_face{k} kind=face frame={i} index={k} x={} y={} w={} h={} sx={} sy={} site_c={:.6} corrected_c={:.6} flags={} tol=0.001\n",
                    f.bbox.x,
                    f.bbox.y,
                    f.bbox.width,
                    f.bbox.height,
                    f.site.x,
                    f.site.y,
                    f.site_c.get(),
                    f.corrected_c.get(),
                    f.flags.bits()
                ));
            }
        }
        std::fs::write(&vpath, s).unwrap();
    }
    let mut faces = 0;
    for v in load("extract.vectors") {
        let case = &v["case"];
        let r = &results[num(&v, "frame") as usize];
        match v["kind"].as_str() {
            "frame" => assert_eq!(r.faces().len() as f64, num(&v, "faces"), "{case}"),
            "face" => {
                faces += 1;
                let f = r.faces()[num(&v, "index") as usize];
                let got = [
                    f.bbox.x,
                    f.bbox.y,
                    f.bbox.width,
                    f.bbox.height,
                    f.site.x,
                    f.site.y,
                ];
                let want = ["x", "y", "w", "h", "sx", "sy"].map(|k| num(&v, k) as u32);
                assert_eq!(got, want, "{case}");
                assert_eq!(f64::from(f.flags.bits()), num(&v, "flags"), "{case}");
                let tol = num(&v, "tol");
                for (g, k) in [
                    (f.site_c.get(), "site_c"),
                    (f.corrected_c.get(), "corrected_c"),
                ] {
                    let w = num(&v, k);
                    assert!(
                        (g - w).abs() <= tol || (g.is_nan() && w.is_nan()),
                        "{case}: {k} {g} vs {w}"
                    );
                }
            }
            other => panic!("{case}: kind {other}"),
        }
    }
    assert!(faces >= 6, "only {faces} face vectors");
}
