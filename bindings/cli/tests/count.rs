//! `hsm count beams|tracks|simulate`: the JSON contract, exit codes and
//! the simulator's determinism, as scripts see them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn hsm() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("hsm")
}

fn run(args: &[&str]) -> Output {
    hsm().args(args).output().unwrap()
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

fn write(dir: &TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn beams_json_contract() {
    let dir = TempDir::new().unwrap();
    let f = write(
        &dir,
        "events.csv",
        "t_us,beam,blocked\n0,A,1\n100000,B,1\n250000,A,0\n400000,B,0\n\
         1000000,B,1\n1100000,A,1\n1250000,B,0\n1400000,A,0\n\
         2000000,A,1\n2300000,A,0\n\
         3000000,B,1\n40000000,B,0\n",
    );
    let v = json(&["count", "beams", &f]);
    assert_eq!(v["in"], 1);
    assert_eq!(v["out"], 1);
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["t_us"], 400_000);
    assert_eq!(events[0]["direction"], "in");
    assert_eq!(events[0]["persons"], 1);
    assert_eq!(events[0]["source"], "beams");
    assert_eq!(events[0]["flags"], Value::Array(vec![]));
    let faults = v["faults"].as_array().unwrap();
    assert_eq!(faults.len(), 2, "{faults:?}");
    assert_eq!(
        (faults[0]["beam"].as_str(), faults[0]["kind"].as_str()),
        (Some("B"), Some("stuck"))
    );
    assert_eq!(faults[0]["t_us"], 33_000_000);
    assert_eq!(faults[1]["kind"], "recovered");
}

#[test]
fn tracks_json_contract_and_line_direction() {
    let dir = TempDir::new().unwrap();
    let mut csv = String::from("frame,t_us,x,y,w,h,score\n");
    for k in 0..30 {
        let y = 20 + 8 * k;
        csv.push_str(&format!("{k},{},140,{},40,30,0.9\n", k * 66_667, y - 15));
    }
    let f = write(&dir, "dets.csv", &csv);
    let v = json(&["count", "tracks", &f, "--line", "0,120,320,120"]);
    assert_eq!((v["in"].as_u64(), v["out"].as_u64()), (Some(1), Some(0)));
    let e = &v["events"][0];
    assert_eq!(e["direction"], "in");
    assert_eq!(e["source"], "tracks");
    assert!(e["track_id"].as_u64().is_some());
    assert!(v.get("faults").is_none());
    // The reversed line reverses the meaning.
    let v = json(&["count", "tracks", &f, "--line", "320,120,0,120"]);
    assert_eq!((v["in"].as_u64(), v["out"].as_u64()), (Some(0), Some(1)));
    // Centroid-only detections (no score column) work too.
    let csv = csv
        .replace(",0.9\n", "\n")
        .replace("frame,t_us,x,y,w,h,score", "frame,t_us,x,y,w,h");
    let f = write(&dir, "dets2.csv", &csv);
    assert_eq!(
        json(&["count", "tracks", &f, "--line", "0,120,320,120"])["in"],
        1
    );
}

#[test]
fn simulate_writes_three_files_deterministically_and_counts_them() {
    let a = TempDir::new().unwrap();
    let b = TempDir::new().unwrap();
    let pa = a.path().display().to_string();
    let v = json(&[
        "count",
        "simulate",
        "--minutes",
        "3",
        "--seed",
        "9",
        "--out",
        &pa,
    ]);
    json(&[
        "count",
        "simulate",
        "--minutes",
        "3",
        "--seed",
        "9",
        "--out",
        &b.path().display().to_string(),
    ]);
    for name in ["beams.csv", "detections.csv", "truth.csv"] {
        let x = std::fs::read(a.path().join(name)).unwrap();
        let y = std::fs::read(b.path().join(name)).unwrap();
        assert!(x == y, "{name} differs between runs with the same seed");
    }
    let transits = v["transits"].as_u64().unwrap();
    assert!(transits > 50, "{v}");
    assert_eq!(
        v["in"].as_u64().unwrap() + v["out"].as_u64().unwrap(),
        transits
    );
    let truth = a.path().join("truth.csv").display().to_string();
    let t = json(&[
        "count",
        "tracks",
        &a.path().join("detections.csv").display().to_string(),
        "--line",
        "0,120,320,120",
        "--truth",
        &truth,
    ]);
    let e = &t["evaluation"];
    assert_eq!(e["truth"].as_u64(), Some(transits));
    assert!(e["errors_per_200"].as_f64().unwrap() < 5.0, "{e}");
    let bm = json(&[
        "count",
        "beams",
        &a.path().join("beams.csv").display().to_string(),
        "--truth",
        &truth,
    ]);
    assert!(bm["evaluation"]["missed"].as_u64().is_some());
}

#[test]
fn errors_exit_with_meaningful_codes() {
    let dir = TempDir::new().unwrap();
    let good = write(&dir, "d.csv", "frame,t_us,x,y,w,h\n0,0,1,2,3,4\n");
    // Usage: a bad line, a degenerate line, a bad simulate setting → 2.
    for args in [
        vec!["count", "tracks", good.as_str(), "--line", "1,2,3"],
        vec!["count", "tracks", good.as_str(), "--line", "5,5,5,5"],
        vec!["count", "tracks", good.as_str()],
        vec!["count", "simulate", "--minutes", "-1", "--out", "x"],
    ] {
        let o = run(&args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Failure: missing or malformed files → 1, naming the file and line.
    let cases = [
        ("missing column", "t_us,beam\n0,A\n", "beams", "blocked"),
        ("bad beam", "t_us,beam,blocked\n0,C,1\n", "beams", ":2:"),
        (
            "out of order",
            "t_us,beam,blocked\n10,A,1\n5,A,0\n",
            "beams",
            "time order",
        ),
        (
            "NaN x",
            "frame,t_us,x,y,w,h\n0,0,NaN,2,3,4\n",
            "tracks",
            " x ",
        ),
        (
            "frames backwards",
            "frame,t_us,x,y,w,h\n3,0,1,2,3,4\n2,0,1,2,3,4\n",
            "tracks",
            "frame order",
        ),
    ];
    for (what, text, cmd, needle) in cases {
        let f = write(&dir, "bad.csv", text);
        let mut args = vec!["count", cmd, f.as_str()];
        if cmd == "tracks" {
            args.extend(["--line", "0,1,2,3"]);
        }
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(1), "{what}: {err}");
        assert!(err.contains(needle), "{what}: {err}");
    }
    let o = run(&["count", "beams", "/nonexistent/events.csv"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn flow_rows_and_summary_from_counted_transits() {
    let dir = TempDir::new().unwrap();
    let h: i64 = 3_600_000_000;
    let f = write(
        &dir,
        "transits.csv",
        &format!(
            "t_us,direction,persons,source,flags,track_id\n5,in,1,beams,,\n{},in,2,beams,estimated,\n{},out,1,beams,,\n{},out,1,beams,,\n",
            h + 1,
            h + 2,
            25 * h
        ),
    );
    let v = json(&["count", "flow", &f, "--bin", "hour"]);
    assert_eq!(v["bin"], "hour");
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 26);
    assert_eq!(
        (rows[1]["in"].as_u64(), rows[1]["out"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(rows[1]["occupancy"], 2);
    let s = &v["summary"];
    assert_eq!(
        (
            s["total_in"].as_u64(),
            s["total_out"].as_u64(),
            s["days"].as_u64()
        ),
        (Some(3), Some(2), Some(2))
    );
    assert_eq!(s["daily_avg_in"].as_f64(), Some(1.5));
    assert_eq!(s["peak_hour_start_us"].as_i64(), Some(h));
    let o = run(&["count", "flow", &f, "--days", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["count", "flow", &f, "--bin", "week"]);
    assert_eq!(o.status.code(), Some(2));
}
