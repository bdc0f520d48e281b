//! `hsm policy equipment|evaluate|rulesets`: rule sets, 附件4 and
//! evaluation from a shell. (`staffing` lives in `policy.rs`.)

use std::path::{Path, PathBuf};

use clap::Args;
use hsm::policy::Date;
use hsm::policy::PolicyError;
use hsm::policy::equipment::{self, EquipmentNeed};
use hsm::policy::evaluate::{self, Evaluation, Options};
use hsm::policy::profile::{HospitalProfile, Location, Site};
use hsm::policy::ruleset::{self, RuleBody, RuleSet};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{self, Format};

/// A library error as a CLI error (usage for bad values, failure for files).
pub(crate) fn perr(e: PolicyError) -> CliError {
    let hint = match &e {
        PolicyError::UnknownRuleSet { .. } => {
            Some("list the embedded sets with `hsm policy rulesets`, or pass a rule-set .toml file")
        }
        PolicyError::InvalidDate { .. } => Some("dates are YYYY-MM-DD, e.g. 2024-10-01"),
        _ => None,
    };
    let c = CliError::from(hsm::Error::from(e));
    match hint {
        Some(h) => c.hint(h),
        None => c,
    }
}

/// Loads `--ruleset`: an embedded id, or a path to a rule-set `.toml` file
/// (whose `extends` names an embedded set). Default `cn-henan-2024`.
pub(crate) fn load_ruleset(arg: Option<&str>) -> Result<RuleSet, CliError> {
    let id = arg.unwrap_or(ruleset::DEFAULT_RULESET);
    if id.ends_with(".toml") || Path::new(id).is_file() {
        let text = std::fs::read_to_string(id)
            .map_err(|e| CliError::failure(format!("cannot read rule set {id}: {e}")))?;
        return RuleSet::from_toml(id, &text).map_err(perr);
    }
    RuleSet::embedded(id).map_err(perr)
}

/// Today's date from the system clock (UTC): the CLI's default `--as-of`.
fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_unix_days(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// Parses `--as-of` (default: today, UTC).
pub(crate) fn as_of(arg: Option<&str>) -> Result<Date, CliError> {
    match arg {
        None => Ok(today()),
        Some(s) => s.parse().map_err(|e| perr(e).context("--as-of")),
    }
}

/// Reads one or many hospital profiles: `.toml` (one), `.json` (one object
/// or an array), `.csv` (one per row, scalar columns).
pub(crate) fn read_profiles(path: &Path) -> Result<Vec<HospitalProfile>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::failure(format!("cannot read {}: {e}", path.display()))
            .hint("pass a hospital profile (.toml or .json) or a CSV of hospitals")
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let ctx = |e: PolicyError| perr(e).context(path.display());
    match ext.as_str() {
        "json" => {
            if text.trim_start().starts_with('[') {
                let v: Vec<HospitalProfile> = serde_json::from_str(&text).map_err(|e| {
                    CliError::failure(format!("{}: cannot parse profiles: {e}", path.display()))
                })?;
                for p in &v {
                    p.validate().map_err(ctx)?;
                }
                Ok(v)
            } else {
                Ok(vec![HospitalProfile::from_json(&text).map_err(ctx)?])
            }
        }
        "csv" => hsm::policy::profile::profiles_from_csv(&text).map_err(ctx),
        _ => Ok(vec![HospitalProfile::from_toml(&text).map_err(ctx)?]),
    }
}

// ------------------------------------------------------------------ equipment

/// Arguments of `hsm policy equipment`.
#[derive(Debug, Args)]
pub(crate) struct EquipmentArgs {
    /// Screening point: outpatient, emergency, inpatient, admin, garage.
    #[arg(long, value_name = "L")]
    pub(crate) location: String,
    /// Daily average passages through the point (日均通行人数).
    #[arg(long, value_name = "N")]
    pub(crate) daily_traffic: u32,
    /// Room at the point: small, medium, large (其他因素).
    #[arg(long, value_name = "SIZE")]
    pub(crate) site: Option<String>,
    /// Rule set: an embedded id (`hsm policy rulesets`) or a .toml file.
    #[arg(long, value_name = "ID")]
    pub(crate) ruleset: Option<String>,
}

