//! `hsm metal import-mpt|simulate|classify|evaluate`: the JSON contract,
//! exit codes and determinism, as scripts see them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use hsm::metal::ObjectFile;
use hsm::metal::library::{ObjectClass, builtin};
use hsm::metal::train::variant_objects;
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

fn path(dir: &TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

const SPHERE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/metal/mpt_sphere"
);

#[test]
fn import_mpt_writes_an_object_file() {
    let d = TempDir::new().unwrap();
    let out = path(&d, "sphere.json");
    let r = json(&[
        "metal",
        "import-mpt",
        SPHERE,
        "--label",
        "sphere",
        "--threat",
        "0",
        "--out",
        &out,
    ]);
    assert_eq!(r["label"], "sphere");
    assert_eq!(r["frequencies"], 25);
    assert_eq!(r["n0"], true);
    assert_eq!(r["threat"], false);
    let f = ObjectFile::from_json("x", &std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(f.signature.label, "sphere");
    assert_eq!(f.threat, Some(false));
    // A folder without Tensors.csv is a failure naming the file.
    let o = run(&[
        "metal",
        "import-mpt",
        d.path().to_str().unwrap(),
        "--label",
        "x",
        "--out",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: "));
}

#[test]
fn simulate_then_classify_one_result_per_passage() {
    let d = TempDir::new().unwrap();
    let (a, b) = (path(&d, "a.npy"), path(&d, "b.npy"));
    let r = json(&[
        "metal",
        "simulate",
        "--object",
        "pistol_steel",
        "--passes",
        "3",
        "--seed",
        "5",
        "--out",
        &a,
    ]);
    assert_eq!(r["shape"], serde_json::json!([3, 400, 18, 4]));
    assert_eq!(r["passages"].as_array().unwrap().len(), 3);
    json(&[
        "metal",
        "simulate",
        "--object",
        "pistol_steel",
        "--passes",
        "3",
        "--seed",
        "5",
        "--out",
        &b,
    ]);
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap(), "same seed, same bytes");
    assert_eq!(bytes.len(), 128 + 3 * 400 * 18 * 4 * 16);

    let c = json(&["metal", "classify", &a]);
    let rows = c.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (i, r) in rows.iter().enumerate() {
        for k in [
            "alarm",
            "decision",
            "class",
            "confidence",
            "threat",
            "height_band",
            "side",
        ] {
            assert!(r.get(k).is_some(), "field {k} missing: {r}");
        }
        assert_eq!(r["passage"], i);
        assert_eq!(r["alarm"], r["decision"] == "alarm");
        assert!((0.0..=1.0).contains(&r["threat"].as_f64().unwrap()));
    }
    assert!(rows.iter().any(|r| r["alarm"] == true), "{c}");

    // Empty passages pass with nulls.
    let e = path(&d, "e.npy");
    json(&[
        "metal", "simulate", "--object", "none", "--passes", "2", "--out", &e,
    ]);
    for r in json(&["metal", "classify", &e]).as_array().unwrap() {
        assert_eq!(r["decision"], "pass");
        assert_eq!(r["alarm"], false);
        assert!(r["class"].is_null() && r["height_band"].is_null() && r["side"].is_null());
    }
    // The strict program alarms on any detected metal.
    let s = json(&["metal", "classify", &a, "--program", "strict"]);
    assert!(
        s.as_array()
            .unwrap()
            .iter()
            .all(|r| r["detected"] == false || r["alarm"] == true)
    );
}

#[test]
fn bad_inputs_exit_with_usage_or_failure() {
    let d = TempDir::new().unwrap();
    // Unknown object: usage error with the built-in names as a hint.
    let o = run(&[
        "metal",
        "simulate",
        "--object",
        "banana",
        "--passes",
        "1",
        "--out",
        &path(&d, "x.npy"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pistol_steel"));
    // Missing file: failure.
    assert_eq!(
        run(&["metal", "classify", &path(&d, "nope.npy")])
            .status
            .code(),
        Some(1)
    );
    // A float64 .npy: usage error (wrong dtype).
    let f = path(&d, "f.npy");
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let mut header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 18, 4), }".to_owned();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    bytes.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend(std::iter::repeat_n(0u8, 2 * 18 * 4 * 8));
    std::fs::write(&f, bytes).unwrap();
    let o = run(&["metal", "classify", &f]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("complex128"));
    // Not a .npy at all: failure.
    std::fs::write(&f, b"hello").unwrap();
    assert_eq!(run(&["metal", "classify", &f]).status.code(), Some(1));
}

fn write_object(dir: &Path, name: &str, o: &hsm::metal::library::LibraryObject) -> String {
    // Wide frequency range so any gate is covered.
    let omegas: Vec<f64> = (0..9).map(|k| 1e3 * 3f64.powi(k)).collect();
    let sig = o.signature(&omegas).unwrap();
    let f = ObjectFile::new(sig, Some(o.class.is_threat()));
    std::fs::write(dir.join(name), f.to_json().unwrap()).unwrap();
    name.to_owned()
}

#[test]
fn evaluate_reports_rates_over_whole_object_folds() {
    let d = TempDir::new().unwrap();
    let classes = [ObjectClass::Knife, ObjectClass::Keys, ObjectClass::Coins];
    let mut list = "path,label,group,threat\n".to_owned();
    for (i, o) in variant_objects(&classes, 3, 9).iter().enumerate() {
        let file = write_object(d.path(), &format!("o{i}.json"), o);
        let label = if o.class == ObjectClass::Knife {
            "blade"
        } else {
            o.class.name()
        };
        list += &format!("{file},{label},g{i},{}\n", u8::from(o.class.is_threat()));
    }
    // An MPT folder row, relative paths resolve against the list's folder.
    list += &format!("{SPHERE},coins,sphere,0\n");
    let csv = path(&d, "list.csv");
    std::fs::write(&csv, &list).unwrap();
    let r = json(&[
        "metal",
        "evaluate",
        "--objects",
        &csv,
        "--folds",
        "2",
        "--seed",
        "3",
        "--passes",
        "3",
    ]);
    for k in ["threat_detection_rate", "false_alarm_rate", "accuracy"] {
        let v = r[k].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{k}: {r}");
    }
    assert_eq!(r["folds"], 2);
    assert_eq!(r["objects"], 10);
    assert_eq!(r["groups"], 10);
    assert_eq!(r["labels"], serde_json::json!(["blade", "coins", "keys"]));
    // Same seed, same report.
    let again = json(&[
        "metal",
        "evaluate",
        "--objects",
        &csv,
        "--folds",
        "2",
        "--seed",
        "3",
        "--passes",
        "3",
    ]);
    assert_eq!(r, again);

    // Bad threat value: usage error naming the line.
    std::fs::write(&csv, "path,label,group,threat\no0.json,blade,g0,yes\n").unwrap();
    let o = run(&[
        "metal",
        "evaluate",
        "--objects",
        &csv,
        "--folds",
        "2",
        "--seed",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(":2:"));
    // Missing column.
    std::fs::write(&csv, "path,label\no0.json,blade\n").unwrap();
    assert_eq!(
        run(&["metal", "evaluate", "--objects", &csv, "--folds", "2"])
            .status
            .code(),
        Some(2)
    );
    // More folds than objects.
    std::fs::write(
        &csv,
        "path,label,group,threat\no0.json,blade,g0,1\no1.json,blade,g1,1\n",
    )
    .unwrap();
    assert_eq!(
        run(&["metal", "evaluate", "--objects", &csv, "--folds", "5"])
            .status
            .code(),
        Some(2)
    );
    let _ = builtin();
}
