//! `hsm thermal simulate` and `hsm thermal screen` (issue 3's CLI door).
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use std::path::Path;

use serde_json::Value;

fn hsm(args: &[&str]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("hsm")
        .args(args)
        .output()
        .unwrap()
}

/// Writes a little-endian float32 .npy of shape (n, h, w).
fn write_f32_npy(path: &Path, shape: (usize, usize, usize), data: &[f32]) {
    let dict = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}, {}), }}",
        shape.0, shape.1, shape.2
    );
    let mut header = dict.into_bytes();
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(&header);
    for v in data {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

fn read_u16_npy(path: &Path) -> Vec<u16> {
    let bytes = std::fs::read(path).unwrap();
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    bytes[10 + hlen..]
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn simulate_then_screen_u16_and_f32() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = hsm(&[
        "thermal", "simulate", "--frames", "12", "--seed", "4", "--out", d, "--format", "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["frames"], 12);
    let bb = report["blackbody"].as_str().unwrap().to_owned();
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap())
            .unwrap();
    assert_eq!(truth["frames"].as_array().unwrap().len(), 12);
    // Same seed, same bytes.
    let dir2 = tempfile::tempdir().unwrap();
    let d2 = dir2.path().to_str().unwrap();
    assert!(
        hsm(&[
            "thermal", "simulate", "--frames", "12", "--seed", "4", "--out", d2
        ])
        .status
        .success()
    );
    let frames = dir.path().join("frames.npy");
    assert_eq!(
        std::fs::read(&frames).unwrap(),
        std::fs::read(dir2.path().join("frames.npy")).unwrap()
    );

    let f = frames.to_str().unwrap();
    let out = hsm(&[
        "thermal",
        "screen",
        f,
        "--radiometry",
        "tlinear-0.01",
        "--blackbody",
        &bb,
        "--threshold",
        "37.3",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let u16_lines = lines(&out);
    assert_eq!(u16_lines.len(), 12);
    let mut faces = 0;
    for (i, l) in u16_lines.iter().enumerate() {
        assert_eq!(l["frame"], i);
        for face in l["faces"].as_array().unwrap() {
            faces += 1;
            assert_eq!(face["bbox"].as_array().unwrap().len(), 4);
            assert_eq!(face["site"].as_array().unwrap().len(), 2);
            assert!(face["site_c"].as_f64().unwrap() > 30.0);
            assert!(face["flags"].is_array());
            assert!(face.get("corrected_c").is_some());
        }
    }
    assert!(faces >= 10, "{faces}");
    // Each face's site temperature is near the truth of its frame.
    let last = &u16_lines[11]["faces"][0];
    let t_site = truth["frames"][11]["faces"][0]["site_c"].as_f64().unwrap();
    assert!((last["corrected_c"].as_f64().unwrap() - t_site).abs() < 0.3);

    // The same frames as float32 °C give the same faces.
    let counts = read_u16_npy(&frames);
    let celsius: Vec<f32> = counts
        .iter()
        .map(|&c| {
            if c == 0 {
                f32::NAN
            } else {
                (f64::from(c) * 0.01 - 273.15) as f32
            }
        })
        .collect();
    let fc = dir.path().join("celsius.npy");
    write_f32_npy(&fc, (12, 120, 160), &celsius);
    let out = hsm(&[
        "thermal",
        "screen",
        fc.to_str().unwrap(),
        "--radiometry",
        "celsius",
        "--blackbody",
        &bb,
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f32_lines = lines(&out);
    for (a, b) in u16_lines.iter().zip(&f32_lines) {
        let (fa, fb) = (
            a["faces"].as_array().unwrap(),
            b["faces"].as_array().unwrap(),
        );
        assert_eq!(fa.len(), fb.len());
        for (x, y) in fa.iter().zip(fb) {
            assert_eq!(x["bbox"], y["bbox"]);
            assert_eq!(x["site"], y["site"]);
            assert!((x["site_c"].as_f64().unwrap() - y["site_c"].as_f64().unwrap()).abs() < 0.011);
        }
    }
    // CSV and table work too.
    assert!(
        hsm(&[
            "thermal",
            "screen",
            f,
            "--radiometry",
            "tlinear-0.01",
            "--format",
            "csv"
        ])
        .status
        .success()
    );
    assert!(
        hsm(&["thermal", "screen", f, "--radiometry", "tlinear-0.01"])
            .status
            .success()
    );

    // Usage errors exit 2: wrong dtype for the radiometry, bad threshold,
    // bad blackbody, a wrong dtype in the file.
    for args in [
        vec!["thermal", "screen", f, "--radiometry", "celsius"],
        vec![
            "thermal",
            "screen",
            fc.to_str().unwrap(),
            "--radiometry",
            "tlinear-0.1",
        ],
        vec![
            "thermal",
            "screen",
            f,
            "--radiometry",
            "tlinear-0.01",
            "--threshold",
            "37.25",
        ],
        vec![
            "thermal",
            "screen",
            f,
            "--radiometry",
            "tlinear-0.01",
            "--threshold",
            "40",
        ],
        vec![
            "thermal",
            "screen",
            f,
            "--radiometry",
            "tlinear-0.01",
            "--blackbody",
            "1,2,3@35",
        ],
        vec![
            "thermal",
            "screen",
            f,
            "--radiometry",
            "tlinear-0.01",
            "--blackbody",
            "150,7,20,6@35",
        ],
        vec!["thermal", "simulate", "--frames", "0", "--out", d],
    ] {
        let out = hsm(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
    }
    let bad = dir.path().join("i32.npy");
    let mut bytes = std::fs::read(&fc).unwrap();
    let pos = bytes.windows(3).position(|w| w == b"<f4").unwrap();
    bytes[pos + 1..pos + 3].copy_from_slice(b"i4");
    std::fs::write(&bad, bytes).unwrap();
    let out = hsm(&[
        "thermal",
        "screen",
        bad.to_str().unwrap(),
        "--radiometry",
        "celsius",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A missing file is a failure (exit 1).
    let out = hsm(&[
        "thermal",
        "screen",
        "/nonexistent/x.npy",
        "--radiometry",
        "celsius",
    ]);
    assert_eq!(out.status.code(), Some(1));
}
