//! Multi-object tracker: detections per frame → tracks.
//!
//! Per frame: every track is predicted forward with its constant velocity;
//! predicted positions and detection centres are compared by Euclidean
//! distance; pairs farther apart than the gate (which widens by
//! [`TrackerConfig::gate_growth`] per frame a track has been coasting) are
//! forbidden; the [`Hungarian`] solver picks the cheapest set of matches.
//! Matched tracks are corrected with an α–β filter; unmatched tracks
//! **coast** on their prediction for up to [`TrackerConfig::max_coast`] frames
//! (this is what carries a person through a detector dropout at the line);
//! unmatched detections start tentative tracks, which become *confirmed*
//! after [`TrackerConfig::min_hits`] matches. A single false detection
//! therefore never becomes a counted track.
//!
//! All buffers are sized at construction from [`TrackerConfig::max_tracks`]
//! and [`TrackerConfig::max_detections`]; [`Tracker::update`] does not
//! allocate.

use crate::counting::assign::{Hungarian, UNASSIGNED};
use crate::counting::line::LineState;
use crate::error::CoreError;
use crate::geometry::Point;
use crate::time::Timestamp;

/// Largest coordinate magnitude accepted, in pixels.
pub const MAX_COORDINATE: f32 = 1.0e6;

/// A detection: a box (top-left corner and size, pixels, y down) with a
/// score. A centroid-only detector passes `w = h = 0` and the centre as
/// `x, y`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(C)]
pub struct Detection {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width (>= 0).
    pub w: f32,
    /// Height (>= 0).
    pub h: f32,
    /// Confidence in [0, 1]; pass 1 when the detector gives none.
    pub score: f32,
}

/// An axis-aligned box with sub-pixel coordinates.
pub type BBox = Detection;

impl Detection {
    /// A box with score 1.
    #[must_use]
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Detection {
            x,
            y,
            w,
            h,
            score: 1.0,
        }
    }

    /// The box centre.
    #[must_use]
    pub fn center(&self) -> Point {
        Point::new(self.x + self.w * 0.5, self.y + self.h * 0.5)
    }

    /// Checks that every field is finite and in range; the error names the
    /// item (`detections[index]`) and the field.
    pub fn validate(&self, index: usize) -> Result<(), CoreError> {
        let bad =
            |field: &'static str, value: f32, expected: &'static str| CoreError::InvalidItem {
                what: "detections",
                index,
                field,
                value: f64::from(value),
                expected,
            };
        for (field, value) in [("x", self.x), ("y", self.y)] {
            if !value.is_finite() || value.abs() > MAX_COORDINATE {
                return Err(bad(field, value, "a finite coordinate within ±1e6 px"));
            }
        }
        for (field, value) in [("w", self.w), ("h", self.h)] {
            if !value.is_finite() || !(0.0..=MAX_COORDINATE).contains(&value) {
                return Err(bad(field, value, "a finite size in 0 ..= 1e6 px"));
            }
        }
        if !(0.0..=1.0).contains(&self.score) {
            return Err(bad("score", self.score, "a score in [0, 1]"));
        }
        Ok(())
    }
}

