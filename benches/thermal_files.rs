//! Thermal files: read + convert a FLIR radiometric JPEG, iterate a SEQ.
//!
//! Groups:
//! - `thermal_files/ir_2412_read_convert`: open IR_2412.jpg from disk,
//!   assemble its APP1 chunks, parse the FFF block, decode the frame and
//!   convert it to °C with the file's own parameters (`Throughput::Elements(1)`:
//!   files per second). The peer, flyr (Python), is timed against libhsm's
//!   Python reader in `benches/compare/thermal_files.py`.
//! - `thermal_files/seq_iteration`: every frame of SampleSEQ.seq (640×480)
//!   and SampleCSQ.csq (1024×768, JPEG-LS), raw counts, file opened once
//!   (`Throughput::Elements(frames)`: frames per second).
//!
//! The GPL sample files are read from `../shared/data/thermal`; the bench
//! panics, loudly, when that folder is absent.

#![allow(
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "benchmark harness"
)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hsm::thermal::formats::{SceneOverrides, ThermalFile};

fn shared(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/thermal");
    assert!(
        dir.join("README.md").is_file(),
        "sample files missing: expected {} beside the checkout",
        dir.display()
    );
    dir.join(name)
}

fn ir_2412(c: &mut Criterion) {
    let path = shared("IR_2412.jpg");
    let mut g = c.benchmark_group("thermal_files");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ir_2412_read_convert", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut f = ThermalFile::open(black_box(&path)).expect("open");
            let conv = f.converter(&SceneOverrides::default()).expect("converter");
            f.read_celsius_with(0, &conv, &mut out).expect("frame");
            black_box(out[0])
        });
    });
    g.finish();
}

fn seq_iteration(c: &mut Criterion) {
    let mut g = c.benchmark_group("thermal_files/seq_iteration");
    for name in ["SampleSEQ.seq", "SampleCSQ.csq"] {
        let mut f = ThermalFile::open(shared(name)).expect("open");
        let n = f.frame_count();
        g.throughput(Throughput::Elements(n as u64));
        let mut raw = Vec::new();
        g.bench_function(name, |b| {
            b.iter(|| {
                for i in 0..n {
                    f.read_raw(i, &mut raw).expect("frame");
                }
                black_box(raw[0])
            });
        });
    }
    g.finish();
}

criterion_group!(benches, ir_2412, seq_iteration);
criterion_main!(benches);
