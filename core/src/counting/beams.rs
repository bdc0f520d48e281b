//! The beam-pair decoder: two infrared beams per lane → transits and faults.
//!
//! Beam **A** is the outer beam, **B** the inner one. Events are
//! `{t, beam, blocked}` edges in time order. The decoder
//!
//! 1. **debounces** each beam: a level must hold for at least
//!    [`BeamConfig::min_dwell`] before it is believed; a shorter blip (chatter,
//!    a swinging bag strap) is dropped together with its reversal;
//! 2. follows the **sequence** of beam states from idle back to idle and
//!    counts only a complete one: `A → A+B → B → clear` is *in*, the mirror
//!    `B → A+B → A → clear` is *out*. In general a sequence counts *in* when it
//!    started with A alone, passed through A+B, and B alone was the last state
//!    before clear — so loitering inside the gate (A+B → A → A+B → B → clear)
//!    still counts once, while an aborted entry or a U-turn (A → A+B → A →
//!    clear) and loitering in one beam never count;
//! 3. **times out** a sequence older than [`BeamConfig::sequence_timeout`]:
//!    its history is forgotten and it restarts from the current beam state
//!    (someone who lingered and then walked through counts once, from where
//!    they were when the timeout fired);
//! 4. raises a **sensor fault** when a beam stays blocked longer than
//!    [`BeamConfig::fault_after`] ([`FaultKind::Stuck`], stamped at the moment
//!    the limit was reached) and a [`FaultKind::Recovered`] when it clears;
//!    no sequence that overlaps a fault counts;
//! 5. **estimates two people** (heuristic, flagged
//!    [`flags::ESTIMATED`]) when the longest span
//!    with both beams blocked is longer than one person at walking speed can
//!    produce — [`BeamConfig::pair_occlusion`] — but not so long
//!    ([`BeamConfig::pair_occlusion_max`]) that it is someone standing still.
//!    With beams 0.15 m apart a person 0.25–0.45 m deep at 0.8–1.6 m/s blocks
//!    both for 0.06–0.4 s; two people walking in contact block both for about
//!    twice that. A pair at arm's length looks like one slow person to two
//!    beams: beams cannot count close pairs reliably, which is why the
//!    camera counter exists.
//!
//! Time never comes from a clock: deadlines (debounce, timeout, fault) are
//! evaluated when the next event arrives or when the caller calls
//! [`BeamDecoder::advance`] with the current time.

use crate::counting::{Direction, Queue, Source, Transit, check_micros, flags};
use crate::error::CoreError;
use crate::time::{Micros, Timestamp};

/// One of the two beams of a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(u8)]
pub enum Beam {
    /// The outer beam (the side people come from when they go in).
    A = 0,
    /// The inner beam.
    B = 1,
}

impl Beam {
    /// `"A"` or `"B"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Beam::A => "A",
            Beam::B => "B",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }

    const fn from_index(i: usize) -> Beam {
        if i == 0 { Beam::A } else { Beam::B }
    }
}

/// A beam edge: at `t`, `beam` became blocked (`blocked = true`) or clear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BeamEvent {
    /// When the edge happened.
    pub t: Timestamp,
    /// Which beam.
    pub beam: Beam,
    /// The beam's new state.
    pub blocked: bool,
}

/// What a [`BeamFault`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[repr(u8)]
pub enum FaultKind {
    /// The beam has been blocked longer than [`BeamConfig::fault_after`].
    Stuck = 0,
    /// A stuck beam cleared again.
    Recovered = 1,
}

impl FaultKind {
    /// `"stuck"` or `"recovered"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            FaultKind::Stuck => "stuck",
            FaultKind::Recovered => "recovered",
        }
    }
}

/// A sensor fault raised or cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BeamFault {
    /// When: for `Stuck`, the moment the beam had been blocked for
    /// `fault_after`; for `Recovered`, when it cleared.
    pub t: Timestamp,
    /// Which beam.
    pub beam: Beam,
    /// Raised or cleared.
    pub kind: FaultKind,
    /// When the beam became blocked.
    pub blocked_since: Timestamp,
}

/// Settings of a [`BeamDecoder`]. All durations in µs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BeamConfig {
    /// A beam level must hold this long to be believed (0 – 10 s; default 30 ms).
    pub min_dwell: Micros,
    /// A sequence older than this restarts from the current state (1 ms – 1 h; default 10 s).
    pub sequence_timeout: Micros,
    /// A beam blocked longer than this is a sensor fault (1 ms – 1 day; default 30 s).
    pub fault_after: Micros,
    /// Both beams blocked longer than this counts two people (estimate; default 650 ms).
    pub pair_occlusion: Micros,
    /// … unless longer than this, which is someone standing still (default 1.5 s).
    pub pair_occlusion_max: Micros,
    /// Transits and faults held until polled, each (1 – 1 048 576; default 256).
    pub queue_capacity: usize,
}

