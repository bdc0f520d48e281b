//! People counting: beam pairs, tracked detections and a counting line,
//! flow statistics, a seeded simulator and an honest evaluation.
//!
//! ## Overview
//! | module | what |
//! |---|---|
//! | [`beams`] | [`BeamDecoder`]: two infrared beams per lane → transits, sensor faults |
//! | [`assign`] | a small Hungarian solver on `f32` costs (no allocation per call) |
//! | [`tracker`] | [`Tracker`]: detections per frame → tracks (assignment, gating, constant velocity) |
//! | [`line`](mod@line) | [`LineCounter`]: a tracker plus a counting line with a hysteresis band → transits |
//! | [`flow`] | counts per minute/hour/day, peak hour, daily averages, occupancy |
//! | [`sim`] | seeded simulator: people in a lane → beam events, noisy detections, truth |
//! | [`eval`] | match predicted transits to truth within ±Δt: true, missed, double counts |
//!
//! Both counters produce [`Transit`]s `{t, direction, persons, source, flags}`
//! into a bounded queue allocated once at construction; callers take them out
//! with `drain()` (Rust) or `poll(&mut [Transit])` (the C door). Nothing in
//! this module tree allocates per event or per frame after construction, and
//! nothing panics on any input: NaN coordinates, timestamps that go
//! backwards, empty frames and absurd sizes are errors naming the field.
//!
//! ## Which side is "in"
//! The beams: beam **A** is the *outer* beam (street side), **B** the *inner*
//! one (hospital side). A person going in breaks A first and clears B last:
//!
//! ```text
//!     outside                          inside
//!        A ─────────────┐    ┌───────────── B
//!  in:   A   →   A+B   →   B   →   clear        (outer first, inner last)
//!  out:  B   →   A+B   →   A   →   clear        (the mirror)
//! ```
//!
//! The camera line: a directed segment P1 → P2 in image coordinates (x to
//! the right, **y down**). "Left" and "right" are as seen by someone standing
//! on P1 looking at P2 *on the screen*. A crossing from the left side to the
//! right side is **in**; right to left is **out**:
//!
//! ```text
//!    image (0,0) ──────────────► x
//!    │
//!    │           left side  (outside)
//!    │        ·  ·  ·  ·  ·  ·  ·  ·  ·   ← band edge, signed distance −h
//!    │   P1 ●━━━━━━━━━━━━━━━━━━━━━━━━━━━━● P2      (line directed P1 → P2)
//!    │        ·  ·  ·  ·  ·  ·  ·  ·  ·   ← band edge, signed distance +h
//!    │           right side (inside)
//!    ▼ y               in: ↓     out: ↑
//! ```
//!
//! With P1 = (0, 120) and P2 = (320, 120) the left side is the top of the
//! image, and walking down the image is "in". Reverse the points to reverse
//! the meaning. A track changes side only when its centre is beyond the band
//! (|signed distance| > h): wobbling inside the band never counts.
pub mod assign;
pub mod beams;
pub mod eval;
pub mod flow;
pub mod line;
pub mod sim;
pub mod tracker;

pub use beams::{Beam, BeamConfig, BeamDecoder, BeamEvent, BeamFault, FaultKind};
pub use eval::{DirectionScore, Evaluation, evaluate};
pub use flow::{FlowRow, FlowSummary, flow_rows, flow_summary};
pub use line::{CountingLine, LineConfig, LineCounter};
pub use tracker::{BBox, Detection, Track, Tracker, TrackerConfig};

use std::collections::VecDeque;

use crate::time::Timestamp;

/// Which way a person went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[repr(u8)]
pub enum Direction {
    /// Into the building: beam A then B, or the counting line left → right.
    In = 0,
    /// Out of the building: the mirror.
    Out = 1,
}

impl Direction {
    /// `"in"` or `"out"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }

    /// The other direction.
    #[must_use]
    pub const fn reverse(self) -> Direction {
        match self {
            Direction::In => Direction::Out,
            Direction::Out => Direction::In,
        }
    }
}

/// What produced a transit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[repr(u8)]
pub enum Source {
    /// The infrared beam pair ([`BeamDecoder`]).
    Beams = 0,
    /// Tracked detections crossing a line ([`LineCounter`]).
    Tracks = 1,
    /// Simulator ground truth.
    Truth = 2,
}

