//! `hsm policy equipment|evaluate|rulesets` and `staffing --ruleset`: the
//! JSON fields the issue makes a contract, exit codes, errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
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

fn ok_json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let o = run(&a);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{a:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn fails(args: &[&str], code: i32) -> String {
    let o = run(args);
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    assert!(o.stdout.is_empty());
    assert!(err.starts_with("error: "), "{err}");
    err
}

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../policy/examples/hospital.toml"
);

#[test]
fn equipment_json_contract() {
    let v = ok_json(&[
        "policy",
        "equipment",
        "--location",
        "emergency",
        "--daily-traffic",
        "1000",
    ]);
    assert_eq!(v["row"], 4);
    for item in ["xray", "walkthrough", "liquid", "handheld"] {
        assert!(v[item]["count"].is_u64(), "{item}");
        assert!(v[item]["optional"].is_boolean(), "{item}");
    }
    assert_eq!(v["liquid"]["kind"], "handheld");
    assert_eq!(v["handheld"]["count"], 2);
    assert!(
        v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("band edge"))
    );
    // Row 5: optional items, liquid kind null.
    let v = ok_json(&[
        "policy",
        "equipment",
        "--location",
        "emergency",
        "--daily-traffic",
        "999",
        "--site",
        "small",
    ]);
    assert_eq!(v["row"], 5);
    assert_eq!(v["walkthrough"]["optional"], true);
    assert_eq!(v["walkthrough"]["count"], 0);
    assert!(v["liquid"]["kind"].is_null());
    assert!(v["liquid"].as_object().unwrap().contains_key("kind"));
    assert!(v["xray"].get("kind").is_none());
    // Edges.
    for (loc, n, row) in [
        ("outpatient", "5000", 2),
        ("outpatient", "20000", 2),
        ("admin", "500", 8),
        ("garage", "1000", 10),
        ("inpatient", "1000", 6),
    ] {
        let v = ok_json(&[
            "policy",
            "equipment",
            "--location",
            loc,
            "--daily-traffic",
            n,
        ]);
        assert_eq!(v["row"], row, "{loc} {n}");
        assert!(v["edge_decision"].is_string(), "{loc} {n}");
    }
}

#[test]
fn equipment_bad_values_are_usage_errors() {
    let e = fails(
        &[
            "policy",
            "equipment",
            "--location",
            "roof",
            "--daily-traffic",
            "10",
        ],
        2,
    );
    assert!(e.contains("--location"), "{e}");
    let e = fails(
        &[
            "policy",
            "equipment",
            "--location",
            "admin",
            "--daily-traffic",
            "10",
            "--site",
            "huge",
        ],
        2,
    );
    assert!(e.contains("--site"), "{e}");
    let e = fails(
        &[
            "policy",
            "equipment",
            "--location",
            "admin",
            "--daily-traffic",
            "10",
            "--ruleset",
            "cn-mars",
        ],
        2,
    );
    assert!(e.contains("hint: "), "{e}");
}

#[test]
fn evaluate_json_contract() {
    let v = ok_json(&["policy", "evaluate", EXAMPLE, "--as-of", "2024-10-01"]);
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() > 20);
    for f in findings {
        assert!(f["rule"].is_string());
        assert!(["ok", "gap", "unknown"].contains(&f["status"].as_str().unwrap()));
        assert!(!f["citations"].as_array().unwrap().is_empty());
    }
    let staffing = findings
        .iter()
        .find(|f| f["rule"] == "henan.staffing.guards")
        .unwrap();
    assert_eq!(staffing["status"], "gap");
    assert_eq!(staffing["required"], 75);
    assert!(v["trace"].as_array().unwrap().is_empty());
    let v = ok_json(&[
        "policy",
        "evaluate",
        EXAMPLE,
        "--as-of",
        "2024-10-01",
        "--trace",
    ]);
    assert!(!v["trace"].as_array().unwrap().is_empty());
    let e = fails(&["policy", "evaluate", EXAMPLE, "--as-of", "2024-02-30"], 2);
    assert!(e.contains("--as-of"), "{e}");
    fails(&["policy", "evaluate", "/nonexistent/h.toml"], 1);
}

