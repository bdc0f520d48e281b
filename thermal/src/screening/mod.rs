//! Screening decisions per person, not per frame.
//!
//! A [`Screener`] collects the [`FaceReading`]s of each person (grouped by
//! a person/track id the caller supplies — the counting tracker, or a gate's
//! passage sequence) and, when the person has passed, decides once.
//!
//! ## The person's temperature
//! The median of the person's **valid** readings (no quality flag) of the
//! blackbody-corrected site temperature: the median, because a person's
//! frames differ (distance, head pose) and one odd frame must not decide.
//! The body temperature is estimated as that median plus the
//! site-to-core offset ([`ScreeningConfig::site_to_core`], default 0.4 °C:
//! the inner canthus reads a few tenths below core temperature; set it from
//! the site's own comparison against a clinical thermometer). The site
//! temperature and the body estimate are reported separately.
//!
//! ## The decision
//! The body estimate is rounded to the 0.1 °C display resolution (half up)
//! and compared with the threshold: at or above is [`Outcome::Fever`], so
//! the decision always agrees with the number an operator sees. With fewer
//! than [`ScreeningConfig::min_valid_readings`] valid readings there is no
//! trustworthy normal reading: the person is [`Outcome::Fever`] if the
//! median of the flagged readings (corrected when a blackbody offset
//! exists, apparent otherwise) is at or above the threshold, and
//! [`Outcome::Recheck`] otherwise. **A reading is never nudged towards
//! normal**: nothing is clamped, capped or discarded for being high, a
//! flagged reading can raise an alarm but never clear a person, and the
//! adaptive mode can only lower the line.
//!
//! ## Modes
//! - [`Mode::Fixed`]: the threshold (default 37.3 °C, China's common fever
//!   line; adjustable 34.0–39.0 °C in 0.1 °C steps).
//! - [`Mode::Adaptive`]: the line is the trimmed mean of the body estimates
//!   of the last `window` persons decided normal, plus `delta`, but never
//!   above the fixed threshold. **Warm-up**: until `window` normal persons
//!   have been seen, the fixed threshold is used (so the first persons are
//!   screened exactly as in fixed mode, and a cold start cannot set a high
//!   baseline). Febrile, rechecked and flagged persons never enter the
//!   baseline.

use std::collections::{HashMap, VecDeque};

use hsm_core::{Celsius, CoreError};

use crate::error::ThermalError;
use crate::extract::{FaceReading, QualityFlags};

/// How the fever line is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// The configured threshold.
    Fixed,
    /// A running baseline of recent normal persons plus a delta (see the
    /// [module docs](self)).
    Adaptive {
        /// Normal persons in the baseline, `2..=1000`. Default 30.
        window: usize,
        /// Fraction trimmed from each end before averaging, `[0, 0.45]`. Default 0.1.
        trim: f64,
        /// Added to the baseline, °C, `0..=3`. Default 0.8.
        delta: f64,
    },
}

/// Screening configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScreeningConfig {
    /// The fever line for the body estimate: 34.0–39.0 °C in 0.1 °C steps.
    /// Default 37.3 °C. In adaptive mode, the highest the line can be.
    pub threshold: Celsius,
    /// The mode.
    pub mode: Mode,
    /// Body minus measurement-site temperature, °C, within ±3. Default 0.4.
    pub site_to_core: f64,
    /// Valid readings needed before a person can be decided normal, `>= 1`.
    /// Default 2.
    pub min_valid_readings: u32,
}

impl Default for ScreeningConfig {
    fn default() -> Self {
        ScreeningConfig {
            threshold: Celsius(37.3),
            mode: Mode::Fixed,
            site_to_core: 0.4,
            min_valid_readings: 2,
        }
    }
}

impl Mode {
    /// Adaptive mode with the defaults: 30 persons, 10 % trimmed, +0.8 °C.
    #[must_use]
    pub const fn adaptive() -> Mode {
        Mode::Adaptive {
            window: 30,
            trim: 0.1,
            delta: 0.8,
        }
    }
}

/// The decision about one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Below the line on enough valid readings.
    Normal,
    /// At or above the line.
    Fever,
    /// No trustworthy reading: screen again (remove glasses, step closer, …).
    Recheck,
}

