use super::*;
use crate::sim::{BlackbodySpec, CameraModel, Placement, Scene, SimConfig, SimFrame, Simulator};

fn view(f: &SimFrame) -> FrameView<'_, u16> {
    FrameView::packed(&f.counts, 160, 120).unwrap()
}

fn bb_config(spec: BlackbodySpec) -> BlackbodyConfig {
    BlackbodyConfig::new(spec.interior(2), spec.set_point)
}

/// A processor for the default simulated camera, with its blackbody.
fn processor(sim: &Simulator) -> FrameProcessor {
    FrameProcessor::new(ProcessorConfig {
        radiometry: sim.config().camera.radiometry,
        blackbody: sim.config().blackbody.map(bb_config),
        ..ProcessorConfig::default()
    })
    .unwrap()
}

/// A seeded xorshift generator: `rnd(n)` is in `0..n`.
fn xorshift(mut state: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}

fn one_face(sim: &mut Simulator, d: f64) -> (SimFrame, crate::sim::Person) {
    let person = sim.draw_person();
    let f = sim.render(&Scene {
        people: vec![Placement {
            person,
            x: 80.0,
            y: 55.0,
            distance_m: d,
        }],
        ..Scene::default()
    });
    (f, person)
}

#[test]
fn band_is_converted_once_to_counts() {
    let p = FrameProcessor::new(ProcessorConfig::default()).unwrap();
    // TLinear centi-kelvin: 30 °C = 30315 counts; 43 °C = 31615 (its
    // temperature rounds a hair above 43 in f64, so the last count is 31614).
    assert_eq!(p.band_counts(), (30315, 31614));
    let planck = Radiometry::Planck {
        constants: crate::radiometry::PlanckConstants {
            r1: 21106.77,
            r2: 0.012545258,
            b: 1501.0,
            f: 1.0,
            o: -7340.0,
        },
        atmosphere: crate::radiometry::AtmosphericConstants::default(),
        scene: crate::radiometry::Scene::default(),
    };
    let p = FrameProcessor::new(ProcessorConfig {
        radiometry: planck,
        ..ProcessorConfig::default()
    })
    .unwrap();
    let (lo, hi) = p.band_counts();
    let c = p.converter();
    assert!(c.celsius_of(f64::from(lo)).unwrap().get() >= 30.0);
    assert!(c.celsius_of(f64::from(lo - 1)).unwrap().get() < 30.0);
    assert!(c.celsius_of(f64::from(hi)).unwrap().get() <= 43.0);
    assert!(c.celsius_of(f64::from(hi + 1)).unwrap().get() > 43.0);
}

#[test]
fn one_face_with_blackbody_reads_the_site() {
    let mut sim = Simulator::new(SimConfig {
        camera: CameraModel {
            offset: Celsius(0.8),
            ..CameraModel::default()
        },
        ..SimConfig::default()
    })
    .unwrap();
    let mut p = processor(&sim);
    let mut out = FrameResult::default();
    for _ in 0..5 {
        let (f, person) = one_face(&mut sim, 0.85);
        p.process(&view(&f), f.truth.timestamp, &mut out).unwrap();
        assert_eq!(out.faces().len(), 1, "{out:?}");
        let face = out.faces()[0];
        assert!(face.flags.is_valid(), "{}", face.flags);
        assert!(
            (face.corrected_c.get() - person.site.get()).abs() < 0.2,
            "{face:?} vs {person:?}"
        );
        assert!((face.site_c.get() - person.site.get() - 0.8).abs() < 0.2);
        let t = f.truth.faces[0];
        let near = t.canthi.iter().any(|c| {
            (c.x - face.site.x as f32 - 0.5).abs() <= 3.0
                && (c.y - face.site.y as f32 - 0.5).abs() <= 3.0
        });
        assert!(near, "site {:?} vs canthi {:?}", face.site, t.canthi);
        assert!(t.bbox.intersection(face.bbox).is_some());
        assert!(
            (out.blackbody.offset.get() - 0.8).abs() < 0.05,
            "{:?}",
            out.blackbody
        );
    }
}

