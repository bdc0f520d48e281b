//! The reference blackbody: measured in its region every frame, its offset
//! to the set-point tracked over time.
//!
//! ## Per frame
//! The region's counts are averaged, skipping pixels at the sensor's
//! limits (0, 65 535: a defective pixel must not move the reference); the
//! mean is converted to °C (`measured`), and `spread` is the °C difference
//! between the region's hottest and coldest such pixel. The frame's
//! measurement is classified, in this order:
//!
//! | flag | when |
//! |---|---|
//! | `BLACKBODY_MISSING` | no usable pixel, or `|measured − set_point| > missing_c` (occluded by something at another temperature), or no good measurement yet |
//! | `BLACKBODY_NON_UNIFORM` | `spread > non_uniform_c` (partly occluded, or not a blackbody) |
//! | `BLACKBODY_OUT_OF_BAND` | `|measured − set_point| > band_c` |
//! | `BLACKBODY_DRIFTING` | the tracked offset changes faster than `max_drift_c_per_min` |
//!
//! ## Tracking
//! A good measurement (none of the first three flags) updates two
//! exponential averages of the offset `measured − set_point`, weighted by
//! the time since the previous good one (`α = 1 − exp(−Δt/τ)`): a fast one
//! with `τ = smoothing` — the offset applied to readings — and a slow one
//! with `τ = 4 · smoothing`. Under a steady drift of `r` °C/s each lags by
//! `r·τ`, so `(fast − slow) / (3·smoothing)` estimates the drift rate with
//! no history buffer. The first good measurement initialises both. A bad
//! measurement leaves the tracked offset as it was (and the frame is
//! flagged): the readings of that frame are still corrected with the last
//! good offset, but they carry the flag and so are not valid.

use hsm_core::{Celsius, FrameView, Micros, Rect, Timestamp};

use super::flags::QualityFlags;
use crate::radiometry::Converter;

/// Where the blackbody is and what it should read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlackbodyConfig {
    /// The region measured: the emitter's interior, clear of its blurred edge.
    pub rect: Rect,
    /// Segmentation ignores `rect` grown by this many pixels on each side
    /// (the emitter's edge and housing are never part of a face). Default 3.
    pub exclude_margin: u32,
    /// Its set-point temperature.
    pub set_point: Celsius,
    /// Largest accepted `|measured − set_point|` before
    /// `BLACKBODY_OUT_OF_BAND`, °C. Default 2.0.
    pub band_c: f64,
    /// `|measured − set_point|` beyond which the blackbody is taken as not
    /// visible, °C. Default 3.0.
    pub missing_c: f64,
    /// Largest accepted hottest-minus-coldest pixel spread, °C. Default 0.6
    /// (about ten times a 50 mK NETD).
    pub non_uniform_c: f64,
    /// Largest accepted drift of the offset, °C per minute. Default 0.2.
    pub max_drift_c_per_min: f64,
    /// Time constant of the offset's smoothing. Default 5 s.
    pub smoothing: Micros,
}

impl BlackbodyConfig {
    /// A blackbody at `rect` and `set_point` with the default tolerances.
    #[must_use]
    pub const fn new(rect: Rect, set_point: Celsius) -> Self {
        BlackbodyConfig {
            rect,
            exclude_margin: 3,
            set_point,
            band_c: 2.0,
            missing_c: 3.0,
            non_uniform_c: 0.6,
            max_drift_c_per_min: 0.2,
            smoothing: Micros(5_000_000),
        }
    }
}

/// What the blackbody showed in one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlackbodyReading {
    /// Mean temperature of the region this frame (NaN without a blackbody
    /// or when no pixel is usable).
    pub measured: Celsius,
    /// Hottest minus coldest usable pixel, °C (NaN when not measured).
    pub spread_c: f64,
    /// The tracked offset applied to readings (`measured − set_point`,
    /// smoothed); NaN until the first good measurement.
    pub offset: Celsius,
    /// Estimated drift of the offset, °C per minute (NaN until measured).
    pub drift_c_per_min: f64,
    /// The blackbody flags of this frame (`NO_BLACKBODY` when none is configured).
    pub flags: QualityFlags,
}

impl Default for BlackbodyReading {
    fn default() -> Self {
        BlackbodyReading {
            measured: Celsius(f64::NAN),
            spread_c: f64::NAN,
            offset: Celsius(f64::NAN),
            drift_c_per_min: f64::NAN,
            flags: QualityFlags::NO_BLACKBODY,
        }
    }
}

