//! Speed and accuracy probe for the detector's passage processing.
//!
//! - `probe bench N`: the bench's passage (folding knife, right pocket,
//!   seed 5) processed N times (for callgrind instruction counts).
//! - `probe mix OUT`: every built-in object, 5 passages each at random
//!   locations and orientations (seeded), processed once; per-passage
//!   results written to OUT; prints the mean residual and the median
//!   relative tensor error against the truth.
//! - `probe cmp A B`: compares two `mix` outputs (largest relative tensor
//!   change, decisions/bands that differ).
//! - `probe acc K`: the bars' detection trials and shipped-model held-out
//!   check at K seed sets (set 0 = the bars' seeds), each printed and
//!   averaged: a less noisy accuracy comparison than one seed set.
//! - `probe err OBJECT N`: N passages of one built-in object at every body
//!   location with known orientations and no disturbances (`P_REAL=1`:
//!   the default ones), printing the relative tensor error per location
//!   (`P_VERBOSE=1`: fitted position against the truth for errors > 0.3):
//!   the estimator's own error, apart from noise.
//! - `probe dump OUT SET SEED`: one CSV line per passage (object, class,
//!   location, speed, decision, position, size, residual, threat
//!   probability, predicted class, features) for offline analysis; SET is
//!   `builtin` (the certification trial's layout: threats 6 passes per
//!   location, everyday items 3), `train` (the default recipe's objects and
//!   passes), `heldout` (20 fresh variants per class, 4 passes) or `empty`
//!   (1000 passages carrying nothing: detected, position, snapshot size,
//!   trajectory size, residual, threat probability, decision) or `idle`
//!   (1000 windows of 2 s of the gate's [`Background`] alone, nobody in
//!   the walkway; the same columns, speed 0).
//!   `P_NOISE`, `P_BODY`, `P_WALK` scale the disturbances; `P_CELL` sets
//!   `builtin`'s threat passes per cell (6).
//! - `probe truth OUT`: features of the true signatures (built-ins and the
//!   recipe's variants).
//! - `probe train OUT`: train a model by the default recipe into OUT
//!   (`P_PASSES`, `P_VARIANTS`, `P_HIDDEN`, `P_EPOCHS`, `P_THREAT_WEIGHT`
//!   override the recipe).
//!
//! `P_MODEL=FILE` makes `acc`, `dump` and `err` use that model instead of
//! the shipped one (so a retrained model is tried without rebuilding).
//!
//! `cargo run --release -p hsm-metal --example probe -- mix /tmp/a.txt`
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "diagnostic tool"
)]

use hsm_metal::eval::{
    Orientation, builtin_trials, held_out_scores, threat_detection_at_false_alarms,
};
use hsm_metal::library::builtin;
use hsm_metal::sim::{Background, BodyLocation, Carried, SimConfig, Simulator};
use hsm_metal::train::{default_detector, default_model};
use hsm_metal::{Rotation, Tensor3};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One `dump` line for a passage or window carrying nothing: set, speed,
/// detected, position, snapshot size, trajectory size, residual, threat
/// probability, decision.
fn nothing_row(text: &mut String, set: &str, speed: f64, r: &hsm_metal::detect::PassageResult) {
    use std::fmt::Write as _;
    let tn = r.tensors.iter().map(Tensor3::norm).fold(0.0, f64::max);
    let _ = writeln!(
        text,
        "{set},{speed:.3},{},{:.5},{:.5},{:.5e},{:.5e},{:.5e},{:.5},{}",
        u8::from(r.detected),
        r.position_m[0],
        r.position_m[1],
        r.size_m3,
        tn,
        r.fit_residual,
        r.threat_probability,
        r.decision.name(),
    );
}

/// One simulated passage carrying `signature` at `location`.
fn carry(
    sim: &mut Simulator,
    signature: &hsm_metal::Signature,
    location: BodyLocation,
    orientation: Option<Rotation>,
) -> (hsm_metal::gate::Passage, hsm_metal::sim::PassageTruth) {
    sim.passage(&[Carried {
        signature: signature.clone(),
        location,
        orientation,
    }])
    .unwrap()
}