#[test]
fn evaluate_a_csv_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.csv");
    std::fs::write(
        &path,
        "name,city,level,medical_staff_on_duty,open_beds,daily_outpatient_avg,guards,patrol_teams\n\
         A,郑州市,3,2000,1500,8000,80,3;3\n\
         B,洛阳市,2,,,,,\n",
    )
    .unwrap();
    let v = ok_json(&[
        "policy",
        "evaluate",
        path.to_str().unwrap(),
        "--as-of",
        "2024-10-01",
    ]);
    let hs = v["hospitals"].as_array().unwrap();
    assert_eq!(hs.len(), 2);
    let b = &hs[1]["findings"].as_array().unwrap();
    let staffing = b
        .iter()
        .find(|f| f["rule"] == "henan.staffing.guards")
        .unwrap();
    assert_eq!(staffing["status"], "unknown");
    let o = run(&[
        "policy",
        "evaluate",
        path.to_str().unwrap(),
        "--as-of",
        "2024-10-01",
        "--format",
        "csv",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("hospital,rule,kind,subject,status,"));
    std::fs::write(&path, "name,colour\nA,red\n").unwrap();
    let e = fails(&["policy", "evaluate", path.to_str().unwrap()], 1);
    assert!(e.contains("colour"), "{e}");
}

#[test]
fn rulesets_lists_versions_and_conflicts() {
    let v = ok_json(&["policy", "rulesets"]);
    let sets = v.as_array().unwrap();
    let ids: Vec<_> = sets.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["cn-national-2021", "cn-henan-2024"]);
    let henan = &sets[1];
    assert_eq!(henan["extends"], "cn-national-2021");
    assert!(henan["version"].is_string());
    assert!(
        henan["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["topic"] == "patrol_team_size" && c["chosen"] == "henan.patrol.checklist")
    );
}

#[test]
fn staffing_keeps_its_output_and_accepts_a_ruleset() {
    let plain = ok_json(&[
        "policy",
        "staffing",
        "--staff",
        "2000",
        "--beds",
        "1500",
        "--outpatients",
        "8000",
    ]);
    assert!(plain.get("ruleset").is_none());
    assert_eq!(plain["required"], 75);
    let v = ok_json(&[
        "policy",
        "staffing",
        "--staff",
        "2000",
        "--beds",
        "1500",
        "--outpatients",
        "8000",
        "--ruleset",
        "cn-national-2021",
    ]);
    assert_eq!(v["required"], 75);
    assert!(
        v["ruleset"]
            .as_str()
            .unwrap()
            .starts_with("cn-national-2021@")
    );
}

#[test]
fn schedule_writes_ics_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let ics = dir.path().join("h.ics");
    let o = run(&[
        "policy",
        "schedule",
        EXAMPLE,
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--out",
        ics.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains("BEGIN:VTODO") && text.contains("BEGIN:VEVENT"));
    assert!(text.contains("RRULE:FREQ=MONTHLY;INTERVAL=3;UNTIL=20241231"));
    assert!(text.contains("X-HSM-RULE:henan.duty.emergency_drill"));
    assert!(text.lines().all(|l| l.len() <= 76), "folded at 75 octets");
    let o = run(&[
        "policy",
        "schedule",
        EXAMPLE,
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(o.stdout).unwrap();
    let count = |rule: &str| {
        csv.lines()
            .filter(|l| l.contains(&format!(",{rule},")))
            .count()
    };
    assert_eq!(count("henan.duty.leadership_briefing"), 4);
    assert_eq!(count("henan.duty.risk_sweep"), 4);
    assert_eq!(count("henan.duty.emergency_drill"), 4);
    assert_eq!(count("henan.duty.situation_bulletin"), 12);
    assert_eq!(count("henan.duty.guard_training"), 2);
    assert_eq!(count("henan.duty.staff_training"), 1);
    fails(
        &[
            "policy",
            "schedule",
            EXAMPLE,
            "--from",
            "2024-12-31",
            "--to",
            "2024-01-01",
        ],
        2,
    );
}

#[test]
fn sample_is_seeded_stratified_and_keeps_the_input_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hospitals.csv");
    let mut csv = String::from("name,city,level,beds\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "H{i},{},{},{}\n",
            ["郑州市", "洛阳市"][i % 2],
            1 + i % 3,
            100 + i
        ));
    }
    std::fs::write(&path, csv).unwrap();
    let p = path.to_str().unwrap();
    let a = run(&["policy", "sample", p, "--seed", "7", "--format", "csv"]);
    assert_eq!(a.status.code(), Some(0));
    let b = run(&["policy", "sample", p, "--seed", "7", "--format", "csv"]);
    assert_eq!(a.stdout, b.stdout, "same seed, same sample");
    let text = String::from_utf8(a.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("name,city,level,beds,stratum,selected_by")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for city in ["郑州市", "洛阳市"] {
        let by_city = rows
            .iter()
            .filter(|r| r[1] == city && r[5] == "city")
            .count();
        assert!(by_city * 100 >= 20 * 30, "{city}: {by_city} of 20");
    }
    let by_province = rows.iter().filter(|r| r[5] == "province").count();
    assert!(by_province * 100 >= 40 * 10);
    let v = ok_json(&["policy", "sample", p, "--seed", "7"]);
    assert!(v["rounding"].as_str().unwrap().contains("ceil"));
    assert!(v["selected"][0]["stratum"].is_string());
    std::fs::write(&path, "name,town\nA,B\n").unwrap();
    let e = fails(&["policy", "sample", p, "--seed", "1"], 1);
    assert!(e.contains("city"), "{e}");
}

