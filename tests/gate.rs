//! The gate: session association, passage log, queries, exports, privacy.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly"
)]

use hsm::StatusCode;
use hsm::core::counting::{Beam, BeamEvent};
use hsm::core::{FrameView, Micros, Timestamp};
use hsm::gate::{
    Alarms, Bucket, ContactScope, ExportFormat, GateError, GateSession, MetalFinding, Passage,
    PassageFlags, PassageLog, Query, SessionConfig, SiteKey, ThermalFinding, ThermalOutcome,
    TokenExport, Way, demo, export,
};
use num_complex::Complex64;

const T0: i64 = 1_795_390_200_000_000;

fn passage(k: i64, entrance: &str, gate: &str) -> Passage {
    let fever = k % 17 == 0;
    Passage {
        id: 0,
        gate: gate.to_owned(),
        entrance: entrance.to_owned(),
        entry: Timestamp(T0 + k * 3_000_000),
        exit: Timestamp(T0 + k * 3_000_000 + 1_200_000),
        direction: if k % 3 == 0 { Way::Out } else { Way::In },
        persons: 1,
        thermal: (k % 3 != 0).then_some(ThermalFinding {
            site_c: Some(36.0 + (k % 10) as f64 * 0.1),
            corrected_c: Some(36.05 + (k % 10) as f64 * 0.1),
            body_c: Some(if fever {
                38.2
            } else {
                36.4 + (k % 10) as f64 * 0.1
            }),
            outcome: if fever {
                ThermalOutcome::Fever
            } else {
                ThermalOutcome::Normal
            },
            readings: 6,
            valid_readings: 4,
            quality_flags: 0,
        }),
        metal: Some(MetalFinding {
            detected: k % 5 == 0,
            decision: if k % 50 == 0 { "alarm" } else { "pass" }.to_owned(),
            class: (k % 5 == 0).then(|| "keys".to_owned()),
            confidence: 0.9,
            threat_probability: 0.01,
            height_band: (k % 5 == 0).then(|| "waist".to_owned()),
            side: (k % 5 == 0).then(|| "left".to_owned()),
        }),
        alarms: if fever { Alarms::FEVER } else { Alarms::NONE }
            | if k % 50 == 0 {
                Alarms::THREAT
            } else {
                Alarms::NONE
            },
        flags: PassageFlags::NONE,
        token: None,
    }
}

fn filled(dir: &tempfile::TempDir, n: i64) -> (PassageLog, Vec<Passage>) {
    let mut log = PassageLog::open(dir.path().join("log.db")).unwrap();
    let mut ps: Vec<Passage> = (0..n)
        .map(|k| passage(k, if k % 2 == 0 { "east" } else { "west" }, "g1"))
        .collect();
    log.append_all(&mut ps).unwrap();
    (log, ps)
}

#[test]
fn records_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (log, ps) = filled(&dir, 60);
    assert_eq!(log.len().unwrap(), 60);
    for p in &ps {
        assert!(p.id > 0);
        assert_eq!(&log.get(p.id).unwrap(), p);
    }
    assert_eq!(
        log.get(10_000).unwrap_err(),
        GateError::NotFound { id: 10_000 }
    );
    assert_eq!(GateError::NotFound { id: 1 }.code(), StatusCode::NotFound);
    log.check_integrity().unwrap();
}

#[test]
fn queries_filter_like_a_brute_force_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (log, ps) = filled(&dir, 400);
    let cases = [
        Query {
            direction: Some(Way::Out),
            ..Query::default()
        },
        Query {
            alarms: Alarms::FEVER,
            ..Query::default()
        },
        Query {
            alarms: Alarms::FEVER | Alarms::THREAT,
            ..Query::default()
        },
        Query {
            min_body_c: Some(36.8),
            max_body_c: Some(37.0),
            ..Query::default()
        },
        Query {
            from: Some(Timestamp(T0 + 30_000_000)),
            to: Some(Timestamp(T0 + 90_000_000)),
            entrance: Some("east".into()),
            ..Query::default()
        },
        Query {
            limit: Some(7),
            ..Query::default()
        },
    ];
    for q in cases {
        let got: Vec<i64> = log.query(&q).unwrap().iter().map(|p| p.id).collect();
        let mut want: Vec<i64> = ps
            .iter()
            .filter(|p| q.direction.is_none_or(|d| p.direction == d))
            .filter(|p| q.alarms.is_empty() || p.alarms.intersects(q.alarms))
            .filter(|p| {
                let b = p.thermal.and_then(|t| t.body_c);
                q.min_body_c.is_none_or(|m| b.is_some_and(|b| b >= m))
                    && q.max_body_c.is_none_or(|m| b.is_some_and(|b| b <= m))
            })
            .filter(|p| q.from.is_none_or(|f| p.entry >= f) && q.to.is_none_or(|t| p.entry < t))
            .filter(|p| q.entrance.as_ref().is_none_or(|e| &p.entrance == e))
            .map(|p| p.id)
            .collect();
        if let Some(n) = q.limit {
            want.truncate(n as usize);
        }
        assert!(!want.is_empty(), "{q:?} selects nothing: a vacuous case");
        assert_eq!(got, want, "{q:?}");
    }
    let nan = Query {
        min_body_c: Some(f64::NAN),
        ..Query::default()
    };
    assert!(matches!(
        log.query(&nan),
        Err(GateError::InvalidArgument { .. })
    ));
}