/// Runs `hsm policy equipment`.
pub(crate) fn equipment(args: &EquipmentArgs, format: Format) -> Result<String, CliError> {
    let location = Location::parse(&args.location).map_err(|e| perr(e).context("--location"))?;
    let site = args
        .site
        .as_deref()
        .map(Site::parse)
        .transpose()
        .map_err(|e| perr(e).context("--site"))?;
    let rs = load_ruleset(args.ruleset.as_deref())?;
    let table = rs
        .rules
        .iter()
        .find_map(|r| match &r.rule.body {
            RuleBody::Equipment { values } => values.iter().max_by_key(|v| v.from),
            _ => None,
        })
        .ok_or_else(|| {
            CliError::usage(format!("rule set {} has no equipment table", rs.id))
                .hint("use --ruleset cn-henan-2024")
        })?;
    let need = equipment::need(&table.params, location, args.daily_traffic, site).map_err(perr)?;
    match format {
        Format::Json => output::json(&need),
        Format::Csv => Ok(equipment_csv(&need)),
        Format::Table => Ok(equipment_table(&need)),
    }
}

fn items(n: &EquipmentNeed) -> [(&'static str, &'static str, &equipment::Item); 4] {
    [
        ("xray", "微剂量X射线安全检查设备", &n.xray),
        ("walkthrough", "通过式智能金属探测门", &n.walkthrough),
        ("liquid", "液态物品安全检查设备", &n.liquid),
        ("handheld", "手持式金属探测器", &n.handheld),
    ]
}

fn equipment_csv(n: &EquipmentNeed) -> String {
    let mut out = String::new();
    output::csv_record(
        &mut out,
        &[
            "row",
            "band",
            "item",
            "count",
            "optional",
            "kind",
            "edge_decision",
        ],
    );
    for (name, _, i) in items(n) {
        output::csv_record(
            &mut out,
            &[
                n.row.to_string(),
                n.band.clone(),
                name.to_owned(),
                i.count.to_string(),
                i.optional.to_string(),
                i.kind.flatten().unwrap_or("").to_owned(),
                n.edge_decision.clone().unwrap_or_default(),
            ],
        );
    }
    out
}

fn equipment_table(n: &EquipmentNeed) -> String {
    let mut t = output::table(&["item", "设备", "count", "optional"]);
    for (name, zh, i) in items(n) {
        let name = match i.kind.flatten() {
            Some(k) => format!("{name} ({k})"),
            None => name.to_owned(),
        };
        t.add_row(vec![
            name,
            zh.to_owned(),
            i.count.to_string(),
            if i.optional {
                "optional (-)".into()
            } else {
                String::new()
            },
        ]);
    }
    let mut s = format!(
        "附件4 row {}: {} {} (daily traffic {}; row assumes a {} site: {})\n{t}\n",
        n.row,
        n.location.label_zh(),
        n.band,
        n.daily_traffic,
        n.row_site.name(),
        n.row_site_text
    );
    for note in &n.notes {
        s.push_str("note: ");
        s.push_str(note);
        s.push('\n');
    }
    s
}

// ------------------------------------------------------------------ evaluate

/// Arguments of `hsm policy evaluate`.
#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    /// Hospital profile (.toml or .json), or many: a JSON array or a CSV
    /// with a header row (`name,city,level,medical_staff_on_duty,…`).
    pub(crate) profile: PathBuf,
    /// Rule set: an embedded id (`hsm policy rulesets`) or a .toml file.
    #[arg(long, value_name = "ID")]
    pub(crate) ruleset: Option<String>,
    /// Evaluate as of this date (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
    /// Include the evaluation trace in JSON output.
    #[arg(long)]
    pub(crate) trace: bool,
}

