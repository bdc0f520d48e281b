//! Rule sets as data: the file format, the embedded sets, and layering.
//!
//! A rule set is a TOML file (schema: [`ruleset_schema`]) holding rules,
//! each with a stable id, a `topic`, a typed `kind` with dated parameter
//! values, effective dates, citations (document, clause, quoted Chinese,
//! English gloss), interpretation notes and its own test cases.
//!
//! ## Layering and conflicts
//! A set may `extends` another. [`RuleSet::resolve`] walks the chain from
//! the root (national) to the leaf (province) and groups every rule by
//! `topic`. Within a group the **stricter** rule wins ([`RuleBody::compare`]),
//! unless a later rule says `resolution = "override"`. Rules of one topic
//! whose values differ are a [`Conflict`], kept and reported whether they
//! come from two layers or from one document (the Henan notice's patrol
//! teams: ≥ 2 in 一(五), ≥ 3 in 附件1 三(四)3). Rules of one topic with equal
//! values are not a conflict: the later one wins and lists the earlier as
//! `confirms`.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::PolicyError;
use crate::profile::{ActivityKind, HospitalProfile, Location, Site};

/// One citation as stored in a rule-set file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationData {
    /// The document's reference number, e.g. `豫卫医函〔2024〕10号`.
    pub document: String,
    /// Path of the clause inside the document, e.g. `一(三)` or `附件4 第1行`.
    pub clause: String,
    /// The clause quoted in the original Chinese.
    pub quote: String,
    /// An English gloss.
    pub gloss: String,
    /// Whether `quote` is the source's exact text (checked against a copy
    /// of the document) or a paraphrase from a summary. Default `true`.
    #[serde(default = "yes")]
    pub verbatim: bool,
}

const fn yes() -> bool {
    true
}

/// A source document a rule set draws on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Reference number, e.g. `国卫医发〔2021〕28号`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Date of issue.
    pub issued: Date,
    /// Issuing bodies.
    #[serde(default)]
    pub issuers: Vec<String>,
}

/// Who a rule binds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A hospital: evaluated against its profile.
    #[default]
    Hospital,
    /// A health commission or police authority: used by schedules and the
    /// spot-check sampler, skipped (and traced) in a hospital's evaluation.
    Authority,
}

/// How serious a gap is.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    #[default]
    Medium,
    /// High.
    High,
}

impl Severity {
    /// Stable machine name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// How a rule meets others of its topic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The stricter value wins (the default).
    #[default]
    Stricter,
    /// This rule replaces earlier ones of its topic, stricter or not.
    Override,
}

/// Which hospitals a rule applies to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Applicability {
    /// Applies to hospitals of at least this level (二级以上 = 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<u8>,
}

/// A value in force from a date on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Dated<P> {
    /// First day this value applies.
    pub from: Date,
    /// The parameters.
    #[serde(flatten)]
    pub params: P,
}

/// Guard staffing parameters: three ratios as `[numerator, denominator]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffingParams {
    /// Guards per on-duty medical staff, e.g. `[3, 100]`.
    pub staff_ratio: [u64; 2],
    /// Guards per bed, e.g. `[1, 20]`.
    pub beds_ratio: [u64; 2],
    /// Guards per daily outpatient visit, e.g. `[3, 1000]`.
    pub outpatient_ratio: [u64; 2],
    /// Which bed count the beds term uses.
    #[serde(default)]
    pub bed_basis: BedBasis,
}

/// The bed count the staffing rule's beds term uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BedBasis {
    /// Actually open beds (实际开放床位), the default.
    #[default]
    OpenBeds,
    /// Approved beds (编制床位).
    ApprovedBeds,
}

/// Mandatory entry screening parameters (一(二)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningParams {
    /// Hospitals of this level or above must screen (三级 = 3).
    pub min_level: u8,
    /// …or with at least this many daily outpatient visits.
    pub daily_outpatient_min: u32,
    /// …or with at least this many open beds.
    pub open_beds_min: u32,
    /// Full screening in place by this date.
    pub due: Date,
    /// A green channel is required.
    pub green_channel: bool,
    /// Bag carriers carefully, others quickly.
    pub bag_modes: bool,
}

