//! tests/data/equipment.vectors: 附件4 golden vectors shared with C and Python.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly"
)]

use std::collections::HashMap;

use hsm_policy::equipment;
use hsm_policy::profile::Location;
use hsm_policy::ruleset::{RuleBody, RuleSet};

#[test]
fn equipment_vectors() {
    let text = include_str!("../../tests/data/equipment.vectors");
    let rs = RuleSet::embedded("cn-henan-2024").unwrap();
    let table = rs
        .rules
        .iter()
        .find_map(|r| match &r.rule.body {
            RuleBody::Equipment { values } => Some(values[0].params.clone()),
            _ => None,
        })
        .unwrap();
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let kv: HashMap<&str, &str> = line
            .split_whitespace()
            .map(|t| t.split_once('=').unwrap())
            .collect();
        let case = kv["case"];
        let loc = Location::parse(kv["location"]).unwrap();
        let need = equipment::need(&table, loc, kv["traffic"].parse().unwrap(), None).unwrap();
        assert_eq!(need.row.to_string(), kv["row"], "{case}");
        let items = [&need.xray, &need.walkthrough, &need.liquid, &need.handheld];
        let counts = [kv["xray"], kv["walkthrough"], kv["liquid"], kv["handheld"]];
        let opts: Vec<&str> = kv["opt"].split(',').collect();
        for ((item, count), opt) in items.iter().zip(counts).zip(opts) {
            assert_eq!(item.count.to_string(), count, "{case}");
            assert_eq!(item.optional, opt == "1", "{case}");
        }
        let kind = need.liquid.kind.flatten().unwrap_or("none");
        assert_eq!(kind, kv["liquid_kind"], "{case}");
        assert_eq!(need.edge_decision.is_some(), kv["edge"] == "1", "{case}");
        n += 1;
    }
    assert_eq!(n, 22);
}