/// Several hospitals' evaluations.
#[derive(Serialize)]
struct Batch<'r> {
    /// Rule-set id.
    ruleset: &'r str,
    /// As-of date.
    as_of: Date,
    /// One evaluation per hospital, in input order.
    hospitals: Vec<Evaluation<'r>>,
}

/// Runs `hsm policy evaluate`.
pub(crate) fn evaluate_cmd(args: &EvaluateArgs, format: Format) -> Result<String, CliError> {
    let rs = load_ruleset(args.ruleset.as_deref())?;
    let at = as_of(args.as_of.as_deref())?;
    let profiles = read_profiles(&args.profile)?;
    let opts = Options { trace: args.trace };
    let evals = evaluate::evaluate_batch(&rs, &profiles, at, opts);
    let single = profiles.len() == 1 && !is_batch_file(&args.profile);
    match format {
        Format::Json if single => evals
            .first()
            .map_or_else(|| Ok(String::new()), output::json),
        Format::Json => output::json(&Batch {
            ruleset: &rs.id,
            as_of: at,
            hospitals: evals,
        }),
        Format::Csv => Ok(findings_csv(&evals)),
        Format::Table => Ok(findings_table(&evals)),
    }
}

fn is_batch_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        || std::fs::read_to_string(p).is_ok_and(|t| t.trim_start().starts_with('['))
}

