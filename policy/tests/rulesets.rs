//! The embedded rule sets: they load, their own test cases pass, layering
//! and conflicts resolve as documented, 附件4 is encoded row by row, and the
//! JSON Schemas match the committed files.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly"
)]

use hsm_policy::Date;
use hsm_policy::equipment;
use hsm_policy::evaluate::{Options, Status, evaluate};
use hsm_policy::profile::{HospitalProfile, Location, Site};
use hsm_policy::rule_tests;
use hsm_policy::ruleset::{self, RuleBody, RuleSet, Scope};

fn henan() -> RuleSet {
    RuleSet::embedded("cn-henan-2024").unwrap()
}

fn table(rs: &RuleSet) -> ruleset::EquipmentParams {
    let r = rs.rule("henan.equipment.table").unwrap();
    match &r.rule.body {
        RuleBody::Equipment { values } => values[0].params.clone(),
        _ => panic!("not an equipment rule"),
    }
}

#[test]
fn every_rule_case_in_every_embedded_set_passes() {
    let mut total = 0;
    for (id, _) in ruleset::EMBEDDED {
        let rs = RuleSet::embedded(id).unwrap();
        let outcomes = rule_tests::run(&rs);
        let failed: Vec<_> = outcomes.iter().filter(|o| !o.passed).collect();
        assert!(failed.is_empty(), "{id}: {failed:#?}");
        total += outcomes.len();
    }
    assert!(total >= 60, "only {total} cases");
}

#[test]
fn every_rule_cites_and_hospital_rules_have_tests() {
    for (id, _) in ruleset::EMBEDDED {
        let f = ruleset::embedded_file(id).unwrap();
        for r in &f.rules {
            assert!(!r.citations.is_empty(), "{}", r.id);
            for c in &r.citations {
                assert!(!c.quote.is_empty() && !c.gloss.is_empty(), "{}", r.id);
            }
            let testable = r.scope == Scope::Hospital && !matches!(r.body, RuleBody::Check { .. })
                || r.id.contains("police_room")
                || r.id.starts_with("henan.check.");
            if testable {
                assert!(!r.tests.is_empty(), "{} has no test case", r.id);
            }
        }
    }
}

#[test]
fn henan_quotes_are_verbatim_from_the_notice() {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/seeds/001_6360d74f33e8277b.txt"
    ));
    let Ok(seed) = seed else {
        return; // shared/ not beside the repo: nothing to compare with
    };
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let seed = squash(&seed);
    let f = ruleset::embedded_file("cn-henan-2024").unwrap();
    for r in &f.rules {
        for c in &r.citations {
            if c.document != "豫卫医函〔2024〕10号" {
                continue;
            }
            assert!(c.verbatim, "{}", r.id);
            for part in c.quote.split("……") {
                let part = squash(part);
                assert!(seed.contains(&part), "{} {}: {part}", r.id, c.clause);
            }
        }
    }
}

/// 附件1 (自查自纠要点), item by item: every item addressed to a hospital is
/// cited by at least one Henan rule under its clause path; the items that
/// bind the police or health commissions are cited by none.
#[test]
fn every_annex1_hospital_item_is_encoded() {
    const HOSPITAL: [&str; 36] = [
        "一(一)",
        "一(二)",
        "一(三)",
        "一(四)1",
        "一(四)2",
        "一(四)3",
        "一(四)4",
        "一(四)5",
        "一(五)1",
        "一(五)2",
        "一(五)3",
        "一(五)4",
        "二、1",
        "二、2",
        "二、3",
        "三(一)1",
        "三(一)2",
        "三(二)1",
        "三(二)2",
        "三(二)3",
        "三(二)4",
        "三(三)1",
        "三(三)2",
        "三(三)3",
        "三(三)4",
        "三(四)1",
        "三(四)2",
        "三(四)3",
        "三(五)1",
        "三(五)2",
        "三(五)3",
        "三(六)",
        "四(一)1",
        "四(一)2",
        "四(一)4",
        "四(二)",
    ];
    // 四(一)3: the police room's officers inspect and guide the hospital;
    // 四(三)1–4: health commissions and the police.
    const AUTHORITY: [&str; 5] = ["四(一)3", "四(三)1", "四(三)2", "四(三)3", "四(三)4"];
    let f = ruleset::embedded_file("cn-henan-2024").unwrap();
    let cited: std::collections::BTreeSet<String> = f
        .rules
        .iter()
        .flat_map(|r| &r.citations)
        .filter_map(|c| c.clause.strip_prefix("附件1 ").map(str::to_owned))
        .collect();
    for item in HOSPITAL {
        assert!(cited.contains(item), "附件1 {item} has no rule");
    }
    for item in AUTHORITY {
        assert!(!cited.contains(item), "附件1 {item} binds authorities");
    }
    assert_eq!(cited.len(), HOSPITAL.len(), "{cited:?}");
    // The yes/no items: 9 earlier checks + 17 for the rest of the checklist.
    let checks: Vec<_> = f
        .rules
        .iter()
        .filter(|r| matches!(r.body, RuleBody::Check { .. }))
        .collect();
    assert_eq!(checks.len(), 26);
    for r in checks {
        assert!(
            r.id == "henan.police_room" || r.id.starts_with("henan.check."),
            "{}",
            r.id
        );
        assert!(!r.tests.is_empty(), "{} has no test case", r.id);
    }
}

