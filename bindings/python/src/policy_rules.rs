//! Rule sets, 附件4 equipment and evaluation for `hsm.policy`.
//!
//! JSON crosses the boundary (the typed Python wrappers in
//! `hsm/policy.py` turn it into dicts and records): one serialisation that
//! the CLI and the C door share, so every door prints the same fields.

use hsm::policy::Date;
use hsm::policy::PolicyError;
use hsm::policy::equipment;
use hsm::policy::evaluate::{Options, evaluate_batch};
use hsm::policy::profile::{HospitalProfile, Location, Site};
use hsm::policy::ruleset::{self, RuleBody, RuleSet};
use pyo3::prelude::*;

use crate::errors::to_py;

fn ruleset_or_default(ruleset: Option<&str>) -> Result<RuleSet, PolicyError> {
    RuleSet::load(ruleset.unwrap_or(ruleset::DEFAULT_RULESET))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, PolicyError> {
    serde_json::to_string(value).map_err(|e| PolicyError::Parse {
        what: "result".into(),
        detail: e.to_string(),
    })
}

/// The embedded rule sets as a JSON array: id, version, title,
/// jurisdiction, extends, rule counts and conflicts.
#[pyfunction]
fn policy_rulesets_json(py: Python<'_>) -> PyResult<String> {
    let run = || -> Result<String, PolicyError> {
        let mut out = Vec::new();
        for (id, _) in ruleset::EMBEDDED {
            let f = ruleset::embedded_file(id)?;
            let rs = RuleSet::cached(id)?;
            out.push(serde_json::json!({
                "id": f.id,
                "version": f.version,
                "title": f.title,
                "jurisdiction": f.jurisdiction,
                "extends": f.extends,
                "rules": f.rules.len(),
                "effective_rules": rs.rules.len(),
                "conflicts": rs.conflicts,
            }));
        }
        json(&out)
    };
    run().map_err(|e| to_py(py, e))
}

/// The 附件4 equipment for one screening point, as JSON.
#[pyfunction]
#[pyo3(signature = (location, daily_traffic, site=None, ruleset=None))]
fn policy_equipment_json(
    py: Python<'_>,
    location: &str,
    daily_traffic: u32,
    site: Option<&str>,
    ruleset: Option<&str>,
) -> PyResult<String> {
    let run = || -> Result<String, PolicyError> {
        let location = Location::parse(location)?;
        let site = site.map(Site::parse).transpose()?;
        let rs = ruleset_or_default(ruleset)?;
        let table = rs
            .rules
            .iter()
            .find_map(|r| match &r.rule.body {
                RuleBody::Equipment { values } => values.iter().max_by_key(|v| v.from),
                _ => None,
            })
            .ok_or_else(|| PolicyError::InvalidRuleSet {
                id: rs.id.clone(),
                detail: "no equipment table".into(),
            })?;
        json(&equipment::need(
            &table.params,
            location,
            daily_traffic,
            site,
        )?)
    };
    run().map_err(|e| to_py(py, e))
}

/// Evaluates a JSON array of hospital profiles; returns a JSON array of
/// evaluations. The GIL is released while evaluating.
#[pyfunction]
#[pyo3(signature = (profiles_json, as_of, ruleset=None, trace=false))]
fn policy_evaluate_json(
    py: Python<'_>,
    profiles_json: &str,
    as_of: &str,
    ruleset: Option<&str>,
    trace: bool,
) -> PyResult<String> {
    let run = || -> Result<String, PolicyError> {
        let profiles: Vec<HospitalProfile> =
            serde_json::from_str(profiles_json).map_err(|e| PolicyError::Parse {
                what: "hospital profiles".into(),
                detail: e.to_string(),
            })?;
        for p in &profiles {
            p.validate()?;
        }
        let at: Date = as_of.parse()?;
        let rs = ruleset_or_default(ruleset)?;
        json(&evaluate_batch(&rs, &profiles, at, Options { trace }))
    };
    py.detach(run).map_err(|e| to_py(py, e))
}

/// A hospital's schedule for `from..=to` as JSON: the items (with
/// occurrences) and the iCalendar text under `"ics"`.
#[pyfunction]
#[pyo3(signature = (profile_json, from_date, to_date, ruleset=None))]
fn policy_schedule_json(
    py: Python<'_>,
    profile_json: &str,
    from_date: &str,
    to_date: &str,
    ruleset: Option<&str>,
) -> PyResult<String> {
    let run = || -> Result<String, PolicyError> {
        let profile = HospitalProfile::from_json(profile_json)?;
        let from: Date = from_date.parse()?;
        let to: Date = to_date.parse()?;
        let rs = ruleset_or_default(ruleset)?;
        let s = hsm::policy::schedule::schedule(&rs, &profile, from, to)?;
        let mut v = serde_json::to_value(&s).map_err(|e| PolicyError::Parse {
            what: "schedule".into(),
            detail: e.to_string(),
        })?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("ics".into(), serde_json::Value::String(s.to_ics()));
        }
        json(&v)
    };
    run().map_err(|e| to_py(py, e))
}

/// Registers the functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(policy_rulesets_json, m)?)?;
    m.add_function(wrap_pyfunction!(policy_equipment_json, m)?)?;
    m.add_function(wrap_pyfunction!(policy_evaluate_json, m)?)?;
    m.add_function(wrap_pyfunction!(policy_schedule_json, m)?)
}
