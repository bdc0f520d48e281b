//! Evaluation: a hospital profile × a rule set × an as-of date → findings
//! (rule, requirement, actual, ok / gap / unknown, severity, citation) and a
//! trace of every step, including rules skipped and why.
//!
//! ## Interpretations
//! - A fact the profile does not state makes its finding `unknown`, never
//!   `ok`. A staffing requirement is still a definite `gap` when the known
//!   terms alone already exceed the guards employed.
//! - A rule limited to a level (`applies.min_level`) yields `unknown` when
//!   the level is unknown and no finding (a trace step) when below it.
//! - Periodic duties are judged on **complete** calendar periods from the
//!   period containing the rule's `effective_from` up to the as-of date; a
//!   period ends at the end of its last day, so the period containing the
//!   as-of date is still open and only traced. No complete period yet → `ok`
//!   ("not yet due").
//! - A dated obligation (full screening by 2024-06-30) is met "by" its date:
//!   it is a gap only when the as-of date is after it.

use serde::Serialize;

use crate::date::Date;
use crate::equipment;
use crate::profile::{ActivityKind, HospitalProfile};
use crate::ruleset::{
    BedBasis, CitationData, Conflict, Direction, PostKind, ResolvedRule, RuleBody, RuleSet, Scope,
    Severity, value_at,
};
use crate::staffing::{StaffingInput, guard_staffing_with};

/// Outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The requirement is met.
    Ok,
    /// The requirement is not met.
    Gap,
    /// A fact needed to decide is missing.
    Unknown,
}

impl Status {
    /// Stable machine name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Gap => "gap",
            Status::Unknown => "unknown",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding<'r> {
    /// Rule id.
    pub rule: &'r str,
    /// Rule kind.
    pub kind: &'static str,
    /// Rule title.
    pub title: &'r str,
    /// What the finding is about within the rule (an entrance, a post, a
    /// sub-requirement), if more than one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// ok / gap / unknown.
    pub status: Status,
    /// Severity of a gap (from the rule).
    pub severity: Severity,
    /// The requirement in words.
    pub requirement: String,
    /// What the profile says.
    pub actual: String,
    /// The shortfall, for gaps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
    /// The required number, where the rule yields one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<u64>,
    /// 附件4 row, for equipment findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// Notes (band-edge decisions, interpretations applied).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The clauses.
    pub citations: &'r [CitationData],
}

/// One step of the trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceStep<'r> {
    /// Rule id.
    pub rule: &'r str,
    /// What happened.
    pub step: String,
}

/// Counts of findings by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Findings `ok`.
    pub ok: usize,
    /// Findings `gap`.
    pub gap: usize,
    /// Findings `unknown`.
    pub unknown: usize,
}

/// The evaluation of one hospital.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation<'r> {
    /// Hospital name.
    pub hospital: String,
    /// Rule-set id.
    pub ruleset: &'r str,
    /// Rule-set version.
    pub ruleset_version: &'r str,
    /// The as-of date.
    pub as_of: Date,
    /// Counts by status.
    pub summary: Summary,
    /// Findings, in rule order.
    pub findings: Vec<Finding<'r>>,
    /// Rule conflicts of the set and how they were resolved.
    pub conflicts: &'r [Conflict],
    /// Every step (empty unless requested).
    pub trace: Vec<TraceStep<'r>>,
}

/// Evaluation options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Record the trace.
    pub trace: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { trace: true }
    }
}

struct Ctx<'r, 'p> {
    p: &'p HospitalProfile,
    at: Date,
    trace_on: bool,
    findings: Vec<Finding<'r>>,
    trace: Vec<TraceStep<'r>>,
}

impl<'r> Ctx<'r, '_> {
    fn trace(&mut self, rule: &'r str, f: impl FnOnce() -> String) {
        if self.trace_on {
            self.trace.push(TraceStep { rule, step: f() });
        }
    }
}

fn fmt_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "unknown".to_owned(), |v| v.to_string())
}

/// A finding builder for one rule.
fn base<'r>(
    r: &'r ResolvedRule,
    status: Status,
    requirement: String,
    actual: String,
) -> Finding<'r> {
    Finding {
        rule: &r.rule.id,
        kind: r.rule.body.kind(),
        title: &r.rule.title,
        subject: None,
        status,
        severity: r.rule.severity,
        requirement,
        actual,
        gap: None,
        required: None,
        row: None,
        notes: Vec::new(),
        citations: &r.rule.citations,
    }
}

