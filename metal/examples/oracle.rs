//! Diagnosis: is held-out classification limited by the tensor estimate
//! or by the features and classifier? On fresh variants (seed 77, as the
//! bars' `held_out()`), prints the detector's relative tensor error per
//! body location, then the bars' whole-object cross-validation on features
//! of the estimated tensors, of the true tensors, and of the true tensors
//! with 10 % noise, and the shipped model on both.
//!
//! `cargo run --release -p hsm-metal --example oracle [PER_CLASS]`
//! (`QUIET=1`: no noise, drift or mains; `NOBODY=1`: no body effect).
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "diagnostic tool"
)]

use hsm_metal::classify::{Example, TrainConfig};
use hsm_metal::detect::{Detector, Program};
use hsm_metal::eval::cross_validate;
use hsm_metal::features::features;
use hsm_metal::library::ObjectClass;
use hsm_metal::sim::{BodyLocation, Carried, SimConfig, Simulator};
use hsm_metal::train::{Labelled, Recipe, Source, default_detector, variant_objects};
use hsm_metal::{Rotation, Tensor3};
use num_complex::Complex64;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn at5(scores: &mut [(f64, bool)]) -> f64 {
    let mut neg: Vec<f64> = scores.iter().filter(|s| !s.1).map(|s| s.0).collect();
    neg.sort_by(|a, b| b.total_cmp(a));
    let t5 = neg
        .get((0.05 * neg.len() as f64).floor() as usize)
        .copied()
        .unwrap_or(0.0);
    let pos = scores.iter().filter(|s| s.1).count();
    scores.iter().filter(|s| s.1 && s.0 > t5).count() as f64 / pos as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let per_class: usize = args.get(1).map_or(5, |s| s.parse().unwrap());
    let (gate, _) = default_detector("hospital").unwrap();
    let objects = variant_objects(&ObjectClass::ALL, per_class, 77);
    let sources: Vec<Source> = objects
        .iter()
        .map(|o| Source::from_object(o, &gate).unwrap())
        .collect();
    let mut sc = SimConfig::default();
    if std::env::var("QUIET").is_ok() {
        sc.disturbances.noise = 0.0;
        sc.disturbances.walk = 0.0;
        sc.disturbances.mains = 0.0;
        sc.disturbances.drift_per_s = 0.0;
    }
    if std::env::var("NOBODY").is_ok() {
        sc.disturbances.body = 0.0;
    }
    let mut sim = Simulator::new(gate.clone(), sc, 78).unwrap();
    let mut det = Detector::new(&gate, Program::named("strict").unwrap(), None).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(4242);
    let mut est = Vec::new();
    let mut ora = Vec::new();
    let mut noisy = Vec::new();
    let mut err_by_loc = vec![(0.0, 0usize); 15];
    let (mut ok_band, mut ndet) = (0, 0);
    let mut proc_s = 0.0;
    let mut errs: Vec<f64> = Vec::new();
    for s in &sources {
        for _ in 0..4 {
            let li = rng.random_range(0..15);
            let location = BodyLocation::ALL[li];
            let q = Rotation::uniform(rng.random(), rng.random(), rng.random());
            let (p, _) = sim
                .passage(&[Carried {
                    signature: s.signature.clone(),
                    location,
                    orientation: Some(q),
                }])
                .unwrap();
            let t0 = std::time::Instant::now();
            let r = det.process(&p).unwrap();
            proc_s += t0.elapsed().as_secs_f64();
            let truth: Vec<Tensor3> = s.signature.tensors.iter().map(|t| t.rotated(&q)).collect();
            let e = Tensor3::relative_error(&r.tensors, &truth);
            err_by_loc[li].0 += e.min(3.0);
            errs.push(e);
            err_by_loc[li].1 += 1;
            ndet += 1;
            ok_band += usize::from(r.height_band == Some(location.height_band()));
            let lab = |f: Vec<f64>| Labelled {
                example: Example {
                    features: f,
                    class: s.class,
                },
                group: s.group.clone(),
                location,
            };
            if !r.tensors.is_empty() {
                est.push(lab(features(&r.tensors)));
            }
            ora.push(lab(features(&truth)));
            // 10 % relative complex noise per entry.
            let scale = truth.iter().map(Tensor3::norm).fold(0.0, f64::max) * 0.10 / 3.0;
            let nt: Vec<Tensor3> = truth
                .iter()
                .map(|t| {
                    let mut t = *t;
                    for i in 0..3 {
                        for j in i..3 {
                            let n = Complex64::new(
                                scale * (rng.random::<f64>() - 0.5) * 3.4,
                                scale * (rng.random::<f64>() - 0.5) * 3.4,
                            );
                            t.0[i][j] += n;
                            if i != j {
                                t.0[j][i] += n;
                            }
                        }
                    }
                    t
                })
                .collect();
            noisy.push(lab(features(&nt)));
        }
    }
    errs.sort_by(f64::total_cmp);
    println!(
        "band {ok_band}/{ndet}; rel err median {:.3} p90 {:.3}; <0.1 {:.3} <0.3 {:.3}; {:.0} us/passage",
        errs[errs.len() / 2],
        errs[errs.len() * 9 / 10],
        errs.iter().filter(|e| **e < 0.1).count() as f64 / errs.len() as f64,
        errs.iter().filter(|e| **e < 0.3).count() as f64 / errs.len() as f64,
        proc_s / errs.len() as f64 * 1e6
    );
    if std::env::var("ONLYERR").is_ok() {
        return;
    }
    for (l, (e, n)) in BodyLocation::ALL.iter().zip(&err_by_loc) {
        println!(
            "{:<12} rel err {:.3} (n={n})",
            l.name(),
            e / (*n).max(1) as f64
        );
    }
    let cfg = TrainConfig {
        epochs: 300,
        ..Recipe::default().train
    };
    let f = &gate.config().frequencies_hz;
    for (name, data) in [
        ("estimated", &est),
        ("oracle", &ora),
        ("oracle+10%", &noisy),
    ] {
        let r = cross_validate(data, f, 5, 0.5, &cfg, 79).unwrap();
        println!(
            "{name:<11} CV acc {:.3} td@5 {:.3}",
            r.accuracy, r.threat_detection_at_5pct_fa
        );
    }
    // The shipped default model on these held-out objects.
    let (_, d) = default_detector("hospital").unwrap();
    let m = d.model().unwrap();
    let mut sc: Vec<(f64, bool)> = est
        .iter()
        .map(|l| {
            (
                m.predict(&l.example.features).unwrap().threat_probability,
                l.example.class.is_threat(),
            )
        })
        .collect();
    println!(
        "default model on held-out objects: td@5 {:.3}",
        at5(&mut sc)
    );
    let mut sc: Vec<(f64, bool)> = ora
        .iter()
        .map(|l| {
            (
                m.predict(&l.example.features).unwrap().threat_probability,
                l.example.class.is_threat(),
            )
        })
        .collect();
    println!("default model on oracle features: td@5 {:.3}", at5(&mut sc));
}
