//! The line counter: a [`Tracker`] plus a directed counting line with a
//! hysteresis band.
//!
//! ```text
//!            left side (−)                     signed distance d of a track's
//!      ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─  d = −h         filtered centre from the line
//!   P1 ●━━━━━━━━━━━━━━━━━━━━━━━━━━━━━▶ P2       (y down: with P1 left of P2,
//!      ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─  d = +h         "left" is the top of the image)
//!            right side (+)
//!
//!   zone(d) = Left if d < −h, Right if d > +h, Band otherwise
//!   a confirmed track whose zone goes Left → Right fires IN, Right → Left fires OUT
//! ```
//!
//! What fires a crossing, case by case:
//! - **Straddling boxes** do not matter: only the box centre is used.
//! - **Flicker** (a centre jittering across the line) stays inside the band:
//!   no zone change, no count. A person who really walks back across the far
//!   band edge produces a second, opposite crossing — the net count is right.
//! - **A person who turns back** inside the band never left their side: no count.
//! - **Dropouts** at the line: the track coasts on its constant-velocity
//!   prediction for up to [`TrackerConfig::max_coast`](super::TrackerConfig::max_coast)
//!   frames with a widening gate; when the detector sees the person again on
//!   the far side the zone changes and the crossing fires (flag
//!   [`COASTED`](super::flags::COASTED)). Zones are only taken from frames with
//!   a matched detection, never from predictions alone, so a prediction that
//!   overshoots a person who stopped cannot count.
//! - **Two people side by side** are two tracks: the assignment keeps them apart.
//! - **Tentative tracks** remember their first side; the crossing fires when
//!   the track is confirmed, even if it crossed before that.
//! - **Born in the band** (the detector first saw the person on the line):
//!   the origin side is the sign of the first position (flag
//!   [`BORN_IN_BAND`](super::flags::BORN_IN_BAND)).
//! - **Vanishing in the band** (the detector lost the person on the line for
//!   good): when a confirmed track that was once seen beyond the band on
//!   its side is dropped while its last seen centre was
//!   past the line (opposite sign to its side) and it was moving away from
//!   its side faster than [`LineConfig::vanish_min_speed`], the crossing is
//!   inferred at the last-seen time (flag
//!   [`VANISHED_PAST_LINE`](super::flags::VANISHED_PAST_LINE); can be turned off
//!   with [`LineConfig::count_vanishing`]). Such a transit is emitted when the
//!   track is dropped, so it may follow later transits in the queue.

use crate::counting::tracker::{Detection, Tracker, TrackerConfig};
use crate::counting::{Direction, Queue, Source, Transit, beams::MAX_QUEUE_CAPACITY, flags};
use crate::error::CoreError;
use crate::geometry::Point;
use crate::time::Timestamp;

/// A directed counting line P1 → P2 in image coordinates (y down).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CountingLine {
    /// Start point.
    pub p1: Point,
    /// End point.
    pub p2: Point,
}

impl CountingLine {
    /// The line from (x1, y1) to (x2, y2).
    #[must_use]
    pub const fn new(x1: f32, y1: f32, x2: f32, y2: f32) -> Self {
        CountingLine {
            p1: Point::new(x1, y1),
            p2: Point::new(x2, y2),
        }
    }

    /// Checks the points are finite, within ±1e6 px, and at least 1 px apart.
    pub fn validate(&self) -> Result<(), CoreError> {
        for (field, v) in [
            ("line.x1", self.p1.x),
            ("line.y1", self.p1.y),
            ("line.x2", self.p2.x),
            ("line.y2", self.p2.y),
        ] {
            if !v.is_finite() || v.abs() > super::tracker::MAX_COORDINATE {
                return Err(CoreError::InvalidArgument {
                    field,
                    value: f64::from(v),
                    expected: "a finite coordinate within ±1e6 px",
                });
            }
        }
        let len = self.p1.distance(self.p2);
        if len.is_nan() || len < 1.0 {
            return Err(CoreError::InvalidArgument {
                field: "line length",
                value: f64::from(len),
                expected: "P1 and P2 at least 1 px apart",
            });
        }
        Ok(())
    }

    /// Signed distance of `p` from the line, px: negative on the left (the
    /// "out" side), positive on the right (the "in" side), as seen looking
    /// from P1 to P2 on the screen with y down.
    #[must_use]
    pub fn signed_distance(&self, p: Point) -> f32 {
        let (dx, dy) = (self.p2.x - self.p1.x, self.p2.y - self.p1.y);
        let len = dx.hypot(dy);
        if len > 0.0 {
            (dx * (p.y - self.p1.y) - dy * (p.x - self.p1.x)) / len
        } else {
            0.0
        }
    }