/// Tracks a blackbody's offset across frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlackbodyTracker {
    cfg: BlackbodyConfig,
    fast: f64,
    slow: f64,
    last_good: Option<Timestamp>,
}

impl BlackbodyTracker {
    /// A tracker with no measurement yet.
    #[must_use]
    pub const fn new(cfg: BlackbodyConfig) -> Self {
        BlackbodyTracker {
            cfg,
            fast: f64::NAN,
            slow: f64::NAN,
            last_good: None,
        }
    }

    /// Forgets every measurement.
    pub fn reset(&mut self) {
        *self = BlackbodyTracker::new(self.cfg);
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &BlackbodyConfig {
        &self.cfg
    }

    /// What segmentation ignores: `rect` grown by `exclude_margin`, clipped
    /// at the image origin (and by the caller at the far edges).
    #[must_use]
    pub const fn excluded(&self) -> Rect {
        let r = self.cfg.rect;
        let m = self.cfg.exclude_margin;
        let x = r.x.saturating_sub(m);
        let y = r.y.saturating_sub(m);
        Rect::new(
            x,
            y,
            r.right().saturating_add(m) - x,
            r.bottom().saturating_add(m) - y,
        )
    }

    /// Measures the region in `frame` (the caller guarantees it lies inside
    /// the frame) and updates the tracked offset.
    pub fn update(
        &mut self,
        frame: &FrameView<'_, u16>,
        conv: &Converter,
        t: Timestamp,
    ) -> BlackbodyReading {
        let r = self.cfg.rect;
        let (mut sum, mut n, mut lo, mut hi) = (0u64, 0u64, u16::MAX, 0u16);
        for y in r.y..r.bottom() {
            if let Some(px) = frame
                .row(y as usize)
                .and_then(|row| row.get(r.x as usize..r.right() as usize))
            {
                for &v in px {
                    if v != 0 && v != u16::MAX {
                        sum += u64::from(v);
                        n += 1;
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
        }
        let mut reading = BlackbodyReading {
            flags: QualityFlags::NONE,
            ..BlackbodyReading::default()
        };
        let measured = if n == 0 {
            None
        } else {
            conv.celsius_of(sum as f64 / n as f64)
        };
        let mut good = false;
        match measured {
            None => reading.flags |= QualityFlags::BLACKBODY_MISSING,
            Some(m) => {
                reading.measured = m;
                let spread = match (
                    conv.celsius_of(f64::from(hi)),
                    conv.celsius_of(f64::from(lo)),
                ) {
                    (Some(a), Some(b)) => a.get() - b.get(),
                    _ => f64::INFINITY,
                };
                reading.spread_c = spread;
                let off = m.get() - self.cfg.set_point.get();
                if off.abs() > self.cfg.missing_c {
                    reading.flags |= QualityFlags::BLACKBODY_MISSING;
                } else if spread > self.cfg.non_uniform_c {
                    reading.flags |= QualityFlags::BLACKBODY_NON_UNIFORM;
                } else if off.abs() > self.cfg.band_c {
                    reading.flags |= QualityFlags::BLACKBODY_OUT_OF_BAND;
                } else {
                    good = true;
                    self.track(off, t);
                }
            }
        }
        if self.last_good.is_none() {
            reading.flags |= QualityFlags::BLACKBODY_MISSING;
        } else {
            reading.offset = Celsius(self.fast);
            let tau = self.cfg.smoothing.as_secs_f64();
            let rate = (self.fast - self.slow) / (3.0 * tau) * 60.0;
            reading.drift_c_per_min = rate;
            if good && rate.abs() > self.cfg.max_drift_c_per_min {
                reading.flags |= QualityFlags::BLACKBODY_DRIFTING;
            }
        }
        reading
    }

    fn track(&mut self, off: f64, t: Timestamp) {
        match self.last_good {
            None => {
                self.fast = off;
                self.slow = off;
            }
            Some(prev) => {
                let dt = t
                    .checked_since(prev)
                    .map_or(0.0, Micros::as_secs_f64)
                    .max(0.0);
                let tau = self.cfg.smoothing.as_secs_f64();
                let a_fast = 1.0 - (-dt / tau).exp();
                let a_slow = 1.0 - (-dt / (4.0 * tau)).exp();
                self.fast += a_fast * (off - self.fast);
                self.slow += a_slow * (off - self.slow);
            }
        }
        self.last_good = Some(t);
    }
}