/// One person's screening result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PersonDecision {
    /// The person/track id.
    pub person: u64,
    /// Readings collected.
    pub readings: u32,
    /// Valid readings among them.
    pub valid_readings: u32,
    /// Median corrected site temperature of the valid readings (NaN when
    /// there are too few).
    pub site: Celsius,
    /// Estimated body temperature (site + offset), full precision; from the
    /// flagged readings when there are too few valid ones; NaN when there
    /// is no reading with a number at all.
    pub body: Celsius,
    /// `body` at the 0.1 °C display resolution: what the decision compares.
    pub body_display: Celsius,
    /// The line used.
    pub threshold: Celsius,
    /// The decision.
    pub outcome: Outcome,
    /// Every flag any of the person's readings carried.
    pub flags: QualityFlags,
}

#[derive(Clone, Debug, Default)]
struct PersonAcc {
    valid: Vec<f64>,
    flagged: Vec<f64>,
    readings: u32,
    flags: QualityFlags,
}

/// Collects readings per person and decides once per person.
#[derive(Clone, Debug)]
pub struct Screener {
    cfg: ScreeningConfig,
    people: HashMap<u64, PersonAcc>,
    baseline: VecDeque<f64>,
    scratch: Vec<f64>,
}

fn invalid(field: &'static str, value: f64, expected: &'static str) -> ThermalError {
    ThermalError::Core(CoreError::InvalidArgument {
        field,
        value,
        expected,
    })
}

