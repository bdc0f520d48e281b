//! Runs the people-counting bars of issue 6 on the simulator and prints the
//! error rates (`cargo run --release -p hsm-core --example count_bars [MINUTES] [SEED]`).
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a report"
)]

use hsm_core::counting::sim::{SimConfig, simulate};
use hsm_core::counting::{
    BeamConfig, BeamDecoder, CountingLine, LineConfig, LineCounter, Transit, evaluate,
};
use hsm_core::time::Micros;

fn run(label: &str, cfg: &SimConfig) {
    let sim = simulate(cfg).expect("simulate");
    let mut beams = BeamDecoder::new(BeamConfig {
        queue_capacity: 1 << 20,
        ..BeamConfig::default()
    })
    .unwrap();
    beams.push_all(&sim.beam_events).unwrap();
    beams.flush();
    let beam_tx: Vec<Transit> = beams.drain_transits().collect();
    let mut line_cfg = LineConfig::new(CountingLine::new(0.0, 120.0, 320.0, 120.0));
    line_cfg.queue_capacity = 1 << 20;
    let mut counter = LineCounter::new(line_cfg).unwrap();
    let start = std::time::Instant::now();
    for (k, f) in sim.frames.iter().enumerate() {
        counter.push_frame(f.t, sim.frame_detections(k)).unwrap();
    }
    let elapsed = start.elapsed();
    let track_tx: Vec<Transit> = counter.drain().collect();
    let window = Micros::from_millis(1500);
    let eb = evaluate(&beam_tx, &sim.truth, window).unwrap();
    let et = evaluate(&track_tx, &sim.truth, window).unwrap();
    println!(
        "{label}: {} truth transits, {} frames ({:.2} µs/frame)",
        sim.truth.len(),
        sim.frames.len(),
        elapsed.as_secs_f64() * 1e6 / sim.frames.len() as f64
    );
    if std::env::var_os("DIAG").is_some() {
        let mut used = vec![false; track_tx.len()];
        let mut missed = std::collections::BTreeMap::new();
        for (i, t) in sim.truth.iter().enumerate() {
            let hit = track_tx.iter().enumerate().position(|(j, p)| {
                !used[j] && p.direction == t.direction && (p.t.0 - t.t.0).abs() <= window.0
            });
            match hit {
                Some(j) => used[j] = true,
                None => {
                    *missed.entry(sim.truth_behaviour[i].name()).or_insert(0) += 1;
                    if std::env::var_os("DIAG2").is_some() {
                        println!(
                            "missed {:?} at {} person {}",
                            sim.truth_behaviour[i], t.t.0, t.track_id
                        );
                    }
                }
            }
        }
        println!("  missed by behaviour: {missed:?}");
        for (j, p) in track_tx.iter().enumerate() {
            if !used[j] {
                println!("  extra {:?}", p);
            }
        }
    }
    for (name, e) in [("beams", eb), ("tracks", et)] {
        println!(
            "  {name:6}: missed {:4} double {:4} -> {:.3} per 200 people  (in {:?}, out {:?})",
            e.missed(),
            e.double(),
            e.errors_per_200(),
            e.inbound,
            e.outbound
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let minutes: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(400.0);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(6);
    run(
        "mixed (groups, pairs, tailgating, U-turns, loitering, 5 % dropouts)",
        &SimConfig {
            seed,
            minutes,
            ..SimConfig::default()
        },
    );
    run(
        "single file (U-turns, loitering, 5 % dropouts)",
        &SimConfig {
            seed: seed + 1,
            minutes,
            single_file: true,
            ..SimConfig::default()
        },
    );
}
