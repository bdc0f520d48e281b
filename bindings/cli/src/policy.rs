//! `hsm policy …`: a hospital's obligations, computed and cited.

use clap::{Args, Subcommand};
use hsm::policy::citation::Citation;
use hsm::policy::staffing::{self, StaffingInput, StaffingRequirement};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{self, Format};

/// `hsm policy` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Guards a hospital must employ (豫卫医函〔2024〕10号 一(三)).
    ///
    /// The largest of: 3 % of on-duty medical staff, one guard per 20 open
    /// beds, 3 ‰ of daily average outpatient visits ("就高不就低"), each
    /// term rounded up to whole guards.
    Staffing(StaffingArgs),
    /// Screening equipment for one screening point (附件4), with the row,
    /// optional items, band-edge decision and notes.
    Equipment(crate::policy_cmds::EquipmentArgs),
    /// Evaluate hospital profiles against a rule set: findings (ok / gap /
    /// unknown) with requirement, actual, gap and citation.
    Evaluate(crate::policy_cmds::EvaluateArgs),
    /// List the embedded rule sets, their versions and layering conflicts.
    Rulesets,
    /// A hospital's duties and deadlines for a period: iCalendar (VEVENT,
    /// VTODO, RRULE, stable UIDs) or CSV.
    Schedule(crate::policy_cmds::ScheduleArgs),
    /// A reproducible spot-check sample stratified by city and level
    /// (≥ 30 % per city, ≥ 10 % by the province; ceil per stratum).
    Sample(crate::policy_cmds::SampleArgs),
    /// Fill 附件2 (self-check) or 附件3 (inspection) from the findings:
    /// XLSX with the notice's Chinese headers, or CSV.
    Forms(crate::policy_cmds::FormsArgs),
    /// Beyond the notice: expected peak-hour queue and wait at a screening
    /// point (Erlang C), flagged when it exceeds a target.
    Capacity(crate::policy_cmds::CapacityArgs),
}

/// Runs an `hsm policy` subcommand.
pub(crate) fn run(cmd: &PolicyCommand, format: Format) -> Result<String, CliError> {
    match cmd {
        PolicyCommand::Staffing(args) => staffing(args, format),
        PolicyCommand::Equipment(args) => crate::policy_cmds::equipment(args, format),
        PolicyCommand::Evaluate(args) => crate::policy_cmds::evaluate_cmd(args, format),
        PolicyCommand::Rulesets => crate::policy_cmds::rulesets(format),
        PolicyCommand::Schedule(args) => crate::policy_cmds::schedule_cmd(args, format),
        PolicyCommand::Sample(args) => crate::policy_cmds::sample_cmd(args, format),
        PolicyCommand::Forms(args) => crate::policy_cmds::forms_cmd(args, format),
        PolicyCommand::Capacity(args) => crate::policy_cmds::capacity_cmd(args, format),
    }
}

/// Arguments of `hsm policy staffing`.
#[derive(Debug, Args)]
pub(crate) struct StaffingArgs {
    /// On-duty medical staff (在岗医务人员总数).
    #[arg(long, value_name = "N")]
    pub(crate) staff: u32,
    /// Actually open beds (实际开放床位).
    #[arg(long, value_name = "N")]
    pub(crate) beds: u32,
    /// Daily average outpatient visits (日均门诊量).
    #[arg(long, value_name = "N")]
    pub(crate) outpatients: u32,
    /// Take the ratios from this rule set's staffing rule (an embedded id
    /// or a .toml file); default: the notice's built-in ratios.
    #[arg(long, value_name = "ID")]
    pub(crate) ruleset: Option<String>,
}

/// How the rule rounds, as reported in every output.
pub(crate) const ROUNDING: &str = "each term rounded up to whole guards (不低于)";

/// One term in the JSON report.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TermReport {
    /// `medical_staff`, `beds` or `outpatients`.
    pub(crate) basis: &'static str,
    /// The input quantity.
    pub(crate) input: u32,
    /// Guards per unit, e.g. `3/100`.
    pub(crate) ratio: String,
    /// `input · ratio`, unrounded.
    pub(crate) exact_guards: f64,
    /// Rounded up to whole guards.
    pub(crate) required: u32,
}

/// The citation in the JSON report.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CitationReport {
    /// Document reference number.
    pub(crate) document: &'static str,
    /// Clause path.
    pub(crate) clause: &'static str,
    /// The clause in the original Chinese.
    pub(crate) quote: &'static str,
    /// English gloss.
    pub(crate) gloss: &'static str,
}

