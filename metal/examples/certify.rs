//! Full-size certification-style trial of the default detector on the
//! simulator, printed as tables and JSON.
//!
//! `cargo run --release -p hsm-metal --example certify [PASSES]`
#![allow(clippy::print_stdout, reason = "command-line tool")]

use hsm_metal::MetalError;
use hsm_metal::eval::{Orientation, builtin_trials, cross_validate};
use hsm_metal::library::ObjectClass;
use hsm_metal::train::{Recipe, Source, default_detector, simulate_examples, variant_objects};

fn main() -> Result<(), MetalError> {
    let passes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let (gate, mut det) = default_detector("hospital")?;
    let (t, n) = builtin_trials(&gate, &mut det, &Orientation::ALL, (passes, passes), (1, 2))?;
    println!("== threats ==\n{}", t.table());
    println!("== innocuous ==\n{}", n.table());
    let objects = variant_objects(&ObjectClass::ALL, 8, 77);
    let held = objects
        .iter()
        .map(|o| Source::from_object(o, &gate))
        .collect::<Result<Vec<_>, _>>()?;
    let data = simulate_examples(&gate, &held, 6, 78)?;
    let cv = cross_validate(
        &data,
        &gate.config().frequencies_hz,
        8,
        0.5,
        &Recipe::default().train,
        79,
    )?;
    println!(
        "== whole-object cross-validation ({} folds, {} examples) ==\naccuracy {:.4}; threat detection {:.4} at false alarms {:.4} (p >= 0.5); at <= 5 % false alarms {:.4}",
        cv.folds,
        cv.examples,
        cv.accuracy,
        cv.threat_detection,
        cv.false_alarm_rate,
        cv.threat_detection_at_5pct_fa
    );
    let summary = serde_json::json!({
        "threat_detection": t.threat_detection,
        "worst_location": t.worst_location,
        "nuisance_rate": n.nuisance_rate,
        "height_band_accuracy": (t.height_band_accuracy + n.height_band_accuracy) / 2.0,
        "cross_validation": cv,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&summary).map_err(|e| MetalError::Format {
            file: "summary".to_owned(),
            line: 0,
            reason: e.to_string(),
        })?
    );
    Ok(())
}
