//! Policy: 附件4 screening equipment and hospital evaluation (JSON into a
//! caller buffer) under the embedded rule sets.

use std::ffi::{CStr, c_char};

use hsm::policy::Date;
use hsm::policy::PolicyError;
use hsm::policy::equipment;
use hsm::policy::evaluate::{Options, evaluate};
use hsm::policy::profile::{HospitalProfile, Location, Site};
use hsm::policy::ruleset::{self, LiquidKind, RuleBody, RuleSet};

use crate::error::{FfiError, hsm_status};
use crate::panic::status_of;
use crate::slice::as_mut;

fn perr(e: PolicyError) -> FfiError {
    hsm::Error::from(e).into()
}

/// A screening point's location (附件4 安检区位置), passed as `uint32_t`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_location {
    /// Outpatient building entrance (门诊楼入口), rows 1–3.
    Outpatient = 0,
    /// Emergency area entrance (急诊区域入口), rows 4–5.
    Emergency = 1,
    /// Inpatient building main entrance (住院楼主入口), rows 6–7.
    Inpatient = 2,
    /// Administration building entrance (行政楼入口), rows 8–9.
    Admin = 3,
    /// Underground-garage passage into the clinical buildings, rows 10–11.
    Garage = 4,
}

/// Room at a screening point (附件4 其他因素), passed as `uint32_t`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_site {
    /// Not stated.
    Unknown = 0,
    /// Small (出入口较小).
    Small = 1,
    /// Medium (出入口一般).
    Medium = 2,
    /// Large (场地较大 / 出入口较大).
    Large = 3,
}

/// The form of liquid-article detector a row names.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_liquid_kind {
    /// None named (the item is optional, "-").
    None = 0,
    /// Desktop (台式).
    Desktop = 1,
    /// Handheld (手持式).
    Handheld = 2,
}

/// One item of 附件4: units required and whether the table marks it "-"
/// (optional, 可选配备; then `count` is 0).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_equipment_item {
    /// Units required.
    pub count: u32,
    /// Optional ("-").
    pub optional: bool,
}

/// The equipment one screening point needs (附件4 of 豫卫医函〔2024〕10号).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_equipment {
    /// The location asked about.
    pub location: hsm_location,
    /// The site given (`HSM_SITE_UNKNOWN` when not stated).
    pub site: hsm_site,
    /// 附件4 row (序号), 1–11.
    pub row: u32,
    /// Micro-dose X-ray units (single-channel).
    pub xray: hsm_equipment_item,
    /// Walk-through metal detector gates.
    pub walkthrough: hsm_equipment_item,
    /// Liquid-article detectors.
    pub liquid: hsm_equipment_item,
    /// The form of liquid detector named.
    pub liquid_kind: hsm_liquid_kind,
    /// Handheld metal detectors.
    pub handheld: hsm_equipment_item,
    /// True when the traffic is exactly on a band edge the table leaves
    /// open (1000, 500, 5000, 20000) and libhsm's documented decision placed
    /// it: exactly 1000 and 500 in the higher band, 5000 and 20000 in the
    /// row printed "5000 - 20000".
    pub edge_decision: bool,
    /// True where a dual-channel X-ray may replace two single-channel ones.
    pub dual_channel_substitution: bool,
}

/// # Safety
/// `p` is NULL or a NUL-terminated string valid for the call.
unsafe fn c_str<'a>(p: *const c_char, arg: &'static str) -> Result<&'a str, FfiError> {
    if p.is_null() {
        return Err(FfiError::null(arg));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map_err(|e| FfiError {
        status: hsm_status::InvalidUtf8,
        message: format!("argument `{arg}` is not UTF-8: {e}"),
    })
}

/// # Safety
/// As [`c_str`]; NULL gives `None`.
unsafe fn opt_c_str<'a>(p: *const c_char, arg: &'static str) -> Result<Option<&'a str>, FfiError> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { c_str(p, arg) }.map(Some)
    }
}

fn invalid(field: &'static str, detail: String) -> FfiError {
    perr(PolicyError::InvalidProfile { field, detail })
}