/// An item of 附件4: a count and whether it is optional ("-").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// Units required (0 when optional).
    pub count: u32,
    /// "-" in the table: 可选配备 (optional).
    #[serde(default)]
    pub optional: bool,
    /// For liquid detectors: `desktop` (台式) or `handheld` (手持式).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liquid_kind: Option<LiquidKind>,
}

/// Liquid-article detector form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiquidKind {
    /// Desktop (台式).
    Desktop,
    /// Handheld (手持式).
    Handheld,
}

impl LiquidKind {
    /// Stable machine name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            LiquidKind::Desktop => "desktop",
            LiquidKind::Handheld => "handheld",
        }
    }
}

/// A traffic band: `min < traffic` or `min ≤ traffic` etc.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lower bound (None: from 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// Whether `min` itself is inside the band.
    #[serde(default)]
    pub min_inclusive: bool,
    /// Upper bound (None: unbounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Whether `max` itself is inside the band.
    #[serde(default)]
    pub max_inclusive: bool,
    /// The band as the table prints it, e.g. `>1000`.
    pub printed: String,
}

impl Band {
    /// Whether `traffic` lies in the band.
    #[must_use]
    pub fn contains(&self, traffic: u32) -> bool {
        let lo = match self.min {
            None => true,
            Some(m) if self.min_inclusive => traffic >= m,
            Some(m) => traffic > m,
        };
        let hi = match self.max {
            None => true,
            Some(m) if self.max_inclusive => traffic <= m,
            Some(m) => traffic < m,
        };
        lo && hi
    }
}

/// One row of 附件4.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentRow {
    /// 序号, 1–11.
    pub row: u32,
    /// Location.
    pub location: Location,
    /// Daily traffic band (日均通行人数).
    pub band: Band,
    /// The site the row assumes (其他因素).
    pub site: Site,
    /// 其他因素 as printed.
    pub site_text: String,
    /// Micro-dose X-ray units.
    pub xray: ItemSpec,
    /// Walk-through metal detector gates.
    pub walkthrough: ItemSpec,
    /// Liquid-article detectors.
    pub liquid: ItemSpec,
    /// Handheld metal detectors.
    pub handheld: ItemSpec,
    /// A dual-channel X-ray may replace two single-channel units here.
    #[serde(default)]
    pub dual_channel_substitution: bool,
    /// Row-specific notes.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A documented decision for a traffic value the table leaves open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdgeDecision {
    /// Location.
    pub location: Location,
    /// The edge value (e.g. 1000).
    pub value: u32,
    /// The row it is placed in.
    pub row: u32,
    /// Why.
    pub reason: String,
}

/// 附件4 as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentParams {
    /// The rows.
    pub rows: Vec<EquipmentRow>,
    /// Decisions at band edges.
    pub edges: Vec<EdgeDecision>,
    /// Table-wide notes (注1–3).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Posts (一(五), 附件1 三(四)1–2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostsParams {
    /// Which post the rule requires.
    pub post: PostKind,
}

/// A kind of guard post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    /// Every outpatient floor guarded in working hours.
    EachOutpatientFloor,
    /// Every inpatient ward guarded.
    EachInpatientWard,
    /// Entrances, key areas, emergency, inpatient: 24-hour guarding.
    RoundTheClock,
}

/// Patrol teams of at least `min_size` persons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatrolParams {
    /// Minimum persons per team.
    pub min_size: u32,
    /// Minimum number of teams (若干: at least one).
    #[serde(default = "one")]
    pub min_teams: u32,
}

const fn one() -> u32 {
    1
}

/// A calendar period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar month.
    Month,
    /// Calendar quarter.
    Quarter,
    /// Calendar year.
    Year,
}

impl Period {
    /// Periods per year.
    #[must_use]
    pub const fn per_year(self) -> u32 {
        match self {
            Period::Month => 12,
            Period::Quarter => 4,
            Period::Year => 1,
        }
    }
    /// Months per period.
    #[must_use]
    pub const fn months(self) -> u32 {
        12 / self.per_year()
    }
    /// Stable machine name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }
    /// First day of the period containing `d`.
    #[must_use]
    pub const fn start_of(self, d: Date) -> Date {
        let m0 = (d.month() as u32 - 1) / self.months() * self.months();
        d.first_of(m0 as u8 + 1)
    }
}