#[test]
fn no_blackbody_means_every_reading_says_so() {
    let mut sim = Simulator::new(SimConfig {
        blackbody: None,
        ..SimConfig::default()
    })
    .unwrap();
    let mut p = FrameProcessor::new(ProcessorConfig::default()).unwrap();
    let mut out = FrameResult::default();
    let (f, _) = one_face(&mut sim, 0.85);
    p.process(&view(&f), f.truth.timestamp, &mut out).unwrap();
    let face = out.faces()[0];
    assert!(face.flags.contains(QualityFlags::NO_BLACKBODY) && face.corrected_c.get().is_nan());
    assert!(face.site_c.get().is_finite());
}

#[test]
fn ties_are_broken_in_raster_order_and_a_flat_face_is_deterministic() {
    // A uniform 36 °C disc: every window scores the same; the site is the
    // first candidate in raster order whose window is full.
    let (w, h) = (64usize, 48usize);
    let bg = 29315u16; // 20 °C
    let face = 30915u16; // 36 °C
    let mut px = vec![bg; w * h];
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f64 - 32.0, (y as f64 - 24.0) / 1.2);
            if dx * dx + dy * dy <= 16.0 * 16.0 {
                px[y * w + x] = face;
            }
        }
    }
    let mut p = FrameProcessor::new(ProcessorConfig {
        min_face_pixels: 100,
        ..ProcessorConfig::default()
    })
    .unwrap();
    let mut out = FrameResult::default();
    p.process(
        &FrameView::packed(&px, w, h).unwrap(),
        Timestamp(0),
        &mut out,
    )
    .unwrap();
    let f = out.faces()[0];
    // The first pixel of the disc in raster order is on its top edge, whose
    // window has cold pixels; the first full-window candidate wins, and the
    // result is the same every time.
    assert!((f.site_c.get() - 36.0).abs() < 1e-9);
    let again = {
        let mut q = FrameProcessor::new(*p.config()).unwrap();
        let mut o = FrameResult::default();
        q.process(&FrameView::packed(&px, w, h).unwrap(), Timestamp(0), &mut o)
            .unwrap();
        o.faces()[0].site
    };
    assert_eq!(f.site, again);
    assert_eq!(f.area as usize, px.iter().filter(|&&v| v == face).count());
    assert!(
        (f.centroid.x - 32.0).abs() < 0.6 && (f.centroid.y - 24.0).abs() < 0.6,
        "{:?}",
        f.centroid
    );
}

#[test]
fn nothing_is_allocated_after_warm_up() {
    let mut sim = Simulator::new(SimConfig::default()).unwrap();
    let mut p = processor(&sim);
    let mut out = FrameResult::default();
    let passage = sim.passage();
    let caps = |p: &FrameProcessor, o: &FrameResult| {
        (
            p.runs.capacity(),
            p.parent.capacity(),
            p.next.capacity(),
            p.region_of.capacity(),
            p.regions.capacity(),
            p.samples.capacity(),
            p.prev_samples.capacity(),
            p.run_max.capacity(),
            o.faces.capacity(),
        )
    };
    // Warm up on the largest frame (the person closest), then run the passage.
    let last = passage.frames.last().unwrap();
    p.process(&view(last), Timestamp(0), &mut out).unwrap();
    p.process(&view(last), Timestamp(1), &mut out).unwrap();
    let before = caps(&p, &out);
    p.reset();
    for f in &passage.frames {
        p.process(&view(f), f.truth.timestamp, &mut out).unwrap();
        assert_eq!(caps(&p, &out), before);
    }
}

