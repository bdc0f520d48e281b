//! People counting: every hard case of issue 6 has its own test here, plus
//! the accuracy bar on the simulator and property tests that nothing panics.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use hsm_core::counting::sim::{SimConfig, simulate};
use hsm_core::counting::{
    Beam, BeamConfig, BeamDecoder, BeamEvent, CountingLine, Detection, Direction, FaultKind,
    LineConfig, LineCounter, Transit, evaluate, flags,
};
use hsm_core::{Micros, StatusCode, Timestamp};
use proptest::prelude::*;

// ---------------------------------------------------------------- beams

fn ms(m: i64) -> Timestamp {
    Timestamp(m * 1000)
}

/// Feeds `(ms, beam, blocked)` edges and advances 100 ms past the last.
fn beams(edges: &[(i64, Beam, bool)]) -> (BeamDecoder, Vec<Transit>) {
    let mut d = BeamDecoder::new(BeamConfig::default()).unwrap();
    for &(t, beam, blocked) in edges {
        d.push(BeamEvent {
            t: ms(t),
            beam,
            blocked,
        })
        .unwrap();
    }
    let end = edges.last().map_or(0, |e| e.0) + 100;
    d.advance(ms(end)).unwrap();
    let tx = d.drain_transits().collect();
    (d, tx)
}

use Beam::{A, B};

#[test]
fn beams_complete_sequences_count_in_and_out() {
    let (_, tx) = beams(&[
        (0, A, true),
        (100, B, true),
        (250, A, false),
        (400, B, false),
    ]);
    assert_eq!(tx.len(), 1);
    assert_eq!(
        (tx[0].direction, tx[0].persons, tx[0].flags),
        (Direction::In, 1, 0)
    );
    assert_eq!(tx[0].t, ms(400), "stamped at the clear that completes it");
    let (d, tx) = beams(&[
        (0, B, true),
        (100, A, true),
        (250, B, false),
        (400, A, false),
    ]);
    assert_eq!(tx[0].direction, Direction::Out);
    assert_eq!((d.count(Direction::In), d.count(Direction::Out)), (0, 1));
}

#[test]
fn beams_aborted_entry_does_not_count() {
    // Breaks A, then backs off.
    let (_, tx) = beams(&[(0, A, true), (300, A, false)]);
    assert!(tx.is_empty());
}

#[test]
fn beams_u_turn_does_not_count() {
    let (_, tx) = beams(&[
        (0, A, true),
        (100, B, true),
        (400, B, false),
        (600, A, false),
    ]);
    assert!(tx.is_empty(), "{tx:?}");
}

#[test]
fn beams_loitering_counts_once_or_never() {
    // Standing in A for 5 s, then leaving the way they came: nothing.
    let (_, tx) = beams(&[(0, A, true), (5000, A, false)]);
    assert!(tx.is_empty());
    // Dithering inside the gate, then through: exactly one "in".
    let (_, tx) = beams(&[
        (0, A, true),
        (100, B, true),
        (300, A, false),
        (600, A, true),
        (900, A, false),
        (1200, A, true),
        (1500, A, false),
        (1700, B, false),
    ]);
    assert_eq!(tx.len(), 1);
    assert_eq!(tx[0].direction, Direction::In);
}

#[test]
fn beams_chatter_is_rejected_by_min_dwell() {
    // 5 ms blips on each beam before and during a real passage.
    let (_, tx) = beams(&[
        (0, B, true),
        (5, B, false),
        (100, A, true),
        (200, B, true),
        (260, B, false),
        (268, B, true),
        (350, A, false),
        (500, B, false),
        (700, A, true),
        (704, A, false),
    ]);
    assert_eq!(tx.len(), 1, "{tx:?}");
    assert_eq!(tx[0].direction, Direction::In);
}

#[test]
fn beams_timeout_resets_a_stuck_sequence() {
    // A then A+B, then A+B held 12 s (> 10 s timeout): the history is gone,
    // so clearing B then A afterwards is not an "in" (nor an "out").
    let (_, tx) = beams(&[
        (0, A, true),
        (100, B, true),
        (12_100, B, false),
        (12_300, A, false),
    ]);
    assert!(tx.is_empty(), "{tx:?}");
    // After a timeout in A alone, a full passage from A still counts once.
    let (_, tx) = beams(&[
        (0, A, true),
        (12_000, B, true),
        (12_200, A, false),
        (12_400, B, false),
    ]);
    assert_eq!(tx.len(), 1);
}

