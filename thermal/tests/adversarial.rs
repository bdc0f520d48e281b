//! The adversarial cases, one test each, on simulated frames:
//! a single hot pixel, a hot cup held at face height, glasses, a face too
//! small, two people in frame, the blackbody occluded, a frozen frame —
//! and the other quality flags (dead lines, saturation, a drifting,
//! non-uniform or out-of-band blackbody).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests"
)]

use hsm_core::{Celsius, FrameView, Micros, Timestamp};
use hsm_thermal::extract::{
    BlackbodyConfig, FaceReading, FrameProcessor, FrameResult, ProcessorConfig, QualityFlags,
    SiteStatistic,
};
use hsm_thermal::sim::{
    CameraModel, HotObject, Person, Placement, Scene, SimConfig, SimFrame, Simulator,
};

const W: usize = 160;
const H: usize = 120;

fn sim(cfg: SimConfig) -> Simulator {
    Simulator::new(SimConfig {
        camera: CameraModel {
            dead_pixels: 0,
            hot_pixels: 0,
            ..cfg.camera
        },
        ..cfg
    })
    .unwrap()
}

fn processor(s: &Simulator, site: SiteStatistic) -> FrameProcessor {
    FrameProcessor::new(ProcessorConfig {
        radiometry: s.config().camera.radiometry,
        blackbody: s
            .config()
            .blackbody
            .map(|b| BlackbodyConfig::new(b.interior(2), b.set_point)),
        site,
        ..ProcessorConfig::default()
    })
    .unwrap()
}

fn robust() -> SiteStatistic {
    SiteStatistic::TrimmedWindow { candidates: 24 }
}

fn at(person: Person, x: f64, d: f64) -> Placement {
    Placement {
        person,
        x,
        y: 55.0,
        distance_m: d,
    }
}

fn run(p: &mut FrameProcessor, f: &SimFrame) -> FrameResult {
    let mut out = FrameResult::default();
    p.process(
        &FrameView::packed(&f.counts, W, H).unwrap(),
        f.truth.timestamp,
        &mut out,
    )
    .unwrap();
    out
}

fn only_face(out: &FrameResult) -> FaceReading {
    assert_eq!(out.faces().len(), 1, "{out:?}");
    out.faces()[0]
}

/// Warms the processor's blackbody tracking on a few frames of the scene.
fn warm(s: &mut Simulator, p: &mut FrameProcessor, scene: &Scene) {
    for _ in 0..3 {
        let f = s.render(scene);
        run(p, &f);
    }
}

#[test]
fn a_single_hot_pixel_neither_moves_the_site_nor_fakes_a_fever() {
    let cfg = SimConfig::default();
    let mut a = sim(cfg);
    let mut b = sim(cfg);
    let person = a.draw_person();
    b.draw_person();
    let scene = Scene {
        people: vec![at(person, 80.0, 0.85)],
        ..Scene::default()
    };
    let clean = a.render(&scene);
    let mut dirty = b.render(&scene);
    assert_eq!(clean.counts, dirty.counts);
    let mut pa = processor(&a, robust());
    let base = only_face(&run(&mut pa, &clean));
    // A hot pixel inside the band (42 °C) on the forehead, and one stuck at
    // 65 535 right beside the chosen site.
    let conv = a.config().camera.radiometry.compile().unwrap();
    let hot = conv.celsius_to_count(Celsius(42.0)).unwrap();
    let fx = (base.bbox.x + base.bbox.width / 2) as usize;
    let fy = (base.bbox.y + base.bbox.height / 5) as usize;
    dirty.counts[fy * W + fx] = hot;
    dirty.counts[base.site.y as usize * W + base.site.x as usize + 1] = u16::MAX;
    let mut pb = processor(&b, robust());
    let got = only_face(&run(&mut pb, &dirty));
    let moved = (i64::from(got.site.x) - i64::from(base.site.x)).abs()
        + (i64::from(got.site.y) - i64::from(base.site.y)).abs();
    assert!(
        moved <= 2,
        "site moved from {:?} to {:?}",
        base.site,
        got.site
    );
    assert!(
        (got.site_c.get() - base.site_c.get()).abs() < 0.06,
        "{got:?} vs {base:?}"
    );
    assert!((got.site_c.get() - person.site.get()).abs() < 0.2);
    // The naive statistic is fooled by the one pixel.
    let mut naive = processor(&b, SiteStatistic::Max);
    let fooled = only_face(&run(&mut naive, &dirty));
    assert!((fooled.site_c.get() - 42.0).abs() < 0.01, "{fooled:?}");
}