/// Settings of a [`Tracker`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TrackerConfig {
    /// Largest distance (px) between a track's prediction and a detection
    /// that may be matched, along the track's direction of motion (default 40).
    pub gate_px: f32,
    /// Across the direction of motion the gate is this fraction of `gate_px`
    /// (an ellipse; people do not jump sideways; default 0.5). A track
    /// without velocity yet has a circular gate.
    pub lateral_gate: f32,
    /// The gate widens by this fraction per frame of coasting (default 0.25).
    pub gate_growth: f32,
    /// Matches needed before a track is confirmed and may count (default 3).
    pub min_hits: u32,
    /// Frames a confirmed track coasts without a detection before it is
    /// dropped — the detector-dropout limit (default 10).
    pub max_coast: u32,
    /// Frames a tentative track may miss before it is dropped (default 1).
    pub tentative_coast: u32,
    /// Detections scoring below this are ignored (default 0).
    pub min_score: f32,
    /// α of the α–β filter: weight of the measurement in the position (default 0.75).
    pub alpha: f32,
    /// β of the α–β filter: weight of the residual in the velocity (default 0.3).
    pub beta: f32,
    /// Velocities are clamped to this speed, px/s (default 3000).
    pub max_speed: f32,
    /// Tracks held at once (1 ..= 1024; default 64).
    pub max_tracks: usize,
    /// Detections accepted per frame (1 ..= 1024; default 256).
    pub max_detections: usize,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            gate_px: 40.0,
            lateral_gate: 0.5,
            gate_growth: 0.25,
            min_hits: 3,
            max_coast: 10,
            tentative_coast: 1,
            min_score: 0.0,
            alpha: 0.75,
            beta: 0.3,
            max_speed: 3000.0,
            max_tracks: 64,
            max_detections: 256,
        }
    }
}

impl TrackerConfig {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), CoreError> {
        let check = |field: &'static str, v: f32, lo: f32, hi: f32, expected: &'static str| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(CoreError::InvalidArgument {
                    field,
                    value: f64::from(v),
                    expected,
                })
            }
        };
        check("gate_px", self.gate_px, 0.001, 1.0e5, "0 < gate_px <= 1e5")?;
        check(
            "lateral_gate",
            self.lateral_gate,
            0.01,
            1.0,
            "0 < lateral_gate <= 1",
        )?;
        check(
            "gate_growth",
            self.gate_growth,
            0.0,
            10.0,
            "0 <= gate_growth <= 10",
        )?;
        check("min_score", self.min_score, 0.0, 1.0, "a score in [0, 1]")?;
        check("alpha", self.alpha, 0.01, 1.0, "0 < alpha <= 1")?;
        check("beta", self.beta, 0.0, 2.0, "0 <= beta <= 2")?;
        check(
            "max_speed",
            self.max_speed,
            1.0,
            1.0e6,
            "1 <= max_speed <= 1e6 px/s",
        )?;
        let count = |field: &'static str, v: usize, lo: usize, hi: usize| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(CoreError::InvalidArgument {
                    field,
                    value: v as f64,
                    expected: "a count within the documented range",
                })
            }
        };
        count("min_hits", self.min_hits as usize, 1, 100)?;
        count("max_coast", self.max_coast as usize, 0, 10_000)?;
        count("tentative_coast", self.tentative_coast as usize, 0, 10_000)?;
        count("max_tracks", self.max_tracks, 1, 1024)?;
        count("max_detections", self.max_detections, 1, 1024)?;
        Ok(())
    }
}

/// A tracked person.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Track {
    /// Unique id (never 0; wraps after 2³² − 1 tracks).
    pub id: u32,
    /// Filtered centre position, px.
    pub pos: Point,
    /// Velocity, px/s.
    pub vel: Point,
    /// Size of the last matched box.
    pub size: Point,
    /// Matched detections so far.
    pub hits: u32,
    /// Consecutive frames without a match (0 when matched this frame).
    pub missed: u32,
    /// Frames missed before the latest match (how long it had coasted).
    pub coasted_before_hit: u32,
    /// Confirmed (`hits >= min_hits`): only confirmed tracks count.
    pub confirmed: bool,
    /// Time of the last frame this track was updated or predicted to.
    pub last_t: Timestamp,
    /// Time of the last matched detection.
    pub last_seen: Timestamp,
    /// Counting-line bookkeeping.
    pub(crate) line: LineState,
}

/// The multi-object tracker. Not thread-safe (`&mut self`).
#[derive(Clone, Debug)]
pub struct Tracker {
    config: TrackerConfig,
    tracks: Vec<Track>,
    removed: Vec<Track>,
    cost: Vec<f32>,
    row_to_col: Vec<usize>,
    det_used: Vec<bool>,
    kept: Vec<usize>,
    solver: Hungarian,
    next_id: u32,
    last_t: Option<Timestamp>,
    frames: u64,
    overflowed: u64,
}

