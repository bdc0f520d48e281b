//! `hsm thermal info` / `hsm thermal export` on real radiometric files.
//! The GPL samples are read from `../shared/data/thermal` (the tests fail
//! loudly when it is absent); the permissive ones from `tests/data/thermal`.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared(name: &str) -> PathBuf {
    let dir = root().join("../shared/data/thermal");
    assert!(
        dir.join("README.md").is_file(),
        "sample files missing: expected {} beside the checkout",
        dir.display()
    );
    dir.join(name)
}

fn repo(name: &str) -> PathBuf {
    root().join("tests/data/thermal").join(name)
}

fn hsm(args: &[&str]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("hsm")
        .args(args)
        .output()
        .unwrap()
}

fn info(path: &Path) -> Value {
    let out = hsm(&[
        "thermal",
        "info",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(v: &Value, want: f64, tol: f64) {
    let got = v.as_f64().unwrap_or(f64::NAN);
    assert!((got - want).abs() <= tol, "{got} vs {want}");
}

#[test]
fn info_json_contract_on_ir_2412_and_seq() {
    let v = info(&shared("IR_2412.jpg"));
    assert_eq!(v["format"], "flir-jpeg");
    assert_eq!(v["frame_count"], 1);
    assert_eq!(v["camera"]["model"], "FLIR SC660");
    let f = &v["frames"][0];
    assert_eq!(f["raw_min"], 17917);
    assert_eq!(f["raw_max"], 20218);
    close(&f["raw_mean"], 18899.35, 0.005);
    close(&f["min_c"], 22.7359, 1e-3);
    close(&f["max_c"], 35.2505, 1e-3);
    close(&f["mean_c"], 28.2590, 1e-3);

    let v = info(&shared("SampleSEQ.seq"));
    assert_eq!(v["frame_count"], 2);
    assert_eq!(v["frames"].as_array().unwrap().len(), 2);
    close(&v["frames"][1]["max_c"], 37.3876, 1e-3);
}

#[test]
fn info_on_copied_files_and_overrides() {
    let v = info(&repo("zenmuse_xtr.jpg"));
    close(&v["camera"]["emissivity"], 0.70, 1e-6);
    close(&v["frames"][0]["mean_c"], 27.7041, 1e-3);
    let out = hsm(&[
        "thermal",
        "info",
        repo("ax8.jpg").to_str().unwrap(),
        "--format",
        "csv",
        "--emissivity",
        "1.5",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "invalid override is a usage error"
    );
}

#[test]
fn export_npy_tiff_csv_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let src = repo("frame_000000_le.fff");
    for (to, raw) in [
        ("npy", true),
        ("tiff", true),
        ("npy", false),
        ("csv", false),
    ] {
        let out = dir.path().join(format!("o_{raw}.{to}"));
        let mut args = vec![
            "thermal",
            "export",
            src.to_str().unwrap(),
            "--to",
            to,
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ];
        if raw {
            args.push("--raw");
        }
        let r = hsm(&args);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let rep: Value = serde_json::from_slice(&r.stdout).unwrap();
        assert_eq!(rep["frame_count"], 1);
        if raw {
            // Raw stacks read back through `info` with the same statistics.
            let v = info(&out);
            assert_eq!(v["frames"][0]["raw_min"], 17899);
            assert_eq!(v["frames"][0]["raw_max"], 19192);
            assert!(v["frames"][0]["min_c"].is_null());
        }
    }
}

#[test]
fn bad_files_fail_with_exit_1_and_name_the_file() {
    let txt = repo("frame_000000.txt");
    let out = hsm(&["thermal", "info", txt.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("frame_000000.txt") && err.contains("offset"),
        "{err}"
    );
    let out = hsm(&["thermal", "info", "/nonexistent/x.seq"]);
    assert_eq!(out.status.code(), Some(1));
    // Raw-only containers cannot be exported as °C: say what to do.
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("r.npy");
    let src = repo("ax8.jpg");
    let r = hsm(&[
        "thermal",
        "export",
        src.to_str().unwrap(),
        "--to",
        "npy",
        "--raw",
        "--out",
        npy.to_str().unwrap(),
    ]);
    assert!(r.status.success());
    let out = dir.path().join("c.npy");
    let r = hsm(&[
        "thermal",
        "export",
        npy.to_str().unwrap(),
        "--to",
        "npy",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--raw"));
}