fn bench(n: usize) {
    let (gate, mut det) = default_detector("hospital").unwrap();
    let lib = builtin();
    let knife = lib
        .iter()
        .find(|o| o.name == "folding_knife_8cm_stainless")
        .unwrap();
    let mut sim = Simulator::new(gate.clone(), SimConfig::default(), 5).unwrap();
    let (p, _) = carry(
        &mut sim,
        &knife.signature(gate.omegas()).unwrap(),
        BodyLocation::RightPocket,
        None,
    );
    let t0 = std::time::Instant::now();
    let mut r = None;
    for _ in 0..n {
        r = Some(det.process(std::hint::black_box(&p)).unwrap());
    }
    let r = r.unwrap();
    println!(
        "{:.1} us/passage; pos {:?} residual {:.3e} size {:.4e}",
        t0.elapsed().as_secs_f64() * 1e6 / n as f64,
        r.position_m,
        r.fit_residual,
        r.size_m3
    );
}

fn mix(out: &str) {
    let (gate, mut det) = default_detector("hospital").unwrap();
    let lib = builtin();
    let mut sim = Simulator::new(gate.clone(), SimConfig::default(), 31).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(32);
    let mut lines = String::new();
    let (mut res, mut n) = (0.0, 0usize);
    let mut errs = Vec::new();
    let mut proc_s = 0.0;
    for o in &lib {
        let sig = o.signature(gate.omegas()).unwrap();
        for _ in 0..5 {
            let location = BodyLocation::ALL[rng.random_range(0..BodyLocation::ALL.len())];
            let q = Rotation::uniform(rng.random(), rng.random(), rng.random());
            let (p, _) = carry(&mut sim, &sig, location, Some(q));
            let t0 = std::time::Instant::now();
            let r = det.process(&p).unwrap();
            proc_s += t0.elapsed().as_secs_f64();
            let truth: Vec<Tensor3> = sig.tensors.iter().map(|t| t.rotated(&q)).collect();
            errs.push(Tensor3::relative_error(&r.tensors, &truth));
            res += r.fit_residual;
            n += 1;
            let mut line = format!(
                "{} {} {:?} {:?} {:.9e} {:.9e} {:.9e} {:.9e}",
                r.detected,
                r.decision.name(),
                r.height_band,
                r.side,
                r.position_m[0],
                r.position_m[1],
                r.size_m3,
                r.threat_probability
            );
            for t in &r.tensors {
                for v in t.to_six() {
                    line += &format!(" {:.9e} {:.9e}", v.re, v.im);
                }
            }
            lines += &line;
            lines.push('\n');
        }
    }
    std::fs::write(out, lines).unwrap();
    errs.sort_by(f64::total_cmp);
    println!(
        "{n} passages: mean residual {:.5}; tensor rel err median {:.4} p75 {:.4} p90 {:.4}; {:.0} us/passage",
        res / n as f64,
        errs[n / 2],
        errs[3 * n / 4],
        errs[9 * n / 10],
        proc_s * 1e6 / n as f64
    );
}

fn cmp(a: &str, b: &str) {
    let (a, b) = (
        std::fs::read_to_string(a).unwrap(),
        std::fs::read_to_string(b).unwrap(),
    );
    let (mut worst, mut diff_dec, mut diff_band, mut n) = (0.0f64, 0, 0, 0);
    let mut rels = Vec::new();
    for (la, lb) in a.lines().zip(b.lines()) {
        let (fa, fb): (Vec<&str>, Vec<&str>) = (la.split(' ').collect(), lb.split(' ').collect());
        n += 1;
        diff_dec += usize::from(fa[1] != fb[1]);
        diff_band += usize::from(fa[2] != fb[2] || fa[3] != fb[3]);
        // Position, size, threat probability and the tensors.
        let num = |v: &[&str]| -> Vec<f64> { v[4..].iter().map(|s| s.parse().unwrap()).collect() };
        let (ta, tb) = (num(&fa), num(&fb));
        let den: f64 = ta.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-300);
        let d: f64 = ta
            .iter()
            .zip(&tb)
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt();
        rels.push(d / den);
        worst = worst.max(d / den);
    }
    rels.sort_by(f64::total_cmp);
    println!(
        "{n} passages: decisions differ {diff_dec}, band/side differ {diff_band}; tensor change median {:.2e} p90 {:.2e} max {worst:.2e}",
        rels[n / 2],
        rels[9 * n / 10]
    );
}