#[test]
fn stack_equals_frame_by_frame() {
    let mut sim = Simulator::new(SimConfig::default()).unwrap();
    let passage = sim.passage();
    let n = passage.frames.len();
    let stack: Vec<u16> = passage
        .frames
        .iter()
        .flat_map(|f| f.counts.iter().copied())
        .collect();
    let mut a = processor(&sim);
    let mut results = Vec::new();
    a.process_stack(
        &stack,
        (n, 120, 160),
        Timestamp(0),
        Micros(33_333),
        &mut results,
    )
    .unwrap();
    let mut b = processor(&sim);
    for (k, f) in passage.frames.iter().enumerate() {
        let mut out = FrameResult::default();
        b.process(&view(f), Timestamp(33_333 * k as i64), &mut out)
            .unwrap();
        assert_eq!(format!("{out:?}"), format!("{:?}", results[k]));
    }
    let e = a
        .process_stack(
            &stack[1..],
            (n, 120, 160),
            Timestamp(0),
            Micros(1),
            &mut results,
        )
        .unwrap_err();
    assert_eq!(e.code(), hsm_core::StatusCode::ShapeMismatch);
}

#[test]
fn errors_name_the_problem() {
    let mut p = FrameProcessor::new(ProcessorConfig::default()).unwrap();
    let px = vec![0u16; 16 * 16];
    let v = FrameView::packed(&px, 16, 16).unwrap();
    let mut out = FrameResult::default();
    p.process(&v, Timestamp(10), &mut out).unwrap();
    let e = p.process(&v, Timestamp(9), &mut out).unwrap_err();
    assert_eq!(e.code(), hsm_core::StatusCode::OutOfOrder);
    for cfg in [
        ProcessorConfig {
            band: (Celsius(40.0), Celsius(30.0)),
            ..ProcessorConfig::default()
        },
        ProcessorConfig {
            band: (Celsius(f64::NAN), Celsius(30.0)),
            ..ProcessorConfig::default()
        },
        ProcessorConfig {
            site: SiteStatistic::TrimmedWindow { candidates: 0 },
            ..ProcessorConfig::default()
        },
        ProcessorConfig {
            radiometry: Radiometry::Linear {
                gain: -0.01,
                offset: 400.0,
            },
            ..ProcessorConfig::default()
        },
        ProcessorConfig {
            glasses_fraction: f64::INFINITY,
            ..ProcessorConfig::default()
        },
        ProcessorConfig {
            blackbody: Some(BlackbodyConfig {
                smoothing: Micros(0),
                ..BlackbodyConfig::new(Rect::new(0, 0, 4, 4), Celsius(35.0))
            }),
            ..ProcessorConfig::default()
        },
    ] {
        let e = FrameProcessor::new(cfg).unwrap_err();
        assert_eq!(e.code(), hsm_core::StatusCode::InvalidArgument, "{e}");
    }
    let mut p = FrameProcessor::new(ProcessorConfig {
        blackbody: Some(BlackbodyConfig::new(Rect::new(10, 10, 8, 8), Celsius(35.0))),
        ..ProcessorConfig::default()
    })
    .unwrap();
    let e = p.process(&v, Timestamp(0), &mut out).unwrap_err();
    assert!(e.to_string().contains("blackbody.rect"), "{e}");
}

#[test]
fn capacity_is_respected_and_overflow_counted() {
    let mut sim = Simulator::new(SimConfig {
        blackbody: None,
        ..SimConfig::default()
    })
    .unwrap();
    let people: Vec<Placement> = (0..3)
        .map(|k| Placement {
            person: sim.draw_person(),
            x: 30.0 + 50.0 * f64::from(k),
            y: 50.0,
            distance_m: 1.6,
        })
        .collect();
    let f = sim.render(&Scene {
        people,
        ..Scene::default()
    });
    let mut p = FrameProcessor::new(ProcessorConfig {
        min_face_pixels: 200,
        ..ProcessorConfig::default()
    })
    .unwrap();
    let mut out = FrameResult::with_capacity(2);
    p.process(&view(&f), Timestamp(0), &mut out).unwrap();
    assert_eq!((out.faces().len(), out.dropped_faces), (2, 1));
    assert!(
        out.faces()
            .iter()
            .all(|f| f.flags.contains(QualityFlags::MULTIPLE_PERSONS))
    );
}