impl From<&Citation> for CitationReport {
    fn from(c: &Citation) -> Self {
        CitationReport {
            document: c.document,
            clause: c.clause,
            quote: c.quote,
            gloss: c.gloss,
        }
    }
}

/// The staffing result as `hsm policy staffing --format json` prints it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct StaffingReport {
    /// Guards required: the largest term.
    pub(crate) required: u32,
    /// The basis of the term that sets `required`.
    pub(crate) binding: &'static str,
    /// Every term, in the order staff, beds, outpatients.
    pub(crate) terms: Vec<TermReport>,
    /// The rounding interpretation.
    pub(crate) rounding: &'static str,
    /// The clause the rule encodes.
    pub(crate) citation: CitationReport,
    /// The rule set and rule used, when `--ruleset` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ruleset: Option<String>,
}

impl From<&StaffingRequirement> for StaffingReport {
    fn from(r: &StaffingRequirement) -> Self {
        StaffingReport {
            required: r.required,
            binding: r.binding.name(),
            terms: r
                .terms
                .iter()
                .map(|t| {
                    let (num, den) = t.basis.ratio();
                    TermReport {
                        basis: t.basis.name(),
                        input: t.input,
                        ratio: format!("{num}/{den}"),
                        exact_guards: t.exact_guards,
                        required: t.required,
                    }
                })
                .collect(),
            rounding: ROUNDING,
            citation: CitationReport::from(&staffing::CITATION),
            ruleset: None,
        }
    }
}

/// Computes the staffing report for the three counts.
pub(crate) fn staffing_report(staff: u32, beds: u32, outpatients: u32) -> StaffingReport {
    let r = staffing::guard_staffing(&StaffingInput {
        medical_staff_on_duty: staff,
        open_beds: beds,
        daily_outpatient_avg: outpatients,
    });
    StaffingReport::from(&r)
}

/// A human label for a basis.
fn label(basis: &str) -> &'static str {
    match basis {
        "medical_staff" => "on-duty medical staff",
        "beds" => "open beds",
        "outpatients" => "daily outpatient visits",
        _ => "?",
    }
}

/// CSV: one record per term, then a `total` record.
pub(crate) fn staffing_csv(r: &StaffingReport) -> String {
    let mut out = String::new();
    output::csv_record(
        &mut out,
        &[
            "basis",
            "input",
            "ratio",
            "exact_guards",
            "required",
            "binding",
        ],
    );
    for t in &r.terms {
        output::csv_record(
            &mut out,
            &[
                t.basis.to_owned(),
                t.input.to_string(),
                t.ratio.clone(),
                t.exact_guards.to_string(),
                t.required.to_string(),
                (t.basis == r.binding).to_string(),
            ],
        );
    }
    output::csv_record(
        &mut out,
        &["total", "", "", "", &r.required.to_string(), ""],
    );
    out
}

/// Table: the terms, the total and the binding term, then the cited clause.
pub(crate) fn staffing_table(r: &StaffingReport) -> String {
    let mut t = output::table(&["term", "input", "ratio", "exact", "guards"]);
    for term in &r.terms {
        let mark = if term.basis == r.binding {
            " ◀ binding"
        } else {
            ""
        };
        t.add_row(vec![
            format!("{}{mark}", label(term.basis)),
            term.input.to_string(),
            term.ratio.clone(),
            term.exact_guards.to_string(),
            term.required.to_string(),
        ]);
    }
    let c = &r.citation;
    format!(
        "{t}\nRequired: {} guards (binding term: {}, \"就高不就低\": the largest term)\n\
         Rounding: {}\n\n\
         {} {}:\n  {}\n  {}\n",
        r.required, r.binding, r.rounding, c.document, c.clause, c.quote, c.gloss
    )
}

/// Runs `hsm policy staffing` and renders it.
pub(crate) fn staffing(args: &StaffingArgs, format: Format) -> Result<String, CliError> {
    let r = match &args.ruleset {
        None => staffing_report(args.staff, args.beds, args.outpatients),
        Some(id) => crate::policy_cmds::staffing_with_ruleset(id, args)?,
    };
    match format {
        Format::Json => output::json(&r),
        Format::Csv => Ok(staffing_csv(&r)),
        Format::Table => Ok(staffing_table(&r)),
    }
}