/// The model of `P_MODEL` (a file) or the shipped one.
fn model() -> hsm_metal::classify::Model {
    match std::env::var("P_MODEL") {
        Ok(path) => {
            hsm_metal::classify::Model::from_json(&path, &std::fs::read_to_string(&path).unwrap())
                .unwrap()
        }
        Err(_) => default_model().unwrap(),
    }
}

fn detector() -> (hsm_metal::gate::Gate, hsm_metal::detect::Detector) {
    let (gate, _) = default_detector("hospital").unwrap();
    let det = hsm_metal::detect::Detector::new(
        &gate,
        hsm_metal::detect::Program::named("hospital").unwrap(),
        Some(model()),
    )
    .unwrap();
    (gate, det)
}

/// A numeric knob from the environment (`None` when unset).
fn env_f64(key: &str) -> Option<f64> {
    std::env::var(key).ok().map(|v| v.parse::<f64>().unwrap())
}

fn train(out: &str) {
    let gate = hsm_metal::gate::Gate::new(hsm_metal::gate::GateConfig::default()).unwrap();
    let mut recipe = hsm_metal::train::Recipe::default();
    if let Some(v) = env_f64("P_PASSES") {
        recipe.passes = v as usize;
    }
    if let Some(v) = env_f64("P_VARIANTS") {
        recipe.variants_per_class = v as usize;
    }
    if let Some(v) = env_f64("P_HIDDEN") {
        recipe.train.hidden = v as usize;
    }
    if let Some(v) = env_f64("P_EPOCHS") {
        recipe.train.epochs = v as usize;
    }
    if let Some(v) = env_f64("P_THREAT_WEIGHT") {
        recipe.train.threat_weight = v;
    }
    let m = hsm_metal::train::train_default(&gate, &recipe).unwrap();
    std::fs::write(out, m.to_json().unwrap() + "\n").unwrap();
}

fn acc(sets: u64) {
    let mut tot = [0.0f64; 6];
    for k in 0..sets {
        let (gate, mut det) = detector();
        let (t, n) = builtin_trials(
            &gate,
            &mut det,
            &[Orientation::Random],
            (6, 3),
            (11 + 100 * k, 12 + 100 * k),
        )
        .unwrap();
        let model = model();
        let scores = held_out_scores(&gate, &model, 20, 4, (77 + 100 * k, 78 + 100 * k)).unwrap();
        let td5 = threat_detection_at_false_alarms(&scores, 0.05);
        let v = [
            t.threat_detection,
            t.worst_location.map_or(0.0, |w| w.1),
            n.nuisance_rate,
            t.height_band_accuracy,
            n.height_band_accuracy,
            td5,
        ];
        println!(
            "set {k}: threats {:.4} (worst {:.4}) nuisance {:.4} band {:.4}/{:.4} shipped {:.4}",
            v[0], v[1], v[2], v[3], v[4], v[5]
        );
        for (a, b) in tot.iter_mut().zip(v) {
            *a += b / sets as f64;
        }
    }
    println!(
        "mean: threats {:.4} (worst {:.4}) nuisance {:.4} band {:.4}/{:.4} shipped {:.4}",
        tot[0], tot[1], tot[2], tot[3], tot[4], tot[5]
    );
}