mod scan_props {
    use super::super::{OutsideCounter, Run, gather, scan};
    use proptest::prelude::*;

    fn naive(row: &[u16], x_from: u32, x_to: u32, lo: u16, hi: u16) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut start = None;
        for x in x_from..x_to {
            let v = row[x as usize];
            let inb = v >= lo && v <= hi;
            match (inb, start) {
                (true, None) => start = Some(x),
                (false, Some(s)) => {
                    out.push((s, x));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, x_to));
        }
        out
    }

    proptest! {
        /// The bit-mask scanner finds exactly the runs a pixel-by-pixel scan finds.
        #[test]
        fn scan_matches_naive(row in proptest::collection::vec(0u16..8, 0..200), a in 0usize..200, b in 0usize..200, lo in 0u16..8, span in 0u16..8) {
            let (a, b) = (a.min(row.len()) as u32, b.min(row.len()) as u32);
            let (from, to) = (a.min(b), a.max(b));
            let mut runs: Vec<Run> = Vec::new();
            scan(&row, from, to, 3, lo, span, &mut runs);
            let got: Vec<(u32, u32)> = runs.iter().map(|r| (r.x0, r.x1)).collect();
            prop_assert!(runs.iter().all(|r| r.y == 3));
            prop_assert_eq!(got, naive(&row, from, to, lo, lo.saturating_add(span)));
        }

        /// The vectorised gather appends exactly the run's pixels at or
        /// above the floor, in order, for runs anywhere in rows of any
        /// length (past-the-end windows, the row's last 16, rows shorter
        /// than 16).
        #[test]
        fn gather_matches_naive(row in proptest::collection::vec(0u16..10, 1..80), a in 0usize..80, b in 0usize..80, floor in 0u16..11, y in 0u32..5) {
            let (a, b) = (a % (row.len() + 1), b % (row.len() + 1));
            let run = Run { y, x0: a.min(b) as u32, x1: a.max(b) as u32 };
            let mut got = vec![7u64];
            gather(&row, run, floor, &mut got);
            let mut expected = vec![7u64];
            for x in run.x0..run.x1 {
                let v = row[x as usize];
                if v >= floor {
                    expected.push((u64::from(!v) << 40) | (u64::from(y) << 20) | u64::from(x));
                }
            }
            prop_assert_eq!(got, expected);
        }

        /// The vectorised bad-pixel counter counts exactly the pixels
        /// outside its range, over boxes of any width (full vectors, a
        /// masked overlapping last vector, rows shorter than a vector) and
        /// over enough rows to fold its 16-bit lane counters.
        #[test]
        fn outside_counter_matches_naive(
            rows in proptest::collection::vec(proptest::collection::vec(prop_oneof![0u16..6, Just(u16::MAX), Just(0)], 0..40), 0..12),
            repeat in prop_oneof![Just(1usize), Just(700usize)],
            lo in 0u16..6,
            span in 0u16..6,
        ) {
            let mut c = OutsideCounter::new(lo, span);
            let mut naive = 0u32;
            for _ in 0..repeat {
                for row in &rows {
                    c.row(row);
                    naive += row.iter().filter(|&&v| v < lo || u32::from(v) > u32::from(lo) + u32::from(span)).count() as u32;
                }
            }
            prop_assert_eq!(c.outside(), naive);
        }
    }
}

