//! Flow statistics: counts per bin (minute, hour, day), peak hour, daily
//! averages and occupancy — the "日均通行人数" (daily average traffic) that
//! the equipment table of 豫卫医函〔2024〕10号 附件4 is keyed on.
//!
//! Bins are aligned to an `origin` the caller chooses (for calendar days,
//! local midnight of the first day in the caller's epoch), so a bin is
//! `[origin + k·width, origin + (k+1)·width)`. Transits may come in any order.
//! Occupancy is `in − out` accumulated in time order from 0 at the start; it
//! can go negative when people counted out were inside before counting began,
//! and it is reported as is.

use crate::counting::{Direction, Transit};
use crate::error::CoreError;
use crate::time::{Micros, Timestamp};

/// One minute, in µs.
pub const MINUTE: Micros = Micros(60_000_000);
/// One hour, in µs.
pub const HOUR: Micros = Micros(3_600_000_000);
/// One day, in µs.
pub const DAY: Micros = Micros(86_400_000_000);

/// Largest number of bins [`flow_rows`] produces.
pub const MAX_BINS: usize = 10_000_000;

/// Counts in one bin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FlowRow {
    /// Start of the bin.
    pub start: Timestamp,
    /// People in.
    pub inbound: u64,
    /// People out.
    pub outbound: u64,
    /// Occupancy (cumulative in − out) at the end of the bin.
    pub occupancy: i64,
}

/// Summary statistics over a period.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FlowSummary {
    /// People in.
    pub total_in: u64,
    /// People out.
    pub total_out: u64,
    /// Days averaged over.
    pub days: u64,
    /// Average people in per day (entries: the traffic the equipment table uses).
    pub daily_avg_in: f64,
    /// Average people out per day.
    pub daily_avg_out: f64,
    /// Average passages (in + out) per day.
    pub daily_avg_total: f64,
    /// Start of the busiest clock hour (in + out), the earliest on ties;
    /// `None` without transits.
    pub peak_hour_start: Option<Timestamp>,
    /// Passages (in + out) in that hour.
    pub peak_hour_total: u64,
    /// Occupancy at the end.
    pub final_occupancy: i64,
    /// Highest occupancy reached.
    pub max_occupancy: i64,
}

fn bin_of(t: Timestamp, origin: Timestamp, width: i64) -> Result<i64, CoreError> {
    let offset =
        t.0.checked_sub(origin.0)
            .ok_or(CoreError::InvalidArgument {
                field: "t",
                value: t.0 as f64,
                expected: "a time whose distance from origin fits in 64 bits",
            })?;
    Ok(offset.div_euclid(width))
}

fn check_width(width: Micros) -> Result<i64, CoreError> {
    if width.0 <= 0 {
        return Err(CoreError::InvalidArgument {
            field: "bin width",
            value: width.0 as f64,
            expected: "a width > 0 µs",
        });
    }
    Ok(width.0)
}

/// Counts per bin of `width` aligned to `origin`, every bin from the first
/// transit's to the last's (empty bins included). Errors: `InvalidArgument`
/// for a width <= 0; `CapacityExceeded` when the span needs more than
/// [`MAX_BINS`] bins.
pub fn flow_rows(
    transits: &[Transit],
    origin: Timestamp,
    width: Micros,
) -> Result<Vec<FlowRow>, CoreError> {
    let w = check_width(width)?;
    if transits.is_empty() {
        return Ok(Vec::new());
    }
    let mut lo = i64::MAX;
    let mut hi = i64::MIN;
    for tx in transits {
        let b = bin_of(tx.t, origin, w)?;
        lo = lo.min(b);
        hi = hi.max(b);
    }
    let n = usize::try_from(hi.saturating_sub(lo).saturating_add(1)).unwrap_or(usize::MAX);
    if n > MAX_BINS {
        return Err(CoreError::CapacityExceeded {
            field: "bins",
            value: n,
            max: MAX_BINS,
        });
    }
    let mut rows: Vec<FlowRow> = (0..n)
        .map(|k| FlowRow {
            start: Timestamp(
                origin
                    .0
                    .saturating_add(lo.saturating_add(k as i64).saturating_mul(w)),
            ),
            inbound: 0,
            outbound: 0,
            occupancy: 0,
        })
        .collect();
    for tx in transits {
        let k = usize::try_from(bin_of(tx.t, origin, w)? - lo).unwrap_or(0);
        if let Some(row) = rows.get_mut(k) {
            match tx.direction {
                Direction::In => row.inbound += u64::from(tx.persons),
                Direction::Out => row.outbound += u64::from(tx.persons),
            }
        }
    }
    let mut occ = 0i64;
    for row in &mut rows {
        occ = occ
            .saturating_add(row.inbound as i64)
            .saturating_sub(row.outbound as i64);
        row.occupancy = occ;
    }
    Ok(rows)
}