#[test]
fn contacts_are_exactly_the_window_at_the_entrance() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = PassageLog::open(dir.path().join("c.db")).unwrap();
    let mut ps: Vec<Passage> = (0..300)
        .map(|k| passage(k, "main", if k % 4 == 0 { "g2" } else { "g1" }))
        .chain((0..50).map(|k| passage(k, "er", "g9")))
        .collect();
    log.append_all(&mut ps).unwrap();
    let index = &ps[100];
    for (scope, window_s) in [
        (ContactScope::SameEntrance, 10.0),
        (ContactScope::SameGate, 10.0),
        (ContactScope::SameEntrance, 0.0),
    ] {
        let w = Micros((window_s * 1e6) as i64);
        let got: Vec<i64> = log
            .contacts(index.id, w, scope)
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        let want: Vec<i64> = ps
            .iter()
            .filter(|p| p.id != index.id && p.entrance == index.entrance)
            .filter(|p| scope == ContactScope::SameEntrance || p.gate == index.gate)
            .filter(|p| (p.entry.0 - index.entry.0).abs() <= w.0)
            .map(|p| p.id)
            .collect();
        assert_eq!(got, want, "{scope:?} ±{window_s} s");
    }
    assert!(matches!(
        log.contacts(index.id, Micros(-1), ContactScope::SameGate),
        Err(GateError::InvalidArgument { .. })
    ));
    assert!(matches!(
        log.contacts(99_999, Micros(1), ContactScope::SameGate),
        Err(GateError::NotFound { .. })
    ));
}

#[test]
fn flow_sums_match_the_passages() {
    let dir = tempfile::tempdir().unwrap();
    let (log, ps) = filled(&dir, 2400); // two hours at one passage per 3 s
    let rows = log
        .flow(Timestamp(0), Timestamp(i64::MAX), Bucket::Hour, 480)
        .unwrap();
    let ins: u64 = rows.iter().map(|r| r.persons_in).sum();
    let outs: u64 = rows.iter().map(|r| r.persons_out).sum();
    let fever: u64 = rows.iter().map(|r| r.fever).sum();
    assert_eq!(
        ins,
        ps.iter().filter(|p| p.direction == Way::In).count() as u64
    );
    assert_eq!(
        outs,
        ps.iter().filter(|p| p.direction == Way::Out).count() as u64
    );
    assert_eq!(
        fever,
        ps.iter()
            .filter(|p| p.alarms.contains(Alarms::FEVER))
            .count() as u64
    );
    // Buckets start on local (UTC+8) hours: T0 is 07:30 local.
    for r in &rows {
        assert_eq!((r.start + 8 * 3_600_000_000).rem_euclid(3_600_000_000), 0);
    }
    assert_eq!(rows.len(), 2 * 3); // two entrances × three local hours
    assert!(
        log.flow(Timestamp(0), Timestamp(1), Bucket::Day, 9999)
            .is_err()
    );
}

#[test]
fn migrations_upgrade_and_newer_schemas_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    {
        let mut v1 = PassageLog::open_at_version(&path, 1).unwrap();
        assert_eq!(v1.schema_version().unwrap(), 1);
        v1.append(&mut passage(1, "main", "g1")).unwrap();
    }
    let log = PassageLog::open(&path).unwrap();
    assert_eq!(
        log.schema_version().unwrap(),
        hsm::gate::log::SCHEMA_VERSION
    );
    assert_eq!(log.len().unwrap(), 1);
    log.connection()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    drop(log);
    let err = PassageLog::open(&path).unwrap_err();
    assert_eq!(
        err,
        GateError::SchemaTooNew {
            found: 99,
            supported: hsm::gate::log::SCHEMA_VERSION
        }
    );
    assert_eq!(err.code(), StatusCode::SchemaTooNew);
}

#[test]
fn a_log_is_bound_to_one_site_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = PassageLog::open(dir.path().join("k.db")).unwrap();
    let a = SiteKey::new(&[1u8; 32]).unwrap();
    let b = SiteKey::new(&[2u8; 32]).unwrap();
    log.bind_key(&a).unwrap();
    log.bind_key(&a).unwrap();
    assert_eq!(log.bind_key(&b).unwrap_err(), GateError::KeyMismatch);
}