/// Computes the 附件4 equipment for a screening point under the default
/// rule set (`cn-henan-2024`).
///
/// `location` is an `hsm_location` value, `site` an `hsm_site` value
/// (`HSM_SITE_UNKNOWN` when not stated). Errors: `HSM_STATUS_NULL_POINTER`
/// (`out`), `HSM_STATUS_INVALID_PROFILE` (a location or site outside its
/// enum). Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for writing one `hsm_equipment`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_policy_equipment(
    location: u32,
    daily_traffic: u32,
    site: u32,
    out: *mut hsm_equipment,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        let loc = *Location::ALL
            .get(location as usize)
            .ok_or_else(|| invalid("location", format!("{location} is not an hsm_location")))?;
        let (site, site_c) = match site {
            0 => (None, hsm_site::Unknown),
            1 => (Some(Site::Small), hsm_site::Small),
            2 => (Some(Site::Medium), hsm_site::Medium),
            3 => (Some(Site::Large), hsm_site::Large),
            _ => return Err(invalid("site", format!("{site} is not an hsm_site"))),
        };
        let location_c = [
            hsm_location::Outpatient,
            hsm_location::Emergency,
            hsm_location::Inpatient,
            hsm_location::Admin,
            hsm_location::Garage,
        ][location as usize];
        let rs = RuleSet::cached(ruleset::DEFAULT_RULESET).map_err(perr)?;
        let table = rs
            .rules
            .iter()
            .find_map(|r| match &r.rule.body {
                RuleBody::Equipment { values } => values.iter().max_by_key(|v| v.from),
                _ => None,
            })
            .ok_or_else(|| invalid("ruleset", "no equipment table".into()))?;
        let n = equipment::need(&table.params, loc, daily_traffic, site).map_err(perr)?;
        let item = |i: &equipment::Item| hsm_equipment_item {
            count: i.count,
            optional: i.optional,
        };
        let kind = match n.liquid.kind.flatten() {
            Some(k) if k == LiquidKind::Desktop.name() => hsm_liquid_kind::Desktop,
            Some(_) => hsm_liquid_kind::Handheld,
            None => hsm_liquid_kind::None,
        };
        *out = hsm_equipment {
            location: location_c,
            site: site_c,
            row: n.row,
            xray: item(&n.xray),
            walkthrough: item(&n.walkthrough),
            liquid: item(&n.liquid),
            liquid_kind: kind,
            handheld: item(&n.handheld),
            edge_decision: n.edge_decision.is_some(),
            dual_channel_substitution: n.dual_channel_substitution,
        };
        Ok(())
    })
}

/// Evaluates one hospital profile (JSON, fields as in
/// `policy/schema/profile.schema.json`) against a rule set on a date and
/// writes the evaluation as JSON (`{"hospital", "ruleset", "as_of",
/// "summary", "findings": [{"rule", "status", …}], "conflicts", "trace"}`)
/// into `buf`, NUL-terminated.
///
/// `ruleset` is an embedded id (`"cn-henan-2024"`, `"cn-national-2021"`)
/// or NULL for the default; `as_of` is `YYYY-MM-DD`; `trace` includes the
/// evaluation trace. `*len_out` receives the JSON's length in bytes without
/// the NUL. When `buf_len` is too small (or `buf` is NULL) nothing is
/// written to `buf`, `*len_out` still receives the length, and the status
/// is `HSM_STATUS_BUFFER_TOO_SMALL`: call again with `*len_out + 1` bytes.
///
/// Errors: `HSM_STATUS_NULL_POINTER` (`profile_json`, `as_of`, `len_out`),
/// `HSM_STATUS_INVALID_UTF8`, `HSM_STATUS_FORMAT` (malformed profile JSON),
/// `HSM_STATUS_INVALID_PROFILE` (a bad value, date or rule-set id),
/// `HSM_STATUS_BUFFER_TOO_SMALL`. Thread-safe.
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `buf` is NULL or holds
/// `buf_len` writable bytes; `len_out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_policy_evaluate_json(
    profile_json: *const c_char,
    ruleset: *const c_char,
    as_of: *const c_char,
    trace: bool,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller's contract for each pointer.
        let profile_json = unsafe { c_str(profile_json, "profile_json") }?;
        // SAFETY: as above.
        let ruleset = unsafe { opt_c_str(ruleset, "ruleset") }?;
        // SAFETY: as above.
        let as_of = unsafe { c_str(as_of, "as_of") }?;
        // SAFETY: as above.
        let len_out = unsafe { as_mut(len_out, "len_out") }?;
        let profile = HospitalProfile::from_json(profile_json).map_err(perr)?;
        let at: Date = as_of.parse().map_err(perr)?;
        let rs = RuleSet::cached(ruleset.unwrap_or(ruleset::DEFAULT_RULESET)).map_err(perr)?;
        let e = evaluate(rs, &profile, at, Options { trace });
        let text = serde_json::to_string(&e).map_err(|err| {
            perr(PolicyError::Parse {
                what: "evaluation".into(),
                detail: err.to_string(),
            })
        })?;
        *len_out = text.len();
        if buf.is_null() || buf_len <= text.len() {
            return Err(FfiError {
                status: hsm_status::BufferTooSmall,
                message: format!(
                    "the evaluation needs {} bytes, buffer has {buf_len}",
                    text.len() + 1
                ),
            });
        }
        // SAFETY: `buf` holds `buf_len > text.len()` writable bytes.
        unsafe { crate::slice::write_c_string(&text, buf, buf_len) };
        Ok(())
    })
}