#[test]
fn beams_stuck_beam_raises_and_clears_a_fault() {
    let mut d = BeamDecoder::new(BeamConfig::default()).unwrap();
    d.push(BeamEvent {
        t: ms(0),
        beam: B,
        blocked: true,
    })
    .unwrap();
    d.advance(ms(29_000)).unwrap();
    assert!(!d.is_faulted(B));
    d.advance(ms(31_000)).unwrap();
    assert!(d.is_faulted(B));
    // While B is stuck, A passages do not count.
    for (t, blocked) in [(32_000, true), (32_300, false)] {
        d.push(BeamEvent {
            t: ms(t),
            beam: A,
            blocked,
        })
        .unwrap();
    }
    d.push(BeamEvent {
        t: ms(40_000),
        beam: B,
        blocked: false,
    })
    .unwrap();
    d.advance(ms(40_100)).unwrap();
    let faults: Vec<_> = d.drain_faults().collect();
    assert_eq!(faults.len(), 2);
    assert_eq!(
        (faults[0].kind, faults[0].beam, faults[0].t),
        (FaultKind::Stuck, B, ms(30_000))
    );
    assert_eq!(
        (faults[1].kind, faults[1].t),
        (FaultKind::Recovered, ms(40_000))
    );
    assert_eq!(faults[1].blocked_since, ms(0));
    assert!(!d.is_faulted(B));
    assert_eq!(d.drain_transits().count(), 0);
    // Recovered: the next passage counts.
    for (t, beam, blocked) in [
        (41_000, A, true),
        (41_100, B, true),
        (41_300, A, false),
        (41_400, B, false),
    ] {
        d.push(BeamEvent {
            t: ms(t),
            beam,
            blocked,
        })
        .unwrap();
    }
    d.advance(ms(41_500)).unwrap();
    assert_eq!(d.drain_transits().count(), 1);
}

#[test]
fn beams_long_occlusion_estimates_two_people() {
    // Both beams blocked 900 ms: two people in contact (estimate, flagged).
    let (_, tx) = beams(&[
        (0, A, true),
        (150, B, true),
        (1050, A, false),
        (1200, B, false),
    ]);
    assert_eq!(tx.len(), 1);
    assert_eq!(tx[0].persons, 2);
    assert_eq!(tx[0].flags & flags::ESTIMATED, flags::ESTIMATED);
    // Standing still in both for 3 s is one loiterer, not two.
    let (_, tx) = beams(&[
        (0, A, true),
        (150, B, true),
        (3150, A, false),
        (3300, B, false),
    ]);
    assert_eq!((tx[0].persons, tx[0].flags), (1, 0));
}

#[test]
fn beams_reject_bad_input_with_named_errors() {
    let mut d = BeamDecoder::new(BeamConfig::default()).unwrap();
    d.push(BeamEvent {
        t: ms(10),
        beam: A,
        blocked: true,
    })
    .unwrap();
    let e = d
        .push(BeamEvent {
            t: ms(5),
            beam: B,
            blocked: true,
        })
        .unwrap_err();
    assert_eq!(e.code(), StatusCode::OutOfOrder);
    assert!(e.to_string().contains("t_us"), "{e}");
    // A repeated level is not an edge.
    d.push(BeamEvent {
        t: ms(20),
        beam: A,
        blocked: true,
    })
    .unwrap();
    let bad = BeamConfig {
        min_dwell: Micros(-1),
        ..BeamConfig::default()
    };
    let e = BeamDecoder::new(bad).unwrap_err();
    assert!(e.to_string().contains("min_dwell"), "{e}");
    let bad = BeamConfig {
        queue_capacity: usize::MAX,
        ..BeamConfig::default()
    };
    assert!(
        BeamDecoder::new(bad)
            .unwrap_err()
            .to_string()
            .contains("queue_capacity")
    );
    let bad = BeamConfig {
        pair_occlusion_max: Micros(1),
        ..BeamConfig::default()
    };
    assert!(BeamDecoder::new(bad).is_err());
    // Timestamps at the extremes do not overflow.
    let mut d = BeamDecoder::new(BeamConfig::default()).unwrap();
    d.push(BeamEvent {
        t: Timestamp(i64::MAX - 1),
        beam: A,
        blocked: true,
    })
    .unwrap();
    d.advance(Timestamp(i64::MAX)).unwrap();
}