/// The bytes of `path` and its WAL.
fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    let mut v = std::fs::read(path).unwrap_or_default();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    v.extend(std::fs::read(std::path::PathBuf::from(wal)).unwrap_or_default());
    v
}

#[test]
fn purge_leaves_nothing_older_not_even_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let mut log = PassageLog::open(&path).unwrap();
    let key = SiteKey::new(&[9u8; 32]).unwrap();
    let mut ps: Vec<Passage> = (0..500)
        .map(|k| {
            let mut p = passage(k, "main", if k < 250 { "old-gate-XYZZY" } else { "g1" });
            p.token = Some(key.hash(format!("person-{k}").as_bytes()));
            p
        })
        .collect();
    log.append_all(&mut ps).unwrap();
    let cutoff = ps[250].entry;
    let old_token = ps[10].token.unwrap().0;
    assert!(
        file_bytes(&path)
            .windows(14)
            .any(|w| w == b"old-gate-XYZZY")
    );
    assert_eq!(log.purge_before(cutoff).unwrap(), 250);
    let left = log.query(&Query::default()).unwrap();
    assert_eq!(left.len(), 250);
    assert!(left.iter().all(|p| p.entry >= cutoff));
    let bytes = file_bytes(&path);
    assert!(
        !bytes.windows(14).any(|w| w == b"old-gate-XYZZY"),
        "purged text survives on disk"
    );
    assert!(
        !bytes.windows(32).any(|w| w == old_token),
        "purged token hash survives on disk"
    );
    log.check_integrity().unwrap();
}

#[test]
fn exports_stream_every_row_in_three_formats() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = filled(&dir, 1000);
    let key = SiteKey::new(&[3u8; 32]).unwrap();
    let mut p = passage(5000, "main", "g1");
    p.token = Some(key.hash(b"someone"));
    log.append(&mut p).unwrap();
    let q = Query::default();

    let csv_path = dir.path().join("x.csv");
    assert_eq!(
        export(&log, &q, ExportFormat::Csv, &TokenExport::Drop, &csv_path).unwrap(),
        1001
    );
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, hsm::gate::export::EMPTY_HEADER);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1001);
    assert!(rows.iter().all(|r| r.get(22) == Some("")), "tokens dropped");

    let jl = dir.path().join("x.jsonl");
    export(&log, &q, ExportFormat::JsonLines, &TokenExport::Hash, &jl).unwrap();
    let text = std::fs::read_to_string(&jl).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1001);
    assert_eq!(
        lines.last().unwrap()["token"].as_str().unwrap(),
        p.token.unwrap().to_hex()
    );

    let pseud = SiteKey::new(&[4u8; 32]).unwrap();
    let pq = dir.path().join("x.parquet");
    export(
        &log,
        &q,
        ExportFormat::Parquet,
        &TokenExport::Pseudonymise(pseud.clone()),
        &pq,
    )
    .unwrap();
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    let meta = reader.metadata();
    assert_eq!(meta.file_metadata().num_rows(), 1001);
    let names: Vec<&str> = meta
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name())
        .collect();
    assert_eq!(names, hsm::gate::export::EMPTY_HEADER);
    // Values agree with the JSON Lines export (the reference row builder).
    use parquet::record::RowAccessor;
    let rows: Vec<parquet::record::Row> = reader
        .get_row_iter(None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 1001);
    for (r, j) in rows.iter().zip(&lines) {
        assert_eq!(r.get_long(0).unwrap(), j["id"].as_i64().unwrap());
        assert_eq!(r.get_string(1).unwrap(), j["gate"].as_str().unwrap());
        assert_eq!(r.get_string(5).unwrap(), j["direction"].as_str().unwrap());
        match j["body_c"].as_f64() {
            // serde_json's default parser is not correctly rounded.
            Some(b) => assert!((r.get_double(9).unwrap() - b).abs() < 1e-12),
            None => assert!(r.get_double(9).is_err()),
        }
        assert_eq!(r.get_string(20).unwrap(), j["alarms"].as_str().unwrap());
        assert_eq!(
            r.get_string(15).ok().map(String::as_str),
            j["metal_class"].as_str()
        );
    }
    let last = rows.last().unwrap().get_string(22).unwrap();
    assert_eq!(last, &pseud.hash(&p.token.unwrap().0).to_hex());
    // An unwritable path is an I/O error and leaves no file.
    let bad = dir.path().join("no/such/dir/x.csv");
    assert!(matches!(
        export(&log, &q, ExportFormat::Csv, &TokenExport::Drop, &bad),
        Err(GateError::Io { .. })
    ));
}

