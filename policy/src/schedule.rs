//! A hospital's obligations over a period: recurring duties and dated
//! deadlines, as iCalendar (RFC 5545) and as expanded rows (CSV).
//!
//! ## Calendar decisions
//! - Drills, briefings, sweeps and trainings are all-day `VEVENT`s
//!   (`DTEND` the next day, exclusive); bulletins, reports and deadlines are
//!   `VTODO`s starting on the day they fall due with `DURATION:P1D` (due by
//!   the end of that day: RFC 5545 wants a `DUE` later than `DTSTART`, and a
//!   duration keeps recurring to-dos exact in months of any length). One component per
//!   rule, recurring by `RRULE` until the end of the period, so a calendar
//!   shows each obligation once per period.
//! - Periods are calendar-aligned. A duty required `n` times per period is
//!   spread evenly: `interval = 12 / (periods per year · n)` months, placed on
//!   the 15th of the middle month of each interval (quarterly: Feb, May,
//!   Aug, Nov 15; twice a year: Apr and Oct 15; yearly: Jul 15). Monthly
//!   to-dos fall due on the last day of each month (`BYMONTHDAY=-1`). These
//!   are planning dates, not dates the notice fixes.
//! - UIDs are stable: `<rule id>.<FNV-1a 64 of the hospital name>@libhsm`,
//!   the same for the same hospital and rule whatever the period, so a
//!   re-import updates the entries instead of duplicating them. Each
//!   component carries the rule id as `X-HSM-RULE` and its citation in
//!   `DESCRIPTION`.
//! - `DTSTAMP` is the period's first day at 00:00 UTC: the output is a pure
//!   function of its inputs (no clock read).

use std::fmt::Write as _;

use serde::Serialize;

use crate::date::Date;
use crate::error::PolicyError;
use crate::profile::HospitalProfile;
use crate::ruleset::{CalendarForm, Period, RuleBody, RuleSet, value_at};

/// `VEVENT` or `VTODO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// An event (drill, meeting, training).
    Event,
    /// A to-do with a due date (bulletin, report, deadline).
    Todo,
}

/// One calendar component, recurring or not.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    /// Stable UID.
    pub uid: String,
    /// Rule id.
    pub rule: String,
    /// Event or to-do.
    pub component: Component,
    /// Title.
    pub summary: String,
    /// Requirement and citation.
    pub description: String,
    /// First (or only) date.
    pub start: Date,
    /// Due date of a single to-do.
    pub due: Option<Date>,
    /// Months between occurrences (`None`: once).
    pub interval_months: Option<u32>,
    /// Recurs on the last day of the month.
    pub last_day_of_month: bool,
    /// Occurrences within the period.
    pub occurrences: Vec<Date>,
}

/// A schedule: a hospital, a period, its items.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Schedule {
    /// Hospital name.
    pub hospital: String,
    /// Rule-set id.
    pub ruleset: String,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Items.
    pub items: Vec<Item>,
}

/// FNV-1a, 64 bits: a stable, platform-independent hash for UIDs.
#[must_use]
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn uid(rule: &str, hospital: &str) -> String {
    format!("{rule}.{:016x}@libhsm", fnv1a64(hospital.as_bytes()))
}