/// Evaluates one hospital.
#[must_use]
pub fn evaluate<'r>(
    rs: &'r RuleSet,
    profile: &HospitalProfile,
    as_of: Date,
    opts: Options,
) -> Evaluation<'r> {
    let mut cx = Ctx {
        p: profile,
        at: as_of,
        trace_on: opts.trace,
        findings: Vec::with_capacity(rs.rules.len() + 4),
        trace: Vec::new(),
    };
    for r in &rs.rules {
        eval_rule(&mut cx, r);
    }
    let mut summary = Summary::default();
    for f in &cx.findings {
        match f.status {
            Status::Ok => summary.ok += 1,
            Status::Gap => summary.gap += 1,
            Status::Unknown => summary.unknown += 1,
        }
    }
    Evaluation {
        hospital: profile.name.clone(),
        ruleset: &rs.id,
        ruleset_version: &rs.version,
        as_of,
        summary,
        findings: cx.findings,
        conflicts: &rs.conflicts,
        trace: cx.trace,
    }
}

/// Evaluates many hospitals.
#[must_use]
pub fn evaluate_batch<'r>(
    rs: &'r RuleSet,
    profiles: &[HospitalProfile],
    as_of: Date,
    opts: Options,
) -> Vec<Evaluation<'r>> {
    profiles
        .iter()
        .map(|p| evaluate(rs, p, as_of, opts))
        .collect()
}

/// Evaluates one rule alone (used by rule test cases).
#[must_use]
pub fn evaluate_rule<'r>(
    r: &'r ResolvedRule,
    profile: &HospitalProfile,
    as_of: Date,
) -> (Vec<Finding<'r>>, Vec<TraceStep<'r>>) {
    let mut cx = Ctx {
        p: profile,
        at: as_of,
        trace_on: true,
        findings: Vec::new(),
        trace: Vec::new(),
    };
    eval_rule(&mut cx, r);
    (cx.findings, cx.trace)
}

