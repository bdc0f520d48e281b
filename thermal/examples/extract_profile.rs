//! Runs `FrameProcessor::process` on the bench's scene (three faces and the
//! blackbody, simulated TLinear frames) for callgrind:
//!
//! ```text
//! cargo build --release -p hsm-thermal --example extract_profile
//! valgrind --tool=callgrind target/release/examples/extract_profile 640 512 100
//! ```
//!
//! Prints the frames processed and faces found; the instruction count per
//! frame is (total − the run with 0 frames) / frames.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs,
    reason = "profiling harness"
)]

use hsm_core::{FrameView, Timestamp};
use hsm_thermal::extract::{BlackbodyConfig, FrameProcessor, FrameResult, ProcessorConfig};
use hsm_thermal::sim::bench_scene;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: width height frames"))
        .collect();
    let (w, h, n) = match args[..] {
        [w, h, n] => (w, h, n),
        _ => (640, 512, 100),
    };
    let (frames, cfg) = bench_scene(w, h, 8, 1).expect("scene");
    let bb = cfg.blackbody.expect("blackbody");
    let mut p = FrameProcessor::new(ProcessorConfig {
        radiometry: cfg.camera.radiometry,
        blackbody: Some(BlackbodyConfig::new(bb.interior(2), bb.set_point)),
        ..ProcessorConfig::default()
    })
    .expect("processor");
    if std::env::var_os("DEBUG_ROWS").is_some() {
        let (lo, hi) = p.band_counts();
        debug_rows(&frames[0], w, lo, hi);
    }
    let mut out = FrameResult::default();
    let mut faces = 0;
    if std::env::var_os("TIME").is_some() {
        // Wall clock: the best of 15 rounds of `n` frames (a quick check
        // between variants; the criterion bench is the measurement).
        let mut best = f64::INFINITY;
        let mut t = 0i64;
        for _ in 0..15 {
            let start = std::time::Instant::now();
            for k in 0..n {
                let view = FrameView::packed(&frames[k % frames.len()], w, h).unwrap();
                t += 33_333;
                p.process(&view, Timestamp(t), &mut out).unwrap();
                std::hint::black_box(out.faces().len());
            }
            best = best.min(start.elapsed().as_secs_f64() / n as f64);
        }
        println!("{w}x{h}: {:.2} µs/frame (best of 15 × {n})", best * 1e6);
        return;
    }
    for k in 0..n {
        let view = FrameView::packed(&frames[k % frames.len()], w, h).unwrap();
        p.process(&view, Timestamp(k as i64 * 33_333), &mut out)
            .unwrap();
        faces += out.faces().len();
    }
    println!("{n} frames, {faces} faces");
}

#[allow(dead_code)]
fn debug_rows(frame: &[u16], w: usize, lo: u16, hi: u16) {
    for (y, row) in frame.chunks_exact(w).enumerate() {
        let n = row.iter().filter(|&&v| v >= lo && v <= hi).count();
        if n > 0 {
            println!("row {y}: {n}");
        }
    }
}
