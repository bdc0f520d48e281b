//! Running the test cases each rule carries in its rule-set file.
//!
//! A case names a profile, an optional as-of date (default: the rule's
//! `effective_from`) and the expected status of **every** finding the rule
//! yields (`ok`, `gap`, `unknown`, or `none` for no finding at all), and
//! optionally the `required` number of the first finding.

use serde::Serialize;

use crate::evaluate::evaluate_rule;
use crate::ruleset::RuleSet;

/// The outcome of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseOutcome {
    /// Rule id.
    pub rule: String,
    /// Case name.
    pub case: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was found, for failures.
    pub detail: String,
}

/// Runs every case of every rule (effective and superseded) of `rs`.
#[must_use]
pub fn run(rs: &RuleSet) -> Vec<CaseOutcome> {
    let mut out = Vec::new();
    for r in rs.rules.iter().chain(&rs.superseded) {
        for t in &r.rule.tests {
            let at = t.as_of.unwrap_or(r.rule.effective_from);
            let (findings, trace) = evaluate_rule(r, &t.profile, at);
            let statuses: Vec<&str> = findings.iter().map(|f| f.status.name()).collect();
            let status_ok = if t.expect == "none" {
                findings.is_empty()
            } else {
                !findings.is_empty() && statuses.iter().all(|s| *s == t.expect)
            };
            let req_ok = match t.required {
                None => true,
                Some(n) => findings.first().and_then(|f| f.required) == Some(n),
            };
            out.push(CaseOutcome {
                rule: r.rule.id.clone(),
                case: t.name.clone(),
                passed: status_ok && req_ok,
                detail: format!(
                    "expected {} (required {:?}); got {:?} (required {:?}); trace {:?}",
                    t.expect,
                    t.required,
                    statuses,
                    findings.first().and_then(|f| f.required),
                    trace.iter().map(|s| s.step.as_str()).collect::<Vec<_>>()
                ),
            });
        }
    }
    out
}
