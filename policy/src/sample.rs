//! Reproducible spot-check samples (二(二)): cities spot-check at least
//! 30 % of their hospitals of every level, the province at least 10 %.
//!
//! ## Method and rounding
//! Hospitals are stratified by **city × level**. For each selector (city
//! level, then province level) and each stratum of `n` hospitals,
//! `k = ceil(n · p / q)` are drawn (the fraction `p/q` from the rule set's
//! `spot_check` rules: 30/100 and 10/100 in `cn-henan-2024`). Rounding up in
//! every stratum guarantees that every stratum, every city and the province
//! as a whole reach at least the fraction ("不少于"); a stratum of one
//! hospital is always checked. The two selections are independent draws
//! (the province may visit a hospital the city also visited).
//!
//! Within a stratum the hospitals are ordered by name (then input position)
//! and drawn by a partial Fisher–Yates shuffle with SplitMix64 seeded from
//! the seed, the selector and the stratum (FNV-1a): the same seed gives the
//! same sample on every platform, whatever the order of the input rows.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::PolicyError;
use crate::ruleset::{RuleBody, RuleSet};
use crate::schedule::fnv1a64;
use crate::synth::SplitMix64;

/// One hospital to sample from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Name.
    pub name: String,
    /// City.
    pub city: String,
    /// Level, as given (e.g. `3`, `三级`).
    pub level: String,
}

/// One selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pick {
    /// Index of the hospital in the input.
    pub index: usize,
    /// `city/level`.
    pub stratum: String,
    /// `city` or `province`.
    pub selected_by: String,
}

/// Per selector and city: hospitals, selected, and the fraction reached.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// `city` or `province`.
    pub selected_by: String,
    /// City.
    pub city: String,
    /// Hospitals in the city.
    pub hospitals: usize,
    /// Selected.
    pub selected: usize,
    /// `selected / hospitals`.
    pub fraction: f64,
    /// The required minimum fraction.
    pub required: f64,
}

/// A sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    /// The seed.
    pub seed: u64,
    /// Rounding rule, stated.
    pub rounding: &'static str,
    /// Selections, city level first, each in input order.
    pub picks: Vec<Pick>,
    /// Coverage per selector and city.
    pub coverage: Vec<Coverage>,
}

/// The rounding rule as reports state it.
pub const ROUNDING: &str = "per city×level stratum: ceil(n × fraction) hospitals, so every stratum, city and the province reach at least the fraction";

/// The spot-check fractions of a rule set: (selector, numerator, denominator).
#[must_use]
pub fn fractions(rs: &RuleSet) -> Vec<(String, u64, u64)> {
    rs.rules
        .iter()
        .filter_map(|r| match &r.rule.body {
            RuleBody::SpotCheck { values } => values.iter().max_by_key(|v| v.from).map(|v| {
                (
                    v.params.level.clone(),
                    v.params.min_fraction[0],
                    v.params.min_fraction[1],
                )
            }),
            _ => None,
        })
        .collect()
}

/// Draws the sample.
///
/// # Errors
/// [`PolicyError::InvalidRuleSet`] when the rule set has no spot-check
/// rule or a fraction is not in (0, 1].
pub fn sample(units: &[Unit], seed: u64, rs: &RuleSet) -> Result<Sample, PolicyError> {
    let fr = fractions(rs);
    if fr.is_empty() {
        return Err(PolicyError::InvalidRuleSet {
            id: rs.id.clone(),
            detail: "no spot_check rule".into(),
        });
    }
    let mut strata: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, u) in units.iter().enumerate() {
        strata
            .entry((u.city.as_str(), u.level.as_str()))
            .or_default()
            .push(i);
    }
    for members in strata.values_mut() {
        members.sort_by(|&a, &b| units[a].name.cmp(&units[b].name).then(a.cmp(&b)));
    }
    let mut picks = Vec::new();
    let mut coverage = Vec::new();
    // City selections first, then the province.
    let mut fr = fr;
    fr.sort_by_key(|(sel, _, _)| if sel == "city" { 0 } else { 1 });
    for (selector, num, den) in fr {
        if den == 0 || num == 0 || num > den {
            return Err(PolicyError::InvalidRuleSet {
                id: rs.id.clone(),
                detail: format!("spot-check fraction {num}/{den} is not in (0, 1]"),
            });
        }
        let mut per_city: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut chosen = Vec::new();
        for (&(city, level), members) in &strata {
            let n = members.len();
            let k = usize::try_from((n as u64 * num).div_ceil(den))
                .unwrap_or(n)
                .min(n);
            let key = format!("{seed}\u{1f}{selector}\u{1f}{city}\u{1f}{level}");
            let mut g = SplitMix64::new(fnv1a64(key.as_bytes()) ^ seed);
            let mut order = members.clone();
            for j in 0..k {
                let r = j + g.below((n - j) as u64) as usize;
                order.swap(j, r);
            }
            for &i in &order[..k] {
                chosen.push(Pick {
                    index: i,
                    stratum: format!("{city}/{level}"),
                    selected_by: selector.clone(),
                });
            }
            let e = per_city.entry(city).or_default();
            e.0 += n;
            e.1 += k;
        }
        chosen.sort_by_key(|p| p.index);
        picks.extend(chosen);
        for (city, (n, k)) in per_city {
            coverage.push(Coverage {
                selected_by: selector.clone(),
                city: city.to_owned(),
                hospitals: n,
                selected: k,
                fraction: k as f64 / n as f64,
                required: num as f64 / den as f64,
            });
        }
    }
    Ok(Sample {
        seed,
        rounding: ROUNDING,
        picks,
        coverage,
    })
}

