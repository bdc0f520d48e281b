//! Detector behaviour: localisation, decisions, errors, the shipped model.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests"
)]

use hsm_metal::MetalError;
use hsm_metal::detect::{Decision, Detector, Program};
use hsm_metal::gate::{Gate, GateConfig, Passage};
use hsm_metal::library::{ObjectClass, builtin};
use hsm_metal::sim::{BodyLocation, Carried, HeightBand, SimConfig, Simulator};
use hsm_metal::train::{default_detector, default_model};
use num_complex::Complex64;

#[test]
fn shipped_model_loads_and_matches_the_default_gate() {
    let m = default_model().unwrap();
    assert_eq!(m.frequencies_hz, GateConfig::default().frequencies_hz);
    assert_eq!(m.classes.len(), ObjectClass::ALL.len());
    assert!(m.temperature > 0.0 && m.provenance.contains("default recipe"));
}

#[test]
fn a_pistol_at_the_waist_alarms_and_is_localised() {
    let (gate, mut det) = default_detector("hospital").unwrap();
    let pistol = builtin()
        .into_iter()
        .find(|o| o.class == ObjectClass::Firearm)
        .unwrap();
    let mut sim = Simulator::new(gate.clone(), SimConfig::default(), 4).unwrap();
    for loc in [
        BodyLocation::WaistFront,
        BodyLocation::LeftAnkle,
        BodyLocation::Head,
    ] {
        let (p, _) = sim
            .passage(&[Carried {
                signature: pistol.signature(gate.omegas()).unwrap(),
                location: loc,
                orientation: None,
            }])
            .unwrap();
        let r = det.process(&p).unwrap();
        assert!(
            r.detected && r.decision == Decision::Alarm,
            "{loc:?}: {r:?}"
        );
        assert_eq!(r.height_band, Some(loc.height_band()), "{loc:?}: {r:?}");
        assert!(r.threat_probability > 0.5 && r.confidence > 0.0 && r.confidence <= 1.0);
        assert!((0.4..1.8).contains(&r.peak_s), "{}", r.peak_s);
    }
}

#[test]
fn strict_program_alarms_on_any_metal_and_an_empty_walk_passes() {
    let gate = Gate::new(GateConfig::default()).unwrap();
    let mut det = Detector::new(&gate, Program::named("strict").unwrap(), None).unwrap();
    let coins = builtin()
        .into_iter()
        .find(|o| o.name == "coins_handful")
        .unwrap();
    let mut sim = Simulator::new(gate.clone(), SimConfig::default(), 9).unwrap();
    let (p, _) = sim
        .passage(&[Carried {
            signature: coins.signature(gate.omegas()).unwrap(),
            location: BodyLocation::RightPocket,
            orientation: None,
        }])
        .unwrap();
    let r = det.process(&p).unwrap();
    assert_eq!(r.decision, Decision::Alarm);
    assert_eq!(r.height_band, Some(HeightBand::Waist));
    let (p, _) = sim.passage(&[]).unwrap();
    let r = det.process(&p).unwrap();
    assert!(!r.detected && r.decision == Decision::Pass, "{r:?}");
}

#[test]
fn errors_are_typed() {
    let gate = Gate::new(GateConfig::default()).unwrap();
    assert!(Program::named("airport-ish").is_err());
    // A classifying program needs a model.
    assert!(Detector::new(&gate, Program::named("hospital").unwrap(), None).is_err());
    // A model trained for other frequencies is refused.
    let other = Gate::new(GateConfig {
        frequencies_hz: vec![2_000.0, 6_000.0, 18_000.0, 54_000.0],
        ..GateConfig::default()
    })
    .unwrap();
    let e = Detector::new(
        &other,
        Program::named("hospital").unwrap(),
        Some(default_model().unwrap()),
    )
    .unwrap_err();
    assert!(e.to_string().contains("model"), "{e}");
    // Wrong passage shape and too short a passage.
    let (_, mut det) = default_detector("hospital").unwrap();
    let p = Passage::new(2, 4, vec![Complex64::new(0.0, 0.0); 8 * 400]).unwrap();
    assert!(matches!(det.process(&p), Err(MetalError::Shape { .. })));
    let p = Passage::new(18, 4, vec![Complex64::new(0.0, 0.0); 72 * 20]).unwrap();
    assert!(matches!(det.process(&p), Err(MetalError::Shape { .. })));
    let mut zs = Program::named("hospital").unwrap();
    zs.zone_sensitivity = vec![1.0; 3];
    assert!(Detector::new(&gate, zs, Some(default_model().unwrap())).is_err());
    // A band's re-check threshold above the alarm threshold, or NaN.
    for r in [0.9, f64::NAN] {
        let mut p = Program::named("hospital").unwrap();
        p.band_recheck_thresholds = vec![(HeightBand::Ankle, r)];
        assert!(Detector::new(&gate, p, Some(default_model().unwrap())).is_err());
    }
}

#[test]
fn band_recheck_thresholds_override_the_programs() {
    let h = Program::named("hospital").unwrap();
    assert_eq!(h.recheck_threshold_in(HeightBand::Ankle), 0.05);
    for b in [
        HeightBand::Thigh,
        HeightBand::Waist,
        HeightBand::Torso,
        HeightBand::Head,
    ] {
        assert_eq!(h.recheck_threshold_in(b), h.recheck_threshold);
    }
    // Programs saved before the field existed still load (no overrides).
    let mut v = serde_json::to_value(&h).unwrap();
    v.as_object_mut().unwrap().remove("band_recheck_thresholds");
    let old: Program = serde_json::from_value(v).unwrap();
    assert!(old.band_recheck_thresholds.is_empty());
    assert_eq!(old.recheck_threshold_in(HeightBand::Ankle), 0.10);
}