#[allow(
    clippy::too_many_lines,
    reason = "one match arm per rule kind reads best in one place"
)]
fn eval_rule<'r>(cx: &mut Ctx<'r, '_>, r: &'r ResolvedRule) {
    let id = r.rule.id.as_str();
    if r.rule.scope == Scope::Authority {
        cx.trace(id, || {
            "skipped: binds authorities, not hospitals (used by schedules and sampling)".into()
        });
        return;
    }
    if !r.rule.in_force(cx.at) {
        let (from, at) = (r.rule.effective_from, cx.at);
        cx.trace(id, || {
            format!("skipped: not in force on {at} (from {from})")
        });
        return;
    }
    if let Some(min) = r.rule.applies.min_level {
        match cx.p.level {
            None => {
                let mut f = base(
                    r,
                    Status::Unknown,
                    format!("applies to level ≥ {min}: {}", r.rule.body.summary()),
                    "level unknown".into(),
                );
                f.notes
                    .push("the hospital's level decides whether this rule applies".into());
                cx.findings.push(f);
                cx.trace(id, || "unknown: level not stated".into());
                return;
            }
            Some(l) if l < min => {
                cx.trace(id, || format!("not applicable: level {l} < {min}"));
                return;
            }
            Some(_) => {}
        }
    }
    let at = cx.at;
    match &r.rule.body {
        RuleBody::Staffing { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let beds = match v.bed_basis {
                BedBasis::OpenBeds => cx.p.open_beds,
                BedBasis::ApprovedBeds => cx.p.approved_beds,
            };
            let inputs = [cx.p.medical_staff_on_duty, beds, cx.p.daily_outpatient_avg];
            let all_known = inputs.iter().all(Option::is_some);
            let req = guard_staffing_with(
                &StaffingInput {
                    medical_staff_on_duty: inputs[0].unwrap_or(0),
                    open_beds: inputs[1].unwrap_or(0),
                    daily_outpatient_avg: inputs[2].unwrap_or(0),
                },
                [
                    (v.staff_ratio[0], v.staff_ratio[1]),
                    (v.beds_ratio[0], v.beds_ratio[1]),
                    (v.outpatient_ratio[0], v.outpatient_ratio[1]),
                ],
            );
            cx.trace(id, || {
                let t = req.terms.map(|t| t.required);
                format!(
                    "terms: staff {} → {}, beds {} → {}, outpatients {} → {}; max = {} ({})",
                    fmt_opt(inputs[0]),
                    t[0],
                    fmt_opt(inputs[1]),
                    t[1],
                    fmt_opt(inputs[2]),
                    t[2],
                    req.required,
                    req.binding.name()
                )
            });
            let requirement = if all_known {
                format!(
                    "guards ≥ {} (binding term: {})",
                    req.required,
                    req.binding.name()
                )
            } else {
                format!(
                    "guards ≥ {} from the known terms; a missing term may raise it",
                    req.required
                )
            };
            let guards = cx.p.guards;
            let status = match guards {
                Some(g) if g < req.required => Status::Gap,
                Some(_) if all_known => Status::Ok,
                _ => Status::Unknown,
            };
            let mut f = base(
                r,
                status,
                requirement,
                format!("guards {}", fmt_opt(guards)),
            );
            f.required = Some(u64::from(req.required));
            if let (Status::Gap, Some(g)) = (status, guards) {
                f.gap = Some(format!("{} guards short", req.required - g));
            }
            cx.findings.push(f);
        }
        RuleBody::Screening { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let p = cx.p;
            let by_level = p.level.map(|l| l >= v.min_level);
            let by_op = p.daily_outpatient_avg.map(|n| n >= v.daily_outpatient_min);
            let by_beds = p.open_beds.map(|n| n >= v.open_beds_min);
            let conds = [by_level, by_op, by_beds];
            let mandated = if conds.contains(&Some(true)) {
                Some(true)
            } else if conds.iter().all(Option::is_some) {
                Some(false)
            } else {
                None
            };
            cx.trace(id, || {
                format!(
                    "mandated: level ≥ {} {:?}, outpatients ≥ {} {:?}, open beds ≥ {} {:?} → {:?}",
                    v.min_level,
                    by_level,
                    v.daily_outpatient_min,
                    by_op,
                    v.open_beds_min,
                    by_beds,
                    mandated
                )
            });
            match mandated {
                None => {
                    cx.findings.push(base(
                        r,
                        Status::Unknown,
                        format!("full entry screening by {} if mandated", v.due),
                        "level, outpatients or beds unknown".into(),
                    ));
                }
                Some(false) => {
                    let mut f = base(
                        r,
                        Status::Ok,
                        "not mandatory for this hospital (其他医院结合实际，积极开展安检工作)"
                            .into(),
                        "below every threshold".into(),
                    );
                    f.severity = Severity::Info;
                    cx.findings.push(f);
                }
                Some(true) => {
                    let s = p.screening.as_ref();
                    let sub = |name: &str,
                               fact: Option<bool>,
                               req: String,
                               due: Option<Date>|
                     -> Finding<'r> {
                        let pending = due.is_some_and(|d| at <= d);
                        let status = match fact {
                            Some(true) => Status::Ok,
                            _ if pending => Status::Ok,
                            Some(false) => Status::Gap,
                            None => Status::Unknown,
                        };
                        let mut f = base(r, status, req, fmt_opt(fact));
                        f.subject = Some(name.to_owned());
                        if pending && fact != Some(true) {
                            f.notes.push(format!(
                                "not yet due: due {}",
                                due.map_or_else(String::new, |d| d.to_string())
                            ));
                        }
                        if status == Status::Gap {
                            f.gap = Some(format!("{name} not in place"));
                        }
                        f
                    };
                    let full = sub(
                        "full_screening",
                        s.and_then(|s| s.full),
                        format!("full entry screening in place by {}", v.due),
                        Some(v.due),
                    );
                    cx.findings.push(full);
                    if v.green_channel {
                        let f = sub(
                            "green_channel",
                            s.and_then(|s| s.green_channel),
                            "green channel for critical, elderly, disabled, pregnant and child patients".into(),
                            Some(v.due),
                        );
                        cx.findings.push(f);
                    }
                    if v.bag_modes {
                        let f = sub(
                            "bag_modes",
                            s.and_then(|s| s.bag_modes),
                            "bag carriers checked carefully, others quickly".into(),
                            Some(v.due),
                        );
                        cx.findings.push(f);
                    }
                }
            }
        }
        RuleBody::Equipment { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let Some(entrances) = cx.p.entrances.as_ref() else {
                cx.findings.push(base(
                    r,
                    Status::Unknown,
                    "equipment per 附件4 at every screening point".into(),
                    "entrances unknown".into(),
                ));
                return;
            };
            for (i, e) in entrances.iter().enumerate() {
                let subject = e
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("entrance {} ({})", i + 1, e.location.name()));
                let Some(traffic) = e.daily_traffic else {
                    let mut f = base(
                        r,
                        Status::Unknown,
                        "equipment per 附件4 (row by daily traffic)".into(),
                        "daily traffic unknown".into(),
                    );
                    f.subject = Some(subject);
                    cx.findings.push(f);
                    continue;
                };
                let need = match equipment::need(v, e.location, traffic, e.site) {
                    Ok(n) => n,
                    Err(err) => {
                        let mut f = base(
                            r,
                            Status::Unknown,
                            "equipment per 附件4".into(),
                            err.to_string(),
                        );
                        f.subject = Some(subject);
                        cx.findings.push(f);
                        continue;
                    }
                };
                let eq = e.equipment.as_ref();
                let xray_actual = eq.and_then(|q| {
                    let dual = q.xray_dual.unwrap_or(0);
                    let per_dual = if need.dual_channel_substitution { 2 } else { 1 };
                    match (q.xray, q.xray_dual) {
                        (None, None) => None,
                        _ => Some(q.xray.unwrap_or(0) + per_dual * dual),
                    }
                });
                let items = [
                    ("xray", need.xray.count, xray_actual),
                    (
                        "walkthrough",
                        need.walkthrough.count,
                        eq.and_then(|q| q.walkthrough),
                    ),
                    ("liquid", need.liquid.count, eq.and_then(|q| q.liquid)),
                    ("handheld", need.handheld.count, eq.and_then(|q| q.handheld)),
                ];
                let mut short = Vec::new();
                let mut unknown = Vec::new();
                for (name, req, act) in items {
                    match act {
                        Some(a) if a < req => short.push(format!("{name} {a}/{req}")),
                        Some(_) => {}
                        None if req == 0 => {}
                        None => unknown.push(name),
                    }
                }
                let status = if !short.is_empty() {
                    Status::Gap
                } else if !unknown.is_empty() {
                    Status::Unknown
                } else {
                    Status::Ok
                };
                cx.trace(id, || {
                    format!(
                        "{subject}: {} traffic {traffic} → row {} ({}){}",
                        e.location.name(),
                        need.row,
                        need.band,
                        need.edge_decision
                            .as_ref()
                            .map_or_else(String::new, |d| format!("; {d}"))
                    )
                });
                let req_text = format!(
                    "row {} ({} {}): xray {}{}, walkthrough {}{}, liquid {}{}, handheld {}{}",
                    need.row,
                    e.location.label_zh(),
                    need.band,
                    need.xray.count,
                    if need.xray.optional {
                        " (optional)"
                    } else {
                        ""
                    },
                    need.walkthrough.count,
                    if need.walkthrough.optional {
                        " (optional)"
                    } else {
                        ""
                    },
                    need.liquid.count,
                    if need.liquid.optional {
                        " (optional)"
                    } else {
                        ""
                    },
                    need.handheld.count,
                    if need.handheld.optional {
                        " (optional)"
                    } else {
                        ""
                    },
                );
                let actual = items
                    .iter()
                    .map(|(n, _, a)| format!("{n} {}", fmt_opt(*a)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut f = base(r, status, req_text, actual);
                f.subject = Some(subject);
                f.row = Some(need.row);
                if !short.is_empty() {
                    f.gap = Some(format!("short: {}", short.join(", ")));
                }
                if let Some(d) = need.edge_decision {
                    f.notes.push(d);
                }
                cx.findings.push(f);
            }
        }
        RuleBody::Posts { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let p = cx.p;
            let (requirement, status, actual, gap) = match v.post {
                PostKind::EachOutpatientFloor | PostKind::EachInpatientWard => {
                    let (what, total, guarded) = if v.post == PostKind::EachOutpatientFloor {
                        (
                            "outpatient floors",
                            p.outpatient_floors,
                            p.outpatient_floors_guarded,
                        )
                    } else {
                        (
                            "inpatient wards",
                            p.inpatient_wards,
                            p.inpatient_wards_guarded,
                        )
                    };
                    let status = match (total, guarded) {
                        (Some(t), Some(g)) if g >= t => Status::Ok,
                        (Some(t), Some(g)) if g < t => Status::Gap,
                        _ => Status::Unknown,
                    };
                    let gap = match (total, guarded) {
                        (Some(t), Some(g)) if g < t => {
                            Some(format!("{} {what} without a guard", t - g))
                        }
                        _ => None,
                    };
                    (
                        format!("a guard on duty on every one of the {what}"),
                        status,
                        format!("{} of {} {what} guarded", fmt_opt(guarded), fmt_opt(total)),
                        gap,
                    )
                }
                PostKind::RoundTheClock => {
                    let s = match p.posts_24h {
                        Some(true) => Status::Ok,
                        Some(false) => Status::Gap,
                        None => Status::Unknown,
                    };
                    (
                        "24-hour guards at entrances, key areas, emergency and inpatient departments".into(),
                        s,
                        format!("24-hour posts: {}", fmt_opt(p.posts_24h)),
                        (s == Status::Gap).then(|| "no 24-hour guarding".to_owned()),
                    )
                }
            };
            let mut f = base(r, status, requirement, actual);
            f.gap = gap;
            cx.findings.push(f);
        }
        RuleBody::Patrol { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let requirement = format!(
                "at least {} patrol team(s), each of at least {} persons",
                v.min_teams, v.min_size
            );
            let (status, actual, gap) = match cx.p.patrol_teams.as_ref() {
                None => (Status::Unknown, "patrol teams unknown".to_owned(), None),
                Some(teams) => {
                    let small = teams.iter().filter(|&&s| s < v.min_size).count();
                    let n = teams.len();
                    let actual = format!("{n} team(s) of sizes {teams:?}");
                    if (n as u64) < u64::from(v.min_teams) {
                        (
                            Status::Gap,
                            actual,
                            Some(format!("{} team(s) missing", v.min_teams as usize - n)),
                        )
                    } else if small > 0 {
                        (
                            Status::Gap,
                            actual,
                            Some(format!("{small} team(s) smaller than {}", v.min_size)),
                        )
                    } else {
                        (Status::Ok, actual, None)
                    }
                }
            };
            let mut f = base(r, status, requirement, actual);
            f.required = Some(u64::from(v.min_size));
            f.gap = gap;
            cx.findings.push(f);
        }
        RuleBody::Periodic { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let requirement = format!(
                "{} at least {} per {}",
                v.activity.name(),
                v.min_count,
                v.period.name()
            );
            let Some(acts) = cx.p.activities.as_ref() else {
                let mut f = base(r, Status::Unknown, requirement, "activities unknown".into());
                f.required = Some(u64::from(v.min_count));
                cx.findings.push(f);
                return;
            };
            let (complete, short, open) = periods(
                acts.iter().filter(|a| a.kind == v.activity).map(|a| a.date),
                r.rule.effective_from,
                at,
                v.period,
                v.min_count,
            );
            cx.trace(id, || {
                format!(
                    "{} complete {}(s) checked, {} short; current {} so far: {}",
                    complete,
                    v.period.name(),
                    short.len(),
                    v.period.name(),
                    open
                )
            });
            let (status, actual) = if complete == 0 {
                (
                    Status::Ok,
                    format!(
                        "no complete {} yet (not yet due); {open} so far",
                        v.period.name()
                    ),
                )
            } else if short.is_empty() {
                (
                    Status::Ok,
                    format!("met in all {complete} complete {}(s)", v.period.name()),
                )
            } else {
                (
                    Status::Gap,
                    format!(
                        "met in {} of {complete} complete {}(s)",
                        complete - short.len(),
                        v.period.name()
                    ),
                )
            };
            let mut f = base(r, status, requirement, actual);
            f.required = Some(u64::from(v.min_count));
            if !short.is_empty() {
                f.gap = Some(format!("short in: {}", short.join(", ")));
            }
            cx.findings.push(f);
        }
        RuleBody::Deadline { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let requirement = format!("report {} by {}", v.report, v.due);
            let sent = cx.p.reports.as_ref().map(|m| m.get(&v.report).copied());
            let (status, actual) = match sent {
                None => (Status::Unknown, "reports unknown".to_owned()),
                Some(Some(d)) if d <= v.due => (Status::Ok, format!("sent {d}")),
                Some(Some(d)) => (Status::Gap, format!("sent late, {d}")),
                Some(None) if at <= v.due => (Status::Ok, "not yet due".to_owned()),
                Some(None) => (Status::Gap, "not sent".to_owned()),
            };
            cx.findings.push(base(r, status, requirement, actual));
        }
        RuleBody::SpotCheck { .. } => {
            cx.trace(id, || "skipped: a sampling rule (see the sampler)".into());
        }
        RuleBody::Numeric { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let actual = cx.p.facts.get(&v.fact).copied();
            let (op, ok) = match v.direction {
                Direction::AtLeast => ("≥", actual.map(|a| a >= v.bound)),
                Direction::AtMost => ("≤", actual.map(|a| a <= v.bound)),
            };
            let status = match ok {
                Some(true) => Status::Ok,
                Some(false) => Status::Gap,
                None => Status::Unknown,
            };
            let mut f = base(
                r,
                status,
                format!("{} {op} {} {}", v.fact, v.bound, v.unit),
                format!("{} = {}", v.fact, fmt_opt(actual)),
            );
            if status == Status::Gap {
                f.gap = actual.map(|a| format!("{} {} off", (a - v.bound).abs(), v.unit));
            }
            cx.findings.push(f);
        }
        RuleBody::Check { values } => {
            let Some(v) = value_at(values, at) else {
                return no_value(cx, r);
            };
            let fact = cx.p.checks.get(&v.check).copied();
            let status = match fact {
                Some(true) => Status::Ok,
                Some(false) => Status::Gap,
                None => Status::Unknown,
            };
            let mut f = base(
                r,
                status,
                format!("{}: yes", v.check),
                format!(
                    "{}: {}",
                    v.check,
                    fact.map_or("unknown", |b| if b { "yes" } else { "no" })
                ),
            );
            if status == Status::Gap {
                f.gap = Some(format!("{} not in place", v.check));
            }
            cx.findings.push(f);
        }
    }
}