/// The fast paths (rows sampled every `row_step`, the guessed floor from
/// the last frame's faces, hottest-run-first site candidates) give exactly
/// the results of a full scan with the exhaustive site search, on frames of
/// random warm blobs, specks and lines, with and without a blackbody. The
/// processors persist over the frames, so the guesses come from the
/// previous (unrelated) frame: both a guess that holds and one that fails
/// are exercised.
#[test]
fn fast_paths_match_full_scan_and_exhaustive_sites() {
    let (w, h) = (97usize, 83usize);
    let mut rnd = xorshift(0x9E37_79B9_7F4A_7C15u64);
    let configs = [(40, None), (12, Some(Rect::new(80, 2, 8, 8))), (1, None)];
    let mut pairs: Vec<(FrameProcessor, FrameProcessor)> = configs
        .iter()
        .map(|&(min_region, bb)| {
            let cfg = ProcessorConfig {
                min_region_pixels: min_region,
                blackbody: bb.map(|r| BlackbodyConfig::new(r, Celsius(35.0))),
                min_face_pixels: 60,
                ..ProcessorConfig::default()
            };
            let fast = FrameProcessor::new(cfg).unwrap();
            let mut full = FrameProcessor::new(cfg).unwrap();
            full.row_step = 1;
            full.exhaustive_sites = true;
            (fast, full)
        })
        .collect();
    for case in 0..300 {
        let mut px = vec![29_500u16; w * h];
        for _ in 0..rnd(8) {
            let (cx, cy) = (rnd(w as u64) as i64, rnd(h as u64) as i64);
            let (rx, ry) = (1 + rnd(14) as i64, 1 + rnd(14) as i64);
            let base = 30_400 + rnd(900) as u16;
            for y in (cy - ry).max(0)..(cy + ry).min(h as i64) {
                for x in (cx - rx).max(0)..(cx + rx).min(w as i64) {
                    let (dx, dy) = (x - cx, y - cy);
                    if dx * dx * ry * ry + dy * dy * rx * rx <= rx * rx * ry * ry {
                        px[y as usize * w + x as usize] = base + rnd(60) as u16;
                    }
                }
            }
        }
        // Specks, thin lines, hot pixels and ties.
        for _ in 0..rnd(30) {
            px[rnd((w * h) as u64) as usize] = [30_500, 31_000, 65_535, 0][rnd(4) as usize];
        }
        let y = rnd(h as u64) as usize;
        for x in 0..rnd(w as u64) as usize {
            px[y * w + x] = 30_600;
        }
        let frame = FrameView::packed(&px, w, h).unwrap();
        for (&(min_region, _), (fast, full)) in configs.iter().zip(&mut pairs) {
            let t = Timestamp(case * 33_333);
            let (mut a, mut b) = (FrameResult::default(), FrameResult::default());
            fast.process(&frame, t, &mut a).unwrap();
            full.process(&frame, t, &mut b).unwrap();
            // Debug text: NaN (no blackbody) compares equal to itself.
            assert_eq!(
                format!("{a:?}"),
                format!("{b:?}"),
                "case {case}, min_region {min_region}"
            );
        }
    }
    for (fast, _) in &pairs {
        let [held, failed] = fast.guesses;
        assert!(
            held > 50 && failed > 50,
            "guesses held {held}, failed {failed}"
        );
    }
}