fn findings_csv(evals: &[Evaluation<'_>]) -> String {
    let mut out = String::new();
    output::csv_record(
        &mut out,
        &[
            "hospital",
            "rule",
            "kind",
            "subject",
            "status",
            "severity",
            "requirement",
            "actual",
            "gap",
            "required",
            "citation",
        ],
    );
    for e in evals {
        for f in &e.findings {
            let cite = f
                .citations
                .iter()
                .map(|c| format!("{} {}", c.document, c.clause))
                .collect::<Vec<_>>()
                .join("; ");
            output::csv_record(
                &mut out,
                &[
                    e.hospital.clone(),
                    f.rule.to_owned(),
                    f.kind.to_owned(),
                    f.subject.clone().unwrap_or_default(),
                    f.status.name().to_owned(),
                    f.severity.name().to_owned(),
                    f.requirement.clone(),
                    f.actual.clone(),
                    f.gap.clone().unwrap_or_default(),
                    f.required.map_or_else(String::new, |n| n.to_string()),
                    cite,
                ],
            );
        }
    }
    out
}

fn findings_table(evals: &[Evaluation<'_>]) -> String {
    let mut s = String::new();
    for e in evals {
        let mut t = output::table(&["status", "rule", "subject", "requirement", "actual", "gap"]);
        for f in &e.findings {
            t.add_row(vec![
                f.status.name().to_owned(),
                f.rule.to_owned(),
                f.subject.clone().unwrap_or_default(),
                f.requirement.clone(),
                f.actual.clone(),
                f.gap.clone().unwrap_or_default(),
            ]);
        }
        s.push_str(&format!(
            "{} — {} as of {}: {} ok, {} gap, {} unknown\n{t}\n",
            e.hospital, e.ruleset, e.as_of, e.summary.ok, e.summary.gap, e.summary.unknown
        ));
        for c in e.conflicts {
            s.push_str(&format!(
                "conflict {}: {} → {} ({})\n",
                c.topic,
                c.rules.join(" vs "),
                c.chosen,
                c.reason
            ));
        }
        s.push('\n');
    }
    s
}

// ------------------------------------------------------------------ rulesets

/// One embedded rule set as `hsm policy rulesets` lists it.
#[derive(Serialize)]
struct RuleSetInfo {
    id: String,
    version: String,
    title: String,
    jurisdiction: String,
    extends: Option<String>,
    /// Rules in this file.
    rules: usize,
    /// Effective rules after layering.
    effective_rules: usize,
    /// Conflicts found by layering, with their resolution.
    conflicts: Vec<ruleset::Conflict>,
}

/// Runs `hsm policy rulesets`.
pub(crate) fn rulesets(format: Format) -> Result<String, CliError> {
    let mut infos = Vec::new();
    for (id, _) in ruleset::EMBEDDED {
        let f = ruleset::embedded_file(id).map_err(perr)?;
        let rs = RuleSet::embedded(id).map_err(perr)?;
        infos.push(RuleSetInfo {
            id: f.id,
            version: f.version,
            title: f.title,
            jurisdiction: f.jurisdiction,
            extends: f.extends,
            rules: f.rules.len(),
            effective_rules: rs.rules.len(),
            conflicts: rs.conflicts,
        });
    }
    match format {
        Format::Json => output::json(&infos),
        Format::Csv => {
            let mut out = String::new();
            output::csv_record(
                &mut out,
                &[
                    "id",
                    "version",
                    "jurisdiction",
                    "extends",
                    "rules",
                    "effective_rules",
                    "conflicts",
                    "title",
                ],
            );
            for i in &infos {
                output::csv_record(
                    &mut out,
                    &[
                        i.id.clone(),
                        i.version.clone(),
                        i.jurisdiction.clone(),
                        i.extends.clone().unwrap_or_default(),
                        i.rules.to_string(),
                        i.effective_rules.to_string(),
                        i.conflicts.len().to_string(),
                        i.title.clone(),
                    ],
                );
            }
            Ok(out)
        }
        Format::Table => {
            let mut t = output::table(&["id", "version", "extends", "rules", "effective", "title"]);
            for i in &infos {
                t.add_row(vec![
                    i.id.clone(),
                    i.version.clone(),
                    i.extends.clone().unwrap_or_default(),
                    i.rules.to_string(),
                    i.effective_rules.to_string(),
                    i.title.clone(),
                ]);
            }
            let mut s = format!("{t}\n");
            for i in &infos {
                for c in &i.conflicts {
                    s.push_str(&format!(
                        "{}: conflict {}: {} → {} ({})\n",
                        i.id,
                        c.topic,
                        c.values.join(" vs "),
                        c.chosen,
                        c.reason
                    ));
                }
            }
            Ok(s)
        }
    }
}

/// `hsm policy staffing --ruleset ID`: the ratios of that set's effective
/// staffing rule; the report names the set and rule.
pub(crate) fn staffing_with_ruleset(
    id: &str,
    args: &crate::policy::StaffingArgs,
) -> Result<crate::policy::StaffingReport, CliError> {
    let rs = load_ruleset(Some(id))?;
    let (rule, v) = rs
        .rules
        .iter()
        .find_map(|r| match &r.rule.body {
            RuleBody::Staffing { values } => values
                .iter()
                .max_by_key(|v| v.from)
                .map(|v| (&r.rule, &v.params)),
            _ => None,
        })
        .ok_or_else(|| CliError::usage(format!("rule set {} has no staffing rule", rs.id)))?;
    let input = hsm::policy::staffing::StaffingInput {
        medical_staff_on_duty: args.staff,
        open_beds: args.beds,
        daily_outpatient_avg: args.outpatients,
    };
    let req = hsm::policy::staffing::guard_staffing_with(
        &input,
        [
            (v.staff_ratio[0], v.staff_ratio[1]),
            (v.beds_ratio[0], v.beds_ratio[1]),
            (v.outpatient_ratio[0], v.outpatient_ratio[1]),
        ],
    );
    let mut report = crate::policy::StaffingReport::from(&req);
    for (t, ratio) in report
        .terms
        .iter_mut()
        .zip([v.staff_ratio, v.beds_ratio, v.outpatient_ratio])
    {
        t.ratio = format!("{}/{}", ratio[0], ratio[1]);
    }
    report.ruleset = Some(format!("{}@{} {}", rs.id, rs.version, rule.id));
    Ok(report)
}

// ------------------------------------------------------------------ schedule

/// Arguments of `hsm policy schedule`.
#[derive(Debug, Args)]
pub(crate) struct ScheduleArgs {
    /// Hospital profile (.toml or .json).
    pub(crate) profile: PathBuf,
    /// First day of the period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) from: String,
    /// Last day of the period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) to: String,
    /// Write to FILE: iCalendar (RFC 5545) by default, CSV with
    /// `--format csv`, JSON with `--format json`; `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Rule set: an embedded id (`hsm policy rulesets`) or a .toml file.
    #[arg(long, value_name = "ID")]
    pub(crate) ruleset: Option<String>,
}

fn schedule_csv(s: &hsm::policy::schedule::Schedule) -> String {
    let mut out = String::new();
    output::csv_record(
        &mut out,
        &["date", "component", "rule", "summary", "uid", "hospital"],
    );
    let mut rows: Vec<(Date, &hsm::policy::schedule::Item)> = s
        .items
        .iter()
        .flat_map(|it| it.occurrences.iter().map(move |d| (*d, it)))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.rule.cmp(&b.1.rule)));
    for (d, it) in rows {
        let comp = match it.component {
            hsm::policy::schedule::Component::Event => "event",
            hsm::policy::schedule::Component::Todo => "todo",
        };
        output::csv_record(
            &mut out,
            &[
                d.to_string(),
                comp.to_owned(),
                it.rule.clone(),
                it.summary.clone(),
                it.uid.clone(),
                s.hospital.clone(),
            ],
        );
    }
    out
}