#[test]
fn a_hot_cup_at_face_height_is_not_a_face_and_does_not_move_the_site() {
    let mut s = sim(SimConfig::default());
    let person = s.draw_person();
    let f = 250.0 / 0.85;
    let fw = person.face_width_m * f;
    // A 65 °C cup just beside the cheek (2 px gap), and one touching the face.
    for gap in [2.0, -1.0] {
        let x0 = 80.0 + fw / 2.0 + gap;
        let cup = HotObject {
            rect: hsm_core::Rect::new(
                x0 as u32,
                (55.0 - 0.05 * f) as u32,
                (0.08 * f) as u32,
                (0.10 * f) as u32,
            ),
            temperature: Celsius(65.0),
            round: false,
        };
        let scene = Scene {
            people: vec![at(person, 80.0, 0.85)],
            hot_objects: vec![cup],
            ..Scene::default()
        };
        let mut p = processor(&s, robust());
        warm(&mut s, &mut p, &scene);
        let frame = s.render(&scene);
        let face = only_face(&run(&mut p, &frame));
        assert!(
            face.site.x < x0 as u32 - 2,
            "site {:?} on the cup side (cup at x {x0})",
            face.site
        );
        assert!(
            (face.corrected_c.get() - person.site.get()).abs() < 0.2,
            "gap {gap}: {face:?} vs {:?}",
            person.site
        );
        assert!(face.flags.is_valid(), "{}", face.flags);
    }
}

#[test]
fn glasses_are_flagged_and_the_reading_is_invalid() {
    let mut s = sim(SimConfig::default());
    let mut person = s.draw_person();
    person.glasses = true;
    let scene = Scene {
        people: vec![at(person, 80.0, 0.85)],
        ..Scene::default()
    };
    let mut p = processor(&s, robust());
    warm(&mut s, &mut p, &scene);
    let face = only_face(&run(&mut p, &s.render(&scene)));
    assert!(face.flags.contains(QualityFlags::GLASSES), "{}", face.flags);
    assert!(!face.flags.is_valid());
    // What it reads is low: the canthus is hidden behind cold glass.
    assert!(face.corrected_c.get() < person.site.get(), "{face:?}");
    person.glasses = false;
    let scene = Scene {
        people: vec![at(person, 80.0, 0.85)],
        ..Scene::default()
    };
    let face = only_face(&run(&mut p, &s.render(&scene)));
    assert!(
        !face.flags.contains(QualityFlags::GLASSES),
        "{}",
        face.flags
    );
}

#[test]
fn a_face_too_small_is_flagged_and_reads_low() {
    let mut s = sim(SimConfig::default());
    let person = s.draw_person();
    let scene = Scene {
        people: vec![at(person, 80.0, 2.4)],
        ..Scene::default()
    };
    let mut p = processor(&s, robust());
    warm(&mut s, &mut p, &scene);
    let face = only_face(&run(&mut p, &s.render(&scene)));
    assert!(
        face.area < 800 && face.flags.contains(QualityFlags::TOO_FEW_PIXELS),
        "{face:?}"
    );
    assert!(
        face.corrected_c.get() < person.site.get(),
        "size-of-source: {face:?} vs {:?}",
        person.site
    );
}