#[test]
fn beams_queue_overflow_is_flagged() {
    let cfg = BeamConfig {
        queue_capacity: 2,
        min_dwell: Micros(0),
        ..BeamConfig::default()
    };
    let mut d = BeamDecoder::new(cfg).unwrap();
    for k in 0..4 {
        let t0 = k * 1000;
        for (dt, beam, blocked) in [
            (0, A, true),
            (100, B, true),
            (200, A, false),
            (300, B, false),
        ] {
            d.push(BeamEvent {
                t: ms(t0 + dt),
                beam,
                blocked,
            })
            .unwrap();
        }
    }
    let mut out = [Transit {
        t: Timestamp(0),
        direction: Direction::Out,
        persons: 0,
        source: hsm_core::counting::Source::Truth,
        flags: 0,
        track_id: 0,
    }; 8];
    assert_eq!(d.poll_transits(&mut out), 2);
    assert_eq!(out[1].flags & flags::QUEUE_OVERFLOW, flags::QUEUE_OVERFLOW);
    assert_eq!(d.count(Direction::In), 4);
    assert_eq!(d.dropped(), 2);
}

// ---------------------------------------------------------------- tracks

/// Horizontal line at y = 120 across a 320-px image: "in" is walking down.
fn counter() -> LineCounter {
    LineCounter::new(LineConfig::new(CountingLine::new(0.0, 120.0, 320.0, 120.0))).unwrap()
}

const FRAME_US: i64 = 66_667;

fn det(cx: f32, cy: f32) -> Detection {
    Detection::new(cx - 20.0, cy - 15.0, 40.0, 30.0)
}

/// Runs frames where frame k shows the people `at(k)` returns.
fn run(c: &mut LineCounter, frames: usize, at: impl Fn(usize) -> Vec<Detection>) -> Vec<Transit> {
    for k in 0..frames {
        c.push_frame(Timestamp(k as i64 * FRAME_US), &at(k))
            .unwrap();
    }
    c.drain().collect()
}

#[test]
fn tracks_walking_down_is_in_and_up_is_out() {
    let mut c = counter();
    let tx = run(&mut c, 30, |k| vec![det(160.0, 20.0 + 8.0 * k as f32)]);
    assert_eq!(tx.len(), 1);
    assert_eq!((tx[0].direction, tx[0].flags), (Direction::In, 0));
    let mut c = counter();
    let tx = run(&mut c, 30, |k| vec![det(160.0, 230.0 - 8.0 * k as f32)]);
    assert_eq!(tx[0].direction, Direction::Out);
    // Reversing the line reverses the meaning.
    let mut c =
        LineCounter::new(LineConfig::new(CountingLine::new(320.0, 120.0, 0.0, 120.0))).unwrap();
    let tx = run(&mut c, 30, |k| vec![det(160.0, 20.0 + 8.0 * k as f32)]);
    assert_eq!(tx[0].direction, Direction::Out);
}

#[test]
fn tracks_survive_a_five_frame_dropout_at_the_line() {
    // Frames 10..15 are missing exactly while the person crosses y = 120.
    let walk = |k: usize| {
        if (10..15).contains(&k) {
            vec![]
        } else {
            vec![det(160.0, 20.0 + 8.0 * k as f32)]
        }
    };
    let tx = run(&mut counter(), 30, walk);
    assert_eq!(tx.len(), 1, "{tx:?}");
    assert_eq!(tx[0].direction, Direction::In);
    assert_eq!(tx[0].flags & flags::COASTED, flags::COASTED);
    // The limit is configurable: with max_coast = 2 the same gap loses the track.
    let mut cfg = LineConfig::new(CountingLine::new(0.0, 120.0, 320.0, 120.0));
    cfg.tracker.max_coast = 2;
    cfg.count_vanishing = false;
    let tx = run(&mut LineCounter::new(cfg).unwrap(), 30, walk);
    assert!(tx.is_empty(), "{tx:?}");
}

#[test]
fn tracks_boxes_straddling_the_line_use_their_centre() {
    // A tall box (160 px) straddles the line for many frames; only the
    // centre's crossing counts, once.
    let tx = run(&mut counter(), 40, |k| {
        let cy = 10.0 + 6.0 * k as f32;
        vec![Detection::new(140.0, cy - 80.0, 40.0, 160.0)]
    });
    assert_eq!(tx.len(), 1);
}

