//! The `hsm` command line as users and scripts see it: commands, flags,
//! output fields and exit codes.
#![allow(clippy::unwrap_used, reason = "a test fails loudly")]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use assert_cmd::Command;
use ndarray::{Array2, Array3, ArrayD, array};
use ndarray_npy::{read_npy, write_npy};
use serde_json::Value;
use tempfile::TempDir;

/// IR_2412.jpg's Planck constants (FLIR SC660), as flags.
const IR2412: [&str; 12] = [
    "--radiometry",
    "planck",
    "--r1",
    "21106.77",
    "--r2",
    "0.012545258",
    "--b",
    "1501",
    "--o",
    "-7340",
    "--emissivity",
    "0.95",
];

/// Independent readers' values for IR_2412: (raw, °C).
const REFERENCE: [(u16, f32); 2] = [(17917, 22.7359), (20218, 35.2505)];

fn hsm() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("hsm")
}

fn run(args: &[&str]) -> Output {
    hsm().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Runs a command that must succeed and returns its stdout.
fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn ok_json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_str(&ok(&a)).unwrap()
}

/// Runs a command that must fail with `code`; checks the stderr convention
/// and that stdout stays empty; returns stderr.
fn fails(args: &[&str], code: i32) -> String {
    let o = run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    assert!(
        o.stdout.is_empty(),
        "{args:?} printed on stdout: {}",
        stdout(&o)
    );
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

struct Files {
    dir: TempDir,
}

impl Files {
    fn new() -> Self {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    /// Only the files the test itself wrote and the ones the CLI should have.
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

fn convert_args<'a>(input: &'a str, output: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["thermal", "convert", input, output];
    a.extend_from_slice(extra);
    a
}

fn read_f32(path: &Path) -> ArrayD<f32> {
    read_npy(path).unwrap()
}

// ---------------------------------------------------------------- version

#[test]
fn version_in_every_format() {
    let v = ok_json(&["version"]);
    assert_eq!(v["name"], "libhsm");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));

    let csv = ok(&["version", "--format", "csv"]);
    assert_eq!(
        csv,
        format!("name,version\nlibhsm,{}\n", env!("CARGO_PKG_VERSION"))
    );

    let table = ok(&["version"]);
    assert!(table.contains("libhsm") && table.contains(env!("CARGO_PKG_VERSION")));
    assert_eq!(table, ok(&["version", "--format", "table"]));

    // --format is global: it may come before the subcommand.
    let before: Value = serde_json::from_str(&ok(&["--format", "json", "version"])).unwrap();
    assert_eq!(before, v);
    assert!(ok(&["--version"]).contains(env!("CARGO_PKG_VERSION")));
}

// ---------------------------------------------------------------- staffing

const WORKED: [&str; 8] = [
    "policy",
    "staffing",
    "--staff",
    "2000",
    "--beds",
    "1500",
    "--outpatients",
    "8000",
];

