//! People counting, per event and per frame.
//!
//! Groups, each with `Throughput::Elements` set:
//! - `counting/beams`: the beam-pair decoder over a simulated recording's
//!   edges (chatter included), per event. Bar: <= 50 ns per event.
//! - `counting/tracks`: tracker + line counter, per frame, with 10 people
//!   in view (10 detections per frame, moving, crossing the line). Bar:
//!   <= 5 µs per frame. Also 1 and 30 detections for scale.
//!
//! The decoder and counter are built once and `reset()` between
//! iterations, so no allocation is measured (none happens per frame).

#![allow(clippy::expect_used, missing_docs, reason = "benchmark harness")]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hsm::core::Timestamp;
use hsm::core::counting::sim::{SimConfig, simulate};
use hsm::core::counting::{
    BeamConfig, BeamDecoder, CountingLine, Detection, LineConfig, LineCounter,
};

fn beams(c: &mut Criterion) {
    let sim = simulate(&SimConfig {
        seed: 3,
        minutes: 30.0,
        single_file: true,
        ..SimConfig::default()
    })
    .expect("simulate");
    let events = sim.beam_events;
    let mut group = c.benchmark_group("counting/beams");
    group.throughput(Throughput::Elements(events.len() as u64));
    let mut d = BeamDecoder::new(BeamConfig {
        queue_capacity: 1 << 16,
        ..BeamConfig::default()
    })
    .expect("decoder");
    group.bench_function(BenchmarkId::new("decode", events.len()), |b| {
        b.iter(|| {
            d.reset();
            for ev in &events {
                d.push(*ev).expect("push");
            }
            black_box(d.pending_transits())
        });
    });
    group.finish();
}

/// `frames` frames of `people` walkers in lanes, each crossing the line
/// at y = 120 every 40 frames, with a little deterministic jitter.
fn walkers(people: usize, frames: usize) -> Vec<Vec<Detection>> {
    (0..frames)
        .map(|k| {
            (0..people)
                .map(|p| {
                    let phase = (k + p * 7) % 40;
                    let down = p % 2 == 0;
                    let y = if down {
                        20.0 + 5.0 * phase as f32
                    } else {
                        220.0 - 5.0 * phase as f32
                    };
                    let x = 20.0 + 60.0 * p as f32 + ((k * 31 + p * 17) % 5) as f32;
                    Detection::new(x - 20.0, y - 15.0, 40.0, 30.0)
                })
                .collect()
        })
        .collect()
}

fn tracks(c: &mut Criterion) {
    let mut group = c.benchmark_group("counting/tracks");
    for people in [1usize, 10, 30] {
        let frames = walkers(people, 400);
        let mut cfg = LineConfig::new(CountingLine::new(0.0, 120.0, 2000.0, 120.0));
        cfg.queue_capacity = 1 << 16;
        let mut counter = LineCounter::new(cfg).expect("counter");
        group.throughput(Throughput::Elements(frames.len() as u64));
        group.bench_function(
            BenchmarkId::new("frame", format!("{people}_detections")),
            |b| {
                b.iter(|| {
                    counter.reset();
                    for (k, dets) in frames.iter().enumerate() {
                        counter
                            .push_frame(Timestamp(k as i64 * 66_667), dets)
                            .expect("frame");
                    }
                    black_box(counter.pending())
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, beams, tracks);
criterion_main!(benches);