#[test]
fn demo_yields_one_passage_per_person_or_an_explicit_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = PassageLog::open(dir.path().join("demo.db")).unwrap();
    let cfg = demo::DemoConfig {
        minutes: 6.0,
        seed: 7,
        fever_fraction: 0.1,
        threat_fraction: 0.08,
        ..demo::DemoConfig::default()
    };
    let s = demo::run(&cfg, Some(&mut log), |_| {}).unwrap();
    assert!(s.truth_in + s.truth_out > 60, "{s:?}");
    assert_eq!(s.unmatched_persons, 0, "{s:?}");
    assert_eq!(s.merged_unflagged, 0, "{s:?}");
    assert_eq!(s.unmatched_passages, 0, "{s:?}");
    assert_eq!(s.matched + s.matched_flagged, s.truth_in + s.truth_out);
    assert_eq!(log.len().unwrap(), s.passages);
    // Component bars: every febrile person and every threat alarms here.
    assert!(s.fever.truth > 0 && s.threat.truth > 0, "{s:?}");
    assert_eq!(s.fever.alarmed, s.fever.truth, "{s:?}");
    assert_eq!(s.threat.alarmed, s.threat.truth, "{s:?}");
    assert_eq!(s.sensor_faults, 0, "{s:?}");
    // The like-for-like nuisance tally is a subset of the whole one.
    assert!(s.nuisance_alone.truth > 0, "{s:?}");
    assert!(s.nuisance_alone.truth <= s.nuisance.truth, "{s:?}");
    assert!(s.nuisance_alone.alarmed <= s.nuisance.alarmed, "{s:?}");
    assert!(s.threat_alone.truth <= s.threat.truth, "{s:?}");
    assert!(s.threat_alone.alarmed <= s.threat.alarmed, "{s:?}");
    assert_eq!(s.threat_alone.false_alarms, 0, "{s:?}");
    // Same seed, same passages.
    let again = demo::run(&cfg, None, |_| {}).unwrap();
    assert_eq!(again.passages, s.passages);
    assert_eq!(again.fever, s.fever);
}

/// Close followers — the next person under a second behind — are screened
/// on their own face tracks: on these two mornings (seeds where cutting the
/// frames at transit times gave the end of a febrile person's approach to
/// the passage before theirs, and missed them), every febrile person alarms
/// and the others do not (thermal's bars: sensitivity and specificity
/// ≥ 99 %).
#[test]
fn close_followers_are_screened_on_their_own_face_tracks() {
    for seed in [2, 6] {
        let cfg = demo::DemoConfig {
            minutes: 8.0,
            seed,
            fever_fraction: 0.15,
            ..demo::DemoConfig::default()
        };
        let s = demo::run(&cfg, None, |_| {}).unwrap();
        let normal = s.truth_in - s.fever.truth;
        assert!(s.fever.truth >= 5 && normal >= 40, "{s:?}");
        assert_eq!(s.fever.alarmed, s.fever.truth, "{s:?}");
        assert!(s.fever.false_alarms * 100 <= normal, "{s:?}");
    }
}

fn session_without_camera() -> GateSession {
    let cfg = SessionConfig {
        thermal: None,
        ..SessionConfig::default()
    };
    GateSession::new(cfg).unwrap()
}

/// One person walking in: beam edges after the start (µs); the transit
/// completes 0.7 s after it.
const WALK: [(i64, Beam, bool); 4] = [
    (0, Beam::A, true),
    (200_000, Beam::B, true),
    (500_000, Beam::A, false),
    (700_000, Beam::B, false),
];

/// Two people side by side: both beams blocked 0.9 s (the decoder counts
/// two above 0.65 s).
const PAIR: [(i64, Beam, bool); 4] = [
    (0, Beam::A, true),
    (100_000, Beam::B, true),
    (1_000_000, Beam::A, false),
    (1_100_000, Beam::B, false),
];

fn walk_in(s: &mut GateSession, t: i64) {
    for (dt, beam, blocked) in WALK {
        s.push_beam(BeamEvent {
            t: Timestamp(t + dt),
            beam,
            blocked,
        })
        .unwrap();
    }
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let mut s = session_without_camera();
    let frame = [0u16; 16];
    let view = FrameView::packed(&frame, 4, 4).unwrap();
    assert!(matches!(
        s.push_frame(Timestamp(0), &view),
        Err(GateError::InvalidArgument { .. })
    ));
    let e = s
        .push_metal(Timestamp(0), &[Complex64::new(0.0, 0.0); 3])
        .unwrap_err();
    assert!(matches!(e, GateError::Metal(_)), "{e}");
    let mut frame72 = vec![Complex64::new(0.0, 0.0); 72];
    frame72[5] = Complex64::new(f64::NAN, 0.0);
    assert!(matches!(
        s.push_metal(Timestamp(0), &frame72),
        Err(GateError::InvalidArgument { .. })
    ));
    frame72[5] = Complex64::new(0.0, 0.0);
    s.push_metal(Timestamp(10), &frame72).unwrap();
    assert_eq!(
        s.push_metal(Timestamp(5), &frame72).unwrap_err().code(),
        StatusCode::OutOfOrder
    );
    assert!(s.push_token(Timestamp(0), b"").is_err());
    assert!(s.push_token(Timestamp(0), &[0u8; 5000]).is_err());
    let bad = SessionConfig {
        gate_id: String::new(),
        ..SessionConfig::default()
    };
    assert!(GateSession::new(bad).is_err());
}