/// At least `min_count` activities of a kind per period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodicParams {
    /// The activity.
    pub activity: ActivityKind,
    /// Minimum per period.
    pub min_count: u32,
    /// The period.
    pub period: Period,
    /// Whether it is an event (drill, meeting: VEVENT) or a due
    /// obligation (report, bulletin: VTODO) in schedules.
    #[serde(default)]
    pub calendar: CalendarForm,
}

/// How a schedule shows an obligation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalendarForm {
    /// A VEVENT (drills, meetings, trainings).
    #[default]
    Event,
    /// A VTODO with a due date (reports, bulletins).
    Todo,
}

/// A campaign deadline (二).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineParams {
    /// Report id, matched against a profile's `reports`.
    pub report: String,
    /// Phase start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// Due date.
    pub due: Date,
    /// Who must act, e.g. `city` or `hospital`.
    pub actor: String,
}

/// Spot-check fraction (二(二)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpotCheckParams {
    /// `city` (per city) or `province` (province-wide).
    pub level: String,
    /// Minimum fraction `[numerator, denominator]`.
    pub min_fraction: [u64; 2],
}

/// A numeric fact bound from one side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumericParams {
    /// The profile's `facts` key.
    pub fact: String,
    /// The bound.
    pub bound: f64,
    /// `at_least` or `at_most`.
    pub direction: Direction,
    /// Unit, for reports (`h`, `days`, `persons`).
    pub unit: String,
}

/// Which side a numeric bound is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// actual ≥ bound.
    AtLeast,
    /// actual ≤ bound.
    AtMost,
}

/// A yes/no fact that must be yes (附件1 checklist items, police room).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckParams {
    /// The profile's `checks` key.
    pub check: String,
    /// The checklist section it belongs to (e.g. `附件1 三(三)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// The typed body of a rule: its kind and dated values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleBody {
    /// Guard staffing.
    Staffing {
        /// Dated values.
        values: Vec<Dated<StaffingParams>>,
    },
    /// Mandatory entry screening.
    Screening {
        /// Dated values.
        values: Vec<Dated<ScreeningParams>>,
    },
    /// Equipment per screening point (附件4).
    Equipment {
        /// Dated values.
        values: Vec<Dated<EquipmentParams>>,
    },
    /// Guard posts.
    Posts {
        /// Dated values.
        values: Vec<Dated<PostsParams>>,
    },
    /// Patrol team size.
    Patrol {
        /// Dated values.
        values: Vec<Dated<PatrolParams>>,
    },
    /// Periodic duty.
    Periodic {
        /// Dated values.
        values: Vec<Dated<PeriodicParams>>,
    },
    /// Campaign deadline.
    Deadline {
        /// Dated values.
        values: Vec<Dated<DeadlineParams>>,
    },
    /// Spot-check fraction.
    SpotCheck {
        /// Dated values.
        values: Vec<Dated<SpotCheckParams>>,
    },
    /// A numeric bound on a fact.
    Numeric {
        /// Dated values.
        values: Vec<Dated<NumericParams>>,
    },
    /// A yes/no check.
    Check {
        /// Dated values.
        values: Vec<Dated<CheckParams>>,
    },
}

/// The value of `values` in force on `at`: the latest `from` not after it.
fn in_force<P>(values: &[Dated<P>], at: Date) -> Option<&P> {
    values
        .iter()
        .filter(|v| v.from <= at)
        .max_by_key(|v| v.from)
        .map(|v| &v.params)
}

fn latest<P>(values: &[Dated<P>]) -> Option<&P> {
    values.iter().max_by_key(|v| v.from).map(|v| &v.params)
}

/// Compare two values where larger is stricter.
fn cmp_up<T: PartialOrd>(a: T, b: T) -> Option<Ordering> {
    a.partial_cmp(&b)
}

/// Combine per-parameter orderings: all agree (or equal) → that ordering;
/// mixed → incomparable.
fn combine(parts: &[Option<Ordering>]) -> Option<Ordering> {
    let mut acc = Ordering::Equal;
    for p in parts {
        match (acc, (*p)?) {
            (_, Ordering::Equal) => {}
            (Ordering::Equal, o) => acc = o,
            (a, o) if a == o => {}
            _ => return None,
        }
    }
    Some(acc)
}