/// Runs `hsm policy schedule`.
pub(crate) fn schedule_cmd(args: &ScheduleArgs, format: Format) -> Result<String, CliError> {
    let rs = load_ruleset(args.ruleset.as_deref())?;
    let from: Date = args.from.parse().map_err(|e| perr(e).context("--from"))?;
    let to: Date = args.to.parse().map_err(|e| perr(e).context("--to"))?;
    let mut profiles = read_profiles(&args.profile)?;
    if profiles.len() != 1 {
        return Err(CliError::usage("a schedule is for one hospital")
            .hint("pass one profile (.toml or a .json object)"));
    }
    let p = profiles.remove(0);
    let s = hsm::policy::schedule::schedule(&rs, &p, from, to)
        .map_err(|e| perr(e).context("--from/--to"))?;
    let text = match (format, &args.out) {
        (Format::Csv, _) => schedule_csv(&s),
        (Format::Json, _) => output::json(&s)?,
        (Format::Table, Some(_)) => s.to_ics(),
        (Format::Table, None) => {
            let mut t = output::table(&["date", "component", "rule", "summary"]);
            let mut rows: Vec<_> = s
                .items
                .iter()
                .flat_map(|it| it.occurrences.iter().map(move |d| (*d, it)))
                .collect();
            rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.rule.cmp(&b.1.rule)));
            for (d, it) in rows {
                t.add_row(vec![
                    d.to_string(),
                    format!("{:?}", it.component).to_lowercase(),
                    it.rule.clone(),
                    it.summary.clone(),
                ]);
            }
            format!("{} — {} to {}\n{t}\n", s.hospital, s.from, s.to)
        }
    };
    match &args.out {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(path, text)
                .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
            Ok(String::new())
        }
        _ => Ok(text),
    }
}

// ------------------------------------------------------------------ sample

/// Arguments of `hsm policy sample`.
#[derive(Debug, Args)]
pub(crate) struct SampleArgs {
    /// Hospitals: CSV with a header holding at least `name,city,level`.
    pub(crate) hospitals: PathBuf,
    /// Seed: the same seed gives the same sample on every platform.
    #[arg(long, value_name = "S")]
    pub(crate) seed: u64,
    /// Rule set: an embedded id (`hsm policy rulesets`) or a .toml file.
    #[arg(long, value_name = "ID")]
    pub(crate) ruleset: Option<String>,
}