fn cite(r: &crate::ruleset::Rule) -> String {
    r.citations
        .iter()
        .map(|c| format!("{} {}: {}", c.document, c.clause, c.quote))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Builds the schedule of `profile` under `rs` for `from..=to`.
///
/// # Errors
/// [`PolicyError::InvalidProfile`] when `to` is before `from` or the period
/// exceeds 100 years.
pub fn schedule(
    rs: &RuleSet,
    profile: &HospitalProfile,
    from: Date,
    to: Date,
) -> Result<Schedule, PolicyError> {
    if to < from || to.year() - from.year() > 100 {
        return Err(PolicyError::InvalidProfile {
            field: "to",
            detail: format!("the period {from}..{to} is empty or longer than 100 years"),
        });
    }
    let mut items = Vec::new();
    for r in &rs.rules {
        let rule = &r.rule;
        // Applicability by level, as evaluation does (unknown level: include).
        if let (Some(min), Some(l)) = (rule.applies.min_level, profile.level)
            && l < min
        {
            continue;
        }
        let at = if rule.effective_from > from {
            rule.effective_from
        } else {
            from
        };
        if at > to || rule.effective_to.is_some_and(|e| e < from) {
            continue;
        }
        let end = rule
            .effective_to
            .map_or(to, |e| if e < to { e } else { to });
        match &rule.body {
            RuleBody::Periodic { values } => {
                let Some(v) = value_at(values, at) else {
                    continue;
                };
                let per_year = v.period.per_year() * v.min_count.max(1);
                if per_year == 0 || 12 % per_year != 0 {
                    continue;
                }
                let interval = 12 / per_year;
                let todo = v.calendar == CalendarForm::Todo;
                let last_day = todo && interval == 1;
                let occurrences = occurrences(at, end, interval, last_day);
                let Some(&start) = occurrences.first() else {
                    continue;
                };
                let how_often = match (v.min_count, v.period) {
                    (1, Period::Month) => "monthly".to_owned(),
                    (1, p) => format!("once per {}", p.name()),
                    (n, p) => format!("{n} per {}", p.name()),
                };
                items.push(Item {
                    uid: uid(&rule.id, &profile.name),
                    rule: rule.id.clone(),
                    component: if todo {
                        Component::Todo
                    } else {
                        Component::Event
                    },
                    summary: format!("{} ({how_often})", rule.title),
                    description: format!(
                        "{}: at least {} per {} (planning date; libhsm rule {}).\n{}",
                        v.activity.name(),
                        v.min_count,
                        v.period.name(),
                        rule.id,
                        cite(rule)
                    ),
                    start,
                    due: None,
                    interval_months: Some(interval),
                    last_day_of_month: last_day,
                    occurrences,
                });
            }
            RuleBody::Deadline { values } => {
                let Some(v) = value_at(values, at) else {
                    continue;
                };
                if v.due < from || v.due > to {
                    continue;
                }
                items.push(Item {
                    uid: uid(&rule.id, &profile.name),
                    rule: rule.id.clone(),
                    component: Component::Todo,
                    summary: rule.title.clone(),
                    description: format!(
                        "report {} by {} (actor: {}; phase from {}).\n{}",
                        v.report,
                        v.due,
                        v.actor,
                        v.start.map_or_else(|| "-".to_owned(), |d| d.to_string()),
                        cite(rule)
                    ),
                    start: v.due,
                    due: Some(v.due),
                    interval_months: None,
                    last_day_of_month: false,
                    occurrences: vec![v.due],
                });
            }
            RuleBody::Screening { values } => {
                let Some(v) = value_at(values, at) else {
                    continue;
                };
                if v.due < from || v.due > to {
                    continue;
                }
                items.push(Item {
                    uid: uid(&rule.id, &profile.name),
                    rule: rule.id.clone(),
                    component: Component::Todo,
                    summary: rule.title.clone(),
                    description: format!(
                        "full entry screening in place by {} if the hospital is tertiary, or has ≥ {} daily outpatient visits or ≥ {} open beds.\n{}",
                        v.due,
                        v.daily_outpatient_min,
                        v.open_beds_min,
                        cite(rule)
                    ),
                    start: v.due,
                    due: Some(v.due),
                    interval_months: None,
                    last_day_of_month: false,
                    occurrences: vec![v.due],
                });
            }
            _ => {}
        }
    }
    Ok(Schedule {
        hospital: profile.name.clone(),
        ruleset: rs.id.clone(),
        from,
        to,
        items,
    })
}

/// Occurrence dates from `from` to `to`, every `interval` months, on the
/// 15th of the middle month of each interval (or the last day of each month).
fn occurrences(from: Date, to: Date, interval: u32, last_day: bool) -> Vec<Date> {
    let jan = from.first_of(1);
    // The interval containing `from`, counted from January.
    let k = (u32::from(from.month()) - 1) / interval;
    let mut first_month = jan.first_of_month_plus(k * interval);
    let mut out = Vec::new();
    for _ in 0..(12 * 101) {
        let d = if last_day {
            first_month.end_of_month()
        } else {
            let mid = first_month.first_of_month_plus(interval / 2);
            Date::new(mid.year(), mid.month(), 15).unwrap_or(mid)
        };
        if d > to {
            break;
        }
        if d >= from {
            out.push(d);
        }
        let next = first_month.first_of_month_plus(interval);
        if next <= first_month {
            break;
        }
        first_month = next;
    }
    out
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            ';' => o.push_str("\\;"),
            ',' => o.push_str("\\,"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            _ => o.push(c),
        }
    }
    o
}