#[test]
fn layering_keeps_the_stricter_and_reports_conflicts() {
    let rs = henan();
    assert_eq!(
        rs.chain,
        ["cn-national-2021@2021.1", "cn-henan-2024@2024.1"]
    );
    // In-document conflict: patrol teams ≥ 2 (一(五)) vs ≥ 3 (附件1).
    let c = rs
        .conflicts
        .iter()
        .find(|c| c.topic == "patrol_team_size")
        .unwrap();
    assert_eq!(c.chosen, "henan.patrol.checklist");
    assert!(c.same_layer);
    assert_eq!(c.rules.len(), 2);
    assert!(
        rs.rules
            .iter()
            .any(|r| r.rule.id == "henan.patrol.checklist")
    );
    assert!(
        rs.superseded
            .iter()
            .any(|r| r.rule.id == "henan.patrol.main_text")
    );
    // Cross-layer: the police room, tertiary (national) vs secondary (Henan).
    let c = rs
        .conflicts
        .iter()
        .find(|c| c.topic == "police_room")
        .unwrap();
    assert_eq!(c.chosen, "henan.police_room");
    assert!(!c.same_layer);
    // Same value: Henan's staffing confirms the national one, citing both.
    let s = rs
        .rules
        .iter()
        .find(|r| r.rule.topic == "guard_staffing")
        .unwrap();
    assert_eq!(s.rule.id, "henan.staffing.guards");
    assert_eq!(s.confirms, ["national.staffing.guards"]);
    // 一(三) and 附件1 三(二)2 from Henan, plus the national clause.
    assert_eq!(s.rule.citations.len(), 3);
    assert!(!rs.conflicts.iter().any(|c| c.topic == "guard_staffing"));
    // National rules without a Henan counterpart are inherited.
    assert!(
        rs.rules
            .iter()
            .any(|r| r.rule.id == "national.video.retention")
    );
}

#[test]
fn a_laxer_child_loses_unless_it_overrides() {
    let child = |resolution: &str| {
        format!(
            r#"
id = "test-lax"
version = "1"
title = "t"
jurisdiction = "X"
extends = "cn-henan-2024"
[[rules]]
id = "lax.patrol"
topic = "patrol_team_size"
title = "teams of 1"
kind = "patrol"
effective_from = "2024-01-30"
resolution = "{resolution}"
applies = {{ min_level = 2 }}
citations = [{{ document = "d", clause = "c", quote = "q", gloss = "g" }}]
values = [{{ from = "2024-01-30", min_size = 1 }}]
"#
        )
    };
    let rs = RuleSet::from_toml("test", &child("stricter")).unwrap();
    let c = rs
        .conflicts
        .iter()
        .find(|c| c.topic == "patrol_team_size")
        .unwrap();
    assert_eq!(c.chosen, "henan.patrol.checklist");
    let rs = RuleSet::from_toml("test", &child("override")).unwrap();
    let c = rs
        .conflicts
        .iter()
        .find(|c| c.topic == "patrol_team_size")
        .unwrap();
    assert_eq!(c.chosen, "lax.patrol");
    assert!(c.reason.contains("override"));
}