/// One passage per line: set, object, class, threat, location, speed,
/// detected, x, z, size, residual, threat probability, decision, features.
fn dump(out: &str, which: &str, seed: u64) {
    use hsm_metal::features::features;
    use hsm_metal::library::ObjectClass;
    use hsm_metal::train::{Source, variant_objects};
    use std::fmt::Write as _;
    let (gate, mut det) = detector();
    let (sources, passes, random_loc): (Vec<Source>, usize, bool) = match which {
        "train" => {
            let mut objects = builtin();
            objects.extend(variant_objects(&ObjectClass::ALL, 64, 2026));
            let s = objects
                .iter()
                .map(|o| Source::from_object(o, &gate).unwrap())
                .collect();
            (s, 12, true)
        }
        "heldout" => {
            let s = variant_objects(&ObjectClass::ALL, 20, seed)
                .iter()
                .map(|o| Source::from_object(o, &gate).unwrap())
                .collect();
            (s, 4, true)
        }
        "empty" | "idle" => (Vec::new(), 0, false),
        _ => {
            let (t, i) = Source::builtins(&gate).unwrap();
            let cell = std::env::var("P_CELL").map_or(6, |v| v.parse().unwrap());
            (t.into_iter().chain(i).collect(), cell, false)
        }
    };
    let mut cfg = SimConfig::default();
    if let Some(v) = env_f64("P_NOISE") {
        cfg.disturbances.noise *= v;
    }
    if let Some(v) = env_f64("P_BODY") {
        cfg.disturbances.body *= v;
    }
    if let Some(v) = env_f64("P_WALK") {
        cfg.disturbances.walk *= v;
        cfg.disturbances.drift_per_s *= v;
    }
    let mut sim = Simulator::new(gate.clone(), cfg.clone(), seed).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_1F0C);
    let mut text = String::new();
    if which == "empty" {
        // Passages carrying nothing: the body, drift, mains and noise only.
        for _ in 0..1000 {
            let (p, truth) = sim.passage(&[]).unwrap();
            let r = det.process(&p).unwrap();
            nothing_row(&mut text, "empty", truth.speed_m_s, &r);
        }
    }
    if which == "idle" {
        // Nobody at all: 2 s windows of the gate's continuous background.
        let mut bg = Background::new(&gate, &cfg.disturbances, seed).unwrap();
        let (nz, nf) = (gate.zones(), gate.frequencies());
        let mut frame = Vec::new();
        for _ in 0..1000 {
            let mut samples = Vec::with_capacity(400 * nz * nf);
            for _ in 0..400 {
                bg.next_frame(&mut frame);
                samples.extend_from_slice(&frame);
            }
            let p = hsm_metal::gate::Passage::new(nz, nf, samples).unwrap();
            let r = det.process(&p).unwrap();
            nothing_row(&mut text, "idle", 0.0, &r);
        }
    }
    for s in &sources {
        let locs: Vec<BodyLocation> = if random_loc {
            (0..passes)
                .map(|_| BodyLocation::ALL[rng.random_range(0..BodyLocation::ALL.len())])
                .collect()
        } else {
            let n = if s.class.is_threat() {
                passes
            } else {
                passes / 2
            };
            BodyLocation::ALL
                .iter()
                .flat_map(|&l| std::iter::repeat_n(l, n))
                .collect()
        };
        for location in locs {
            let (p, truth) = carry(&mut sim, &s.signature, location, None);
            let r = det.process(&p).unwrap();
            let _ = write!(
                text,
                "{which},{},{:?},{},{},{:.3},{},{:.5},{:.5},{:.5e},{:.5e},{:.5},{},{:?}",
                s.group,
                s.class,
                u8::from(s.class.is_threat()),
                location.name(),
                truth.speed_m_s,
                u8::from(r.detected),
                r.position_m[0],
                r.position_m[1],
                r.size_m3,
                r.fit_residual,
                r.threat_probability,
                r.decision.name(),
                r.class,
            );
            if !r.tensors.is_empty() {
                for f in features(&r.tensors) {
                    let _ = write!(text, ",{f:.6}");
                }
            }
            text.push('\n');
        }
    }
    std::fs::write(out, text).unwrap();
}