#[test]
fn staffing_json_reports_the_worked_example_with_its_citation() {
    let v = ok_json(&WORKED);
    assert_eq!(v["required"], 75);
    assert_eq!(v["binding"], "beds");
    let terms = v["terms"].as_array().unwrap();
    let got: Vec<(&str, u64, &str, f64, u64)> = terms
        .iter()
        .map(|t| {
            (
                t["basis"].as_str().unwrap(),
                t["input"].as_u64().unwrap(),
                t["ratio"].as_str().unwrap(),
                t["exact_guards"].as_f64().unwrap(),
                t["required"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("medical_staff", 2000, "3/100", 60.0, 60),
            ("beds", 1500, "1/20", 75.0, 75),
            ("outpatients", 8000, "3/1000", 24.0, 24),
        ]
    );
    assert_eq!(
        v["rounding"],
        "each term rounded up to whole guards (不低于)"
    );
    let c = &v["citation"];
    assert_eq!(c["document"], "豫卫医函〔2024〕10号");
    assert_eq!(c["clause"], "一(三)");
    assert!(c["quote"].as_str().unwrap().contains("就高不就低"));
    assert!(!c["gloss"].as_str().unwrap().is_empty());
}

#[test]
fn staffing_rounds_fractional_terms_up() {
    let v = ok_json(&[
        "policy",
        "staffing",
        "--staff",
        "1",
        "--beds",
        "0",
        "--outpatients",
        "0",
    ]);
    assert_eq!(v["required"], 1);
    assert_eq!(v["binding"], "medical_staff");
    assert!((v["terms"][0]["exact_guards"].as_f64().unwrap() - 0.03).abs() < 1e-12);
}

#[test]
fn staffing_csv_has_one_row_per_term_and_a_total() {
    let mut a = WORKED.to_vec();
    a.extend(["--format", "csv"]);
    let rows = csv_rows(&ok(&a));
    assert_eq!(
        rows,
        [
            vec![
                "basis",
                "input",
                "ratio",
                "exact_guards",
                "required",
                "binding"
            ],
            vec!["medical_staff", "2000", "3/100", "60", "60", "false"],
            vec!["beds", "1500", "1/20", "75", "75", "true"],
            vec!["outpatients", "8000", "3/1000", "24", "24", "false"],
            vec!["total", "", "", "", "75", ""],
        ]
    );
}

#[test]
fn staffing_table_shows_total_binding_and_clause() {
    let t = ok(&WORKED);
    assert!(t.contains("Required: 75 guards"), "{t}");
    assert!(t.contains("binding term: beds"), "{t}");
    assert!(t.contains("豫卫医函〔2024〕10号 一(三)"), "{t}");
    assert!(t.contains("就高不就低"), "{t}");
}

#[test]
fn staffing_rejects_bad_counts_as_usage_errors() {
    fails(
        &["policy", "staffing", "--staff", "2000", "--beds", "1500"],
        2,
    );
    fails(
        &[
            "policy",
            "staffing",
            "--staff",
            "-1",
            "--beds",
            "1",
            "--outpatients",
            "1",
        ],
        2,
    );
    fails(
        &[
            "policy",
            "staffing",
            "--staff",
            "many",
            "--beds",
            "1",
            "--outpatients",
            "1",
        ],
        2,
    );
}

// ---------------------------------------------------------------- demo

#[test]
fn demo_json_runs_both_slices() {
    let v = ok_json(&["demo"]);
    let t = &v["thermal"];
    assert_eq!(t["width"], 640);
    assert_eq!(t["height"], 512);
    assert_eq!(t["frames"], 1);
    assert_eq!(t["pixels"], 640 * 512);
    assert_eq!(t["invalid_pixels"], 0);
    let max = t["max_c"].as_f64().unwrap();
    assert!(
        (max - t["truth_max_c"].as_f64().unwrap()).abs() < 0.05,
        "{max}"
    );
    assert!(t["ms_per_frame"].as_f64().unwrap() > 0.0);
    assert_eq!(t["radiometry"]["r1"], 21106.77);
    assert_eq!(t["radiometry"]["emissivity"], 0.95);
    assert_eq!(v["staffing"]["required"], 75);
    assert_eq!(v["staffing"]["binding"], "beds");
    assert!(v["help"].as_str().unwrap().contains("hsm --help"));
}

#[test]
fn demo_csv_and_table() {
    let csv = ok(&["demo", "--format", "csv"]);
    let rows = csv_rows(&csv);
    assert_eq!(rows[0], ["section", "field", "value"]);
    assert!(rows.iter().all(|r| r.len() == 3), "{csv}");
    assert!(rows.contains(&vec!["staffing".into(), "required".into(), "75".into()]));
    assert!(rows.contains(&vec!["staffing".into(), "binding".into(), "beds".into()]));
    assert!(rows.contains(&vec!["thermal".into(), "width".into(), "640".into()]));

    let table = ok(&["demo"]);
    assert!(table.contains("640×512"), "{table}");
    assert!(table.contains("Required: 75 guards"), "{table}");
    assert!(
        table
            .trim_end()
            .ends_with("Run `hsm --help` to list all commands.")
    );
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("hsm"))
        .arg("demo")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

// ---------------------------------------------------------------- thermal convert

#[test]
fn convert_reproduces_the_reference_values() {
    let f = Files::new();
    let raw: Array2<u16> = array![[REFERENCE[0].0, REFERENCE[1].0]];
    write_npy(f.path("in.npy"), &raw).unwrap();
    let (i, o) = (f.s("in.npy"), f.s("out.npy"));
    let v = ok_json(&convert_args(&i, &o, &IR2412));

    let out = read_f32(&f.path("out.npy"));
    assert_eq!(out.shape(), [1, 2]);
    for ((_, want), got) in REFERENCE.iter().zip(out.iter()) {
        assert!((got - want).abs() < 1e-3, "{got} vs {want}");
    }
    assert_eq!(v["input"], i.as_str());
    assert_eq!(v["output"], o.as_str());
    assert_eq!(
        (&v["frames"], &v["height"], &v["width"], &v["pixels"]),
        (
            &Value::from(1),
            &Value::from(1),
            &Value::from(2),
            &Value::from(2)
        )
    );
    assert_eq!(v["invalid_pixels"], 0);
    assert!((v["min_c"].as_f64().unwrap() - 22.7359).abs() < 1e-3);
    assert!((v["max_c"].as_f64().unwrap() - 35.2505).abs() < 1e-3);
    assert!((v["mean_c"].as_f64().unwrap() - (22.7359 + 35.2505) / 2.0).abs() < 1e-3);
    assert_eq!(f.names(), ["in.npy", "out.npy"], "no temporary file left");
}

#[test]
fn convert_csv_and_table_summaries() {
    let f = Files::new();
    write_npy(f.path("in.npy"), &array![[17917u16, 0]]).unwrap();
    let (i, o) = (f.s("in.npy"), f.s("out.npy"));
    let mut a = convert_args(&i, &o, &IR2412);
    a.extend(["--format", "csv"]);
    let rows = csv_rows(&ok(&a));
    assert_eq!(
        rows[0],
        [
            "input",
            "output",
            "frames",
            "height",
            "width",
            "pixels",
            "invalid_pixels",
            "min_c",
            "max_c",
            "mean_c"
        ]
    );
    assert_eq!(rows[1][2..7], ["1", "1", "2", "2", "1"]);
    assert!((rows[1][7].parse::<f64>().unwrap() - 22.7359).abs() < 1e-3);
    assert_eq!(rows.len(), 2);

    let table = ok(&convert_args(&i, &o, &IR2412));
    assert!(table.contains("invalid pixels"), "{table}");
    assert!(table.contains("22.74 °C"), "{table}");
    // Raw 0 is outside this camera's domain: NaN in the output, counted.
    let out = read_f32(&f.path("out.npy"));
    assert!(out[[0, 1]].is_nan());
}

#[test]
fn convert_a_stack_keeps_its_shape() {
    let f = Files::new();
    let mut raw = Array3::<u16>::zeros((4, 3, 5));
    for (n, mut frame) in raw.outer_iter_mut().enumerate() {
        frame.fill(if n % 2 == 0 {
            REFERENCE[0].0
        } else {
            REFERENCE[1].0
        });
    }
    write_npy(f.path("stack.npy"), &raw).unwrap();
    let (i, o) = (f.s("stack.npy"), f.s("out.npy"));
    let run = hsm()
        .args(convert_args(&i, &o, &IR2412))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    // The progress bar is hidden when stderr is not a terminal.
    assert!(run.stderr.is_empty(), "{}", stderr(&run));
    let v: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v["frames"], 4);
    assert_eq!(v["height"], 3);
    assert_eq!(v["width"], 5);
    assert_eq!(v["pixels"], 60);
    assert_eq!(v["invalid_pixels"], 0);

    let out = read_f32(&f.path("out.npy"));
    assert_eq!(out.shape(), [4, 3, 5]);
    for (n, frame) in out.outer_iter().enumerate() {
        let want = REFERENCE[n % 2].1;
        assert!(frame.iter().all(|t| (t - want).abs() < 1e-3), "frame {n}");
    }
}

#[test]
fn convert_reads_fortran_order_and_big_endian_files() {
    let f = Files::new();
    // A transposed view is written in Fortran order.
    let raw: Array2<u16> = array![[17917, 0], [20218, 0]];
    write_npy(f.path("fortran.npy"), &raw.t()).unwrap();
    let (i, o) = (f.s("fortran.npy"), f.s("out.npy"));
    ok(&convert_args(&i, &o, &IR2412));
    let out = read_f32(&f.path("out.npy"));
    assert_eq!(out.shape(), [2, 2]);
    assert!((out[[0, 0]] - 22.7359).abs() < 1e-3);
    assert!((out[[0, 1]] - 35.2505).abs() < 1e-3);
    assert!(out[[1, 0]].is_nan() && out[[1, 1]].is_nan());

    // Big-endian uint16 ('>u2'), hand-made: header then data.
    let header = "{'descr': '>u2', 'fortran_order': False, 'shape': (1, 2), }";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let pad = 64 - (10 + header.len() + 1) % 64;
    let len = u16::try_from(header.len() + pad + 1).unwrap();
    bytes.extend(len.to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(std::iter::repeat_n(b' ', pad));
    bytes.push(b'\n');
    bytes.extend(17917u16.to_be_bytes());
    bytes.extend(20218u16.to_be_bytes());
    std::fs::write(f.path("be.npy"), bytes).unwrap();
    let (i, o) = (f.s("be.npy"), f.s("be_out.npy"));
    let v = ok_json(&convert_args(&i, &o, &IR2412));
    assert!((v["max_c"].as_f64().unwrap() - 35.2505).abs() < 1e-3);
}

#[test]
fn convert_tlinear_and_linear() {
    let f = Files::new();
    write_npy(f.path("in.npy"), &array![[31015u16, 0]]).unwrap();
    let (i, o) = (f.s("in.npy"), f.s("out.npy"));
    let v = ok_json(&convert_args(&i, &o, &["--radiometry", "tlinear-0.01"]));
    assert_eq!(v["invalid_pixels"], 1, "count 0 is TLinear's no-data value");
    let out = read_f32(&f.path("out.npy"));
    assert!((out[[0, 0]] - 37.0).abs() < 1e-4 && out[[0, 1]].is_nan());

    write_npy(f.path("d.npy"), &array![[3101u16]]).unwrap();
    let (i, o) = (f.s("d.npy"), f.s("d_out.npy"));
    let v = ok_json(&convert_args(&i, &o, &["--radiometry", "tlinear-0.1"]));
    assert!((v["max_c"].as_f64().unwrap() - 36.95).abs() < 1e-4);

    let (i, o) = (f.s("in.npy"), f.s("lin.npy"));
    ok(&convert_args(
        &i,
        &o,
        &[
            "--radiometry",
            "linear",
            "--gain",
            "0.001",
            "--offset",
            "-10",
        ],
    ));
    let out = read_f32(&f.path("lin.npy"));
    assert!((out[[0, 0]] - 21.015).abs() < 1e-3 && (out[[0, 1]] + 10.0).abs() < 1e-6);
}

#[test]
fn convert_rejects_other_dtypes_with_exit_2() {
    let f = Files::new();
    write_npy(f.path("u8.npy"), &array![[1u8, 2]]).unwrap();
    write_npy(f.path("f64.npy"), &array![[36.6f64, 37.0]]).unwrap();
    for (name, dtype) in [("u8.npy", "uint8"), ("f64.npy", "float64")] {
        let (i, o) = (f.s(name), f.s("out.npy"));
        let err = fails(&convert_args(&i, &o, &IR2412), 2);
        assert!(err.contains(dtype), "{err}");
        assert!(
            err.contains("hint: expected a uint16 array of shape (H, W) or (N, H, W)"),
            "{err}"
        );
    }
    assert!(!f.path("out.npy").exists());
}

#[test]
fn convert_rejects_other_shapes_with_exit_2() {
    let f = Files::new();
    write_npy(f.path("1d.npy"), &ndarray::arr1(&[17917u16, 20218])).unwrap();
    write_npy(
        f.path("4d.npy"),
        &ndarray::Array4::<u16>::zeros((1, 1, 2, 2)),
    )
    .unwrap();
    write_npy(f.path("empty.npy"), &Array2::<u16>::zeros((3, 0))).unwrap();
    for (name, what) in [
        ("1d.npy", "(2,)"),
        ("4d.npy", "(1, 1, 2, 2)"),
        ("empty.npy", "(3, 0)"),
    ] {
        let (i, o) = (f.s(name), f.s("out.npy"));
        let err = fails(&convert_args(&i, &o, &IR2412), 2);
        assert!(err.contains(what), "{err}");
        assert!(err.contains("hint: "), "{err}");
    }
}

#[test]
fn convert_reports_unreadable_files_with_exit_1() {
    let f = Files::new();
    // Truncated: half of the pixel data is missing.
    write_npy(f.path("full.npy"), &Array2::<u16>::from_elem((8, 8), 18000)).unwrap();
    let bytes = std::fs::read(f.path("full.npy")).unwrap();
    std::fs::write(f.path("cut.npy"), &bytes[..bytes.len() - 64]).unwrap();
    std::fs::write(f.path("header_cut.npy"), &bytes[..20]).unwrap();
    std::fs::write(f.path("junk.npy"), b"not a numpy file at all").unwrap();
    for (name, what) in [
        ("cut.npy", "truncated"),
        ("header_cut.npy", "not a valid .npy file"),
        ("junk.npy", "not a valid .npy file"),
    ] {
        let (i, o) = (f.s(name), f.s("out.npy"));
        let err = fails(&convert_args(&i, &o, &IR2412), 1);
        assert!(err.contains(what), "{name}: {err}");
    }
    // A missing input.
    let (i, o) = (f.s("nope.npy"), f.s("out.npy"));
    let err = fails(&convert_args(&i, &o, &IR2412), 1);
    assert!(err.contains("nope.npy"), "{err}");
    // An output directory that does not exist.
    let (i, o) = (f.s("full.npy"), f.s("no/such/dir/out.npy"));
    fails(&convert_args(&i, &o, &IR2412), 1);
    assert_eq!(
        f.names(),
        ["cut.npy", "full.npy", "header_cut.npy", "junk.npy"],
        "no output or temporary file is left behind"
    );
}

#[test]
fn convert_names_invalid_scene_values_with_exit_2() {
    let f = Files::new();
    write_npy(f.path("in.npy"), &array![[17917u16]]).unwrap();
    let (i, o) = (f.s("in.npy"), f.s("out.npy"));
    for (flag, value, field) in [
        ("--emissivity", "NaN", "emissivity"),
        ("--emissivity", "1.5", "emissivity"),
        ("--humidity", "50", "relative_humidity"),
        ("--distance", "-1", "distance"),
        ("--window-transmission", "0", "window_transmission"),
        ("--reflected", "-300", "reflected"),
    ] {
        let mut a = convert_args(&i, &o, &IR2412);
        a.extend([flag, value]);
        let err = fails(&a, 2);
        assert!(
            err.contains(field) && err.contains(flag),
            "{flag} {value}: {err}"
        );
    }
    let mut a = convert_args(&i, &o, &IR2412);
    a.extend(["--humidity", "50"]);
    assert!(fails(&a, 2).contains("0.5 means 50 %"));
    // Bad Planck constants are named too.
    let mut a = convert_args(&i, &o, &IR2412);
    assert_eq!(a[8], "--r2");
    a[9] = "0";
    assert!(fails(&a, 2).contains("R2"));
    assert!(
        !f.path("out.npy").exists(),
        "nothing written on a usage error"
    );
}

#[test]
fn convert_requires_the_model_flags() {
    let f = Files::new();
    write_npy(f.path("in.npy"), &array![[17917u16]]).unwrap();
    let (i, o) = (f.s("in.npy"), f.s("out.npy"));
    // Planck without --r1.
    let without_r1: Vec<&str> = IR2412
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != 2 && *k != 3)
        .map(|(_, a)| *a)
        .collect();
    let err = fails(&convert_args(&i, &o, &without_r1), 2);
    assert!(err.contains("--r1"), "{err}");
    assert!(
        !err.contains("--r2,"),
        "only the missing flag is named: {err}"
    );
    // Linear without --offset.
    let err = fails(
        &convert_args(&i, &o, &["--radiometry", "linear", "--gain", "0.01"]),
        2,
    );
    assert!(err.contains("--offset"), "{err}");
    // Flags the model does not use.
    let err = fails(
        &convert_args(
            &i,
            &o,
            &["--radiometry", "tlinear-0.01", "--emissivity", "0.9"],
        ),
        2,
    );
    assert!(err.contains("--emissivity"), "{err}");
    let err = fails(
        &convert_args(&i, &o, &["--radiometry", "tlinear-0.1", "--gain", "2"]),
        2,
    );
    assert!(err.contains("--gain"), "{err}");
    // No --radiometry at all, or an unknown one.
    fails(&convert_args(&i, &o, &[]), 2);
    fails(&convert_args(&i, &o, &["--radiometry", "kelvin"]), 2);
}

#[test]
fn parse_errors_exit_2() {
    let f = Files::new();
    write_npy(f.path("in.npy"), &array![[17917u16]]).unwrap();
    let (i, o) = (f.s("in.npy"), f.s("out.npy"));
    let mut a = convert_args(&i, &o, &IR2412);
    a.push("--frobnicate");
    fails(&a, 2);
    fails(&["version", "--format", "xml"], 2);
    fails(&["demo", "--format", "xml"], 2);
    fails(&["thermal", "convert", &i], 2);
    fails(&["teleport"], 2);
    // No command at all: clap prints the help on stderr and exits 2.
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty() && stderr(&o).contains("Usage: hsm"));
    assert!(!f.path("out.npy").exists());
}

#[test]
fn help_exits_0() {
    for args in [
        vec!["--help"],
        vec!["thermal", "convert", "--help"],
        vec!["policy", "staffing", "--help"],
    ] {
        let out = ok(&args);
        assert!(out.contains("Usage: hsm"), "{out}");
    }
}