/// °C frames give the u16 path's faces: same boxes, areas and sites, and
/// site temperatures within the 0.01 °C quantisation; NaN pixels count as
/// bad pixels; a Planck processor refuses them; a Celsius processor
/// refuses u16 frames.
#[test]
fn f32_celsius_frames_match_counts() {
    let mut sim = Simulator::new(SimConfig::default()).unwrap();
    let mut p16 = processor(&sim);
    let mut pf = FrameProcessor::new(ProcessorConfig {
        radiometry: Radiometry::Celsius,
        ..*p16.config()
    })
    .unwrap();
    let conv = *p16.converter();
    let (mut a, mut b) = (FrameResult::default(), FrameResult::default());
    let mut stack = Vec::new();
    for k in 0..6 {
        let (f, _) = one_face(&mut sim, 0.8 + 0.1 * f64::from(k));
        let celsius: Vec<f32> = f
            .counts
            .iter()
            .map(|&c| {
                conv.celsius_of(f64::from(c))
                    .map_or(f32::NAN, |t| t.get() as f32)
            })
            .collect();
        let t = Timestamp(i64::from(k) * 33_333);
        p16.process(&view(&f), t, &mut a).unwrap();
        pf.process_f32(&FrameView::packed(&celsius, 160, 120).unwrap(), t, &mut b)
            .unwrap();
        assert_eq!(a.faces().len(), b.faces().len());
        assert!(!a.faces().is_empty());
        for (x, y) in a.faces().iter().zip(b.faces()) {
            assert_eq!(
                (x.bbox, x.area, x.site, x.flags),
                (y.bbox, y.area, y.site, y.flags)
            );
            assert!(
                (x.site_c.get() - y.site_c.get()).abs() < 0.01,
                "{x:?} {y:?}"
            );
            assert!((x.corrected_c.get() - y.corrected_c.get()).abs() < 0.01);
        }
        stack.extend_from_slice(&celsius);
    }
    // The stack variant, from a fresh stream.
    pf.reset();
    let mut results = Vec::new();
    pf.process_stack_f32(
        &stack,
        (6, 120, 160),
        Timestamp(0),
        Micros(33_333),
        &mut results,
    )
    .unwrap();
    assert_eq!(results.len(), 6);
    assert!(
        pf.process_stack_f32(
            &stack[1..],
            (6, 120, 160),
            Timestamp(0),
            Micros(1),
            &mut results
        )
        .is_err()
    );
    // NaN over a face: bad pixels, flagged.
    let (f, _) = one_face(&mut sim, 0.8);
    let mut celsius: Vec<f32> = f
        .counts
        .iter()
        .map(|&c| {
            conv.celsius_of(f64::from(c))
                .map_or(f32::NAN, |t| t.get() as f32)
        })
        .collect();
    for x in 75..80 {
        celsius[55 * 160 + x] = f32::NAN;
    }
    pf.reset();
    pf.process_f32(
        &FrameView::packed(&celsius, 160, 120).unwrap(),
        Timestamp(0),
        &mut b,
    )
    .unwrap();
    assert!(
        b.faces()
            .iter()
            .any(|f| f.flags.contains(QualityFlags::SATURATED))
    );
    // Wrong pairings are refused.
    assert!(pf.process(&view(&f), Timestamp(1), &mut b).is_err());
    let planck = Radiometry::Planck {
        constants: crate::radiometry::PlanckConstants {
            r1: 21106.77,
            r2: 0.012545258,
            b: 1501.0,
            f: 1.0,
            o: -7340.0,
        },
        atmosphere: crate::radiometry::AtmosphericConstants::default(),
        scene: crate::radiometry::Scene::default(),
    };
    let mut pp = FrameProcessor::new(ProcessorConfig {
        radiometry: planck,
        ..ProcessorConfig::default()
    })
    .unwrap();
    assert!(
        pp.process_f32(
            &FrameView::packed(&celsius, 160, 120).unwrap(),
            Timestamp(0),
            &mut b
        )
        .is_err()
    );
}

