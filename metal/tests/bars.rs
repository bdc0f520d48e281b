//! The bars, measured on the simulator with the shipped default
//! model. Sizes are kept small enough for `cargo test` (debug, hsm-metal
//! at opt-level 2); `cargo run --release -p hsm-metal --example certify`
//! runs the full-size trial and prints the tables.
//!
//! Bars not met yet are `#[ignore]`d tests stating the measured value; the
//! running tests guard the measured level against regressions.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "tests"
)]

use hsm_metal::detect::Decision;
use hsm_metal::eval::{
    CvReport, DetectionReport, Orientation, builtin_trials, cross_validate, held_out_scores,
    threat_detection_at_false_alarms,
};
use hsm_metal::library::ObjectClass;
use hsm_metal::sim::{SimConfig, Simulator};
use hsm_metal::train::{
    Recipe, Source, default_detector, default_model, simulate_examples, variant_objects,
};

fn trials() -> (DetectionReport, DetectionReport) {
    let (gate, mut det) = default_detector("hospital").unwrap();
    let (t, n) = builtin_trials(&gate, &mut det, &[Orientation::Random], (6, 3), (11, 12)).unwrap();
    eprintln!(
        "threat detection {:.4} (worst {:?}); nuisance {:.4}; height band {:.4}/{:.4}; side {:.4}/{:.4}",
        t.threat_detection,
        t.worst_location,
        n.nuisance_rate,
        t.height_band_accuracy,
        n.height_band_accuracy,
        t.side_accuracy,
        n.side_accuracy
    );
    (t, n)
}

fn held_out() -> CvReport {
    let (gate, _) = default_detector("hospital").unwrap();
    // Fresh variants (a seed the default model never saw), 5 per class.
    let objects = variant_objects(&ObjectClass::ALL, 5, 77);
    let sources: Vec<Source> = objects
        .iter()
        .map(|o| Source::from_object(o, &gate).unwrap())
        .collect();
    let data = simulate_examples(&gate, &sources, 4, 78).unwrap();
    let cfg = hsm_metal::classify::TrainConfig {
        epochs: 300,
        ..Recipe::default().train
    };
    let r = cross_validate(&data, &gate.config().frequencies_hz, 5, 0.5, &cfg, 79).unwrap();
    eprintln!(
        "cross-validation: accuracy {:.4}; threat detection {:.4} at false alarms {:.4}; at <= 5 % false alarms {:.4}",
        r.accuracy, r.threat_detection, r.false_alarm_rate, r.threat_detection_at_5pct_fa
    );
    r
}

/// The shipped default model (trained on the built-ins and seed-2026
/// variants) on 320 objects it never saw: 20 fresh variants per class from
/// seed 77 (random size, aspect, material and construction), 4 passes each
/// at random body locations and orientations, features from the detector's
/// estimates. Returns (threat detection at <= 5 % false alarms, threat
/// detection and false alarms at the fixed threshold 0.5).
fn shipped_model_on_held_out_objects() -> (f64, f64, f64) {
    let (gate, _) = default_detector("hospital").unwrap();
    let scores = held_out_scores(&gate, &default_model().unwrap(), 20, 4, (77, 78)).unwrap();
    let td5 = threat_detection_at_false_alarms(&scores, 0.05);
    let count = |f: &dyn Fn(&(f64, bool)) -> bool| scores.iter().filter(|s| f(s)).count() as f64;
    let td = count(&|s| s.1 && s.0 >= 0.5) / count(&|s| s.1);
    let fa = count(&|s| !s.1 && s.0 >= 0.5) / count(&|s| !s.1);
    eprintln!(
        "shipped model on {} held-out passages: threat detection at <= 5 % false alarms {td5:.4}; at 0.5: threat detection {td:.4}, false alarms {fa:.4}",
        scores.len()
    );
    (td5, td, fa)
}

#[test]
fn bar_held_out_objects_shipped_model_97_at_5pct_false_alarms() {
    let (td5, td, fa) = shipped_model_on_held_out_objects();
    assert!(td5 >= 0.97, "{td5:.4}");
    // The fixed alarm threshold of the hospital program is an honest
    // operating point too (chosen before seeing these objects).
    assert!(td >= 0.97 && fa <= 0.05, "{td:.4} {fa:.4}");
}