/// The shared strings of an XLSX file (a real zip with real XML parts).
fn xlsx_strings(path: &std::path::Path) -> String {
    use std::io::Read as _;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut names: Vec<String> = z.file_names().map(str::to_owned).collect();
    names.sort();
    assert!(names.contains(&"xl/workbook.xml".to_owned()), "{names:?}");
    assert!(
        names.contains(&"xl/worksheets/sheet1.xml".to_owned()),
        "{names:?}"
    );
    let mut s = String::new();
    z.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn forms_as_xlsx_and_csv_with_the_notices_headers() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("self.xlsx");
    let o = run(&[
        "policy",
        "forms",
        EXAMPLE,
        "--form",
        "self-check",
        "--as-of",
        "2024-10-01",
        "--out",
        x.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = xlsx_strings(&x);
    for h in [
        "自查发现问题整改落实情况表",
        "医疗机构全称",
        "医疗机构级别（一、二、三级及其他）",
        "登记执业地点所市县（市、区）",
        "自查发现问题",
        "计划整改到位时间",
        "是否已整改到位",
        "示例市第一人民医院",
        "三级",
    ] {
        assert!(s.contains(h), "{h} missing");
    }
    let x2 = dir.path().join("insp.xlsx");
    let o = run(&[
        "policy",
        "forms",
        EXAMPLE,
        "--form",
        "inspection",
        "--as-of",
        "2024-10-01",
        "--out",
        x2.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let s = xlsx_strings(&x2);
    assert!(s.contains("检查发现问题") && s.contains("要求整改到位时间"));
    let o = run(&[
        "policy",
        "forms",
        EXAMPLE,
        "--form",
        "self-check",
        "--as-of",
        "2024-10-01",
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(csv.starts_with("医疗机构全称,医疗机构级别（一、二、三级及其他）,"));
    assert!(csv.contains("henan.staffing.guards"));
    // A hospital without gaps gets one row with 无.
    let clean = dir.path().join("clean.json");
    std::fs::write(&clean, r#"{"name": "无问题医院", "level": 1}"#).unwrap();
    let o = run(&[
        "policy",
        "forms",
        clean.to_str().unwrap(),
        "--form",
        "self-check",
        "--as-of",
        "2024-10-01",
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(o.stdout).unwrap();
    assert_eq!(csv.lines().count(), 2);
    assert!(csv.lines().nth(1).unwrap().contains(",无,"));
    fails(&["policy", "forms", EXAMPLE, "--form", "annual"], 2);
}

#[test]
fn capacity_flags_long_waits() {
    let v = ok_json(&[
        "policy",
        "capacity",
        "--location",
        "outpatient",
        "--daily-traffic",
        "20000",
    ]);
    assert_eq!(v["row"], 2);
    assert_eq!(v["lanes"], 4);
    // 3000/h over 4 lanes of 600/h: ρ = 1.25, the queue grows.
    assert_eq!(v["result"]["stable"], false);
    assert!(v["flag"].is_string());
    assert!(v["result"]["lanes_needed"].as_u64().unwrap() >= 6);
    let v = ok_json(&[
        "policy",
        "capacity",
        "--location",
        "emergency",
        "--daily-traffic",
        "1000",
        "--lane-rate",
        "600",
        "--peak-share",
        "0.3",
        "--target-wait",
        "10",
    ]);
    // M/M/1 with λ = 300/h, μ = 600/h: Wq = 6 s.
    assert!((v["result"]["mean_wait_s"].as_f64().unwrap() - 6.0).abs() < 1e-9);
    assert_eq!(v["result"]["meets_target"], true);
    let e = fails(
        &[
            "policy",
            "capacity",
            "--location",
            "admin",
            "--daily-traffic",
            "10",
            "--peak-share",
            "2",
        ],
        2,
    );
    assert!(e.contains("--peak-share"), "{e}");
}