#[test]
fn two_people_in_frame_are_both_flagged() {
    let mut s = sim(SimConfig::default());
    let (a, b) = (s.draw_person(), s.draw_person());
    let scene = Scene {
        people: vec![at(a, 45.0, 1.1), at(b, 115.0, 1.2)],
        ..Scene::default()
    };
    let mut p = processor(&s, robust());
    warm(&mut s, &mut p, &scene);
    let out = run(&mut p, &s.render(&scene));
    assert_eq!(out.faces().len(), 2, "{out:?}");
    for f in out.faces() {
        assert!(
            f.flags.contains(QualityFlags::MULTIPLE_PERSONS),
            "{}",
            f.flags
        );
    }
    // Raster order of the first pixel: the left face's box starts first
    // only if it is higher; both are reported either way, each once.
    let xs: Vec<u32> = out.faces().iter().map(|f| f.site.x).collect();
    assert!(
        xs.iter().any(|&x| x < 80) && xs.iter().any(|&x| x > 80),
        "{xs:?}"
    );
    // Not in single-person mode: no flag.
    let mut p = FrameProcessor::new(ProcessorConfig {
        single_person: false,
        ..*p.config()
    })
    .unwrap();
    warm(&mut s, &mut p, &scene);
    let out = run(&mut p, &s.render(&scene));
    assert!(out.faces().iter().all(|f| f.flags.is_valid()), "{out:?}");
}

#[test]
fn an_occluded_blackbody_flags_every_reading_and_holds_the_offset() {
    let mut s = sim(SimConfig {
        camera: CameraModel {
            offset: Celsius(0.8),
            ..CameraModel::default()
        },
        ..SimConfig::default()
    });
    let person = s.draw_person();
    let mut scene = Scene {
        people: vec![at(person, 80.0, 0.85)],
        ..Scene::default()
    };
    let mut p = processor(&s, robust());
    warm(&mut s, &mut p, &scene);
    scene.occlude_blackbody = true;
    let out = run(&mut p, &s.render(&scene));
    let face = only_face(&out);
    assert!(
        face.flags.contains(QualityFlags::BLACKBODY_MISSING),
        "{}",
        face.flags
    );
    assert!(
        (out.blackbody.offset.get() - 0.8).abs() < 0.05,
        "held: {:?}",
        out.blackbody
    );
    // Never measured at all: missing, and no correction.
    let mut fresh = processor(&s, robust());
    let out = run(&mut fresh, &s.render(&scene));
    let face = only_face(&out);
    assert!(
        face.flags.contains(QualityFlags::BLACKBODY_MISSING) && face.corrected_c.get().is_nan()
    );
}

#[test]
fn a_frozen_frame_is_flagged() {
    let mut s = sim(SimConfig::default());
    let person = s.draw_person();
    let scene = Scene {
        people: vec![at(person, 80.0, 0.85)],
        ..Scene::default()
    };
    let mut p = processor(&s, robust());
    warm(&mut s, &mut p, &scene);
    let f = s.render(&scene);
    assert!(
        !run(&mut p, &f)
            .frame_flags
            .contains(QualityFlags::FROZEN_FRAME)
    );
    let mut again = f.clone();
    again.truth.timestamp = Timestamp(f.truth.timestamp.0 + 33_333);
    let out = run(&mut p, &again);
    assert!(out.frame_flags.contains(QualityFlags::FROZEN_FRAME));
    assert!(only_face(&out).flags.contains(QualityFlags::FROZEN_FRAME));
}

#[test]
fn dead_rows_and_columns_are_a_sensor_fault() {
    let mut s = sim(SimConfig::default());
    let person = s.draw_person();
    let scene = Scene {
        people: vec![at(person, 80.0, 0.85)],
        ..Scene::default()
    };
    let mut p = processor(&s, robust());
    warm(&mut s, &mut p, &scene);
    let mut f = s.render(&scene);
    f.counts[100 * W..101 * W].fill(12345);
    for y in 0..H {
        f.counts[y * W + 20] = 12345;
    }
    let out = run(&mut p, &f);
    assert_eq!((out.dead_rows, out.dead_columns), (1, 1));
    assert!(out.frame_flags.contains(QualityFlags::DEAD_LINES));
    assert!(only_face(&out).flags.contains(QualityFlags::DEAD_LINES));
    let clean = run(&mut p, &s.render(&scene));
    assert_eq!((clean.dead_rows, clean.dead_columns), (0, 0));
}