    /// The unit normal pointing to the right ("in") side.
    #[must_use]
    pub fn normal(&self) -> Point {
        let (dx, dy) = (self.p2.x - self.p1.x, self.p2.y - self.p1.y);
        let len = dx.hypot(dy);
        if len > 0.0 {
            Point::new(-dy / len, dx / len)
        } else {
            Point::new(0.0, 0.0)
        }
    }
}

/// Settings of a [`LineCounter`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LineConfig {
    /// The counting line.
    pub line: CountingLine,
    /// Half-width h of the hysteresis band, px (0 ..= 1e5; default 12).
    pub band: f32,
    /// Infer a crossing for a track that vanishes past the line (default true).
    pub count_vanishing: bool,
    /// … only when it was moving away from its side at least this fast,
    /// px/s (default 20).
    pub vanish_min_speed: f32,
    /// Transits held until polled (1 ..= 1 048 576; default 256).
    pub queue_capacity: usize,
    /// The tracker's settings.
    pub tracker: TrackerConfig,
}

impl LineConfig {
    /// Default settings for `line`.
    #[must_use]
    pub fn new(line: CountingLine) -> Self {
        LineConfig {
            line,
            band: 12.0,
            count_vanishing: true,
            vanish_min_speed: 20.0,
            queue_capacity: 256,
            tracker: TrackerConfig::default(),
        }
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), CoreError> {
        self.line.validate()?;
        if !self.band.is_finite() || !(0.0..=1.0e5).contains(&self.band) {
            return Err(CoreError::InvalidArgument {
                field: "band",
                value: f64::from(self.band),
                expected: "a half-width in 0 ..= 1e5 px",
            });
        }
        if !self.vanish_min_speed.is_finite() || self.vanish_min_speed < 0.0 {
            return Err(CoreError::InvalidArgument {
                field: "vanish_min_speed",
                value: f64::from(self.vanish_min_speed),
                expected: "a finite speed >= 0 px/s",
            });
        }
        if self.queue_capacity == 0 || self.queue_capacity > MAX_QUEUE_CAPACITY {
            return Err(CoreError::InvalidArgument {
                field: "queue_capacity",
                value: self.queue_capacity as f64,
                expected: "1 ..= 1048576",
            });
        }
        self.tracker.validate()
    }
}

/// Which side of the band a position is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Zone {
    Left,
    Band,
    Right,
}

/// Per-track counting-line bookkeeping, kept inside the track.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LineState {
    /// The first matched position (also used to initialise the velocity).
    pub(crate) first_pos: Point,
    /// The side the track is on (Band only before the first observation).
    side: Zone,
    born_in_band: bool,
    /// The track has been observed beyond the band on its current side.
    seen_on_side: bool,
    crossed: bool,
    last_d: f32,
}

impl LineState {
    pub(crate) const fn new(first_pos: Point) -> Self {
        LineState {
            first_pos,
            side: Zone::Band,
            born_in_band: false,
            seen_on_side: false,
            crossed: false,
            last_d: 0.0,
        }
    }
}

/// Tracker + counting line. Not thread-safe (`&mut self`); one per camera.
///
/// ```
/// use hsm_core::counting::{CountingLine, Detection, LineConfig, LineCounter, Direction};
/// use hsm_core::Timestamp;
///
/// // A horizontal line across a 320×240 image; "in" is walking down the image.
/// let mut c = LineCounter::new(LineConfig::new(CountingLine::new(0.0, 120.0, 320.0, 120.0)))?;
/// for k in 0..20 {
///     let y = 40.0 + 8.0 * k as f32; // walking down at 8 px per frame
///     c.push_frame(Timestamp(k * 66_667), &[Detection::new(140.0, y - 20.0, 40.0, 40.0)])?;
/// }
/// assert_eq!(c.count(Direction::In), 1);
/// assert_eq!(c.count(Direction::Out), 0);
/// # Ok::<(), hsm_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LineCounter {
    config: LineConfig,
    tracker: Tracker,
    transits: Queue<Transit>,
    counts: [u64; 2],
}

impl LineCounter {
    /// A counter with validated settings; allocates every buffer once.
    pub fn new(config: LineConfig) -> Result<Self, CoreError> {
        config.validate()?;
        Ok(LineCounter {
            config,
            tracker: Tracker::new(config.tracker)?,
            transits: Queue::new(config.queue_capacity),
            counts: [0; 2],
        })
    }

