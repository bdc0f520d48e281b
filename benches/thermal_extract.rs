//! Full per-frame thermal extraction (`FrameProcessor::process`): band in
//! counts, run labelling, face qualification, robust site, blackbody
//! tracking and every quality flag, into a reused `FrameResult`.
//!
//! Group `thermal/extract`, `Throughput::Elements(1)` (one frame per
//! iteration), on simulated TLinear frames with three faces at 1.1–1.4 m
//! and the blackbody in view, at 640×512, 384×288 and 160×120. Bars (issue
//! 3): ≤ 150 µs, ≤ 50 µs, ≤ 10 µs median on one core.
//!
//! Peer in the same group (`label_image`): the textbook pipeline an
//! integrator would write — threshold in counts, two-pass 8-connected
//! labelling into a full `u32` label image with union–find, then per-label
//! area and maximum — i.e. what OpenCV's threshold + connectedComponents +
//! per-region max computes, without site, blackbody or flags.
//!
//! Frames cycle through 8 renders so the frozen-frame check never fires and
//! the blackbody tracker sees time advance.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "benchmark harness"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hsm::core::{FrameView, Micros, Timestamp};
use hsm::thermal::extract::{BlackbodyConfig, FrameProcessor, FrameResult, ProcessorConfig};
use hsm::thermal::sim::{SimConfig, bench_scene};

fn frames(w: usize, h: usize) -> (Vec<Vec<u16>>, SimConfig) {
    bench_scene(w, h, 8, 1).expect("scene")
}

/// The peer: threshold, two-pass labelling into a label image, per-label
/// area and maximum.
struct LabelImage {
    labels: Vec<u32>,
    parent: Vec<u32>,
    area: Vec<u32>,
    max: Vec<u16>,
}

impl LabelImage {
    fn find(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            let p = parent[i as usize];
            parent[i as usize] = parent[p as usize];
            i = p;
        }
        i
    }

    fn run(&mut self, px: &[u16], w: usize, h: usize, lo: u16, hi: u16) -> usize {
        self.labels.clear();
        self.labels.resize(w * h, 0);
        self.parent.clear();
        self.parent.push(0);
        for y in 0..h {
            for x in 0..w {
                let v = px[y * w + x];
                if v < lo || v > hi {
                    continue;
                }
                let mut l = 0u32;
                let mut nb = [0u32; 4];
                if x > 0 {
                    nb[0] = self.labels[y * w + x - 1];
                }
                if y > 0 {
                    let r = (y - 1) * w;
                    if x > 0 {
                        nb[1] = self.labels[r + x - 1];
                    }
                    nb[2] = self.labels[r + x];
                    if x + 1 < w {
                        nb[3] = self.labels[r + x + 1];
                    }
                }
                for &n in &nb {
                    if n != 0 {
                        if l == 0 {
                            l = n;
                        } else {
                            let (a, b) = (
                                Self::find(&mut self.parent, l),
                                Self::find(&mut self.parent, n),
                            );
                            if a != b {
                                self.parent[a.max(b) as usize] = a.min(b);
                            }
                        }
                    }
                }
                if l == 0 {
                    l = self.parent.len() as u32;
                    self.parent.push(l);
                }
                self.labels[y * w + x] = l;
            }
        }
        let n = self.parent.len();
        self.area.clear();
        self.area.resize(n, 0);
        self.max.clear();
        self.max.resize(n, 0);
        for (&l, &v) in self.labels.iter().zip(px) {
            if l != 0 {
                let r = Self::find(&mut self.parent, l) as usize;
                self.area[r] += 1;
                self.max[r] = self.max[r].max(v);
            }
        }
        self.area.iter().filter(|&&a| a >= 40).count()
    }
}

fn extract(c: &mut Criterion) {
    let mut group = c.benchmark_group("thermal/extract");
    group.throughput(Throughput::Elements(1));
    for (w, h) in [(640usize, 512usize), (384, 288), (160, 120)] {
        let (frames, cfg) = frames(w, h);
        let bb = cfg.blackbody.expect("blackbody");
        let mut p = FrameProcessor::new(ProcessorConfig {
            radiometry: cfg.camera.radiometry,
            blackbody: Some(BlackbodyConfig::new(bb.interior(2), bb.set_point)),
            ..ProcessorConfig::default()
        })
        .expect("processor");
        let mut out = FrameResult::default();
        // Check the scene: three faces found.
        p.process(
            &FrameView::packed(&frames[0], w, h).unwrap(),
            Timestamp(0),
            &mut out,
        )
        .unwrap();
        assert_eq!(out.faces().len(), 3, "{w}x{h}: {out:?}");
        let mut t = 1i64;
        let mut k = 0usize;
        group.bench_function(BenchmarkId::new("process", format!("{w}x{h}")), |b| {
            b.iter(|| {
                k = (k + 1) % frames.len();
                t += Micros(33_333).0;
                let view = FrameView::packed(&frames[k], w, h).unwrap();
                p.process(black_box(&view), Timestamp(t), &mut out).unwrap();
                black_box(out.faces().len())
            });
        });
        let (lo, hi) = p.band_counts();
        let mut peer = LabelImage {
            labels: Vec::new(),
            parent: Vec::new(),
            area: Vec::new(),
            max: Vec::new(),
        };
        group.bench_function(BenchmarkId::new("label_image", format!("{w}x{h}")), |b| {
            b.iter(|| {
                k = (k + 1) % frames.len();
                black_box(peer.run(black_box(&frames[k]), w, h, lo, hi))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, extract);
criterion_main!(benches);