#[test]
fn broken_rule_sets_are_errors_not_panics() {
    assert!(RuleSet::embedded("cn-mars-2099").is_err());
    assert!(RuleSet::from_toml("x", "id = 3").is_err());
    let cyc = r#"
id = "cn-national-2021"
version = "1"
title = "t"
jurisdiction = "X"
extends = "cn-henan-2024"
rules = []
"#;
    assert!(RuleSet::from_toml("x", cyc).is_err());
}

/// 附件4, all 11 rows: (row, location, a traffic inside the band,
/// [xray, walkthrough, liquid, handheld] as (count, optional), liquid kind).
#[test]
fn annex4_all_eleven_rows() {
    type R = (u32, Location, u32, [(u32, bool); 4], Option<&'static str>);
    let rows: [R; 11] = [
        (
            1,
            Location::Outpatient,
            25_000,
            [(3, false), (6, false), (3, false), (6, false)],
            Some("desktop"),
        ),
        (
            2,
            Location::Outpatient,
            12_000,
            [(2, false), (4, false), (2, false), (4, false)],
            Some("desktop"),
        ),
        (
            3,
            Location::Outpatient,
            3_000,
            [(1, false), (2, false), (1, false), (2, false)],
            Some("desktop"),
        ),
        (
            4,
            Location::Emergency,
            1_500,
            [(1, false), (1, false), (1, false), (2, false)],
            Some("handheld"),
        ),
        (
            5,
            Location::Emergency,
            800,
            [(1, false), (0, true), (0, true), (1, false)],
            None,
        ),
        (
            6,
            Location::Inpatient,
            1_500,
            [(1, false), (1, false), (1, false), (1, false)],
            Some("desktop"),
        ),
        (
            7,
            Location::Inpatient,
            800,
            [(1, false), (0, true), (0, true), (1, false)],
            None,
        ),
        (
            8,
            Location::Admin,
            700,
            [(1, false), (0, true), (1, false), (1, false)],
            Some("desktop"),
        ),
        (
            9,
            Location::Admin,
            300,
            [(0, true), (0, true), (1, false), (1, false)],
            Some("desktop"),
        ),
        (
            10,
            Location::Garage,
            1_500,
            [(1, false), (1, false), (1, false), (1, false)],
            Some("desktop"),
        ),
        (
            11,
            Location::Garage,
            800,
            [(1, false), (0, true), (0, true), (1, false)],
            None,
        ),
    ];
    let t = table(&henan());
    assert_eq!(t.rows.len(), 11);
    for (row, loc, traffic, items, kind) in rows {
        let n = equipment::need(&t, loc, traffic, None).unwrap();
        assert_eq!(n.row, row, "{loc:?} {traffic}");
        let got = [&n.xray, &n.walkthrough, &n.liquid, &n.handheld].map(|i| (i.count, i.optional));
        assert_eq!(got, items, "row {row}");
        assert_eq!(n.liquid.kind, Some(kind), "row {row}");
        assert!(n.edge_decision.is_none());
        // Rows 4–5 are the emergency entrance (the extraction's misplaced label).
        if row == 4 || row == 5 {
            assert_eq!(n.location, Location::Emergency);
        }
    }
}

#[test]
fn annex4_band_edges_are_decided_and_shown() {
    let t = table(&henan());
    for (loc, v, row) in [
        (Location::Outpatient, 20_000, 2),
        (Location::Outpatient, 20_001, 1),
        (Location::Outpatient, 5_000, 2),
        (Location::Outpatient, 4_999, 3),
        (Location::Emergency, 1_000, 4),
        (Location::Emergency, 999, 5),
        (Location::Inpatient, 1_000, 6),
        (Location::Garage, 1_000, 10),
        (Location::Admin, 500, 8),
        (Location::Admin, 499, 9),
        (Location::Admin, 0, 9),
        (Location::Outpatient, u32::MAX, 1),
    ] {
        let n = equipment::need(&t, loc, v, None).unwrap();
        assert_eq!(n.row, row, "{loc:?} {v}");
        let on_edge = matches!(v, 20_000 | 5_000 | 1_000 | 500);
        assert_eq!(n.edge_decision.is_some(), on_edge, "{loc:?} {v}");
        if on_edge {
            assert!(n.notes.iter().any(|s| s.contains("band edge")));
        }
    }
    // Every band edge the table prints is listed.
    assert_eq!(t.edges.len(), 6);
    // Dual-channel substitution is offered where the site is small.
    let n = equipment::need(&t, Location::Outpatient, 30_000, Some(Site::Small)).unwrap();
    assert!(
        n.notes
            .iter()
            .any(|s| s.contains("1 dual-channel + 1 single-channel"))
    );
}

#[test]
fn missing_facts_are_unknown_never_ok() {
    let rs = henan();
    let p = HospitalProfile {
        name: "nothing known".into(),
        ..HospitalProfile::default()
    };
    let e = evaluate(&rs, &p, Date::new(2024, 10, 1).unwrap(), Options::default());
    assert!(!e.findings.is_empty());
    for f in &e.findings {
        assert_eq!(f.status, Status::Unknown, "{} {:?}", f.rule, f.actual);
    }
    assert!(!e.trace.is_empty());
}

#[test]
fn a_full_profile_evaluates_with_a_trace() {
    let rs = henan();
    let p = HospitalProfile::from_toml(include_str!("../examples/hospital.toml")).unwrap();
    let e = evaluate(&rs, &p, Date::new(2024, 10, 1).unwrap(), Options::default());
    let by = |id: &'static str| e.findings.iter().filter(move |f| f.rule == id);
    assert_eq!(
        by("henan.staffing.guards").next().unwrap().status,
        Status::Gap
    );
    assert_eq!(
        by("henan.patrol.checklist").next().unwrap().status,
        Status::Gap
    );
    assert!(by("henan.patrol.main_text").next().is_none(), "superseded");
    assert_eq!(by("henan.equipment.table").count(), 3);
    assert!(
        e.trace
            .iter()
            .any(|s| s.rule == "henan.campaign.city_spot_check")
    );
    let json = serde_json::to_value(&e).unwrap();
    assert!(json["findings"][0]["status"].as_str().is_some());
}

#[test]
fn schemas_match_the_committed_files() {
    for (name, schema) in [
        ("ruleset.schema.json", ruleset::ruleset_schema()),
        ("profile.schema.json", hsm_policy::profile::profile_schema()),
    ] {
        let path = format!("{}/schema/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = format!("{}\n", serde_json::to_string_pretty(&schema).unwrap());
        if std::env::var_os("HSM_BLESS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{path} is stale: run `HSM_BLESS=1 cargo test -p hsm-policy --test rulesets`"
        );
    }
}

/// The campaign's dates and fractions (二, 附件2–4 notes): authority rules,
/// which hospital evaluation skips, checked here value by value.
#[test]
fn campaign_deadlines_and_spot_check_fractions() {
    let rs = henan();
    let deadline = |id: &str| match &rs.rule(id).unwrap().rule.body {
        RuleBody::Deadline { values } => {
            let v = &values[0].params;
            (v.start.map(|d| d.to_string()), v.due.to_string())
        }
        _ => panic!("{id} is not a deadline"),
    };
    assert_eq!(
        deadline("henan.campaign.self_check_report"),
        (Some("2024-01-01".into()), "2024-06-25".into())
    );
    assert_eq!(
        deadline("henan.campaign.inspection_report"),
        (Some("2024-07-01".into()), "2024-09-25".into())
    );
    assert_eq!(
        deadline("henan.campaign.annual_summary"),
        (Some("2024-10-01".into()), "2024-11-30".into())
    );
    assert_eq!(
        deadline("henan.campaign.equipment_feedback"),
        (None, "2024-02-28".into())
    );
    let fr = hsm_policy::sample::fractions(&rs);
    assert!(fr.contains(&("city".into(), 30, 100)));
    assert!(fr.contains(&("province".into(), 10, 100)));
    // Mandatory screening: tertiary, ≥ 5000 visits, ≥ 1000 beds, by 06-30.
    match &rs.rule("henan.screening.mandatory").unwrap().rule.body {
        RuleBody::Screening { values } => {
            let v = &values[0].params;
            assert_eq!(
                (
                    v.min_level,
                    v.daily_outpatient_min,
                    v.open_beds_min,
                    v.due.to_string()
                ),
                (3, 5000, 1000, "2024-06-30".into())
            );
        }
        _ => panic!("not a screening rule"),
    }
}