impl Default for BeamConfig {
    fn default() -> Self {
        BeamConfig {
            min_dwell: Micros::from_millis(30),
            sequence_timeout: Micros::from_secs(10),
            fault_after: Micros::from_secs(30),
            pair_occlusion: Micros::from_millis(650),
            pair_occlusion_max: Micros::from_millis(1500),
            queue_capacity: 256,
        }
    }
}

/// Largest queue capacity accepted.
pub const MAX_QUEUE_CAPACITY: usize = 1 << 20;

impl BeamConfig {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), CoreError> {
        const HOUR: i64 = 3_600_000_000;
        check_micros("min_dwell", self.min_dwell, 0, 10_000_000)?;
        check_micros("sequence_timeout", self.sequence_timeout, 1_000, HOUR)?;
        check_micros("fault_after", self.fault_after, 1_000, 24 * HOUR)?;
        check_micros("pair_occlusion", self.pair_occlusion, 1, HOUR)?;
        check_micros(
            "pair_occlusion_max",
            self.pair_occlusion_max,
            self.pair_occlusion.0,
            HOUR,
        )?;
        if self.queue_capacity == 0 || self.queue_capacity > MAX_QUEUE_CAPACITY {
            return Err(CoreError::InvalidArgument {
                field: "queue_capacity",
                value: self.queue_capacity as f64,
                expected: "1 ..= 1048576",
            });
        }
        Ok(())
    }
}

/// Occupancy of the two beams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Occ {
    Idle,
    A,
    B,
    Both,
}

impl Occ {
    const fn of(a: bool, b: bool) -> Occ {
        match (a, b) {
            (false, false) => Occ::Idle,
            (true, false) => Occ::A,
            (false, true) => Occ::B,
            (true, true) => Occ::Both,
        }
    }
}

/// The sequence of states since the beams were last idle.
#[derive(Clone, Copy, Debug)]
struct Sequence {
    /// A sequence is in progress.
    active: bool,
    /// The sequence overlapped a fault: it ends uncounted at the next idle.
    spoiled: bool,
    first: Occ,
    last_single: Occ,
    saw_both: bool,
    start: Timestamp,
    both_since: Option<Timestamp>,
    longest_both: i64,
}

impl Sequence {
    const IDLE: Sequence = Sequence {
        active: false,
        spoiled: false,
        first: Occ::Idle,
        last_single: Occ::Idle,
        saw_both: false,
        start: Timestamp(0),
        both_since: None,
        longest_both: 0,
    };

    fn begin(t: Timestamp, occ: Occ) -> Sequence {
        let mut s = Sequence {
            active: true,
            first: occ,
            start: t,
            ..Sequence::IDLE
        };
        s.enter(t, occ);
        s
    }

    fn enter(&mut self, t: Timestamp, occ: Occ) {
        if occ == Occ::Both {
            self.saw_both = true;
            if self.both_since.is_none() {
                self.both_since = Some(t);
            }
        } else {
            if let Some(since) = self.both_since.take() {
                self.longest_both = self.longest_both.max(t.0.saturating_sub(since.0));
            }
            if occ != Occ::Idle {
                self.last_single = occ;
            }
        }
    }
}

/// Decodes one lane's beam pair. Not thread-safe (`&mut self`); one per lane.
///
/// ```
/// use hsm_core::counting::{Beam, BeamConfig, BeamDecoder, BeamEvent, Direction};
/// use hsm_core::Timestamp;
///
/// let mut d = BeamDecoder::new(BeamConfig::default())?;
/// let ms = |m: i64| Timestamp(m * 1000);
/// for (t, beam, blocked) in [(0, Beam::A, true), (100, Beam::B, true), (250, Beam::A, false), (400, Beam::B, false)] {
///     d.push(BeamEvent { t: ms(t), beam, blocked })?;
/// }
/// d.advance(ms(1000))?; // lets the last edge outlive the debounce
/// let transits: Vec<_> = d.drain_transits().collect();
/// assert_eq!(transits.len(), 1);
/// assert_eq!(transits[0].direction, Direction::In);
/// # Ok::<(), hsm_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct BeamDecoder {
    config: BeamConfig,
    /// Last raw level seen per beam.
    raw: [bool; 2],
    /// A raw change waiting out the debounce: (time, level).
    pending: [Option<(Timestamp, bool)>; 2],
    /// Debounced level per beam and when it began.
    level: [bool; 2],
    since: [Timestamp; 2],
    faulted: [bool; 2],
    last_t: Option<Timestamp>,
    seq: Sequence,
    transits: Queue<Transit>,
    faults: Queue<BeamFault>,
    counts: [u64; 2],
}