#[test]
fn detection_localisation_and_nuisance() {
    let (t, n) = trials();
    // Height band: the bar (>= 95 %), met.
    assert!(
        t.height_band_accuracy >= 0.95,
        "{:.4}",
        t.height_band_accuracy
    );
    assert!(
        n.height_band_accuracy >= 0.95,
        "{:.4}",
        n.height_band_accuracy
    );
    // Regression guard at the level measured when this was written
    // (0.9981: 2 misses in 1 080).
    assert!(
        t.threat_detection >= 0.995,
        "threat detection {:.4}\n{}",
        t.threat_detection,
        t.table()
    );
    // Nuisance alarms: the bar (<= 5 % of passes with one
    // innocuous item), met (0.0242).
    assert!(
        n.nuisance_rate <= 0.05,
        "nuisance {:.4}\n{}",
        n.nuisance_rate,
        n.table()
    );
}

/// Not a bar of the issue, but what a gate must not do: stop people who
/// carry no metal at all (the body's own response, drift, mains and noise
/// only). The nuisance bar's trial always carries an item, so a detection
/// rule that fires on the body alone would pass it; this catches that.
#[test]
fn empty_passes_are_not_stopped() {
    let (gate, mut det) = default_detector("hospital").unwrap();
    let mut sim = Simulator::new(gate, SimConfig::default(), 13).unwrap();
    let n = 200;
    let mut stopped = 0;
    for _ in 0..n {
        let (p, _) = sim.passage(&[]).unwrap();
        stopped += usize::from(det.process(&p).unwrap().decision != Decision::Pass);
    }
    eprintln!("empty passes stopped: {stopped} of {n}");
    assert!(stopped <= 2, "{stopped} of {n}");
}

/// The detection bar, measured with enough passes to decide it: 60
/// passes of each of the 12 built-in threats at each of the 15 body
/// locations (720 per location, 10 800 in all; about 90 s in release) on
/// seeds no setting was chosen on. At 720 passes, "≥ 99.5 %" allows 3
/// misses per location; a location whose true rate is 99.0 % passes with
/// probability 0.07 and one at 99.8 % with 0.94 (binomial). The regression
/// trial above has 72 passes per location, where one miss is already
/// 98.6 %: too few to decide this bar either way. Measured: 0.9992 overall,
/// worst location right wrist 0.9972 (2 of 720).
#[test]
fn bar_detection_995_at_every_location() {
    let (gate, mut det) = default_detector("hospital").unwrap();
    let (t, _) =
        builtin_trials(&gate, &mut det, &[Orientation::Random], (60, 1), (21, 22)).unwrap();
    let (loc, worst) = t.worst_location.unwrap();
    eprintln!(
        "threat detection {:.4} over {} passes; worst {loc:?} {worst:.4}",
        t.threat_detection,
        t.cells.iter().map(|c| c.passes).sum::<usize>()
    );
    assert!(t.threat_detection >= 0.995, "{:.4}", t.threat_detection);
    assert!(worst >= 0.995, "{loc:?} {worst:.4}\n{}", t.table());
}

/// The issue's comparison bar: "with whole objects held out, a
/// scikit-learn model on the same signatures reaches only about 87–93 %
/// threat detection at about 5 % false alarms […]: beat that on your own
/// held-out objects". 5-fold whole-object cross-validation within 80 fresh
/// variants (seed 77; no object in both training and test) must beat the
/// top of that range (measured 0.9500). `benches/compare/metal_sklearn.py`
/// runs scikit-learn's models on the same features and folds.
#[test]
fn bar_whole_object_cv_beats_the_quoted_scikit_learn_range() {
    let r = held_out();
    assert!(r.threat_detection_at_5pct_fa > 0.93, "{r:?}");
    assert!(r.accuracy >= 0.7, "{r:?}");
}

/// A stricter protocol than the issue asks for: the classification bar's
/// 97 % (met by the shipped model on 320 unseen variants, above) by 5-fold
/// whole-object cross-validation within only 80 variants, where each
/// fold's model sees 4 objects per class — far less training data than the
/// shipped model — and the number swings by several points with the fold
/// seed (0.936 / 0.993 / 0.957 for seeds 79 / 80 / 81 with the
/// pattern-search fit; 0.943 at seed 79 with the single-start
/// Levenberg–Marquardt fit, 0.957 with the pruned multi-start one, 0.971
/// with every start refined, 0.950 with the vertical path terms).
#[test]
#[ignore = "stricter than the issue's bars, not met (0.9500 at seed 79; it swings by several points with the fold seed): see the CHANGELOG"]
fn stricter_cv_97_at_5pct_false_alarms_within_80_objects() {
    assert!(held_out().threat_detection_at_5pct_fa >= 0.97);
}
