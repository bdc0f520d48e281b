//! Issue 3: "no allocation after the first frames". A counting global
//! allocator (dhat in testing mode, this test binary only) shows that once a
//! processor and its result buffers have seen a few frames, processing more
//! — u16 frames, °C frames, whole stacks into a kept `Vec` — allocates
//! nothing: the run, union–find, region and sample buffers are reused.
//!
//! One test function: dhat allows one profiler per process.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test"
)]

use hsm_core::{FrameView, Micros, Timestamp};
use hsm_thermal::extract::{BlackbodyConfig, FrameProcessor, FrameResult, ProcessorConfig};
use hsm_thermal::sim::bench_scene;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Heap blocks allocated so far (never decreases).
fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

#[test]
fn steady_state_processing_allocates_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    for (w, h) in [(160usize, 120usize), (384, 288), (640, 512)] {
        let (frames, cfg) = bench_scene(w, h, 8, 1).unwrap();
        let bb = cfg.blackbody.expect("the bench scene has a blackbody");
        let mut p = FrameProcessor::new(ProcessorConfig {
            radiometry: cfg.camera.radiometry,
            blackbody: Some(BlackbodyConfig::new(bb.interior(2), bb.set_point)),
            ..ProcessorConfig::default()
        })
        .unwrap();
        // °C versions of the same frames (TLinear centi-kelvin counts).
        let celsius: Vec<Vec<f32>> = frames
            .iter()
            .map(|f| f.iter().map(|&c| f32::from(c) * 0.01 - 273.15).collect())
            .collect();
        let mut out = FrameResult::default();
        let mut t = 0i64;
        let mut pass = |p: &mut FrameProcessor, out: &mut FrameResult| {
            for (f, c) in frames.iter().zip(&celsius) {
                t += 33_333;
                p.process(&FrameView::packed(f, w, h).unwrap(), Timestamp(t), out)
                    .unwrap();
                assert_eq!(out.faces().len(), 3, "{w}x{h}");
                t += 33_333;
                p.process_f32(&FrameView::packed(c, w, h).unwrap(), Timestamp(t), out)
                    .unwrap();
                assert_eq!(out.faces().len(), 3, "{w}x{h} °C");
            }
        };
        pass(&mut p, &mut out); // the first frames size the buffers
        let before = blocks();
        for _ in 0..4 {
            pass(&mut p, &mut out);
        }
        assert_eq!(
            blocks() - before,
            0,
            "{w}x{h}: per-frame processing allocated"
        );

        // Whole stacks into a kept result vector.
        let stack: Vec<u16> = frames.concat();
        let shape = (frames.len(), h, w);
        let mut results = Vec::new();
        let mut t0 = 1_000_000_000i64;
        let mut stack_pass = |p: &mut FrameProcessor, results: &mut Vec<FrameResult>| {
            p.process_stack(&stack, shape, Timestamp(t0), Micros(33_333), results)
                .unwrap();
            assert_eq!(results.len(), frames.len());
            assert!(results.iter().all(|r| r.faces().len() == 3));
            t0 += 1_000_000;
        };
        stack_pass(&mut p, &mut results);
        let before = blocks();
        for _ in 0..3 {
            stack_pass(&mut p, &mut results);
        }
        assert_eq!(blocks() - before, 0, "{w}x{h}: stacks allocated");
    }
}
