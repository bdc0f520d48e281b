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

use hsm_metal::eval::{CvReport, DetectionReport, Orientation, cross_validate, detection_trial};
use hsm_metal::library::{ObjectClass, builtin};
use hsm_metal::sim::BodyLocation;
use hsm_metal::train::{Recipe, Source, default_detector, simulate_examples, variant_objects};

fn trials() -> (DetectionReport, DetectionReport) {
    let (gate, mut det) = default_detector("hospital").unwrap();
    let sources: Vec<Source> = builtin()
        .iter()
        .map(|o| Source::from_object(o, &gate).unwrap())
        .collect();
    let (threats, innocuous): (Vec<Source>, Vec<Source>) =
        sources.into_iter().partition(|s| s.class.is_threat());
    let t = detection_trial(
        &gate,
        &mut det,
        &threats,
        &BodyLocation::ALL,
        &[Orientation::Random],
        6,
        11,
    )
    .unwrap();
    let n = detection_trial(
        &gate,
        &mut det,
        &innocuous,
        &BodyLocation::ALL,
        &[Orientation::Random],
        3,
        12,
    )
    .unwrap();
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

#[test]
fn detection_localisation_and_nuisance_at_the_measured_level() {
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
    // Regression guards at the level measured when this was written.
    assert!(
        t.threat_detection >= 0.98,
        "threat detection {:.4}\n{}",
        t.threat_detection,
        t.table()
    );
    assert!(
        n.nuisance_rate <= 0.06,
        "nuisance {:.4}\n{}",
        n.nuisance_rate,
        n.table()
    );
}

#[test]
#[ignore = "bar not met yet: see the CHANGELOG for the measured values"]
fn bar_detection_995_at_every_location_and_nuisance_5pct() {
    let (t, n) = trials();
    let (loc, worst) = t.worst_location.unwrap();
    assert!(t.threat_detection >= 0.995, "{:.4}", t.threat_detection);
    assert!(worst >= 0.995, "{loc:?} {worst:.4}");
    assert!(n.nuisance_rate <= 0.05, "{:.4}", n.nuisance_rate);
}

#[test]
fn held_out_objects_cross_validation_at_the_measured_level() {
    let r = held_out();
    assert!(r.threat_detection_at_5pct_fa >= 0.9, "{r:?}");
    assert!(r.accuracy >= 0.7, "{r:?}");
}

#[test]
#[ignore = "bar not met yet: see the CHANGELOG for the measured values"]
fn bar_held_out_threat_detection_97_at_5pct_false_alarms() {
    assert!(held_out().threat_detection_at_5pct_fa >= 0.97);
}
