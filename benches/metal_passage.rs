//! Metal detector: one passage end to end, and classification alone.
//!
//! Groups, each with `Throughput::Elements` set:
//! - `metal/passage`: one 2 s passage, 18 zones × 4 frequencies at 200 Hz
//!   (400 frames, 28 800 complex samples) from the simulator, processed end
//!   to end (comb filter, baseline, peak, localisation, tensor fit,
//!   features, classification, decision). Bar: <= 50 µs per passage.
//!   `process/18x4x400` is one passage (a folding knife in a right pocket)
//!   whose first fit already explains it, the cheapest path;
//!   `process_mixed/16` cycles through 16 passages (built-in threats and
//!   everyday items at body locations from head to shoe, random
//!   orientations, seeded), where the fit usually searches its other
//!   starts too: the per-passage figure to compare with the bar.
//! - `metal/classify`: features + classifier on estimated tensors, per
//!   object. Bar: <= 5 µs.
//!
//! The detector is built once; `process` reuses its scratch buffer.

#![allow(clippy::expect_used, missing_docs, reason = "benchmark harness")]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hsm::metal::library::builtin;
use hsm::metal::sim::{BodyLocation, Carried, SimConfig, Simulator};
use hsm::metal::train::default_detector;

fn passage(c: &mut Criterion) {
    let (gate, mut det) = default_detector("hospital").expect("detector");
    let lib = builtin();
    let knife = lib
        .iter()
        .find(|o| o.name == "folding_knife_8cm_stainless")
        .expect("knife");
    let mut sim = Simulator::new(gate.clone(), SimConfig::default(), 5).expect("sim");
    let (p, _) = sim
        .passage(&[Carried {
            signature: knife.signature(gate.omegas()).expect("signature"),
            location: BodyLocation::RightPocket,
            orientation: None,
        }])
        .expect("passage");
    let r = det.process(&p).expect("process");
    let locations = BodyLocation::ALL;
    let mixed: Vec<_> = lib
        .iter()
        .step_by(lib.len().div_ceil(16).max(1))
        .chain(lib.iter())
        .take(16)
        .enumerate()
        .map(|(i, o)| {
            sim.passage(&[Carried {
                signature: o.signature(gate.omegas()).expect("signature"),
                location: locations[(5 * i) % locations.len()],
                orientation: None,
            }])
            .expect("passage")
            .0
        })
        .collect();
    let mut group = c.benchmark_group("metal/passage");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("process", "18x4x400"), |b| {
        b.iter(|| det.process(black_box(&p)).expect("process"));
    });
    group.throughput(Throughput::Elements(mixed.len() as u64));
    group.bench_function(BenchmarkId::new("process_mixed", mixed.len()), |b| {
        b.iter(|| {
            for p in &mixed {
                black_box(det.process(black_box(p)).expect("process"));
            }
        });
    });
    group.finish();
    let mut group = c.benchmark_group("metal/classify");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("classify", "4 tensors"), |b| {
        b.iter(|| det.classify(black_box(&r.tensors)).expect("classify"));
    });
    group.finish();
}

criterion_group!(benches, passage);
criterion_main!(benches);