/// Runs `hsm policy sample`.
pub(crate) fn sample_cmd(args: &SampleArgs, format: Format) -> Result<String, CliError> {
    let rs = load_ruleset(args.ruleset.as_deref())?;
    let text = std::fs::read_to_string(&args.hospitals)
        .map_err(|e| CliError::failure(format!("cannot read {}: {e}", args.hospitals.display())))?;
    let (header, rows, units) = hsm::policy::sample::units_from_csv(&text)
        .map_err(|e| perr(e).context(args.hospitals.display()))?;
    let s = hsm::policy::sample::sample(&units, args.seed, &rs).map_err(perr)?;
    match format {
        Format::Csv => {
            let mut out = String::new();
            let mut h = header.clone();
            h.extend(["stratum".to_owned(), "selected_by".to_owned()]);
            output::csv_record(&mut out, &h);
            for p in &s.picks {
                let mut r = rows[p.index].clone();
                r.resize(header.len(), String::new());
                r.extend([p.stratum.clone(), p.selected_by.clone()]);
                output::csv_record(&mut out, &r);
            }
            Ok(out)
        }
        Format::Json => {
            let picks: Vec<serde_json::Value> = s
                .picks
                .iter()
                .map(|p| {
                    let mut m = serde_json::Map::new();
                    for (k, v) in header.iter().zip(&rows[p.index]) {
                        m.insert(k.clone(), serde_json::Value::String(v.clone()));
                    }
                    m.insert("stratum".into(), p.stratum.clone().into());
                    m.insert("selected_by".into(), p.selected_by.clone().into());
                    serde_json::Value::Object(m)
                })
                .collect();
            output::json(&serde_json::json!({
                "seed": s.seed,
                "rounding": s.rounding,
                "selected": picks,
                "coverage": s.coverage,
            }))
        }
        Format::Table => {
            let mut t = output::table(&["name", "city", "level", "stratum", "selected_by"]);
            for p in &s.picks {
                let u = &units[p.index];
                t.add_row(vec![
                    u.name.clone(),
                    u.city.clone(),
                    u.level.clone(),
                    p.stratum.clone(),
                    p.selected_by.clone(),
                ]);
            }
            let mut c = output::table(&[
                "selected_by",
                "city",
                "hospitals",
                "selected",
                "fraction",
                "required",
            ]);
            for cv in &s.coverage {
                c.add_row(vec![
                    cv.selected_by.clone(),
                    cv.city.clone(),
                    cv.hospitals.to_string(),
                    cv.selected.to_string(),
                    format!("{:.1} %", cv.fraction * 100.0),
                    format!("{:.0} %", cv.required * 100.0),
                ]);
            }
            Ok(format!("{t}\n{c}\nRounding: {}\n", s.rounding))
        }
    }
}

// ------------------------------------------------------------------ forms

/// Arguments of `hsm policy forms`.
#[derive(Debug, Args)]
pub(crate) struct FormsArgs {
    /// Hospital profile(s): .toml, .json (object or array) or .csv.
    pub(crate) profile: PathBuf,
    /// Which form: `self-check` (附件2) or `inspection` (附件3).
    #[arg(long, value_name = "FORM")]
    pub(crate) form: String,
    /// Write to FILE: XLSX by default, CSV with `--format csv`, JSON with
    /// `--format json`.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Rule set: an embedded id (`hsm policy rulesets`) or a .toml file.
    #[arg(long, value_name = "ID")]
    pub(crate) ruleset: Option<String>,
    /// Evaluate as of this date (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
}