#[test]
fn saturated_faces_are_flagged_but_isolated_bad_pixels_are_tolerated() {
    let mut s = sim(SimConfig::default());
    let person = s.draw_person();
    let scene = Scene {
        people: vec![at(person, 80.0, 0.85)],
        ..Scene::default()
    };
    let mut p = processor(&s, robust());
    warm(&mut s, &mut p, &scene);
    let mut f = s.render(&scene);
    let base = only_face(&run(&mut p, &f));
    let (x0, y0) = (base.bbox.x as usize + 5, base.bbox.y as usize + 30);
    f.counts[y0 * W + x0] = u16::MAX;
    assert!(
        !only_face(&run(&mut p, &f))
            .flags
            .contains(QualityFlags::SATURATED)
    );
    for k in 0..6 {
        f.counts[(y0 + 2) * W + x0 + 2 * k] = u16::MAX;
    }
    assert!(
        only_face(&run(&mut p, &f))
            .flags
            .contains(QualityFlags::SATURATED)
    );
}

#[test]
fn a_drifting_blackbody_is_flagged_and_a_steady_one_is_not() {
    for (drift, flagged) in [(1.0, true), (0.0, false)] {
        let mut s = sim(SimConfig {
            camera: CameraModel {
                drift_c_per_min: drift,
                ..CameraModel::default()
            },
            frame_interval: Micros(1_000_000),
            ..SimConfig::default()
        });
        let mut p = processor(&s, robust());
        let mut out = FrameResult::default();
        for _ in 0..40 {
            out = run(&mut p, &s.render(&Scene::default()));
        }
        assert_eq!(
            out.blackbody
                .flags
                .contains(QualityFlags::BLACKBODY_DRIFTING),
            flagged,
            "{:?}",
            out.blackbody
        );
        if flagged {
            assert!(
                (out.blackbody.drift_c_per_min - drift).abs() < 0.3,
                "{:?}",
                out.blackbody
            );
        }
    }
}

#[test]
fn a_non_uniform_or_out_of_band_blackbody_is_flagged() {
    // Out of band: the camera reads 2.5 °C high.
    let mut s = sim(SimConfig {
        camera: CameraModel {
            offset: Celsius(2.5),
            ..CameraModel::default()
        },
        ..SimConfig::default()
    });
    let mut p = processor(&s, robust());
    let out = run(&mut p, &s.render(&Scene::default()));
    assert!(
        out.blackbody
            .flags
            .contains(QualityFlags::BLACKBODY_OUT_OF_BAND),
        "{:?}",
        out.blackbody
    );
    // Non-uniform: a hand half over the emitter.
    let mut s = sim(SimConfig::default());
    let bb = s.config().blackbody.unwrap();
    let hand = HotObject {
        rect: hsm_core::Rect::new(bb.rect.x, bb.rect.y, bb.rect.width / 2, bb.rect.height),
        temperature: Celsius(34.0),
        round: false,
    };
    let mut p = processor(&s, robust());
    // The blackbody is painted last, so cover it through the pixels instead.
    let mut f = s.render(&Scene::default());
    let conv = s.config().camera.radiometry.compile().unwrap();
    let c = conv.celsius_to_count(hand.temperature).unwrap();
    for y in hand.rect.y..hand.rect.bottom() {
        for x in hand.rect.x..hand.rect.right() {
            f.counts[y as usize * W + x as usize] = c;
        }
    }
    let out = run(&mut p, &f);
    assert!(
        out.blackbody
            .flags
            .contains(QualityFlags::BLACKBODY_NON_UNIFORM),
        "{:?}",
        out.blackbody
    );
}