enum Due {
    Commit(usize),
    Fault(usize),
    Timeout,
}

impl BeamDecoder {
    /// A decoder with validated settings; allocates its two queues once.
    pub fn new(config: BeamConfig) -> Result<Self, CoreError> {
        config.validate()?;
        Ok(BeamDecoder {
            config,
            raw: [false; 2],
            pending: [None; 2],
            level: [false; 2],
            since: [Timestamp(0); 2],
            faulted: [false; 2],
            last_t: None,
            seq: Sequence::IDLE,
            transits: Queue::new(config.queue_capacity),
            faults: Queue::new(config.queue_capacity),
            counts: [0; 2],
        })
    }

    /// The settings.
    #[must_use]
    pub const fn config(&self) -> &BeamConfig {
        &self.config
    }

    /// Feeds one edge. Errors (nothing changes): `OutOfOrder` when `ev.t` is
    /// earlier than the previous event or `advance` time.
    pub fn push(&mut self, ev: BeamEvent) -> Result<(), CoreError> {
        self.check_time(ev.t)?;
        self.settle(ev.t);
        let b = ev.beam.index();
        if self.raw[b] == ev.blocked {
            return Ok(()); // a repeated level is not an edge
        }
        self.raw[b] = ev.blocked;
        if self.pending[b].take().is_some() {
            // The level reverted before it outlived the debounce: chatter.
            return Ok(());
        }
        self.pending[b] = Some((ev.t, ev.blocked));
        if self.config.min_dwell.0 == 0 {
            self.settle(ev.t);
        }
        Ok(())
    }

    /// Feeds a batch of edges in order; stops at the first error, reporting
    /// the index of the offending event in the message field.
    pub fn push_all(&mut self, events: &[BeamEvent]) -> Result<(), CoreError> {
        for (index, ev) in events.iter().enumerate() {
            self.push(*ev).map_err(|e| match e {
                CoreError::OutOfOrder {
                    value, previous, ..
                } => CoreError::InvalidItem {
                    what: "events",
                    index,
                    field: "t (goes backwards)",
                    value: value as f64,
                    expected: if previous > value {
                        "a time not earlier than the previous event"
                    } else {
                        "a time in order"
                    },
                },
                other => other,
            })?;
        }
        Ok(())
    }

    /// Tells the decoder the time is now `t` (no edge): debounced levels are
    /// committed, faults and timeouts whose deadline has passed fire.
    /// Errors: `OutOfOrder` when `t` is earlier than the last event.
    pub fn advance(&mut self, t: Timestamp) -> Result<(), CoreError> {
        self.check_time(t)?;
        self.settle(t);
        Ok(())
    }

    /// Commits edges still waiting out the debounce, as if their dwell had
    /// been observed (end of a recording). Faults and timeouts do not fire.
    pub fn flush(&mut self) {
        loop {
            let next = (0..2)
                .filter_map(|b| self.pending[b].map(|(t, _)| (t, b)))
                .min_by_key(|&(t, _)| t);
            match next {
                Some((_, b)) => self.commit(b),
                None => break,
            }
        }
    }

    fn check_time(&mut self, t: Timestamp) -> Result<(), CoreError> {
        if let Some(last) = self.last_t
            && t < last
        {
            return Err(CoreError::OutOfOrder {
                field: "t_us",
                value: t.0,
                previous: last.0,
            });
        }
        self.last_t = Some(t);
        Ok(())
    }

    /// Processes every deadline up to `now`, earliest first.
    fn settle(&mut self, now: Timestamp) {
        loop {
            let mut next: Option<(Timestamp, Due)> = None;
            let mut consider = |when: Timestamp, what: Due| {
                if when <= now && next.as_ref().is_none_or(|(t, _)| when < *t) {
                    next = Some((when, what));
                }
            };
            for b in 0..2 {
                if let Some((t0, _)) = self.pending[b]
                    && t0.0.saturating_add(self.config.min_dwell.0) <= now.0
                {
                    consider(t0, Due::Commit(b));
                }
            }
            for b in 0..2 {
                if self.level[b] && !self.faulted[b] {
                    consider(
                        Timestamp(self.since[b].0.saturating_add(self.config.fault_after.0)),
                        Due::Fault(b),
                    );
                }
            }
            if self.seq.active && !self.seq.spoiled {
                consider(
                    Timestamp(
                        self.seq
                            .start
                            .0
                            .saturating_add(self.config.sequence_timeout.0),
                    ),
                    Due::Timeout,
                );
            }
            match next {
                None => return,
                Some((_, Due::Commit(b))) => self.commit(b),
                Some((t, Due::Fault(b))) => self.raise_fault(b, t),
                Some((t, Due::Timeout)) => {
                    let occ = self.occupancy();
                    self.seq = Sequence::begin(t, occ);
                }
            }
        }
    }

