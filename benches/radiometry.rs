//! Radiometric frame conversion: u16 counts → °C, per frame.
//!
//! Groups, each with `Throughput::Elements(pixels)`:
//! - `radiometry/frame/{WxH}`: the lookup-table path (`CelsiusLut`), the
//!   direct per-pixel Planck path (`Converter::convert_frame`), and a peer:
//!   a straight port of Thermimage's `raw2temp` that recomputes every
//!   atmospheric and reflection term per pixel, as a hand-written integration
//!   typically does.
//! - `radiometry/lut_build`: the one-off cost of building the table.

#![allow(clippy::expect_used, missing_docs, reason = "benchmark harness")]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hsm::core::{FrameView, FrameViewMut};
use hsm::thermal::radiometry::{AtmosphericConstants, PlanckConstants, Radiometry, Scene};

const R1: f64 = 21106.77;
const R2: f64 = 0.012545258;
const B: f64 = 1501.0;
const F: f64 = 1.0;
const O: f64 = -7340.0;

fn radiometry() -> Radiometry {
    Radiometry::Planck {
        constants: PlanckConstants {
            r1: R1,
            r2: R2,
            b: B,
            f: F,
            o: O,
        },
        atmosphere: AtmosphericConstants::default(),
        scene: Scene {
            emissivity: 0.95,
            ..Scene::default()
        },
    }
}

/// Thermimage `raw2temp`, term for term, per pixel (the peer).
#[allow(
    clippy::many_single_char_names,
    reason = "mirrors the reference formula's names"
)]
fn raw2temp_reference(raw: f64) -> f64 {
    let (e, od, rtemp, atemp, irwtemp, irt, rh): (f64, f64, f64, f64, f64, f64, f64) =
        (0.95, 1.0, 20.0, 20.0, 20.0, 1.0, 50.0);
    let (ata1, ata2, atb1, atb2, atx) = (0.006569, 0.01262, -0.002276, -0.00667, 1.9);
    let emiss_wind = 1.0 - irt;
    let refl_wind = 0.0;
    let h2o = (rh / 100.0_f64)
        * (1.5587 + 0.06939 * atemp - 0.00027816 * atemp * atemp
            + 0.00000068455 * atemp * atemp * atemp)
            .exp();
    let tau = |_: ()| {
        atx * (-(od / 2.0_f64).sqrt() * (ata1 + atb1 * h2o.sqrt())).exp()
            + (1.0 - atx) * (-(od / 2.0_f64).sqrt() * (ata2 + atb2 * h2o.sqrt())).exp()
    };
    let (tau1, tau2) = (tau(()), tau(()));
    let planck = |t: f64| R1 / (R2 * ((B / (t + 273.15)).exp() - F)) - O;
    let raw_refl1_attn = (1.0 - e) / e * planck(rtemp);
    let raw_atm1_attn = (1.0 - tau1) / e / tau1 * planck(atemp);
    let raw_wind_attn = emiss_wind / e / tau1 / irt * planck(irwtemp);
    let raw_refl2_attn = refl_wind / e / tau1 / irt * planck(rtemp);
    let raw_atm2_attn = (1.0 - tau2) / e / tau1 / irt / tau2 * planck(atemp);
    let raw_obj = raw / e / tau1 / irt / tau2
        - raw_atm1_attn
        - raw_atm2_attn
        - raw_wind_attn
        - raw_refl1_attn
        - raw_refl2_attn;
    B / (R1 / (R2 * (raw_obj + O)) + F).ln() - 273.15
}

/// A plausible scene: a gradient background with warm blobs, in counts.
fn frame(w: usize, h: usize) -> Vec<u16> {
    (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as f64, (i / w) as f64);
            let blob = ((x - w as f64 / 2.0).powi(2) + (y - h as f64 / 3.0).powi(2)
                < (h as f64 / 8.0).powi(2)) as u16;
            17_900 + ((x + y) as u16 % 600) + blob * 1_800
        })
        .collect()
}

fn bench_frames(c: &mut Criterion) {
    let conv = radiometry().compile().expect("valid constants");
    let lut = conv.lut();
    // The peer must compute the same thing, or the comparison means nothing.
    for raw in [17_917u16, 18_500, 20_218] {
        let (a, b) = (f64::from(lut.get(raw)), raw2temp_reference(f64::from(raw)));
        assert!((a - b).abs() < 1e-4, "LUT {a} vs peer {b} at {raw}");
    }
    for (w, h) in [(640usize, 512usize), (384, 288), (160, 120)] {
        let src = frame(w, h);
        let mut dst = vec![0f32; w * h];
        let mut group = c.benchmark_group(format!("radiometry/frame/{w}x{h}"));
        group.throughput(Throughput::Elements((w * h) as u64));
        group.bench_function(BenchmarkId::new("lut", "u16->f32"), |b| {
            b.iter(|| {
                let sv = FrameView::packed(black_box(&src), w, h).expect("shape");
                let mut dv = FrameViewMut::packed(&mut dst, w, h).expect("shape");
                lut.convert_frame(&sv, &mut dv).expect("same shape")
            });
        });
        group.bench_function(BenchmarkId::new("direct", "u16->f32"), |b| {
            b.iter(|| {
                let sv = FrameView::packed(black_box(&src), w, h).expect("shape");
                let mut dv = FrameViewMut::packed(&mut dst, w, h).expect("shape");
                conv.convert_frame(&sv, &mut dv).expect("same shape")
            });
        });
        group.bench_function(BenchmarkId::new("peer_raw2temp", "u16->f32"), |b| {
            b.iter(|| {
                for (s, d) in black_box(&src).iter().zip(dst.iter_mut()) {
                    *d = raw2temp_reference(f64::from(*s)) as f32;
                }
            });
        });
        group.finish();
    }
}

fn bench_lut_build(c: &mut Criterion) {
    let conv = radiometry().compile().expect("valid constants");
    let mut group = c.benchmark_group("radiometry/lut_build");
    group.throughput(Throughput::Elements(65_536));
    group.bench_function("planck", |b| b.iter(|| black_box(&conv).lut()));
    group.finish();
}

criterion_group!(benches, bench_frames, bench_lut_build);
criterion_main!(benches);