/// Checks a fixed threshold: 34.0–39.0 °C in 0.1 °C steps.
///
/// # Errors
/// [`ThermalError::Core`] (`InvalidArgument`) naming `threshold`.
pub fn validate_threshold(t: Celsius) -> Result<Celsius, ThermalError> {
    let v = t.get();
    let tenths = (v * 10.0).round();
    if v.is_finite() && (340.0..=390.0).contains(&tenths) && (v * 10.0 - tenths).abs() < 1e-6 {
        Ok(Celsius(tenths / 10.0))
    } else {
        Err(invalid("threshold", v, "34.0..=39.0 °C in steps of 0.1 °C"))
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Rounds half up to 0.1 (so 37.25 displays as 37.3).
fn display(v: f64) -> f64 {
    ((v * 10.0) + 0.5 + 1e-9).floor() / 10.0
}

impl Screener {
    /// Validates the configuration.
    ///
    /// # Errors
    /// [`ThermalError::Core`] (`InvalidArgument`) naming the bad field.
    pub fn new(cfg: ScreeningConfig) -> Result<Self, ThermalError> {
        let threshold = validate_threshold(cfg.threshold)?;
        if !(cfg.site_to_core.is_finite() && cfg.site_to_core.abs() <= 3.0) {
            return Err(invalid("site_to_core", cfg.site_to_core, "within ±3 °C"));
        }
        if cfg.min_valid_readings == 0 {
            return Err(invalid("min_valid_readings", 0.0, ">= 1"));
        }
        if let Mode::Adaptive {
            window,
            trim,
            delta,
        } = cfg.mode
        {
            if !(2..=1000).contains(&window) {
                return Err(invalid("mode.window", window as f64, "2..=1000 persons"));
            }
            if !(trim.is_finite() && (0.0..=0.45).contains(&trim)) {
                return Err(invalid("mode.trim", trim, "a fraction in [0, 0.45]"));
            }
            if !(delta.is_finite() && (0.0..=3.0).contains(&delta)) {
                return Err(invalid("mode.delta", delta, "0..=3 °C"));
            }
        }
        Ok(Screener {
            cfg: ScreeningConfig { threshold, ..cfg },
            people: HashMap::new(),
            baseline: VecDeque::new(),
            scratch: Vec::new(),
        })
    }

    /// The configuration (threshold snapped to its 0.1 °C step).
    #[must_use]
    pub const fn config(&self) -> &ScreeningConfig {
        &self.cfg
    }

    /// Adds one reading of `person`.
    pub fn observe(&mut self, person: u64, reading: &FaceReading) {
        let acc = self.people.entry(person).or_default();
        acc.readings = acc.readings.saturating_add(1);
        acc.flags |= reading.flags;
        let corrected = reading.corrected_c.get();
        if reading.flags.is_valid() && corrected.is_finite() {
            acc.valid.push(corrected);
        } else {
            let v = if corrected.is_finite() {
                corrected
            } else {
                reading.site_c.get()
            };
            if v.is_finite() {
                acc.flagged.push(v);
            }
        }
    }

    /// Persons with readings not yet decided.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.people.len()
    }

    /// The line a person decided now would be held to.
    #[must_use]
    pub fn current_threshold(&self) -> Celsius {
        let fixed = self.cfg.threshold;
        let Mode::Adaptive {
            window,
            trim,
            delta,
        } = self.cfg.mode
        else {
            return fixed;
        };
        if self.baseline.len() < window {
            return fixed;
        }
        let mut v: Vec<f64> = self.baseline.iter().copied().collect();
        v.sort_by(f64::total_cmp);
        let k = ((v.len() as f64) * trim).floor() as usize;
        let kept = v.get(k..v.len() - k).unwrap_or(&v[..]);
        let mean = kept.iter().sum::<f64>() / kept.len().max(1) as f64;
        let adaptive = display(mean + delta);
        Celsius(adaptive.min(fixed.get()))
    }

    /// Decides `person` from the readings collected and forgets them;
    /// `None` for a person with no readings.
    pub fn decide(&mut self, person: u64) -> Option<PersonDecision> {
        let mut acc = self.people.remove(&person)?;
        let threshold = self.current_threshold();
        let offset = self.cfg.site_to_core;
        let valid_n = acc.valid.len() as u32;
        let enough = valid_n >= self.cfg.min_valid_readings;
        let (site, body) = if enough {
            let s = median(&mut acc.valid);
            (s, s + offset)
        } else {
            self.scratch.clear();
            self.scratch.extend_from_slice(&acc.flagged);
            self.scratch.extend_from_slice(&acc.valid);
            (f64::NAN, median(&mut self.scratch) + offset)
        };
        let shown = display(body);
        let outcome = if body.is_finite() && shown >= threshold.get() - 1e-9 {
            Outcome::Fever
        } else if enough {
            Outcome::Normal
        } else {
            Outcome::Recheck
        };
        if outcome == Outcome::Normal
            && let Mode::Adaptive { window, .. } = self.cfg.mode
        {
            if self.baseline.len() == window {
                self.baseline.pop_front();
            }
            self.baseline.push_back(body);
        }
        Some(PersonDecision {
            person,
            readings: acc.readings,
            valid_readings: valid_n,
            site: Celsius(site),
            body: Celsius(body),
            body_display: Celsius(shown),
            threshold,
            outcome,
            flags: acc.flags,
        })
    }

    /// Decides every pending person, in id order.
    pub fn decide_all(&mut self) -> Vec<PersonDecision> {
        let mut ids: Vec<u64> = self.people.keys().copied().collect();
        ids.sort_unstable();
        ids.into_iter().filter_map(|id| self.decide(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Pixel;
    use hsm_core::{Point, Rect};

    fn reading(c: f64, flags: QualityFlags) -> FaceReading {
        FaceReading {
            bbox: Rect::new(0, 0, 40, 50),
            centroid: Point::new(20.0, 25.0),
            area: 1500,
            site: Pixel { x: 20, y: 20 },
            site_c: Celsius(c + 0.8),
            corrected_c: Celsius(c),
            flags,
        }
    }

    #[test]
    fn thresholds_are_validated_in_tenths() {
        assert_eq!(validate_threshold(Celsius(37.3)).unwrap(), Celsius(37.3));
        assert_eq!(validate_threshold(Celsius(34.0)).unwrap(), Celsius(34.0));
        assert_eq!(validate_threshold(Celsius(39.0)).unwrap(), Celsius(39.0));
        for bad in [33.9, 39.1, 37.25, f64::NAN, f64::INFINITY] {
            let e = validate_threshold(Celsius(bad)).unwrap_err();
            assert!(e.to_string().contains("threshold"), "{e}");
        }
        for cfg in [
            ScreeningConfig {
                site_to_core: f64::NAN,
                ..ScreeningConfig::default()
            },
            ScreeningConfig {
                min_valid_readings: 0,
                ..ScreeningConfig::default()
            },
            ScreeningConfig {
                mode: Mode::Adaptive {
                    window: 1,
                    trim: 0.1,
                    delta: 0.8,
                },
                ..ScreeningConfig::default()
            },
            ScreeningConfig {
                mode: Mode::Adaptive {
                    window: 30,
                    trim: 0.5,
                    delta: 0.8,
                },
                ..ScreeningConfig::default()
            },
            ScreeningConfig {
                mode: Mode::Adaptive {
                    window: 30,
                    trim: 0.1,
                    delta: -1.0,
                },
                ..ScreeningConfig::default()
            },
        ] {
            assert!(Screener::new(cfg).is_err(), "{cfg:?}");
        }
    }

    #[test]
    fn per_person_median_and_display_rounding() {
        let mut s = Screener::new(ScreeningConfig::default()).unwrap();
        // Site 36.85 → body 37.25 → displays 37.3 → fever (agrees with the display).
        for c in [36.85, 36.84, 36.86, 30.0] {
            s.observe(1, &reading(c, QualityFlags::NONE));
        }
        let d = s.decide(1).unwrap();
        assert!((d.site.get() - 36.845).abs() < 1e-9, "{d:?}");
        assert_eq!(d.outcome, Outcome::Normal, "37.245 displays 37.2: {d:?}");
        for c in [36.85, 36.85, 36.86] {
            s.observe(2, &reading(c, QualityFlags::NONE));
        }
        let d = s.decide(2).unwrap();
        assert_eq!(
            (d.outcome, d.body_display),
            (Outcome::Fever, Celsius(37.3)),
            "{d:?}"
        );
        assert!(s.decide(2).is_none(), "decided persons are forgotten");
    }

    #[test]
    fn flagged_readings_can_alarm_but_never_clear() {
        let mut s = Screener::new(ScreeningConfig::default()).unwrap();
        // Only flagged readings, low: recheck, not normal.
        s.observe(1, &reading(36.0, QualityFlags::GLASSES));
        s.observe(1, &reading(36.1, QualityFlags::GLASSES));
        assert_eq!(s.decide(1).unwrap().outcome, Outcome::Recheck);
        // Only flagged readings, high: fever.
        s.observe(2, &reading(37.5, QualityFlags::NO_BLACKBODY));
        assert_eq!(s.decide(2).unwrap().outcome, Outcome::Fever);
        // One valid reading is not enough to clear.
        s.observe(3, &reading(36.0, QualityFlags::NONE));
        s.observe(3, &reading(35.0, QualityFlags::TOO_FEW_PIXELS));
        let d = s.decide(3).unwrap();
        assert_eq!(
            (d.outcome, d.valid_readings, d.readings),
            (Outcome::Recheck, 1, 2)
        );
        assert!(d.flags.contains(QualityFlags::TOO_FEW_PIXELS));
        // Without a blackbody offset the apparent temperature is used.
        let mut r = reading(f64::NAN, QualityFlags::NO_BLACKBODY);
        r.site_c = Celsius(37.1);
        s.observe(4, &r);
        let d = s.decide(4).unwrap();
        assert_eq!(d.outcome, Outcome::Fever, "{d:?}");
    }

    #[test]
    fn adaptive_warms_up_on_the_fixed_line_and_only_lowers_it() {
        let mode = Mode::Adaptive {
            window: 5,
            trim: 0.2,
            delta: 0.5,
        };
        let mut s = Screener::new(ScreeningConfig {
            mode,
            ..ScreeningConfig::default()
        })
        .unwrap();
        assert_eq!(s.current_threshold(), Celsius(37.3));
        // Cold day: normal persons read 36.0 body; after 5, the line is 36.5.
        for id in 0..5 {
            assert_eq!(s.current_threshold(), Celsius(37.3), "warm-up");
            s.observe(id, &reading(35.6, QualityFlags::NONE));
            s.observe(id, &reading(35.6, QualityFlags::NONE));
            assert_eq!(s.decide(id).unwrap().outcome, Outcome::Normal);
        }
        assert_eq!(s.current_threshold(), Celsius(36.5));
        s.observe(9, &reading(36.2, QualityFlags::NONE));
        s.observe(9, &reading(36.2, QualityFlags::NONE));
        assert_eq!(
            s.decide(9).unwrap().outcome,
            Outcome::Fever,
            "36.6 over an adaptive 36.5"
        );
        // Hot day: a baseline of 37.2 + 0.5 would be 37.7; capped at 37.3.
        let mut s = Screener::new(ScreeningConfig {
            mode,
            ..ScreeningConfig::default()
        })
        .unwrap();
        for id in 0..5 {
            s.observe(id, &reading(36.8, QualityFlags::NONE));
            s.observe(id, &reading(36.8, QualityFlags::NONE));
            s.decide(id);
        }
        assert_eq!(s.current_threshold(), Celsius(37.3));
    }
}
