//! The gate: its passage log at scale, and the whole pipeline per passage.
//!
//! Groups, each with `Throughput::Elements` set:
//! - `gate/log/contacts_1M`: a close-contact query (±10 min at one entrance)
//!   on a log of one million passages. Bar: <= 10 ms.
//! - `gate/log/export_parquet_1M`: streaming export of one million passages
//!   to Parquet. Bar: <= 5 s.
//! - `gate/demo/2min`: simulate two minutes at an entrance and run the gate
//!   (thermal frames, metal samples, beams, overhead detections), per
//!   simulated person; no log. The 30-minute bar (>= 50x real time) is
//!   printed by `hsm gate demo` itself.
//!
//! The one-million-passage log is built once per run in a temporary
//! directory (about 2 s); synthetic passages spread over a year at 4 gates
//! of 2 entrances.

#![allow(clippy::expect_used, missing_docs, reason = "benchmark harness")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hsm::core::{Micros, Timestamp};
use hsm::gate::{
    Alarms, ContactScope, ExportFormat, MetalFinding, Passage, PassageFlags, PassageLog, Query,
    ThermalFinding, ThermalOutcome, TokenExport, Way, demo, export,
};

const N: i64 = 1_000_000;
const T0: i64 = 1_795_390_200_000_000;

fn synthetic(k: i64) -> Passage {
    // One year: a passage every ~31.5 s on average.
    let t = T0 + k * 31_536_000;
    Passage {
        id: 0,
        gate: format!("gate-{}", k % 4),
        entrance: if k % 4 < 2 { "main" } else { "er" }.to_owned(),
        entry: Timestamp(t),
        exit: Timestamp(t + 1_500_000),
        direction: if k % 2 == 0 { Way::In } else { Way::Out },
        persons: 1,
        thermal: (k % 2 == 0).then_some(ThermalFinding {
            site_c: Some(36.2 + (k % 9) as f64 * 0.05),
            corrected_c: Some(36.25 + (k % 9) as f64 * 0.05),
            body_c: Some(36.6 + (k % 9) as f64 * 0.05),
            outcome: ThermalOutcome::Normal,
            readings: 6,
            valid_readings: 4,
            quality_flags: 0,
        }),
        metal: Some(MetalFinding {
            detected: k % 3 == 0,
            decision: "pass".into(),
            class: (k % 3 == 0).then(|| "phone".into()),
            confidence: 0.93,
            threat_probability: 0.02,
            height_band: (k % 3 == 0).then(|| "waist".into()),
            side: (k % 3 == 0).then(|| "right".into()),
        }),
        alarms: Alarms::NONE,
        flags: PassageFlags::NONE,
        token: None,
    }
}

fn log_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("million.db");
    let mut log = PassageLog::open(&path).expect("open");
    let mut batch = Vec::with_capacity(50_000);
    for chunk in 0..(N / 50_000) {
        batch.clear();
        batch.extend((0..50_000).map(|j| synthetic(chunk * 50_000 + j)));
        log.append_all(&mut batch).expect("append");
    }
    let mut group = c.benchmark_group("gate/log");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1));
    let index = N / 2;
    group.bench_function("contacts_1M", |b| {
        b.iter(|| {
            log.contacts(
                black_box(index),
                Micros::from_secs(600),
                ContactScope::SameEntrance,
            )
            .expect("contacts")
        });
    });
    group.throughput(Throughput::Elements(N as u64));
    let out = dir.path().join("million.parquet");
    group.bench_function("export_parquet_1M", |b| {
        b.iter(|| {
            export(
                &log,
                &Query::default(),
                ExportFormat::Parquet,
                &TokenExport::Drop,
                &out,
            )
            .expect("export")
        });
    });
    group.finish();
}

fn demo_bench(c: &mut Criterion) {
    let cfg = demo::DemoConfig {
        minutes: 2.0,
        seed: 3,
        ..demo::DemoConfig::default()
    };
    let persons = {
        let s = demo::run(&cfg, None, |_| {}).expect("demo");
        s.truth_in + s.truth_out
    };
    let mut group = c.benchmark_group("gate/demo");
    group.sample_size(10);
    group.throughput(Throughput::Elements(persons));
    group.bench_function("2min", |b| {
        b.iter(|| demo::run(black_box(&cfg), None, |_| {}).expect("demo"));
    });
    group.finish();
}

criterion_group!(benches, log_benches, demo_bench);
criterion_main!(benches);