fn ratio_cmp(a: [u64; 2], b: [u64; 2]) -> Option<Ordering> {
    // a0/a1 vs b0/b1, exactly.
    if a[1] == 0 || b[1] == 0 {
        return None;
    }
    Some((u128::from(a[0]) * u128::from(b[1])).cmp(&(u128::from(b[0]) * u128::from(a[1]))))
}

impl RuleBody {
    /// The kind's machine name.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            RuleBody::Staffing { .. } => "staffing",
            RuleBody::Screening { .. } => "screening",
            RuleBody::Equipment { .. } => "equipment",
            RuleBody::Posts { .. } => "posts",
            RuleBody::Patrol { .. } => "patrol",
            RuleBody::Periodic { .. } => "periodic",
            RuleBody::Deadline { .. } => "deadline",
            RuleBody::SpotCheck { .. } => "spot_check",
            RuleBody::Numeric { .. } => "numeric",
            RuleBody::Check { .. } => "check",
        }
    }

    /// Number of dated values.
    #[must_use]
    pub fn value_count(&self) -> usize {
        match self {
            RuleBody::Staffing { values } => values.len(),
            RuleBody::Screening { values } => values.len(),
            RuleBody::Equipment { values } => values.len(),
            RuleBody::Posts { values } => values.len(),
            RuleBody::Patrol { values } => values.len(),
            RuleBody::Periodic { values } => values.len(),
            RuleBody::Deadline { values } => values.len(),
            RuleBody::SpotCheck { values } => values.len(),
            RuleBody::Numeric { values } => values.len(),
            RuleBody::Check { values } => values.len(),
        }
    }

    /// Whether `self` is stricter (`Greater`), as strict (`Equal`) or laxer
    /// (`Less`) than `other`, comparing the latest values; `None` when the
    /// kinds differ or parameters pull both ways.
    ///
    /// Stricter means: larger ratios, counts, sizes, fractions, lower
    /// thresholds for mandatory screening, earlier due dates, an `at_least`
    /// bound higher or an `at_most` bound lower.
    #[must_use]
    pub fn compare(&self, other: &RuleBody) -> Option<Ordering> {
        use RuleBody as B;
        match (self, other) {
            (B::Staffing { values: a }, B::Staffing { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                combine(&[
                    ratio_cmp(a.staff_ratio, b.staff_ratio),
                    ratio_cmp(a.beds_ratio, b.beds_ratio),
                    ratio_cmp(a.outpatient_ratio, b.outpatient_ratio),
                    (a.bed_basis == b.bed_basis).then_some(Ordering::Equal),
                ])
            }
            (B::Screening { values: a }, B::Screening { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                combine(&[
                    cmp_up(b.min_level, a.min_level),
                    cmp_up(b.daily_outpatient_min, a.daily_outpatient_min),
                    cmp_up(b.open_beds_min, a.open_beds_min),
                    cmp_up(b.due, a.due),
                    cmp_up(a.green_channel, b.green_channel),
                    cmp_up(a.bag_modes, b.bag_modes),
                ])
            }
            (B::Patrol { values: a }, B::Patrol { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                combine(&[
                    cmp_up(a.min_size, b.min_size),
                    cmp_up(a.min_teams, b.min_teams),
                ])
            }
            (B::Periodic { values: a }, B::Periodic { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                if a.activity != b.activity {
                    return None;
                }
                // Per-year rate, and a shorter period is stricter at equal rate.
                combine(&[
                    cmp_up(
                        a.min_count * a.period.per_year(),
                        b.min_count * b.period.per_year(),
                    ),
                    cmp_up(a.period.per_year(), b.period.per_year()),
                ])
            }
            (B::Deadline { values: a }, B::Deadline { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                (a.report == b.report).then(|| b.due.cmp(&a.due))
            }
            (B::SpotCheck { values: a }, B::SpotCheck { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                if a.level != b.level {
                    return None;
                }
                ratio_cmp(a.min_fraction, b.min_fraction)
            }
            (B::Numeric { values: a }, B::Numeric { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                if a.fact != b.fact || a.direction != b.direction {
                    return None;
                }
                match a.direction {
                    Direction::AtLeast => a.bound.partial_cmp(&b.bound),
                    Direction::AtMost => b.bound.partial_cmp(&a.bound),
                }
            }
            (B::Posts { values: a }, B::Posts { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                (a.post == b.post).then_some(Ordering::Equal)
            }
            (B::Check { values: a }, B::Check { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                (a.check == b.check).then_some(Ordering::Equal)
            }
            (B::Equipment { values: a }, B::Equipment { values: b }) => {
                let (a, b) = (latest(a)?, latest(b)?);
                (a == b).then_some(Ordering::Equal)
            }
            _ => None,
        }
    }

    /// A one-line summary of the latest value, for conflict reports.
    #[must_use]
    pub fn summary(&self) -> String {
        match self {
            RuleBody::Staffing { values } => latest(values).map_or_else(String::new, |p| {
                format!(
                    "max({}/{} staff, {}/{} beds, {}/{} outpatients)",
                    p.staff_ratio[0],
                    p.staff_ratio[1],
                    p.beds_ratio[0],
                    p.beds_ratio[1],
                    p.outpatient_ratio[0],
                    p.outpatient_ratio[1]
                )
            }),
            RuleBody::Screening { values } => latest(values).map_or_else(String::new, |p| {
                format!(
                    "level ≥ {} or outpatients ≥ {} or beds ≥ {} → full screening by {}",
                    p.min_level, p.daily_outpatient_min, p.open_beds_min, p.due
                )
            }),
            RuleBody::Equipment { values } => {
                latest(values).map_or_else(String::new, |p| format!("{} rows", p.rows.len()))
            }
            RuleBody::Posts { values } => {
                latest(values).map_or_else(String::new, |p| format!("{:?}", p.post))
            }
            RuleBody::Patrol { values } => latest(values).map_or_else(String::new, |p| {
                format!("≥ {} teams of ≥ {} persons", p.min_teams, p.min_size)
            }),
            RuleBody::Periodic { values } => latest(values).map_or_else(String::new, |p| {
                format!(
                    "{} ≥ {} per {}",
                    p.activity.name(),
                    p.min_count,
                    p.period.name()
                )
            }),
            RuleBody::Deadline { values } => {
                latest(values).map_or_else(String::new, |p| format!("{} due {}", p.report, p.due))
            }
            RuleBody::SpotCheck { values } => latest(values).map_or_else(String::new, |p| {
                format!(
                    "≥ {}/{} per {}",
                    p.min_fraction[0], p.min_fraction[1], p.level
                )
            }),
            RuleBody::Numeric { values } => latest(values).map_or_else(String::new, |p| {
                let op = match p.direction {
                    Direction::AtLeast => "≥",
                    Direction::AtMost => "≤",
                };
                format!("{} {op} {} {}", p.fact, p.bound, p.unit)
            }),
            RuleBody::Check { values } => {
                latest(values).map_or_else(String::new, |p| format!("{} = yes", p.check))
            }
        }
    }
}

/// A rule's own test case, run by the test suite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    /// What the case shows.
    pub name: String,
    /// The as-of date (default: the rule's `effective_from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// The hospital.
    pub profile: HospitalProfile,
    /// Expected status of every finding the rule yields: `ok`, `gap` or `unknown`.
    pub expect: String,
    /// Expected `required` number of the (first) finding, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<u64>,
}

/// One rule as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Rule {
    /// Stable id, e.g. `henan.staffing.guards`.
    pub id: String,
    /// The topic rules are grouped by for layering, e.g. `guard_staffing`.
    pub topic: String,
    /// A short English title.
    pub title: String,
    /// Who it binds.
    #[serde(default)]
    pub scope: Scope,
    /// Severity of a gap.
    #[serde(default)]
    pub severity: Severity,
    /// Which hospitals.
    #[serde(default)]
    pub applies: Applicability,
    /// In force from.
    pub effective_from: Date,
    /// In force until (inclusive), if it lapses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Date>,
    /// Sources.
    pub citations: Vec<CitationData>,
    /// Interpretation notes where the text is ambiguous.
    #[serde(default)]
    pub notes: Vec<String>,
    /// How it meets earlier rules of its topic.
    #[serde(default)]
    pub resolution: Resolution,
    /// Kind and dated values.
    #[serde(flatten)]
    pub body: RuleBody,
    /// Test cases.
    #[serde(default)]
    pub tests: Vec<RuleTest>,
}

impl Rule {
    /// Whether the rule is in force on `at`.
    #[must_use]
    pub fn in_force(&self, at: Date) -> bool {
        self.effective_from <= at && self.effective_to.is_none_or(|end| at <= end)
    }
}

/// A rule-set file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetFile {
    /// Id, e.g. `cn-henan-2024`.
    pub id: String,
    /// Version of this file's content, e.g. `2024.1`.
    pub version: String,
    /// Title.
    pub title: String,
    /// Jurisdiction, e.g. `CN` or `CN-HA`.
    pub jurisdiction: String,
    /// The set this one extends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Source documents.
    #[serde(default)]
    pub documents: Vec<Document>,
    /// Rules.
    pub rules: Vec<Rule>,
}

impl RuleSetFile {
    /// Parses a rule-set file (TOML).
    ///
    /// # Errors
    /// [`PolicyError::Parse`] with line and column; [`PolicyError::InvalidRuleSet`]
    /// for duplicate rule ids or rules without values.
    pub fn from_toml(what: &str, text: &str) -> Result<RuleSetFile, PolicyError> {
        let f: RuleSetFile = toml::from_str(text).map_err(|e| PolicyError::Parse {
            what: what.to_owned(),
            detail: e.to_string(),
        })?;
        let mut seen = std::collections::BTreeSet::new();
        for r in &f.rules {
            if !seen.insert(r.id.as_str()) {
                return Err(PolicyError::InvalidRuleSet {
                    id: f.id.clone(),
                    detail: format!("duplicate rule id {}", r.id),
                });
            }
            if r.body.value_count() == 0 {
                return Err(PolicyError::InvalidRuleSet {
                    id: f.id.clone(),
                    detail: format!("rule {} has no values", r.id),
                });
            }
            if r.citations.is_empty() {
                return Err(PolicyError::InvalidRuleSet {
                    id: f.id.clone(),
                    detail: format!("rule {} cites nothing", r.id),
                });
            }
        }
        Ok(f)
    }
}

/// The embedded rule-set files: (id, TOML text).
pub const EMBEDDED: [(&str, &str); 2] = [
    (
        "cn-national-2021",
        include_str!("../rulesets/cn-national-2021.toml"),
    ),
    (
        "cn-henan-2024",
        include_str!("../rulesets/cn-henan-2024.toml"),
    ),
];

/// The default rule set.
pub const DEFAULT_RULESET: &str = "cn-henan-2024";

/// Parses an embedded file by id.
///
/// # Errors
/// [`PolicyError::UnknownRuleSet`] or a parse error.
pub fn embedded_file(id: &str) -> Result<RuleSetFile, PolicyError> {
    let (_, text) =
        EMBEDDED
            .iter()
            .find(|(i, _)| *i == id)
            .ok_or_else(|| PolicyError::UnknownRuleSet {
                id: id.to_owned(),
                known: EMBEDDED.map(|(i, _)| i).join(", "),
            })?;
    RuleSetFile::from_toml(id, text)
}

/// A conflict between rules of one topic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conflict {
    /// The topic.
    pub topic: String,
    /// The rules involved (the first loser first, the winner after it).
    pub rules: Vec<String>,
    /// Each rule's value summary, in the same order.
    pub values: Vec<String>,
    /// The rule that wins.
    pub chosen: String,
    /// Why it wins.
    pub reason: String,
    /// Whether the rules come from one rule-set file (an in-document
    /// conflict) rather than from two layers.
    pub same_layer: bool,
}

/// A rule as resolved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResolvedRule {
    /// The rule.
    #[serde(flatten)]
    pub rule: Rule,
    /// The rule-set file it comes from.
    pub origin: String,
    /// Rules of the same topic and value it supersedes (their citations
    /// are merged into this rule's).
    pub confirms: Vec<String>,
    /// Rules of the same topic that lost to it.
    pub overrides: Vec<String>,
}

/// A resolved rule set: the layers merged, conflicts reported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleSet {
    /// Leaf id.
    pub id: String,
    /// Leaf version.
    pub version: String,
    /// Leaf title.
    pub title: String,
    /// Ids from the root to the leaf, with versions (`id@version`).
    pub chain: Vec<String>,
    /// Effective rules, in file order (root first).
    pub rules: Vec<ResolvedRule>,
    /// Rules that lost to a stricter or overriding rule.
    pub superseded: Vec<ResolvedRule>,
    /// Conflicts found and how they were resolved.
    pub conflicts: Vec<Conflict>,
}

impl RuleSet {
    /// Loads an embedded set by id, resolving its `extends` chain.
    ///
    /// # Errors
    /// Unknown id, parse errors, a cycle.
    pub fn embedded(id: &str) -> Result<RuleSet, PolicyError> {
        RuleSet::resolve(id, &|i| embedded_file(i))
    }

    /// An embedded set, parsed and resolved once per process and shared.
    ///
    /// # Errors
    /// As [`RuleSet::embedded`].
    pub fn cached(id: &str) -> Result<&'static RuleSet, PolicyError> {
        static SETS: [OnceLock<Result<RuleSet, PolicyError>>; EMBEDDED.len()] =
            [const { OnceLock::new() }; EMBEDDED.len()];
        let i = EMBEDDED.iter().position(|(i, _)| *i == id).ok_or_else(|| {
            PolicyError::UnknownRuleSet {
                id: id.to_owned(),
                known: EMBEDDED.map(|(i, _)| i).join(", "),
            }
        })?;
        SETS[i]
            .get_or_init(|| RuleSet::embedded(id))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// An embedded set by id, or a rule-set file by path (an argument
    /// ending in `.toml`, or naming an existing file).
    ///
    /// # Errors
    /// [`PolicyError::Io`] when the file cannot be read; as
    /// [`RuleSet::embedded`] and [`RuleSet::from_toml`].
    pub fn load(id_or_path: &str) -> Result<RuleSet, PolicyError> {
        let path = std::path::Path::new(id_or_path);
        if id_or_path.ends_with(".toml") || path.is_file() {
            let text = std::fs::read_to_string(path).map_err(|e| PolicyError::Io {
                path: id_or_path.to_owned(),
                detail: e.to_string(),
            })?;
            return RuleSet::from_toml(id_or_path, &text);
        }
        RuleSet::cached(id_or_path).cloned()
    }

    /// Loads a set from a TOML file's text; its `extends` are looked up
    /// among the embedded sets.
    ///
    /// # Errors
    /// Parse errors, unknown parents, a cycle.
    pub fn from_toml(what: &str, text: &str) -> Result<RuleSet, PolicyError> {
        let leaf = RuleSetFile::from_toml(what, text)?;
        let leaf_id = leaf.id.clone();
        RuleSet::resolve(&leaf_id, &|i| {
            if i == leaf_id {
                Ok(leaf.clone())
            } else {
                embedded_file(i)
            }
        })
    }

    /// Resolves `id` with `load` supplying files.
    ///
    /// # Errors
    /// As `load`; a cycle in `extends`.
    pub fn resolve(
        id: &str,
        load: &dyn Fn(&str) -> Result<RuleSetFile, PolicyError>,
    ) -> Result<RuleSet, PolicyError> {
        let mut files = Vec::new();
        let mut next = Some(id.to_owned());
        while let Some(i) = next {
            if files.iter().any(|f: &RuleSetFile| f.id == i) || files.len() > 16 {
                return Err(PolicyError::InvalidRuleSet {
                    id: id.to_owned(),
                    detail: format!("cycle or too deep a chain in extends at {i}"),
                });
            }
            let f = load(&i)?;
            next = f.extends.clone();
            files.push(f);
        }
        files.reverse();
        let leaf = files
            .last()
            .cloned()
            .ok_or_else(|| PolicyError::InvalidRuleSet {
                id: id.to_owned(),
                detail: "empty chain".into(),
            })?;
        let chain = files
            .iter()
            .map(|f| format!("{}@{}", f.id, f.version))
            .collect();
        // Group by topic, keeping first-appearance order.
        let mut order: Vec<String> = Vec::new();
        let mut groups: BTreeMap<String, Vec<ResolvedRule>> = BTreeMap::new();
        for f in &files {
            for r in &f.rules {
                if !groups.contains_key(&r.topic) {
                    order.push(r.topic.clone());
                }
                groups
                    .entry(r.topic.clone())
                    .or_default()
                    .push(ResolvedRule {
                        rule: r.clone(),
                        origin: f.id.clone(),
                        confirms: Vec::new(),
                        overrides: Vec::new(),
                    });
            }
        }
        let mut rules = Vec::new();
        let mut superseded = Vec::new();
        let mut conflicts = Vec::new();
        for topic in order {
            let Some(group) = groups.remove(&topic) else {
                continue;
            };
            let Some((winner, losers, conflict)) = resolve_group(&topic, group) else {
                continue;
            };
            rules.push(winner);
            superseded.extend(losers);
            conflicts.extend(conflict);
        }
        Ok(RuleSet {
            id: leaf.id,
            version: leaf.version,
            title: leaf.title,
            chain,
            rules,
            superseded,
            conflicts,
        })
    }

    /// The rule with this id, effective or superseded.
    #[must_use]
    pub fn rule(&self, id: &str) -> Option<&ResolvedRule> {
        self.rules
            .iter()
            .chain(&self.superseded)
            .find(|r| r.rule.id == id)
    }
}

/// The body's summary plus the applicability, for conflict reports.
fn rule_summary(r: &Rule) -> String {
    match r.applies.min_level {
        Some(l) => format!("{} (hospitals of level ≥ {l})", r.body.summary()),
        None => r.body.summary(),
    }
}

/// Picks the winner of one topic.
fn resolve_group(
    topic: &str,
    group: Vec<ResolvedRule>,
) -> Option<(ResolvedRule, Vec<ResolvedRule>, Option<Conflict>)> {
    let mut it = group.into_iter();
    let mut winner = it.next()?;
    let mut losers: Vec<ResolvedRule> = Vec::new();
    let mut conflict: Option<Conflict> = None;
    for r in it {
        // Broader applicability (a lower minimum level) is stricter too.
        let level_ord = winner
            .rule
            .applies
            .min_level
            .unwrap_or(0)
            .partial_cmp(&r.rule.applies.min_level.unwrap_or(0));
        let ord = combine(&[r.rule.body.compare(&winner.rule.body), level_ord]);
        let same_layer = r.origin == winner.origin;
        let (new_wins, reason) = if r.rule.resolution == Resolution::Override {
            (true, "the later rule says resolution = \"override\"")
        } else {
            match ord {
                Some(Ordering::Greater) => (true, "stricter value wins"),
                Some(Ordering::Less) => (false, "stricter value wins"),
                Some(Ordering::Equal) => (true, "same value: the later rule confirms"),
                None => (
                    true,
                    "values not comparable: the later (more specific) rule applies",
                ),
            }
        };
        let differs = ord != Some(Ordering::Equal);
        let (mut w, l) = if new_wins { (r, winner) } else { (winner, r) };
        if differs {
            let c = conflict.get_or_insert_with(|| Conflict {
                topic: topic.to_owned(),
                rules: vec![l.rule.id.clone()],
                values: vec![rule_summary(&l.rule)],
                chosen: String::new(),
                reason: String::new(),
                same_layer,
            });
            for x in [&l, &w] {
                if !c.rules.contains(&x.rule.id) {
                    c.rules.push(x.rule.id.clone());
                    c.values.push(rule_summary(&x.rule));
                }
            }
            c.chosen = w.rule.id.clone();
            c.reason = reason.to_owned();
            c.same_layer &= same_layer;
            w.overrides.push(l.rule.id.clone());
        } else {
            w.confirms.push(l.rule.id.clone());
            for c in &l.rule.citations {
                if !w.rule.citations.contains(c) {
                    w.rule.citations.push(c.clone());
                }
            }
        }
        losers.push(l);
        winner = w;
    }
    Some((winner, losers, conflict))
}

/// In-force value helper for evaluation.
pub(crate) fn value_at<P>(values: &[Dated<P>], at: Date) -> Option<&P> {
    in_force(values, at)
}

/// The JSON Schema of the rule-set file format.
#[must_use]
pub fn ruleset_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RuleSetFile)).unwrap_or_default()
}
