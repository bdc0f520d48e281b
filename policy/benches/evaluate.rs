//! Evaluating 10 000 generated hospital profiles against `cn-henan-2024`
//! (the bar: < 1 s), with and without the trace.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "benchmark harness"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hsm_policy::Date;
use hsm_policy::evaluate::{Options, evaluate_batch};
use hsm_policy::ruleset::RuleSet;
use hsm_policy::synth;

fn bench(c: &mut Criterion) {
    let rs = RuleSet::embedded("cn-henan-2024").unwrap();
    let profiles = synth::profiles(7, 10_000);
    let at = Date::new(2024, 12, 31).unwrap();
    let mut g = c.benchmark_group("evaluate_10k_profiles");
    g.throughput(Throughput::Elements(profiles.len() as u64));
    g.sample_size(10);
    g.bench_function("cn-henan-2024/no_trace", |b| {
        b.iter(|| evaluate_batch(&rs, &profiles, at, Options { trace: false }));
    });
    g.bench_function("cn-henan-2024/with_trace", |b| {
        b.iter(|| evaluate_batch(&rs, &profiles, at, Options { trace: true }));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