fn no_value<'r>(cx: &mut Ctx<'r, '_>, r: &'r ResolvedRule) {
    let at = cx.at;
    cx.trace(&r.rule.id, || format!("skipped: no value in force on {at}"));
}

/// Counts dates per complete period: returns (number of complete periods,
/// labels of short periods, count in the open period).
fn periods(
    dates: impl Iterator<Item = Date> + Clone,
    effective_from: Date,
    at: Date,
    period: crate::ruleset::Period,
    min: u32,
) -> (usize, Vec<String>, u32) {
    let mut start = period.start_of(effective_from);
    let mut complete = 0;
    let mut short = Vec::new();
    let mut open = 0;
    // Bounded: at most 12 periods per year between two 4-digit years.
    for _ in 0..(12 * 10_000) {
        let next = start.first_of_month_plus(period.months());
        let end = next.pred();
        let n = dates.clone().filter(|d| *d >= start && *d <= end).count() as u32;
        if end < at {
            complete += 1;
            if n < min {
                short.push(period_label(start, period));
            }
        } else {
            open = n;
            break;
        }
        if next <= start {
            break;
        }
        start = next;
    }
    (complete, short, open)
}

fn period_label(start: Date, period: crate::ruleset::Period) -> String {
    match period {
        crate::ruleset::Period::Month => format!("{}-{:02}", start.year(), start.month()),
        crate::ruleset::Period::Quarter => format!("{}-Q{}", start.year(), start.quarter()),
        crate::ruleset::Period::Year => start.year().to_string(),
    }
}

/// Activity kinds a rule set's periodic rules cover (for schedules).
#[must_use]
pub fn periodic_kinds(rs: &RuleSet) -> Vec<ActivityKind> {
    rs.rules
        .iter()
        .filter_map(|r| match &r.rule.body {
            RuleBody::Periodic { values } => values.last().map(|v| v.params.activity),
            _ => None,
        })
        .collect()
}