    fn occupancy(&self) -> Occ {
        Occ::of(self.level[0], self.level[1])
    }

    fn raise_fault(&mut self, b: usize, t: Timestamp) {
        self.faulted[b] = true;
        self.faults.push(BeamFault {
            t,
            beam: Beam::from_index(b),
            kind: FaultKind::Stuck,
            blocked_since: self.since[b],
        });
        self.seq.spoiled = true;
        self.seq.active = true;
    }

    fn commit(&mut self, b: usize) {
        let Some((t, level)) = self.pending[b].take() else {
            return;
        };
        let was_since = self.since[b];
        self.level[b] = level;
        self.since[b] = t;
        if !level && self.faulted[b] {
            self.faulted[b] = false;
            self.faults.push(BeamFault {
                t,
                beam: Beam::from_index(b),
                kind: FaultKind::Recovered,
                blocked_since: was_since,
            });
        }
        let occ = self.occupancy();
        if occ == Occ::Idle {
            if self.seq.active && !self.seq.spoiled {
                self.seq.enter(t, occ);
                self.decide(t);
            }
            self.seq = Sequence::IDLE;
            return;
        }
        if self.faulted.iter().any(|&f| f) {
            self.seq.active = true;
            self.seq.spoiled = true;
            return;
        }
        if self.seq.active {
            self.seq.enter(t, occ);
        } else {
            self.seq = Sequence::begin(t, occ);
        }
    }

    fn decide(&mut self, t: Timestamp) {
        let s = self.seq;
        let direction = match (s.first, s.last_single, s.saw_both) {
            (Occ::A, Occ::B, true) => Direction::In,
            (Occ::B, Occ::A, true) => Direction::Out,
            _ => return,
        };
        let (persons, mut fl) = if s.longest_both > self.config.pair_occlusion.0
            && s.longest_both <= self.config.pair_occlusion_max.0
        {
            (2, flags::ESTIMATED)
        } else {
            (1, 0)
        };
        let transit = Transit {
            t,
            direction,
            persons,
            source: Source::Beams,
            flags: fl,
            track_id: 0,
        };
        if self.transits.push(transit) {
            fl |= flags::QUEUE_OVERFLOW;
            if let Some(last) = self.transits.back_mut() {
                last.flags = fl;
            }
        }
        self.counts[direction as usize] += u64::from(persons);
    }

    /// Persons counted so far in `direction` (including polled transits).
    #[must_use]
    pub fn count(&self, direction: Direction) -> u64 {
        self.counts[direction as usize]
    }

    /// Whether `beam` is currently in a fault.
    #[must_use]
    pub fn is_faulted(&self, beam: Beam) -> bool {
        self.faulted[beam.index()]
    }

    /// Transits waiting to be taken.
    #[must_use]
    pub fn pending_transits(&self) -> usize {
        self.transits.len()
    }

    /// Faults waiting to be taken.
    #[must_use]
    pub fn pending_faults(&self) -> usize {
        self.faults.len()
    }

    /// Transits dropped because the queue was full (never reset).
    #[must_use]
    pub fn dropped(&self) -> u64 {
        self.transits.dropped_total() + self.faults.dropped_total()
    }

    /// Moves up to `out.len()` transits, oldest first, into `out`; returns
    /// how many.
    pub fn poll_transits(&mut self, out: &mut [Transit]) -> usize {
        self.transits.poll(out)
    }

    /// Moves up to `out.len()` faults, oldest first, into `out`.
    pub fn poll_faults(&mut self, out: &mut [BeamFault]) -> usize {
        self.faults.poll(out)
    }

    /// Takes every waiting transit, oldest first.
    pub fn drain_transits(&mut self) -> impl Iterator<Item = Transit> + '_ {
        self.transits.drain()
    }

    /// Takes every waiting fault, oldest first.
    pub fn drain_faults(&mut self) -> impl Iterator<Item = BeamFault> + '_ {
        self.faults.drain()
    }

    /// Back to the state of a new decoder (settings kept, queues emptied).
    pub fn reset(&mut self) {
        self.raw = [false; 2];
        self.pending = [None; 2];
        self.level = [false; 2];
        self.since = [Timestamp(0); 2];
        self.faulted = [false; 2];
        self.last_t = None;
        self.seq = Sequence::IDLE;
        self.transits.clear();
        self.faults.clear();
        self.counts = [0; 2];
    }
}