/// True-signature features of the built-ins and the recipe's variants.
fn truth(out: &str) {
    use hsm_metal::features::features;
    use hsm_metal::library::ObjectClass;
    use hsm_metal::train::variant_objects;
    use std::fmt::Write as _;
    let (gate, _) = default_detector("hospital").unwrap();
    let mut objects = builtin();
    objects.extend(variant_objects(&ObjectClass::ALL, 64, 2026));
    let mut text = String::new();
    for o in &objects {
        let s = o.signature(gate.omegas()).unwrap();
        let _ = write!(
            text,
            "{},{:?},{}",
            o.name,
            o.class,
            u8::from(o.class.is_threat())
        );
        for f in features(&s.tensors) {
            let _ = write!(text, ",{f:.6}");
        }
        text.push('\n');
    }
    std::fs::write(out, text).unwrap();
}

/// Median relative tensor error per location, zero disturbances unless
/// P_REAL is set: `probe err OBJECT PASSES`.
fn err(name: &str, passes: usize) {
    let (gate, mut det) = detector();
    let lib = builtin();
    let o = lib.iter().find(|o| o.name == name).unwrap();
    let sig = o.signature(gate.omegas()).unwrap();
    let mut cfg = SimConfig::default();
    if std::env::var("P_REAL").is_err() {
        let d = &mut cfg.disturbances;
        (d.noise, d.offset, d.drift_per_s, d.walk, d.mains, d.body) =
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    }
    let mut sim = Simulator::new(gate.clone(), cfg, 3).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut all = Vec::new();
    for location in BodyLocation::ALL {
        let mut errs = Vec::new();
        let mut miss = 0;
        for _ in 0..passes {
            let q = Rotation::uniform(rng.random(), rng.random(), rng.random());
            let (p, tr) = carry(&mut sim, &sig, location, Some(q));
            let r = det.process(&p).unwrap();
            miss += usize::from(r.decision.name() == "pass");
            let truth: Vec<Tensor3> = sig.tensors.iter().map(|t| t.rotated(&q)).collect();
            let e = if r.tensors.is_empty() {
                1.0
            } else {
                Tensor3::relative_error(&r.tensors, &truth)
            };
            if e > 0.3 && std::env::var("P_VERBOSE").is_ok() {
                println!(
                    "   err {e:.3} fit x {:.3} z {:.3} res {:.2e} | px {:.3} z {:.3} v {:.2} tc {:.3} peak {:.3}",
                    r.position_m[0],
                    r.position_m[1],
                    r.fit_residual,
                    tr.person_x_m,
                    tr.objects[0].2,
                    tr.speed_m_s,
                    tr.crossing_s,
                    r.peak_s
                );
            }
            errs.push(e);
        }
        errs.sort_by(f64::total_cmp);
        all.extend_from_slice(&errs);
        println!(
            "{:>13} median {:.4} p90 {:.4} max {:.4} pass {miss}",
            location.name(),
            errs[passes / 2],
            errs[9 * passes / 10],
            errs[passes - 1]
        );
    }
    all.sort_by(f64::total_cmp);
    println!(
        "all median {:.4} p90 {:.4}",
        all[all.len() / 2],
        all[9 * all.len() / 10]
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("bench") => bench(args.get(2).map_or(200, |s| s.parse().unwrap())),
        Some("mix") => mix(&args[2]),
        Some("cmp") => cmp(&args[2], &args[3]),
        Some("dump") => dump(&args[2], &args[3], args[4].parse().unwrap()),
        Some("truth") => truth(&args[2]),
        Some("err") => err(&args[2], args[3].parse().unwrap()),
        Some("train") => train(&args[2]),
        Some("acc") => acc(args.get(2).map_or(3, |s| s.parse().unwrap())),
        _ => println!(
            "probe bench N | mix OUT | cmp A B | acc K | err OBJECT N | dump OUT SET SEED | truth OUT | train OUT"
        ),
    }
}