#[test]
fn every_transit_is_a_passage_even_without_sensor_data() {
    // Beams only, no metal samples: each passage says there was no metal
    // data and raises a sensor fault, none is dropped.
    let mut s = session_without_camera();
    for k in 0..5 {
        walk_in(&mut s, T0 + k * 4_000_000);
    }
    s.finish().unwrap();
    let mut out = Vec::new();
    assert_eq!(s.poll(&mut out), 5);
    for p in &out {
        assert_eq!(p.direction, Way::In);
        assert!(p.flags.contains(PassageFlags::METAL_NO_DATA));
        assert!(p.alarms.contains(Alarms::SENSOR_FAULT));
    }
}

#[test]
fn tokens_are_hashed_matched_against_the_watch_list_or_dropped() {
    let key = SiteKey::new(&[5u8; 32]).unwrap();
    let listed = key.hash(b"ID-110101199001011234");
    let mut s = session_without_camera();
    s.set_site_key(key);
    s.set_watch_list([listed]);
    s.push_token(Timestamp(T0 - 1_000_000), b"ID-110101199001011234")
        .unwrap();
    walk_in(&mut s, T0);
    s.push_token(Timestamp(T0 + 4_000_000), b"someone else")
        .unwrap();
    walk_in(&mut s, T0 + 5_000_000);
    s.finish().unwrap();
    let mut out = Vec::new();
    s.poll(&mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].token, Some(listed));
    assert!(out[0].alarms.contains(Alarms::WATCHLIST));
    assert!(out[1].token.is_some() && !out[1].alarms.contains(Alarms::WATCHLIST));

    // Without a site key the token is dropped and the passage says so.
    let mut s = session_without_camera();
    s.push_token(Timestamp(T0 - 1_000_000), b"raw").unwrap();
    walk_in(&mut s, T0);
    s.finish().unwrap();
    let mut out = Vec::new();
    s.poll(&mut out);
    assert_eq!(out[0].token, None);
    assert!(out[0].flags.contains(PassageFlags::TOKEN_DROPPED));
}

#[test]
fn a_recording_replays_to_the_same_passages() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec");
    let cfg = demo::DemoConfig {
        minutes: 1.5,
        seed: 11,
        threat_fraction: 0.1,
        ..demo::DemoConfig::default()
    };
    let mut live = PassageLog::open(dir.path().join("live.db")).unwrap();
    demo::run_recorded(&cfg, Some(&mut live), Some(&rec), |_| {}).unwrap();
    let mut replayed = PassageLog::open(dir.path().join("replay.db")).unwrap();
    let s = hsm::gate::recording::replay(&rec, &mut replayed, |_| {}).unwrap();
    let a = live.query(&Query::default()).unwrap();
    let b = replayed.query(&Query::default()).unwrap();
    assert!(!a.is_empty());
    assert_eq!(s.passages as usize, b.len());
    assert_eq!(a, b, "replay differs from the live run");

    // A truncated metal file and a malformed beams row are format errors
    // naming the file.
    let m = rec.join("metal.f64le");
    let bytes = std::fs::read(&m).unwrap();
    std::fs::write(&m, &bytes[..bytes.len() - 3]).unwrap();
    let e = hsm::gate::recording::replay(&rec, &mut replayed, |_| {}).unwrap_err();
    assert!(
        matches!(&e, GateError::Format { path, .. } if path.ends_with("metal.f64le")),
        "{e}"
    );
    std::fs::write(&m, &bytes).unwrap();
    std::fs::write(rec.join("beams.csv"), "t_us,beam,blocked\n12,C,1\n").unwrap();
    let e = hsm::gate::recording::replay(&rec, &mut replayed, |_| {}).unwrap_err();
    assert!(e.to_string().contains("row 2"), "{e}");
    std::fs::remove_file(rec.join("gate.json")).unwrap();
    assert!(matches!(
        hsm::gate::recording::replay(&rec, &mut replayed, |_| {}),
        Err(GateError::Io { .. })
    ));
}