/// Reads sample units from CSV with a header holding at least `name`,
/// `city`, `level`; returns the header, the rows and the units.
///
/// # Errors
/// [`PolicyError::Parse`] when a column is missing or a row is short.
#[allow(
    clippy::type_complexity,
    reason = "header, rows and units belong together"
)]
pub fn units_from_csv(
    text: &str,
) -> Result<(Vec<String>, Vec<Vec<String>>, Vec<Unit>), PolicyError> {
    let mut rows = crate::csv::parse(text)?;
    if rows.is_empty() {
        return Err(PolicyError::Parse {
            what: "hospital CSV".into(),
            detail: "empty: expected a header with name,city,level".into(),
        });
    }
    let header = rows.remove(0);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| PolicyError::Parse {
                what: "hospital CSV".into(),
                detail: format!("no {name} column (need name,city,level)"),
            })
    };
    let (ci, cc, cl) = (col("name")?, col("city")?, col("level")?);
    let mut units = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let get = |c: usize| {
            r.get(c)
                .map(|s| s.trim().to_owned())
                .ok_or_else(|| PolicyError::Parse {
                    what: "hospital CSV".into(),
                    detail: format!(
                        "row {} has {} fields, header has {}",
                        i + 2,
                        r.len(),
                        header.len()
                    ),
                })
        };
        units.push(Unit {
            name: get(ci)?,
            city: get(cc)?,
            level: get(cl)?,
        });
    }
    Ok((header, rows, units))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(n: usize) -> Vec<Unit> {
        (0..n)
            .map(|i| Unit {
                name: format!("h{i:03}"),
                city: ["A", "B", "C"][i % 3].to_owned(),
                level: ["1", "2", "3"][(i / 3) % 3].to_owned(),
            })
            .collect()
    }

    #[test]
    fn meets_the_fractions_and_is_reproducible() {
        let rs = RuleSet::embedded("cn-henan-2024").unwrap();
        let u = units(101);
        let s = sample(&u, 42, &rs).unwrap();
        for c in &s.coverage {
            assert!(c.fraction >= c.required, "{c:?}");
        }
        assert_eq!(s, sample(&u, 42, &rs).unwrap());
        assert_ne!(s.picks, sample(&u, 43, &rs).unwrap().picks);
        // Row order does not matter.
        let mut rev = u.clone();
        rev.reverse();
        let s2 = sample(&rev, 42, &rs).unwrap();
        let names = |s: &Sample, u: &[Unit]| {
            let mut v: Vec<_> = s
                .picks
                .iter()
                .map(|p| (u[p.index].name.clone(), p.selected_by.clone()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&s, &u), names(&s2, &rev));
        // A stratum of one is always checked; ceil(0.3 · 4) = 2.
        let one = vec![Unit {
            name: "x".into(),
            city: "Z".into(),
            level: "3".into(),
        }];
        assert_eq!(sample(&one, 1, &rs).unwrap().picks.len(), 2);
        let four: Vec<Unit> = (0..4)
            .map(|i| Unit {
                name: format!("{i}"),
                city: "Z".into(),
                level: "3".into(),
            })
            .collect();
        let s = sample(&four, 1, &rs).unwrap();
        assert_eq!(
            s.picks.iter().filter(|p| p.selected_by == "city").count(),
            2
        );
        assert_eq!(
            s.picks
                .iter()
                .filter(|p| p.selected_by == "province")
                .count(),
            1
        );
    }
}