/// The run labelling finds exactly the 8-connected regions a pixel flood
/// fill finds (area, box, centre sums, numbered in raster order of their
/// first pixel), on random frames from sparse specks to dense mazes, with
/// every row scanned (`row_step = 1`: the sampled rows' shortcut is checked
/// against the full scan by `fast_paths_match_full_scan_and_exhaustive_sites`).
#[test]
fn labelling_matches_a_flood_fill() {
    let mut rnd = xorshift(0x2545_F491_4F6C_DD1Du64);
    let mut p = FrameProcessor::new(ProcessorConfig::default()).unwrap();
    p.row_step = 1;
    let (lo, hi) = p.band_counts();
    for case in 0..400 {
        let (w, h) = (1 + rnd(70) as usize, 1 + rnd(40) as usize);
        let density = 1 + rnd(9);
        let px: Vec<u16> = (0..w * h)
            .map(|_| match rnd(10) {
                d if d < density => lo + rnd(u64::from(hi - lo) + 1) as u16,
                9 => hi + 1,
                _ => lo - 1,
            })
            .collect();
        let frame = FrameView::packed(&px, w, h).unwrap();
        p.label(&frame);
        // Flood fill, seeds in raster order.
        let inb = |x: usize, y: usize| (lo..=hi).contains(&px[y * w + x]);
        let mut seen = vec![false; w * h];
        let mut expected = Vec::new();
        for y0 in 0..h {
            for x0 in 0..w {
                if seen[y0 * w + x0] || !inb(x0, y0) {
                    continue;
                }
                seen[y0 * w + x0] = true;
                let mut stack = vec![(x0, y0)];
                let (mut area, mut sx2, mut sy) = (0u32, 0u64, 0u64);
                let (mut bx0, mut by0, mut bx1, mut by1) = (x0, y0, x0, y0);
                while let Some((x, y)) = stack.pop() {
                    area += 1;
                    sx2 += 2 * x as u64 + 1;
                    sy += y as u64;
                    (bx0, by0, bx1, by1) = (bx0.min(x), by0.min(y), bx1.max(x), by1.max(y));
                    for dy in -1i64..=1 {
                        for dx in -1i64..=1 {
                            let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                            if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                                continue;
                            }
                            let (nx, ny) = (nx as usize, ny as usize);
                            if !seen[ny * w + nx] && inb(nx, ny) {
                                seen[ny * w + nx] = true;
                                stack.push((nx, ny));
                            }
                        }
                    }
                }
                expected.push((
                    area,
                    sx2,
                    sy,
                    [bx0, by0, bx1 + 1, by1 + 1].map(|v| v as u32),
                ));
            }
        }
        let got: Vec<_> = p
            .regions
            .iter()
            .map(|r| (r.area, r.sum_x2, r.sum_y, [r.x0, r.y0, r.x1, r.y1]))
            .collect();
        assert_eq!(got, expected, "case {case}: {w}x{h}, density {density}");
    }
}

/// Dead rows and columns are counted exactly as a pixel-by-pixel check
/// counts them: on random frames of odd widths (columns in the vectorised
/// groups of eight and in the tail), with constant columns and rows, and
/// decoys constant on the sampled rows only.
#[test]
fn dead_lines_match_a_naive_count() {
    let mut rnd = xorshift(0xD1B5_4A32_D192_ED03u64);
    let mut p = FrameProcessor::new(ProcessorConfig::default()).unwrap();
    for case in 0..300 {
        let (w, h) = (8 + rnd(60) as usize, 8 + rnd(40) as usize);
        let mut px: Vec<u16> = (0..w * h).map(|_| 20_000 + rnd(4) as u16).collect();
        for _ in 0..rnd(4) {
            let (x, v) = (rnd(w as u64) as usize, rnd(3) as u16);
            for y in 0..h {
                px[y * w + x] = v;
            }
            // A decoy: constant except one row (sampled or not).
            if rnd(2) == 0 {
                let x = rnd(w as u64) as usize;
                for y in 0..h {
                    px[y * w + x] = 7;
                }
                px[rnd(h as u64) as usize * w + x] = 8;
            }
        }
        for _ in 0..rnd(3) {
            let y = rnd(h as u64) as usize;
            px[y * w..(y + 1) * w].fill(5);
        }
        let frame = FrameView::packed(&px, w, h).unwrap();
        let rows = (0..h)
            .filter(|&y| px[y * w..(y + 1) * w].iter().all(|&v| v == px[y * w]))
            .count() as u32;
        let cols = (0..w)
            .filter(|&x| (0..h).all(|y| px[y * w + x] == px[x]))
            .count() as u32;
        let (r, c, _) = p.sensor_checks(&frame);
        assert_eq!((r, c), (rows, cols), "case {case}: {w}x{h}");
    }
}