/// Nobody in the walkway for two minutes: the coils stream the gate's own
/// noise, wander and hum, and no "metal without passage" comes of it. (With
/// size alone deciding, 3.7 % of idle 2 s windows were "metal"; on this
/// seed the sweep made 4 such records, jewellery and keys.)
#[test]
fn an_idle_gate_streams_no_metal() {
    use hsm::metal::gate::{Gate, GateConfig};
    use hsm::metal::sim::{Background, Disturbances};
    let gate = Gate::new(GateConfig::default()).unwrap();
    let mut bg = Background::new(&gate, &Disturbances::default(), 3).unwrap();
    let mut s = session_without_camera();
    let mut frame = Vec::new();
    for j in 0..24_000 {
        bg.next_frame(&mut frame);
        s.push_metal(Timestamp(T0 + j * 5_000), &frame).unwrap();
    }
    s.finish().unwrap();
    let mut out = Vec::new();
    s.poll(&mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn metal_with_no_transit_is_a_record_of_its_own() {
    use hsm::metal::gate::{Gate, GateConfig};
    use hsm::metal::library::ObjectClass;
    use hsm::metal::sim::{BodyLocation, SimConfig, Simulator};
    let gate = Gate::new(GateConfig::default()).unwrap();
    let mut sim = Simulator::new(gate, SimConfig::default(), 5).unwrap();
    let (rec, _) = sim
        .passage(&[carried(ObjectClass::Knife, BodyLocation::WaistFront)])
        .unwrap();
    let mut s = session_without_camera();
    // Someone reaches a knife through the arch: coils see it, beams do not.
    for j in 0..rec.frames() {
        s.push_metal(Timestamp(T0 + j as i64 * 5_000), rec.frame(j).unwrap())
            .unwrap();
    }
    s.finish().unwrap();
    let mut out = Vec::new();
    s.poll(&mut out);
    assert!(
        !out.is_empty(),
        "a knife in the coils with no transit vanished"
    );
    for p in &out {
        assert_eq!(p.direction, Way::Unknown);
        assert!(p.flags.contains(PassageFlags::METAL_WITHOUT_PASSAGE));
        assert!(p.metal.as_ref().is_some_and(|m| m.detected));
    }
    assert!(
        out.iter()
            .any(|p| p.alarms.intersects(Alarms::THREAT | Alarms::RECHECK))
    );
}

#[test]
fn readers_see_committed_passages_while_the_gate_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rw.db");
    let mut writer = PassageLog::open(&path).unwrap();
    writer.append(&mut passage(0, "main", "g1")).unwrap();
    let reader_path = path.clone();
    let reader = std::thread::spawn(move || {
        let log = PassageLog::open_read_only(&reader_path).unwrap();
        let mut last = 0;
        let mut seen = 0;
        while last < 400 {
            let n = log.len().unwrap();
            assert!(n >= last, "a reader saw the log shrink: {last} -> {n}");
            // Every passage a reader sees is whole (the writer may have
            // committed more since `len`).
            let ps = log.query(&Query::default()).unwrap();
            assert!(ps.len() as u64 >= n);
            assert!(ps.iter().all(|p| p.metal.is_some() && !p.gate.is_empty()));
            last = ps.len() as u64;
            seen += 1;
        }
        seen
    });
    for k in 1..400 {
        writer.append(&mut passage(k, "main", "g1")).unwrap();
    }
    let reads = reader.join().unwrap();
    assert!(reads > 1, "the reader never ran alongside the writer");
    assert!(PassageLog::open_read_only(dir.path().join("missing.db")).is_err());
}

/// People walking in through the beams and coils: each `(transit start,
/// beam pattern, objects)`; `pair` beams stay both blocked long enough
/// for two people side by side. Each person's coil response is simulated
/// (crossing the coils 0.2 s before their transit completes) and added, as
/// coil responses superpose, onto one continuous background of the gate's
/// own disturbances; everything is fed in time order.
fn walk_through(people: &[(i64, bool, Vec<hsm::metal::sim::Carried>)], seed: u64) -> Vec<Passage> {
    use hsm::metal::gate::{Gate, GateConfig};
    use hsm::metal::sim::{Background, Disturbances, SimConfig, Simulator};
    use std::collections::BTreeMap;
    let gate = Gate::new(GateConfig::default()).unwrap();
    let per_frame = gate.zones() * gate.frequencies();
    let mut background = Background::new(&gate, &Disturbances::default(), seed).unwrap();
    // As the demo builds its stream: each response fades in and out
    // far from the coils, so it adds onto the background without steps.
    let cfg = SimConfig {
        duration_s: 4.5,
        fade_s: 0.5,
        disturbances: Disturbances {
            body: Disturbances::default().body,
            ..Disturbances::NONE
        },
        ..SimConfig::default()
    };
    let mut sim = Simulator::new(gate, cfg, seed).unwrap();
    let mut beams = Vec::new();
    let mut metal: BTreeMap<i64, Vec<Complex64>> = BTreeMap::new();
    for (t, pair, items) in people {
        let pattern = if *pair { PAIR } else { WALK };
        for (dt, beam, blocked) in pattern {
            beams.push(BeamEvent {
                t: Timestamp(t + dt),
                beam,
                blocked,
            });
        }
        let done = t + pattern[3].0;
        let (rec, truth) = sim.passage(items).unwrap();
        let start = done - 200_000 - (truth.crossing_s * 1e6) as i64;
        for j in 0..rec.frames() {
            // 200 Hz slots on the wall clock.
            let slot = (start + j as i64 * 5_000).div_euclid(5_000);
            let acc = metal
                .entry(slot)
                .or_insert_with(|| vec![Complex64::new(0.0, 0.0); per_frame]);
            for (a, s) in acc.iter_mut().zip(rec.frame(j).unwrap()) {
                *a += s;
            }
        }
    }
    let mut s = session_without_camera();
    let mut b = beams.into_iter().peekable();
    let (first, last) = (
        *metal.first_key_value().unwrap().0,
        *metal.last_key_value().unwrap().0,
    );
    let mut frame = Vec::new();
    for slot in first..=last {
        let t = slot * 5_000;
        while let Some(ev) = b.next_if(|e| e.t.0 <= t) {
            s.push_beam(ev).unwrap();
        }
        background.next_frame(&mut frame);
        if let Some(person) = metal.get(&slot) {
            for (a, v) in frame.iter_mut().zip(person) {
                *a += v;
            }
        }
        s.push_metal(Timestamp(t), &frame).unwrap();
    }
    for ev in b {
        s.push_beam(ev).unwrap();
    }
    s.finish().unwrap();
    let mut out = Vec::new();
    s.poll(&mut out);
    out
}

fn carried(
    class: hsm::metal::library::ObjectClass,
    at: hsm::metal::sim::BodyLocation,
) -> hsm::metal::sim::Carried {
    let gate = hsm::metal::gate::Gate::new(hsm::metal::gate::GateConfig::default()).unwrap();
    let o = hsm::metal::library::builtin()
        .into_iter()
        .find(|o| o.class == class)
        .unwrap();
    hsm::metal::sim::Carried {
        signature: o.signature(gate.omegas()).unwrap(),
        location: at,
        orientation: None,
    }
}

/// A knife carrier followed a second later by someone with a phone: the
/// phone is the strongest signal in the knife carrier's window too, but
/// the knife carrier's share of the window is read as a threat and alarms
/// every time. The phone carrier is the harder case: their window opens on
/// the knife's tail, and the one-object fit over both is often another
/// class (over seeds 3–22: phone 11 times, belt buckle 6, knuckle duster 3,
/// the last 3 alarming) — a false-alarm rate of one in five or so for
/// this pattern, which the bounds below hold to, not a clean sweep.
#[test]
fn each_person_in_a_crowded_window_gets_their_own_metal() {
    use hsm::metal::library::ObjectClass;
    use hsm::metal::sim::BodyLocation;
    let (mut knives_alarmed, mut phones_read, mut phones_alarmed) = (0, 0, 0);
    for seed in 3..13 {
        let out = walk_through(
            &[
                (
                    T0 + 2_000_000,
                    false,
                    vec![carried(ObjectClass::Knife, BodyLocation::RightPocket)],
                ),
                (
                    T0 + 3_000_000,
                    false,
                    vec![carried(ObjectClass::Phone, BodyLocation::WaistFront)],
                ),
            ],
            seed,
        );
        assert_eq!(out.len(), 2, "{out:?}");
        for p in &out {
            assert!(p.flags.contains(PassageFlags::METAL_OVERLAP), "{p:?}");
        }
        let (knife, phone) = (&out[0], &out[1]);
        let class = |p: &Passage| p.metal.as_ref().and_then(|m| m.class.clone());
        // The knife carrier's finding is a threat class, never the phone.
        assert!(
            class(knife)
                .and_then(|c| ObjectClass::from_name(&c))
                .is_some_and(ObjectClass::is_threat),
            "seed {seed}: {knife:?}"
        );
        knives_alarmed += usize::from(knife.alarms.contains(Alarms::THREAT));
        phones_read += usize::from(class(phone).as_deref() == Some("phone"));
        phones_alarmed += usize::from(phone.alarms.contains(Alarms::THREAT));
    }
    assert_eq!(knives_alarmed, 10);
    // Seeds 3–12 gave 4 phones read as phones and 2 threat alarms on them.
    assert!(
        phones_read >= 4,
        "{phones_read} of 10 phones read as phones"
    );
    assert!(
        phones_alarmed <= 3,
        "{phones_alarmed} of 10 phone carriers alarmed"
    );
}

/// Two people side by side in one transit. One object alone in the
/// lane: the detector's one-object fit explains the window and its
/// decision stands. Two objects whose sum one object does not explain (a
/// belt buckle and keys at the ankle; a phone and a watch): the finding
/// passes, but the pair is re-checked — the second object may be a threat
/// hidden under the first (in the demo, a knife beside a bunch of keys).
#[test]
fn a_pair_whose_metal_one_object_does_not_explain_is_rechecked() {
    use hsm::metal::library::ObjectClass as C;
    use hsm::metal::sim::BodyLocation as L;
    let pair = |items: Vec<hsm::metal::sim::Carried>, seed: u64| {
        let out = walk_through(&[(T0 + 2_000_000, true, items)], seed);
        assert_eq!(out.len(), 1, "{out:?}");
        let p = out.into_iter().next().unwrap();
        assert!(p.flags.contains(PassageFlags::MULTIPLE_PERSONS), "{p:?}");
        let m = p.metal.clone().unwrap();
        assert!(m.detected && m.decision == "pass", "seed {seed}: {p:?}");
        p
    };
    for seed in [3, 4, 5] {
        for (class, at) in [
            (C::Phone, L::LeftPocket),
            (C::BeltBuckle, L::WaistFront),
            (C::Keys, L::LeftPocket),
        ] {
            let p = pair(vec![carried(class, at)], seed);
            assert!(!p.alarms.contains(Alarms::RECHECK), "seed {seed}: {p:?}");
        }
    }
    for (items, seed) in [
        (
            vec![
                carried(C::BeltBuckle, L::WaistFront),
                carried(C::Keys, L::RightAnkle),
            ],
            3,
        ),
        (
            vec![
                carried(C::BeltBuckle, L::WaistFront),
                carried(C::Keys, L::RightAnkle),
            ],
            5,
        ),
        (
            vec![carried(C::Phone, L::Chest), carried(C::Watch, L::LeftWrist)],
            4,
        ),
    ] {
        let p = pair(items, seed);
        assert!(p.alarms.contains(Alarms::RECHECK), "seed {seed}: {p:?}");
    }
}

/// Two people side by side: the beams count two, the camera may screen
/// only one face. Someone then walked through unmeasured, and the passage
/// is re-checked. On these mornings a febrile person beside another went
/// unmeasured and passed (seed 28's second minute, seed 34's fourth).
#[test]
fn a_person_the_camera_did_not_screen_is_rechecked() {
    for (seed, minutes) in [(28, 2.0), (34, 4.0)] {
        let cfg = demo::DemoConfig {
            minutes,
            seed,
            ..demo::DemoConfig::default()
        };
        let s = demo::run(&cfg, None, |_| {}).unwrap();
        assert!(s.fever.truth >= 1, "{s:?}");
        assert_eq!(s.fever.alarmed + s.fever.rechecked, s.fever.truth, "{s:?}");
    }
}

/// A token read almost the whole token window (3 s) before the transit
/// completes still binds to it while the session waits for the metal
/// neighbours (the beams 1.35 s past the transit) with a tight reordering
/// bound: the buffers are kept that long.
#[test]
fn a_token_early_in_its_window_survives_the_wait_for_metal_neighbours() {
    let key = SiteKey::new(&[5u8; 32]).unwrap();
    let mut s = GateSession::new(SessionConfig {
        thermal: None,
        reorder: Micros::from_millis(100),
        ..SessionConfig::default()
    })
    .unwrap();
    s.set_site_key(key.clone());
    let frame = [Complex64::new(0.0, 0.0); 72];
    // The transit completes at T0 + 0.7 s; the token 2.95 s before that.
    s.push_token(Timestamp(T0 - 2_250_000), b"ID-1").unwrap();
    let mut beams = WALK.into_iter().peekable();
    // Metal samples stream on (200 Hz) for 6 s, beams in time order.
    let mut t = T0 - 2_000_000;
    while t < T0 + 4_000_000 {
        while let Some((dt, beam, blocked)) = beams.next_if(|b| T0 + b.0 <= t) {
            s.push_beam(BeamEvent {
                t: Timestamp(T0 + dt),
                beam,
                blocked,
            })
            .unwrap();
        }
        s.push_metal(Timestamp(t), &frame).unwrap();
        t += 5_000;
    }
    let mut out = Vec::new();
    s.poll(&mut out);
    assert_eq!(out.len(), 1, "the passage closed before the end: {out:?}");
    assert_eq!(out[0].token, Some(key.hash(b"ID-1")), "{:?}", out[0]);
    assert!(!out[0].flags.contains(PassageFlags::LATE_STREAM));
}