impl Source {
    /// `"beams"`, `"tracks"` or `"truth"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Source::Beams => "beams",
            Source::Tracks => "tracks",
            Source::Truth => "truth",
        }
    }
}

/// Bit flags qualifying a [`Transit`] (`Transit::flags`).
pub mod flags {
    /// `persons` is an estimate: an occlusion too long for one person at
    /// walking speed was counted as two (beams; documented heuristic).
    pub const ESTIMATED: u32 = 1 << 0;
    /// The track was born inside the band; its origin side is inferred from
    /// the sign of its first position (tracks).
    pub const BORN_IN_BAND: u32 = 1 << 1;
    /// The track vanished inside the band past the line, moving away from
    /// its origin; the crossing is inferred (tracks).
    pub const VANISHED_PAST_LINE: u32 = 1 << 2;
    /// The crossing happened while the track was coasting on prediction
    /// through a detector dropout (tracks).
    pub const COASTED: u32 = 1 << 3;
    /// Events were dropped before this one because the output queue was full
    /// (poll more often or configure a larger queue).
    pub const QUEUE_OVERFLOW: u32 = 1 << 4;

    /// Names of the set flags, in bit order (for JSON/CSV output).
    pub fn names(flags: u32) -> impl Iterator<Item = &'static str> {
        [
            (ESTIMATED, "estimated"),
            (BORN_IN_BAND, "born_in_band"),
            (VANISHED_PAST_LINE, "vanished_past_line"),
            (COASTED, "coasted"),
            (QUEUE_OVERFLOW, "queue_overflow"),
        ]
        .into_iter()
        .filter(move |(bit, _)| flags & bit != 0)
        .map(|(_, name)| name)
    }
}

/// One counted passage (or, with `persons == 2`, two people counted at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Transit {
    /// When the passage completed (beams: the clear that ends the sequence;
    /// tracks: the frame on which the track left the band on the far side).
    pub t: Timestamp,
    /// Which way.
    pub direction: Direction,
    /// How many people: 1, or 2 when [`flags::ESTIMATED`] says so.
    pub persons: u32,
    /// What produced it.
    pub source: Source,
    /// [`flags`] bits.
    pub flags: u32,
    /// Track id (tracks) or 0.
    pub track_id: u32,
}

/// A bounded FIFO allocated once; when full, the oldest item is dropped and
/// the next item pushed carries [`flags::QUEUE_OVERFLOW`] (via the caller).
#[derive(Clone, Debug)]
pub(crate) struct Queue<T> {
    items: VecDeque<T>,
    capacity: usize,
    /// Items dropped since the last push that reported it.
    dropped: u64,
    /// Items dropped in total.
    dropped_total: u64,
}

impl<T: Copy> Queue<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Queue {
            items: VecDeque::with_capacity(capacity),
            capacity,
            dropped: 0,
            dropped_total: 0,
        }
    }

    /// Pushes `item`; returns whether earlier items had to be dropped since
    /// the last call that returned `true`.
    pub(crate) fn push(&mut self, item: T) -> bool {
        if self.items.len() >= self.capacity {
            self.items.pop_front();
            self.dropped += 1;
            self.dropped_total += 1;
        }
        self.items.push_back(item);
        let overflowed = self.dropped > 0;
        self.dropped = 0;
        overflowed
    }

    /// The most recently pushed item.
    pub(crate) fn back_mut(&mut self) -> Option<&mut T> {
        self.items.back_mut()
    }

    pub(crate) fn poll(&mut self, out: &mut [T]) -> usize {
        let n = out.len().min(self.items.len());
        for slot in out.iter_mut().take(n) {
            if let Some(item) = self.items.pop_front() {
                *slot = item;
            }
        }
        n
    }

    pub(crate) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.items.drain(..)
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn dropped_total(&self) -> u64 {
        self.dropped_total
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }
}

/// Checks a duration parameter: finite, non-negative and bounded.
pub(crate) fn check_micros(
    field: &'static str,
    value: crate::time::Micros,
    min: i64,
    max: i64,
) -> Result<(), crate::CoreError> {
    if value.0 < min || value.0 > max {
        return Err(crate::CoreError::InvalidArgument {
            field,
            value: value.0 as f64,
            expected: "a duration in µs within the documented range",
        });
    }
    Ok(())
}