/// Totals, daily averages, the peak clock hour and occupancy.
///
/// `origin` aligns hours and days (local midnight); `days` is the number of
/// days to average over, or `None` for the calendar days from the first
/// transit's day to the last's. Errors: `InvalidArgument` for `days = Some(0)`.
pub fn flow_summary(
    transits: &[Transit],
    origin: Timestamp,
    days: Option<u64>,
) -> Result<FlowSummary, CoreError> {
    if days == Some(0) {
        return Err(CoreError::InvalidArgument {
            field: "days",
            value: 0.0,
            expected: "at least 1 day",
        });
    }
    let hours = flow_rows(transits, origin, HOUR)?;
    let (mut total_in, mut total_out) = (0u64, 0u64);
    let mut peak: Option<(Timestamp, u64)> = None;
    for row in &hours {
        total_in += row.inbound;
        total_out += row.outbound;
        let n = row.inbound + row.outbound;
        if n > 0 && peak.is_none_or(|(_, best)| n > best) {
            peak = Some((row.start, n));
        }
    }
    // Occupancy in exact time order.
    let mut order: Vec<(i64, i64)> = transits
        .iter()
        .map(|t| {
            let p = i64::from(t.persons);
            (t.t.0, if t.direction == Direction::In { p } else { -p })
        })
        .collect();
    order.sort_unstable();
    let (mut occ, mut max_occ) = (0i64, 0i64);
    for (_, delta) in order {
        occ = occ.saturating_add(delta);
        max_occ = max_occ.max(occ);
    }
    let days = match days {
        Some(d) => d,
        None => match (
            transits.iter().map(|t| t.t).min(),
            transits.iter().map(|t| t.t).max(),
        ) {
            (Some(a), Some(b)) => {
                let span = bin_of(b, origin, DAY.0)? - bin_of(a, origin, DAY.0)?;
                u64::try_from(span).unwrap_or(0) + 1
            }
            _ => 1,
        },
    };
    let d = days as f64;
    Ok(FlowSummary {
        total_in,
        total_out,
        days,
        daily_avg_in: total_in as f64 / d,
        daily_avg_out: total_out as f64 / d,
        daily_avg_total: (total_in + total_out) as f64 / d,
        peak_hour_start: peak.map(|(t, _)| t),
        peak_hour_total: peak.map_or(0, |(_, n)| n),
        final_occupancy: occ,
        max_occupancy: max_occ,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting::Source;

    fn tx(min: i64, direction: Direction) -> Transit {
        Transit {
            t: Timestamp(min * MINUTE.0),
            direction,
            persons: 1,
            source: Source::Beams,
            flags: 0,
            track_id: 0,
        }
    }

    #[test]
    fn bins_peak_and_daily_average() {
        let mut v = vec![
            tx(5, Direction::In),
            tx(65, Direction::In),
            tx(70, Direction::In),
            tx(80, Direction::Out),
        ];
        v.push(tx(24 * 60 + 1, Direction::Out)); // next day
        let rows = flow_rows(&v, Timestamp(0), HOUR).unwrap();
        assert_eq!(rows.len(), 25);
        assert_eq!(
            (rows[0].inbound, rows[1].inbound, rows[1].outbound),
            (1, 2, 1)
        );
        assert_eq!(rows[1].occupancy, 2);
        assert_eq!(rows[24].occupancy, 1);
        let s = flow_summary(&v, Timestamp(0), None).unwrap();
        assert_eq!((s.total_in, s.total_out, s.days), (3, 2, 2));
        assert_eq!(s.peak_hour_start, Some(Timestamp(HOUR.0)));
        assert_eq!(s.peak_hour_total, 3);
        assert!((s.daily_avg_in - 1.5).abs() < 1e-12);
        assert_eq!((s.final_occupancy, s.max_occupancy), (1, 3));
        assert!(flow_rows(&v, Timestamp(0), Micros(0)).is_err());
        assert!(flow_rows(&v, Timestamp(0), Micros(1)).is_err()); // too many bins
        assert!(flow_summary(&v, Timestamp(0), Some(0)).is_err());
        assert!(flow_rows(&[], Timestamp(0), MINUTE).unwrap().is_empty());
        let extreme = [Transit {
            t: Timestamp(i64::MIN),
            ..tx(0, Direction::In)
        }];
        assert!(flow_rows(&extreme, Timestamp(i64::MAX), MINUTE).is_err());
    }
}
