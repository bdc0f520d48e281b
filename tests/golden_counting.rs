//! The people-counting golden vectors (`tests/data/counting.vectors`),
//! checked from Rust. The C test program and pytest read the same file.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use std::collections::HashMap;

use hsm::core::Timestamp;
use hsm::core::counting::{
    Beam, BeamConfig, BeamDecoder, BeamEvent, CountingLine, Detection, Direction, FaultKind,
    LineConfig, LineCounter, Transit,
};

type Vector = HashMap<String, String>;

fn load() -> Vec<Vector> {
    let path = format!("{}/tests/data/counting.vectors", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_whitespace()
                .map(|t| {
                    let (k, v) = t.split_once('=').unwrap();
                    (k.to_owned(), v.to_owned())
                })
                .collect()
        })
        .collect()
}

/// What a vector produced: counts, transits, faults and an error.
#[derive(Debug, PartialEq)]
struct Outcome {
    counts: (u64, u64),
    transits: String,
    faults: String,
    status: Option<(u32, i64)>,
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(",")
    }
}

fn transit_token(t: &Transit, unit: i64) -> String {
    let d = if t.direction == Direction::In {
        'i'
    } else {
        'o'
    };
    let x = if t.persons == 2 { "x2" } else { "" };
    format!("{d}{}{x}", t.t.0 / unit)
}

fn run_beams(v: &Vector) -> Outcome {
    let mut d = BeamDecoder::new(BeamConfig::default()).unwrap();
    let mut status = None;
    for (i, tok) in v["events"].split(',').enumerate() {
        let level = tok.ends_with('1');
        let beam = if tok[..tok.len() - 1].ends_with('A') {
            Beam::A
        } else {
            Beam::B
        };
        let ms: i64 = tok[..tok.len() - 2].parse().unwrap();
        if let Err(e) = d.push(BeamEvent {
            t: Timestamp(ms * 1000),
            beam,
            blocked: level,
        }) {
            status = Some((e.code().as_u32(), i as i64));
            break;
        }
    }
    let adv: i64 = v["advance"].parse().unwrap();
    let _ = d.advance(Timestamp(adv * 1000));
    d.flush();
    let transits = d
        .drain_transits()
        .map(|t| transit_token(&t, 1000))
        .collect();
    let faults = d
        .drain_faults()
        .map(|f| {
            let k = if f.kind == FaultKind::Stuck { 's' } else { 'r' };
            format!("{k}{}{}", f.beam.name(), f.t.0 / 1000)
        })
        .collect();
    Outcome {
        counts: (d.count(Direction::In), d.count(Direction::Out)),
        transits: list(transits),
        faults: list(faults),
        status,
    }
}

const FRAME_US: i64 = 66_667;

fn run_tracks(v: &Vector) -> Outcome {
    let l: Vec<f32> = v["line"].split(',').map(|s| s.parse().unwrap()).collect();
    let (bw, bh) = v["box"].split_once('x').unwrap();
    let (bw, bh): (f32, f32) = (bw.parse().unwrap(), bh.parse().unwrap());
    let mut c = match LineCounter::new(LineConfig::new(CountingLine::new(l[0], l[1], l[2], l[3]))) {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                counts: (0, 0),
                transits: "none".into(),
                faults: "none".into(),
                status: Some((e.code().as_u32(), -1)),
            };
        }
    };
    let mut status = None;
    let mut transits = Vec::new();
    for (k, frame) in v["frames"].split(';').enumerate() {
        let dets: Vec<Detection> = if frame == "-" {
            Vec::new()
        } else {
            frame
                .split('/')
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    let (x, y): (f32, f32) = (x.parse().unwrap(), y.parse().unwrap());
                    Detection::new(x - bw / 2.0, y - bh / 2.0, bw, bh)
                })
                .collect()
        };
        if let Err(e) = c.push_frame(Timestamp(k as i64 * FRAME_US), &dets) {
            status = Some((e.code().as_u32(), k as i64));
            break;
        }
        transits.extend(c.drain().map(|t| transit_token(&t, FRAME_US)));
    }
    // Age the tracks out so vanishing tracks are decided.
    let n = v["frames"].split(';').count() as i64;
    for k in n..n + 15 {
        if status.is_none() {
            c.push_frame(Timestamp(k * FRAME_US), &[]).unwrap();
            transits.extend(c.drain().map(|t| transit_token(&t, FRAME_US)));
        }
    }
    Outcome {
        counts: (c.count(Direction::In), c.count(Direction::Out)),
        transits: list(transits),
        faults: "none".into(),
        status,
    }
}

#[test]
fn counting_vectors() {
    let vectors = load();
    assert!(vectors.len() >= 20, "only {} vectors", vectors.len());
    let mut failures = Vec::new();
    for v in &vectors {
        let got = if v["kind"] == "beams" {
            run_beams(v)
        } else {
            run_tracks(v)
        };
        let want = Outcome {
            counts: (
                v["in"].parse().unwrap_or(u64::MAX),
                v["out"].parse().unwrap_or(u64::MAX),
            ),
            transits: v["transits"].clone(),
            faults: v.get("faults").cloned().unwrap_or_else(|| "none".into()),
            status: v
                .get("status")
                .map(|s| (s.parse().unwrap(), v["at"].parse().unwrap())),
        };
        if got != want {
            failures.push(format!("{}: got {got:?}", v["case"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