#[test]
fn tracks_flicker_inside_the_band_never_counts() {
    // A centre jittering ±9 px around the line for 60 frames.
    let tx = run(&mut counter(), 60, |k| {
        let dy = if k % 2 == 0 { -9.0 } else { 9.0 };
        vec![det(160.0, 120.0 + dy)]
    });
    assert!(tx.is_empty(), "{tx:?}");
    // Coming from above, then flickering at the line: still nothing.
    let tx = run(&mut counter(), 60, |k| {
        let y = if k < 10 {
            40.0 + 7.0 * k as f32
        } else if k % 2 == 0 {
            111.0
        } else {
            129.0
        };
        vec![det(160.0, y)]
    });
    assert!(tx.is_empty(), "{tx:?}");
}

#[test]
fn tracks_two_people_side_by_side_count_twice() {
    let tx = run(&mut counter(), 30, |k| {
        let y = 20.0 + 8.0 * k as f32;
        vec![det(130.0, y), det(195.0, y + 1.0)]
    });
    assert_eq!(tx.len(), 2);
    assert!(tx.iter().all(|t| t.direction == Direction::In));
    assert_ne!(tx[0].track_id, tx[1].track_id);
}

#[test]
fn tracks_person_turning_back_does_not_count() {
    // Down to y = 125 (inside the band, past the line), then back up.
    let tx = run(&mut counter(), 40, |k| {
        let y = if k < 20 {
            30.0 + 4.75 * k as f32
        } else {
            125.0 - 6.0 * (k - 20) as f32
        };
        vec![det(160.0, y)]
    });
    assert!(tx.is_empty(), "{tx:?}");
}

#[test]
fn tracks_born_in_the_band_count_from_the_sign_of_their_first_position() {
    // First seen at y = 115 (just left of the line), walks down.
    let tx = run(&mut counter(), 20, |k| {
        vec![det(160.0, 115.0 + 8.0 * k as f32)]
    });
    assert_eq!(tx.len(), 1);
    assert_eq!(tx[0].direction, Direction::In);
    assert_eq!(tx[0].flags & flags::BORN_IN_BAND, flags::BORN_IN_BAND);
}

#[test]
fn tracks_vanishing_past_the_line_count_when_moving_away() {
    // Walks down from y = 40, last seen at y = 128 (band, past the line), gone.
    let tx = run(&mut counter(), 40, |k| {
        if k <= 11 {
            vec![det(160.0, 40.0 + 8.0 * k as f32)]
        } else {
            vec![]
        }
    });
    assert_eq!(tx.len(), 1, "{tx:?}");
    assert_eq!(
        tx[0].flags & flags::VANISHED_PAST_LINE,
        flags::VANISHED_PAST_LINE
    );
    assert_eq!(tx[0].t, Timestamp(11 * FRAME_US));
    // Vanishing before the line does not count.
    let tx = run(&mut counter(), 40, |k| {
        if k <= 9 {
            vec![det(160.0, 40.0 + 8.0 * k as f32)]
        } else {
            vec![]
        }
    });
    assert!(tx.is_empty(), "{tx:?}");
}

#[test]
fn tracks_single_false_detections_never_count() {
    let tx = run(&mut counter(), 30, |k| {
        if k % 3 == 0 {
            vec![det(40.0 + k as f32 * 9.0, 100.0 + (k % 7) as f32 * 5.0)]
        } else {
            vec![]
        }
    });
    assert!(tx.is_empty(), "{tx:?}");
}