fn forms_xlsx(
    path: &Path,
    form: hsm::policy::forms::Form,
    rows: &[hsm::policy::forms::FormRow],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as X, FormatAlign, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(form.annex())?;
    let title = X::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let header = X::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let cell = X::new().set_text_wrap().set_border(FormatBorder::Thin);
    let note = X::new().set_text_wrap();
    ws.write_string(0, 0, form.annex())?;
    ws.merge_range(1, 0, 1, 5, form.title(), &title)?;
    ws.merge_range(2, 0, 2, 5, form.preamble(), &X::new())?;
    for (c, h) in form.headers().iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 4 + i as u32;
        for (c, v) in [
            &r.institution,
            &r.level,
            &r.location,
            &r.problem,
            &r.date,
            &r.remediated,
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(row, c as u16, v.as_str(), &cell)?;
        }
    }
    let last = 4 + rows.len() as u32 + 1;
    ws.merge_range(last, 0, last, 5, form.note(), &note)?;
    ws.set_row_height(last, 45)?;
    for (c, w) in [28.0, 16.0, 22.0, 70.0, 16.0, 12.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(4, 0)?;
    wb.save(path)
}

/// Runs `hsm policy forms`.
pub(crate) fn forms_cmd(args: &FormsArgs, format: Format) -> Result<String, CliError> {
    use hsm::policy::forms::{self, Form};
    let form = Form::parse(&args.form).ok_or_else(|| {
        CliError::usage(format!("--form: {:?} is not a form", args.form))
            .hint("use --form self-check (附件2) or --form inspection (附件3)")
    })?;
    let rs = load_ruleset(args.ruleset.as_deref())?;
    let at = as_of(args.as_of.as_deref())?;
    let profiles = read_profiles(&args.profile)?;
    let evals = evaluate::evaluate_batch(&rs, &profiles, at, Options { trace: false });
    let pairs: Vec<_> = evals.iter().zip(&profiles).collect();
    let rows = forms::rows(&pairs, form);
    let text = match format {
        Format::Json => output::json(&rows)?,
        Format::Csv => {
            let mut out = String::new();
            let mut h: Vec<&str> = form.headers().to_vec();
            h.push("规则");
            output::csv_record(&mut out, &h);
            for r in &rows {
                output::csv_record(
                    &mut out,
                    &[
                        &r.institution,
                        &r.level,
                        &r.location,
                        &r.problem,
                        &r.date,
                        &r.remediated,
                        &r.rule,
                    ],
                );
            }
            out
        }
        Format::Table => {
            let Some(path) = &args.out else {
                let mut t = output::table(&form.headers());
                for r in &rows {
                    t.add_row(vec![
                        &r.institution,
                        &r.level,
                        &r.location,
                        &r.problem,
                        &r.date,
                        &r.remediated,
                    ]);
                }
                return Ok(format!(
                    "{} {}\n{t}\n{}\n",
                    form.annex(),
                    form.title(),
                    form.note()
                ));
            };
            forms_xlsx(path, form, &rows)
                .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
            return Ok(String::new());
        }
    };
    match &args.out {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(path, text)
                .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
            Ok(String::new())
        }
        _ => Ok(text),
    }
}

// ------------------------------------------------------------------ capacity

/// Arguments of `hsm policy capacity`.
#[derive(Debug, Args)]
pub(crate) struct CapacityArgs {
    /// Screening point: outpatient, emergency, inpatient, admin, garage.
    #[arg(long, value_name = "L")]
    pub(crate) location: String,
    /// Daily average passages through the point.
    #[arg(long, value_name = "N")]
    pub(crate) daily_traffic: u32,
    /// Share of the day's traffic in the peak hour.
    #[arg(long, value_name = "F", default_value_t = 0.15)]
    pub(crate) peak_share: f64,
    /// Persons one lane screens per hour.
    #[arg(long, value_name = "N", default_value_t = 600.0)]
    pub(crate) lane_rate: f64,
    /// Lanes (default: the walk-through gates 附件4 requires, at least 1).
    #[arg(long, value_name = "N")]
    pub(crate) lanes: Option<u32>,
    /// Target mean wait, seconds.
    #[arg(long, value_name = "S", default_value_t = 120.0)]
    pub(crate) target_wait: f64,
}

