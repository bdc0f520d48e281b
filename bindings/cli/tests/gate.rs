//! `hsm gate demo|query|contacts|export|purge`: the JSON contract and exit
//! codes, as scripts see them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::process::Output;

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    assert_cmd::cargo::cargo_bin_cmd!("hsm")
        .args(args)
        .output()
        .unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let o = run(&a);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn demo_then_query_contacts_export_purge() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    let r = json(&["gate", "demo", "--minutes", "3", "--seed", "2", "--db", db]);
    let s = &r["summary"];
    for field in [
        "truth_in",
        "truth_out",
        "passages_in",
        "passages_out",
        "passages",
        "matched",
        "matched_flagged",
        "merged_unflagged",
        "unmatched_persons",
        "unmatched_passages",
        "rechecks",
        "sensor_faults",
        "frames",
        "metal_samples",
        "wall_s",
        "speed_factor",
    ] {
        assert!(s[field].is_number(), "summary.{field} missing: {s}");
    }
    for field in [
        "fever",
        "threat",
        "threat_alone",
        "nuisance",
        "nuisance_alone",
    ] {
        for k in ["truth", "alarmed", "rechecked", "false_alarms"] {
            assert!(s[field][k].is_u64(), "summary.{field}.{k}");
        }
    }
    assert_eq!(s["unmatched_persons"], 0);
    assert_eq!(s["merged_unflagged"], 0);
    let n = s["passages"].as_u64().unwrap();
    assert!(n > 20);

    // An existing --db is refused without --force.
    let o = run(&["gate", "demo", "--minutes", "1", "--db", db]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));

    let all = json(&["gate", "query", "--db", db]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len() as u64, n);
    let p = &all[all.len() / 2];
    for field in [
        "id",
        "gate",
        "entrance",
        "entry",
        "exit",
        "direction",
        "persons",
        "alarms",
        "flags",
    ] {
        assert!(!p[field].is_null(), "passage.{field}");
    }
    let ins = json(&["gate", "query", "--db", db, "--direction", "in"]);
    assert!(
        ins.as_array()
            .unwrap()
            .iter()
            .all(|p| p["direction"] == "in")
    );
    let hot = json(&["gate", "query", "--db", db, "--min-temp", "37.3"]);
    for p in hot.as_array().unwrap() {
        assert!(p["thermal"]["body_c"].as_f64().unwrap() >= 37.3);
    }

    let id = p["id"].as_i64().unwrap().to_string();
    let entry = p["entry"].as_i64().unwrap();
    let c = json(&[
        "gate",
        "contacts",
        "--db",
        db,
        "--passage",
        &id,
        "--window",
        "20",
    ]);
    let c = c.as_array().unwrap();
    assert!(!c.is_empty());
    for q in c {
        assert!((q["entry"].as_i64().unwrap() - entry).abs() <= 20_000_000);
        assert_ne!(q["id"], p["id"]);
    }
    let o = run(&[
        "gate",
        "contacts",
        "--db",
        db,
        "--passage",
        "999999",
        "--window",
        "5",
    ]);
    assert_eq!(o.status.code(), Some(2), "a missing passage");
    let o = run(&[
        "gate",
        "contacts",
        "--db",
        db,
        "--passage",
        &id,
        "--window",
        "-5",
    ]);
    assert_eq!(o.status.code(), Some(2));

    for (to, name) in [
        ("parquet", "x.parquet"),
        ("csv", "x.csv"),
        ("jsonl", "x.jsonl"),
    ] {
        let out = dir.path().join(name);
        let r = json(&[
            "gate",
            "export",
            "--db",
            db,
            "--to",
            to,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r["rows"].as_u64(), Some(n), "{to}");
        assert_eq!(r["format"], to);
    }
    let csv = std::fs::read_to_string(dir.path().join("x.csv")).unwrap();
    assert_eq!(csv.lines().count() as u64, n + 1);
    let pq = std::fs::read(dir.path().join("x.parquet")).unwrap();
    assert_eq!(&pq[..4], b"PAR1");
    assert_eq!(&pq[pq.len() - 4..], b"PAR1");

    // Pseudonymised tokens: the key comes from a file of >= 32 bytes.
    let (key, short) = (dir.path().join("export.key"), dir.path().join("short.key"));
    std::fs::write(&key, [7u8; 32]).unwrap();
    std::fs::write(&short, [7u8; 31]).unwrap();
    let out = dir.path().join("p.jsonl");
    let export_with = |extra: &[&str]| {
        let mut args = vec![
            "gate",
            "export",
            "--db",
            db,
            "--to",
            "jsonl",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let ok = export_with(&[
        "--tokens",
        "pseudonym",
        "--export-key-file",
        key.to_str().unwrap(),
    ]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().lines().count() as u64,
        n
    );
    for (extra, what) in [
        (vec!["--tokens", "pseudonym"], "no key file"),
        (
            vec![
                "--tokens",
                "pseudonym",
                "--export-key-file",
                short.to_str().unwrap(),
            ],
            "31-byte key",
        ),
        (
            vec![
                "--tokens",
                "hash",
                "--export-key-file",
                key.to_str().unwrap(),
            ],
            "key without pseudonym",
        ),
    ] {
        let r = export_with(&extra);
        assert_eq!(r.status.code(), Some(2), "{what}");
        assert!(
            String::from_utf8_lossy(&r.stderr).contains("error:"),
            "{what}"
        );
    }
    let missing = dir.path().join("missing.key");
    let r = export_with(&[
        "--tokens",
        "pseudonym",
        "--export-key-file",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1), "unreadable key file");

    let r = json(&[
        "gate",
        "purge",
        "--db",
        db,
        "--older-than",
        "0",
        "--now",
        "2026-11-23T07:31:00+08:00",
    ]);
    assert!(r["deleted"].as_u64().unwrap() > 0);
    assert_eq!(
        r["deleted"].as_u64().unwrap() + r["remaining"].as_u64().unwrap(),
        n
    );
    let left = json(&[
        "gate",
        "query",
        "--db",
        db,
        "--to",
        "2026-11-23T07:31:00+08:00",
    ]);
    assert!(left.as_array().unwrap().is_empty());
}

#[test]
fn demo_recording_replays_with_gate_run() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec");
    let live = dir.path().join("live.db");
    let replay = dir.path().join("replay.db");
    let r = json(&[
        "gate",
        "demo",
        "--minutes",
        "1",
        "--seed",
        "4",
        "--db",
        live.to_str().unwrap(),
        "--record",
        rec.to_str().unwrap(),
    ]);
    let n = r["summary"]["passages"].as_u64().unwrap();
    let r = json(&[
        "gate",
        "run",
        rec.to_str().unwrap(),
        "--db",
        replay.to_str().unwrap(),
    ]);
    assert_eq!(r["passages"].as_u64(), Some(n));
    assert!(r["frames"].as_u64().unwrap() > 0 && r["metal_samples"].as_u64().unwrap() > 0);
    let a = json(&["gate", "query", "--db", live.to_str().unwrap()]);
    let b = json(&["gate", "query", "--db", replay.to_str().unwrap()]);
    assert_eq!(a, b);
    let o = run(&[
        "gate",
        "run",
        dir.path().to_str().unwrap(),
        "--db",
        replay.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn bad_invocations_exit_2_or_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let o = run(&["gate", "query", "--db", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("hsm gate demo"));
    assert_eq!(
        run(&["gate", "demo", "--minutes", "0"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["gate", "demo", "--minutes", "NaN"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["gate", "query", "--db", "x.db", "--from", "yesterday"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&[
            "gate", "export", "--db", "x.db", "--to", "xlsx", "--out", "y"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(&["gate", "purge", "--db", "x.db", "--older-than", "-1"])
            .status
            .code(),
        Some(2)
    );
}