#[test]
fn tracks_reject_bad_input_with_named_errors() {
    let mut c = counter();
    c.push_frame(Timestamp(1000), &[]).unwrap(); // empty frames are fine
    let e = c
        .push_frame(
            Timestamp(2000),
            &[det(1.0, 2.0), Detection::new(f32::NAN, 0.0, 1.0, 1.0)],
        )
        .unwrap_err();
    assert_eq!(e.code(), StatusCode::InvalidArgument);
    assert!(
        e.to_string().contains("detections[1]") && e.to_string().contains(" x "),
        "{e}"
    );
    let e = c
        .push_frame(Timestamp(2000), &[Detection::new(0.0, 0.0, -1.0, 1.0)])
        .unwrap_err();
    assert!(e.to_string().contains("w"), "{e}");
    let e = c
        .push_frame(
            Timestamp(2000),
            &[Detection {
                score: 2.0,
                ..det(1.0, 1.0)
            }],
        )
        .unwrap_err();
    assert!(e.to_string().contains("score"), "{e}");
    let e = c.push_frame(Timestamp(500), &[]).unwrap_err();
    assert_eq!(e.code(), StatusCode::OutOfOrder);
    let many = vec![det(1.0, 1.0); 257];
    let e = c.push_frame(Timestamp(3000), &many).unwrap_err();
    assert_eq!(e.code(), StatusCode::CapacityExceeded);
    assert!(e.to_string().contains("detections"), "{e}");
    // A degenerate or NaN line.
    let e = LineCounter::new(LineConfig::new(CountingLine::new(5.0, 5.0, 5.0, 5.0))).unwrap_err();
    assert!(e.to_string().contains("line"), "{e}");
    let e =
        LineCounter::new(LineConfig::new(CountingLine::new(f32::NAN, 5.0, 5.0, 5.0))).unwrap_err();
    assert!(e.to_string().contains("line.x1"), "{e}");
    // Too many people for the track table: extra ones are counted, not fatal.
    let mut cfg = LineConfig::new(CountingLine::new(0.0, 120.0, 320.0, 120.0));
    cfg.tracker.max_tracks = 1;
    let mut c = LineCounter::new(cfg).unwrap();
    c.push_frame(Timestamp(0), &[det(10.0, 10.0), det(200.0, 10.0)])
        .unwrap();
    assert_eq!(c.tracker().overflowed(), 1);
}

// ---------------------------------------------------------------- the bar

#[test]
fn simulated_error_rates_meet_the_bar() {
    // The full bar (>= 10 000 transits) runs in release:
    //   cargo run --release -p hsm-core --example count_bars
    // Here, 45 simulated minutes (~1 500 transits) in a debug build.
    let window = Micros::from_millis(1500);
    let mixed = simulate(&SimConfig {
        seed: 11,
        minutes: 45.0,
        ..SimConfig::default()
    })
    .unwrap();
    let mut c = counter();
    let mut tx = Vec::new();
    for (k, f) in mixed.frames.iter().enumerate() {
        c.push_frame(f.t, mixed.frame_detections(k)).unwrap();
        tx.extend(c.drain()); // a gate polls every frame
    }
    let e = evaluate(&tx, &mixed.truth, window).unwrap();
    assert!(mixed.truth.len() > 1000);
    assert!(
        e.errors_per_200() <= 1.0,
        "tracks: {e:?} -> {}",
        e.errors_per_200()
    );

    let single = simulate(&SimConfig {
        seed: 12,
        minutes: 45.0,
        single_file: true,
        ..SimConfig::default()
    })
    .unwrap();
    let mut d = BeamDecoder::new(BeamConfig {
        queue_capacity: 1 << 16,
        ..BeamConfig::default()
    })
    .unwrap();
    d.push_all(&single.beam_events).unwrap();
    d.flush();
    let tx: Vec<_> = d.drain_transits().collect();
    let e = evaluate(&tx, &single.truth, window).unwrap();
    assert!(
        e.errors_per_200() <= 1.0,
        "beams: {e:?} -> {}",
        e.errors_per_200()
    );
}

// ---------------------------------------------------------------- properties

proptest! {
    #[test]
    fn beam_decoder_never_panics(edges in prop::collection::vec((0i64..5_000_000, any::<bool>(), any::<bool>()), 0..200)) {
        let mut d = BeamDecoder::new(BeamConfig::default()).unwrap();
        let mut t = 0i64;
        let mut ins = 0u64;
        for (dt, beam, blocked) in edges {
            t = t.saturating_add(dt % 2_000_000);
            let beam = if beam { A } else { B };
            d.push(BeamEvent { t: Timestamp(t), beam, blocked }).unwrap();
            ins += d.drain_transits().map(|x| u64::from(x.persons)).sum::<u64>();
        }
        // Counts agree with the transits taken out.
        prop_assert!(ins <= d.count(Direction::In) + d.count(Direction::Out));
    }

    #[test]
    fn line_counter_never_panics(frames in prop::collection::vec(prop::collection::vec((-1e7f32..1e7, -1e7f32..1e7, -5f32..500.0, -5f32..500.0, -0.5f32..1.5), 0..12), 0..40)) {
        let mut c = counter();
        for (k, dets) in frames.iter().enumerate() {
            let dets: Vec<Detection> = dets.iter().map(|&(x, y, w, h, score)| Detection { x, y, w, h, score }).collect();
            let _ = c.push_frame(Timestamp(k as i64 * FRAME_US), &dets);
        }
        let _ = c.drain().count();
    }
}