/// Appends a content line folded at 75 octets (RFC 5545 §3.1), never
/// splitting a UTF-8 character, with CRLF.
fn line(out: &mut String, text: &str) {
    let mut width = 0;
    for c in text.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

impl Schedule {
    /// The schedule as an iCalendar document (RFC 5545), CRLF line ends.
    #[must_use]
    pub fn to_ics(&self) -> String {
        let mut o = String::new();
        let stamp = format!("{}T000000Z", self.from.basic());
        line(&mut o, "BEGIN:VCALENDAR");
        line(&mut o, "VERSION:2.0");
        line(&mut o, "PRODID:-//libhsm//hsm-policy//EN");
        line(&mut o, "CALSCALE:GREGORIAN");
        line(&mut o, &format!("X-WR-CALNAME:{}", escape(&self.hospital)));
        for it in &self.items {
            let comp = match it.component {
                Component::Event => "VEVENT",
                Component::Todo => "VTODO",
            };
            line(&mut o, &format!("BEGIN:{comp}"));
            line(&mut o, &format!("UID:{}", it.uid));
            line(&mut o, &format!("DTSTAMP:{stamp}"));
            line(&mut o, &format!("DTSTART;VALUE=DATE:{}", it.start.basic()));
            match it.component {
                Component::Event => {
                    line(
                        &mut o,
                        &format!("DTEND;VALUE=DATE:{}", it.start.succ().basic()),
                    );
                }
                Component::Todo => line(&mut o, "DURATION:P1D"),
            }
            if let Some(iv) = it.interval_months {
                let mut rule = format!("RRULE:FREQ=MONTHLY;INTERVAL={iv}");
                if it.last_day_of_month {
                    rule.push_str(";BYMONTHDAY=-1");
                }
                let _ = write!(rule, ";UNTIL={}", self.to.basic());
                line(&mut o, &rule);
            }
            line(&mut o, &format!("SUMMARY:{}", escape(&it.summary)));
            line(&mut o, &format!("DESCRIPTION:{}", escape(&it.description)));
            line(&mut o, &format!("CATEGORIES:{}", escape(&self.ruleset)));
            line(&mut o, &format!("X-HSM-RULE:{}", escape(&it.rule)));
            line(&mut o, &format!("END:{comp}"));
        }
        line(&mut o, "END:VCALENDAR");
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn occurrences_are_calendar_aligned() {
        let q = occurrences(d("2024-01-01"), d("2024-12-31"), 3, false);
        assert_eq!(
            q,
            [
                d("2024-02-15"),
                d("2024-05-15"),
                d("2024-08-15"),
                d("2024-11-15")
            ]
        );
        let m = occurrences(d("2024-01-01"), d("2024-12-31"), 1, true);
        assert_eq!(m.len(), 12);
        assert_eq!(m[1], d("2024-02-29"));
        let h = occurrences(d("2024-01-01"), d("2024-12-31"), 6, false);
        assert_eq!(h, [d("2024-04-15"), d("2024-10-15")]);
        let y = occurrences(d("2024-03-20"), d("2025-12-31"), 12, false);
        assert_eq!(y, [d("2024-07-15"), d("2025-07-15")]);
        let late = occurrences(d("2024-02-20"), d("2024-06-30"), 3, false);
        assert_eq!(late, [d("2024-05-15")]);
    }

    #[test]
    fn lines_fold_at_75_octets_on_char_boundaries() {
        let mut o = String::new();
        line(&mut o, &format!("SUMMARY:{}", "医".repeat(40)));
        for l in o.split("\r\n") {
            assert!(l.len() <= 75, "{}", l.len());
        }
        assert_eq!(
            o.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "医".repeat(40))
        );
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