impl Tracker {
    /// A tracker with validated settings; allocates every buffer once.
    pub fn new(config: TrackerConfig) -> Result<Self, CoreError> {
        config.validate()?;
        let cap = config.max_tracks.max(config.max_detections);
        Ok(Tracker {
            config,
            tracks: Vec::with_capacity(config.max_tracks),
            removed: Vec::with_capacity(config.max_tracks),
            cost: vec![0.0; config.max_tracks * config.max_detections],
            row_to_col: vec![usize::MAX; config.max_tracks],
            det_used: vec![false; config.max_detections],
            kept: Vec::with_capacity(config.max_detections),
            solver: Hungarian::new(cap)?,
            next_id: 1,
            last_t: None,
            frames: 0,
            overflowed: 0,
        })
    }

    /// The settings.
    #[must_use]
    pub const fn config(&self) -> &TrackerConfig {
        &self.config
    }

    /// Live tracks (tentative and confirmed).
    #[must_use]
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    pub(crate) fn tracks_mut(&mut self) -> &mut [Track] {
        &mut self.tracks
    }

    /// Tracks dropped by the last [`update`](Self::update).
    #[must_use]
    pub fn removed(&self) -> &[Track] {
        &self.removed
    }

    /// Frames processed.
    #[must_use]
    pub const fn frames(&self) -> u64 {
        self.frames
    }

    /// Detections that could not start a track because `max_tracks` were live.
    #[must_use]
    pub const fn overflowed(&self) -> u64 {
        self.overflowed
    }