/// Runs `hsm policy capacity`.
pub(crate) fn capacity_cmd(args: &CapacityArgs, format: Format) -> Result<String, CliError> {
    use hsm::policy::capacity::{LaneInput, lane_capacity};
    let location = Location::parse(&args.location).map_err(|e| perr(e).context("--location"))?;
    let rs = load_ruleset(None)?;
    let table = rs
        .rules
        .iter()
        .find_map(|r| match &r.rule.body {
            RuleBody::Equipment { values } => values.iter().max_by_key(|v| v.from),
            _ => None,
        })
        .ok_or_else(|| CliError::usage("the default rule set has no equipment table"))?;
    let need = equipment::need(&table.params, location, args.daily_traffic, None).map_err(perr)?;
    let lanes = args.lanes.unwrap_or(need.walkthrough.count.max(1));
    let input = LaneInput {
        daily_traffic: args.daily_traffic,
        peak_share: args.peak_share,
        lane_rate_per_hour: args.lane_rate,
        lanes,
        target_wait_s: args.target_wait,
    };
    let flag = |f: &str| match f {
        "peak_share" => "--peak-share",
        "lane_rate_per_hour" => "--lane-rate",
        _ => "--target-wait",
    };
    let r = lane_capacity(&input).map_err(|e| {
        let f = match &e {
            PolicyError::InvalidProfile { field, .. } => flag(field),
            _ => "",
        };
        perr(e).context(f)
    })?;
    let table_met_but_slow = !r.meets_target;
    let report = serde_json::json!({
        "location": location.name(),
        "daily_traffic": args.daily_traffic,
        "row": need.row,
        "walkthrough_required": need.walkthrough.count,
        "lanes": lanes,
        "input": input,
        "result": r,
        "flag": if table_met_but_slow { Some("the 附件4 equipment may be met, but the mean peak-hour wait exceeds the target") } else { None },
        "model": "M/M/c (Erlang C): Poisson arrivals at the peak-hour rate, exponential service, one queue for all lanes",
    });
    match format {
        Format::Json => output::json(&report),
        Format::Csv => {
            let mut out = String::new();
            output::csv_record(
                &mut out,
                &[
                    "location",
                    "daily_traffic",
                    "row",
                    "lanes",
                    "arrivals_per_hour",
                    "utilisation",
                    "p_wait",
                    "mean_wait_s",
                    "lanes_needed",
                    "meets_target",
                ],
            );
            output::csv_record(
                &mut out,
                &[
                    location.name().to_owned(),
                    args.daily_traffic.to_string(),
                    need.row.to_string(),
                    lanes.to_string(),
                    r.arrivals_per_hour.to_string(),
                    r.utilisation.to_string(),
                    r.p_wait.to_string(),
                    r.mean_wait_s.map_or_else(String::new, |w| w.to_string()),
                    r.lanes_needed.map_or_else(String::new, |n| n.to_string()),
                    r.meets_target.to_string(),
                ],
            );
            Ok(out)
        }
        Format::Table => Ok(format!(
            "{} at {} passages/day (附件4 row {}): {} lane(s), peak λ = {:.0}/h, ρ = {:.2}, P(wait) = {:.2}, mean wait {}; target {} s: {}; lanes needed: {}\n",
            location.label_zh(),
            args.daily_traffic,
            need.row,
            lanes,
            r.arrivals_per_hour,
            r.utilisation,
            r.p_wait,
            r.mean_wait_s
                .map_or_else(|| "unbounded (ρ ≥ 1)".to_owned(), |w| format!("{w:.0} s")),
            args.target_wait,
            if r.meets_target { "met" } else { "NOT met" },
            r.lanes_needed
                .map_or_else(|| "> 1000".to_owned(), |n| n.to_string()),
        )),
    }
}