    /// The settings.
    #[must_use]
    pub const fn config(&self) -> &LineConfig {
        &self.config
    }

    /// The tracker (live tracks, frames processed).
    #[must_use]
    pub const fn tracker(&self) -> &Tracker {
        &self.tracker
    }

    fn zone(&self, d: f32) -> Zone {
        if d < -self.config.band {
            Zone::Left
        } else if d > self.config.band {
            Zone::Right
        } else {
            Zone::Band
        }
    }

    /// Processes one frame of detections taken at `t` (errors as
    /// [`Tracker::update`]; on error nothing changes).
    pub fn push_frame(&mut self, t: Timestamp, detections: &[Detection]) -> Result<(), CoreError> {
        self.tracker.update(t, detections)?;
        let line = self.config.line;
        let band = self.config.band;
        let zone_of = |d: f32| {
            if d < -band {
                Zone::Left
            } else if d > band {
                Zone::Right
            } else {
                Zone::Band
            }
        };
        for i in 0..self.tracker.tracks().len() {
            let tr = &mut self.tracker.tracks_mut()[i];
            if tr.missed > 0 {
                continue; // zones come from matched frames only
            }
            let d = line.signed_distance(tr.pos);
            let zone = zone_of(d);
            let st = &mut tr.line;
            st.last_d = d;
            if tr.hits == 1 {
                // First sighting: the origin side.
                st.side = match zone {
                    Zone::Band => {
                        st.born_in_band = true;
                        if d < 0.0 { Zone::Left } else { Zone::Right }
                    }
                    z => {
                        st.seen_on_side = true;
                        z
                    }
                };
                continue;
            }
            if zone == st.side {
                st.seen_on_side = true;
            }
            if !tr.confirmed || zone == Zone::Band || zone == st.side {
                continue;
            }
            let direction = if st.side == Zone::Left {
                Direction::In
            } else {
                Direction::Out
            };
            let mut fl = 0;
            if st.born_in_band && !st.crossed {
                fl |= flags::BORN_IN_BAND;
            }
            if tr.coasted_before_hit > 0 {
                fl |= flags::COASTED;
            }
            st.side = zone;
            st.seen_on_side = true;
            st.crossed = true;
            let tx = Transit {
                t,
                direction,
                persons: 1,
                source: Source::Tracks,
                flags: fl,
                track_id: tr.id,
            };
            self.emit(tx);
        }
        if self.config.count_vanishing {
            let normal = line.normal();
            for i in 0..self.tracker.removed().len() {
                let tr = self.tracker.removed()[i];
                if !tr.confirmed || !tr.line.seen_on_side {
                    continue;
                }
                let st = tr.line;
                let v_n = tr.vel.x * normal.x + tr.vel.y * normal.y;
                let min = self.config.vanish_min_speed;
                let (past, moving_away, direction) = match st.side {
                    Zone::Left => (st.last_d > 0.0, v_n > min, Direction::In),
                    Zone::Right => (st.last_d < 0.0, v_n < -min, Direction::Out),
                    Zone::Band => continue,
                };
                if past && moving_away && self.zone(st.last_d) == Zone::Band {
                    self.emit(Transit {
                        t: tr.last_seen,
                        direction,
                        persons: 1,
                        source: Source::Tracks,
                        flags: flags::VANISHED_PAST_LINE,
                        track_id: tr.id,
                    });
                }
            }
        }
        Ok(())
    }

    fn emit(&mut self, tx: Transit) {
        if self.transits.push(tx)
            && let Some(last) = self.transits.back_mut()
        {
            last.flags |= flags::QUEUE_OVERFLOW;
        }
        self.counts[tx.direction as usize] += u64::from(tx.persons);
    }

    /// Persons counted so far in `direction` (including polled transits).
    #[must_use]
    pub fn count(&self, direction: Direction) -> u64 {
        self.counts[direction as usize]
    }

    /// Transits waiting to be taken.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.transits.len()
    }

    /// Transits dropped because the queue was full (never reset).
    #[must_use]
    pub fn dropped(&self) -> u64 {
        self.transits.dropped_total()
    }

    /// Moves up to `out.len()` transits, oldest first, into `out`; returns how many.
    pub fn poll(&mut self, out: &mut [Transit]) -> usize {
        self.transits.poll(out)
    }

    /// Takes every waiting transit, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = Transit> + '_ {
        self.transits.drain()
    }

    /// Forgets every track and transit (settings kept).
    pub fn reset(&mut self) {
        self.tracker.reset();
        self.transits.clear();
        self.counts = [0; 2];
    }
}