    /// Processes one frame taken at `t`.
    ///
    /// Errors (the tracker is unchanged): `OutOfOrder` when `t` is earlier
    /// than the previous frame; `CapacityExceeded` when there are more than
    /// `max_detections` detections; `InvalidArgument` naming
    /// `detections[i].field` for a NaN, infinite or out-of-range value.
    pub fn update(&mut self, t: Timestamp, detections: &[Detection]) -> Result<(), CoreError> {
        if detections.len() > self.config.max_detections {
            return Err(CoreError::CapacityExceeded {
                field: "detections",
                value: detections.len(),
                max: self.config.max_detections,
            });
        }
        if let Some(last) = self.last_t
            && t < last
        {
            return Err(CoreError::OutOfOrder {
                field: "t_us",
                value: t.0,
                previous: last.0,
            });
        }
        for (i, d) in detections.iter().enumerate() {
            d.validate(i)?;
        }
        self.last_t = Some(t);
        self.frames += 1;
        self.removed.clear();

        // Detections that pass the score threshold.
        self.kept.clear();
        for (i, d) in detections.iter().enumerate() {
            if d.score >= self.config.min_score {
                self.kept.push(i);
            }
        }
        let cols = self.kept.len();

        // Predict.
        let max_speed = self.config.max_speed;
        for tr in &mut self.tracks {
            let dt = seconds(t, tr.last_t);
            tr.pos = Point::new(tr.pos.x + tr.vel.x * dt, tr.pos.y + tr.vel.y * dt);
            tr.last_t = t;
            clamp_speed(&mut tr.vel, max_speed);
        }

        // Costs with gating.
        let rows = self.tracks.len();
        for (r, tr) in self.tracks.iter().enumerate() {
            let gate = self.config.gate_px * (1.0 + self.config.gate_growth * tr.missed as f32);
            let lateral = gate * self.config.lateral_gate;
            let speed = tr.vel.x.hypot(tr.vel.y);
            let (ux, uy) = if speed > 1.0 {
                (tr.vel.x / speed, tr.vel.y / speed)
            } else {
                (0.0, 0.0)
            };
            for (c, &di) in self.kept.iter().enumerate() {
                let z = detections[di].center();
                let (rx, ry) = (z.x - tr.pos.x, z.y - tr.pos.y);
                let inside = if speed > 1.0 {
                    let along = (rx * ux + ry * uy) / gate;
                    let across = (rx * uy - ry * ux) / lateral;
                    along * along + across * across <= 1.0
                } else {
                    rx * rx + ry * ry <= gate * gate
                };
                self.cost[r * cols + c] = if inside { rx.hypot(ry) } else { UNASSIGNED };
            }
        }
        self.solver
            .solve(&self.cost[..rows * cols], rows, cols, &mut self.row_to_col)?;

        // Correct matched tracks, age the others.
        self.det_used[..cols].fill(false);
        let (alpha, beta) = (self.config.alpha, self.config.beta);
        for (r, tr) in self.tracks.iter_mut().enumerate() {
            let c = self.row_to_col[r];
            if c == usize::MAX || c >= cols {
                tr.missed += 1;
                continue;
            }
            self.det_used[c] = true;
            let det = detections[self.kept[c]];
            let z = det.center();
            let dt = seconds(t, tr.last_seen);
            if tr.hits == 1 && dt > 0.0 {
                // Second sighting: velocity from the two positions.
                tr.vel = Point::new(
                    (z.x - tr.line.first_pos.x) / dt,
                    (z.y - tr.line.first_pos.y) / dt,
                );
                tr.pos = z;
            } else {
                let rx = z.x - tr.pos.x;
                let ry = z.y - tr.pos.y;
                tr.pos = Point::new(tr.pos.x + alpha * rx, tr.pos.y + alpha * ry);
                if dt > 0.0 {
                    tr.vel = Point::new(tr.vel.x + beta * rx / dt, tr.vel.y + beta * ry / dt);
                }
            }
            clamp_speed(&mut tr.vel, max_speed);
            tr.size = Point::new(det.w, det.h);
            tr.hits = tr.hits.saturating_add(1);
            tr.coasted_before_hit = tr.missed;
            tr.missed = 0;
            tr.last_seen = t;
            if tr.hits >= self.config.min_hits {
                tr.confirmed = true;
            }
        }

        // Drop tracks that coasted too long.
        let (max_coast, tentative_coast) = (self.config.max_coast, self.config.tentative_coast);
        let removed = &mut self.removed;
        self.tracks.retain(|tr| {
            let limit = if tr.confirmed {
                max_coast
            } else {
                tentative_coast
            };
            let keep = tr.missed <= limit;
            if !keep {
                removed.push(*tr);
            }
            keep
        });

        // Unmatched detections start tentative tracks.
        for c in 0..cols {
            if self.det_used[c] {
                continue;
            }
            if self.tracks.len() >= self.config.max_tracks {
                self.overflowed += 1;
                continue;
            }
            let det = detections[self.kept[c]];
            let id = self.next_id;
            self.next_id = self.next_id.checked_add(1).unwrap_or(1);
            let pos = det.center();
            self.tracks.push(Track {
                id,
                pos,
                vel: Point::new(0.0, 0.0),
                size: Point::new(det.w, det.h),
                hits: 1,
                missed: 0,
                coasted_before_hit: 0,
                confirmed: self.config.min_hits <= 1,
                last_t: t,
                last_seen: t,
                line: LineState::new(pos),
            });
        }
        Ok(())
    }

    /// Forgets every track (settings kept).
    pub fn reset(&mut self) {
        self.tracks.clear();
        self.removed.clear();
        self.last_t = None;
        self.frames = 0;
        self.overflowed = 0;
    }
}

fn seconds(t: Timestamp, earlier: Timestamp) -> f32 {
    (t.0.saturating_sub(earlier.0)).max(0) as f32 * 1e-6
}

fn clamp_speed(v: &mut Point, max: f32) {
    let s = v.x.hypot(v.y);
    if !s.is_finite() {
        *v = Point::new(0.0, 0.0);
    } else if s > max {
        let k = max / s;
        *v = Point::new(v.x * k, v.y * k);
    }
}
