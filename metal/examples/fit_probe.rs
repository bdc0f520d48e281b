//! Temporary probe: processes a fixed set of simulated passages and writes
//! per-passage fit results (for comparing fit variants).
#![allow(clippy::print_stdout, clippy::unwrap_used, missing_docs, reason = "probe")]

use hsm_metal::detect::{Detector, Program};
use hsm_metal::features::features;
use hsm_metal::library::{ObjectClass, builtin};
use hsm_metal::sim::{BodyLocation, Carried, SimConfig, Simulator};
use hsm_metal::train::{Source, variant_objects};
use hsm_metal::gate::{Gate, GateConfig};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).cloned().unwrap_or_else(|| "/tmp/probe.txt".into());
    let per: usize = args.get(2).map_or(2, |s| s.parse().unwrap());
    let gate = Gate::new(GateConfig::default()).unwrap();
    let mut objs = builtin();
    objs.extend(variant_objects(&ObjectClass::ALL, per, 91));
    let sources: Vec<Source> = objs.iter().map(|o| Source::from_object(o, &gate).unwrap()).collect();
    let mut sim = Simulator::new(gate.clone(), SimConfig::default(), 4242).unwrap();
    let mut det = Detector::new(&gate, Program::named("strict").unwrap(), None).unwrap();
    let mut passages = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        for k in 0..3 {
            let location = BodyLocation::ALL[(i * 3 + k * 5) % BodyLocation::ALL.len()];
            let (p, _) = sim
                .passage(&[Carried { signature: s.signature.clone(), location, orientation: None }])
                .unwrap();
            passages.push(p);
        }
    }
    let mut f = std::fs::File::create(&out).unwrap();
    let e0 = hsm_metal::detect::TRAJ_EVALS.load(std::sync::atomic::Ordering::Relaxed);
    let t0 = std::time::Instant::now();
    let skip = args.get(3).is_some_and(|a| a == "skip");
    if args.get(3).is_some_and(|a| a == "classify") {
        let (_, mut hd) = hsm_metal::train::default_detector("hospital").unwrap();
        let r = hd.process(&passages[0]).unwrap();
        let mut acc = 0.0;
        for _ in 0..20000 {
            acc += hd.classify(std::hint::black_box(&r.tensors)).unwrap().threat_probability;
        }
        println!("classify x20000: {acc}");
        return;
    }
    for p in passages.iter().filter(|_| !skip) {
        let r = det.process(p).unwrap();
        let fe = features(&r.tensors);
        write!(f, "{:.6e} {:.5} {:.5}", r.fit_residual, r.position_m[0], r.position_m[1]).unwrap();
        for v in fe {
            write!(f, " {v:.5}").unwrap();
        }
        writeln!(f).unwrap();
    }
    let dt = t0.elapsed();
    let e1 = hsm_metal::detect::TRAJ_EVALS.load(std::sync::atomic::Ordering::Relaxed);
    let d = e1 - e0;
    let n = passages.len() as f64;
    println!(
        "{} passages, {:.1} us/passage, evals/passage: traj_fit {:.1} traj_rows {:.1} traj_normal {:.1}",
        passages.len(),
        dt.as_secs_f64() * 1e6 / n,
        (d & 0xFFFFF) as f64 / n,
        ((d >> 20) & 0xFFFFF) as f64 / n,
        (d >> 40) as f64 / n,
    );
}
