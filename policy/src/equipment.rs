//! Screening equipment per screening point: 附件4 of 豫卫医函〔2024〕10号
//! (二级以上医疗机构安检区安全检查设施配备基本标准（征求意见稿）).
//!
//! The table lives in the rule set (`henan.equipment.table`), all 11 rows:
//! outpatient entrance (>20000, 5000–20000, <5000), emergency entrance
//! (>1000, <1000), inpatient main entrance (>1000, <1000), administration
//! building (>500, <500), underground-garage passage (>1000, <1000). The
//! text extraction of the notice misplaces the label "住院楼主入口" onto row
//! 5; rows 4–5 are the emergency entrance (the emergency cell spans them,
//! as the outpatient cell spans rows 1–3), rows 6–7 the inpatient entrance.
//!
//! ## Band edges (libhsm's decisions, shown in every result)
//! The table prints `>1000` and `<1000` (and `>500`/`<500`), leaving the
//! edge value itself in neither row, and prints `>20000`, `5000 - 20000`,
//! `<5000`. libhsm places
//! - exactly **1000** (emergency, inpatient, garage) in the **higher** band;
//! - exactly **500** (administration) in the **higher** band;
//! - exactly **5000** and exactly **20000** (outpatient) in the middle row
//!   `5000 - 20000`, whose printed range includes both ends.
//!
//! Why: Chinese regulatory usage reads "以上" as including the number, and
//! the same notice's screening threshold (一(二), "日门诊量5000人次以上或实际
//! 开放床位1000张以上") includes 5000 and 1000; an open edge should resolve to
//! the safer (more equipment) side; and the printed `5000 - 20000` is
//! inclusive as written.

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::PolicyError;
use crate::profile::{Location, Site};
use crate::ruleset::{EdgeDecision, EquipmentParams, EquipmentRow, ItemSpec, LiquidKind};

/// One item of the result: `{"count": n, "optional": bool}` (liquid adds `kind`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Item {
    /// Units required (0 when optional).
    pub count: u32,
    /// "-" in the table (可选配备).
    pub optional: bool,
    /// Liquid detectors only: `desktop`, `handheld`, or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Option<&'static str>>,
}

impl Item {
    fn from_spec(s: &ItemSpec, liquid: bool) -> Item {
        Item {
            count: s.count,
            optional: s.optional,
            kind: liquid.then(|| s.liquid_kind.map(LiquidKind::name)),
        }
    }
}

/// The equipment one screening point needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EquipmentNeed {
    /// 附件4 row (序号), 1–11.
    pub row: u32,
    /// Location.
    pub location: Location,
    /// The daily traffic asked about.
    pub daily_traffic: u32,
    /// The row's band as printed, e.g. `>1000`.
    pub band: String,
    /// The site the row assumes, and its text.
    pub row_site: Site,
    /// The row's 其他因素.
    pub row_site_text: String,
    /// The site given, if any.
    pub site: Option<Site>,
    /// Micro-dose X-ray units (single-channel).
    pub xray: Item,
    /// Walk-through metal detector gates.
    pub walkthrough: Item,
    /// Liquid-article detectors.
    pub liquid: Item,
    /// Handheld metal detectors.
    pub handheld: Item,
    /// Whether a dual-channel X-ray may replace two single-channel units.
    pub dual_channel_substitution: bool,
    /// The band-edge decision applied, if the traffic is exactly on an edge.
    pub edge_decision: Option<String>,
    /// Notes: the row's, the table's, the edge decision, site remarks.
    pub notes: Vec<String>,
}

/// Finds the row for a location and traffic.
///
/// # Errors
/// [`PolicyError::InvalidRuleSet`] when the table has no row for it (a
/// broken custom rule set).
pub fn lookup(
    table: &EquipmentParams,
    location: Location,
    daily_traffic: u32,
) -> Result<(&EquipmentRow, Option<&EdgeDecision>), PolicyError> {
    let edge = table
        .edges
        .iter()
        .find(|e| e.location == location && e.value == daily_traffic);
    let row = match edge {
        Some(e) => table.rows.iter().find(|r| r.row == e.row),
        None => table
            .rows
            .iter()
            .find(|r| r.location == location && r.band.contains(daily_traffic)),
    };
    let row = row.ok_or_else(|| PolicyError::InvalidRuleSet {
        id: "equipment".into(),
        detail: format!(
            "no 附件4 row for location {} and daily traffic {daily_traffic}",
            location.name()
        ),
    })?;
    Ok((row, edge))
}

/// The equipment a screening point needs, with notes.
///
/// # Errors
/// As [`lookup`].
pub fn need(
    table: &EquipmentParams,
    location: Location,
    daily_traffic: u32,
    site: Option<Site>,
) -> Result<EquipmentNeed, PolicyError> {
    let (row, edge) = lookup(table, location, daily_traffic)?;
    let mut notes: Vec<String> = row.notes.clone();
    let edge_decision = edge.map(|e| {
        format!(
            "daily traffic {} is exactly on a band edge the table leaves open; libhsm places it in row {}: {}",
            e.value, e.row, e.reason
        )
    });
    if let Some(e) = &edge_decision {
        notes.push(e.clone());
    }
    if let Some(s) = site
        && s < row.site
    {
        notes.push(format!(
            "the site ({}) is smaller than row {} assumes ({}: {})",
            s.name(),
            row.row,
            row.site.name(),
            row.site_text
        ));
        if row.dual_channel_substitution && row.xray.count >= 2 {
            let n = row.xray.count;
            notes.push(format!(
                "若场地受限，可由1台上下双通道代替2台单通道设备: the {n} single-channel X-ray units may be {} dual-channel + {} single-channel",
                n / 2,
                n % 2
            ));
        }
    }
    notes.extend(table.notes.iter().cloned());
    Ok(EquipmentNeed {
        row: row.row,
        location,
        daily_traffic,
        band: row.band.printed.clone(),
        row_site: row.site,
        row_site_text: row.site_text.clone(),
        site,
        xray: Item::from_spec(&row.xray, false),
        walkthrough: Item::from_spec(&row.walkthrough, false),
        liquid: Item::from_spec(&row.liquid, true),
        handheld: Item::from_spec(&row.handheld, false),
        dual_channel_substitution: row.dual_channel_substitution,
        edge_decision,
        notes,
    })
}
