//! The gate: thermal screening, metal detection and people counting fused
//! into one traceable record per passage, kept in a passage log.
//!
//! This is what the Shanxi gates of the seed report do as one device (智慧
//! 安检门: 测温 + 金属探测 + 人员计数, 溯源查询, 密切接触人群排查,
//! 风险人员监控名单). It is the only module that depends on the thermal, metal
//! and counting pipelines together.
//!
//! | module | what |
//! |---|---|
//! | [`session`] | [`GateSession`]: streams in, passages out |
//! | [`record`] | [`Passage`], [`Alarms`], [`PassageFlags`] |
//! | [`log`] | [`PassageLog`]: SQLite (WAL, migrations), queries, contacts, flow, purge |
//! | [`export`](mod@export) | CSV, JSON Lines, Parquet, streaming |
//! | [`token`] | [`SiteKey`]: person tokens as HMAC-SHA-256 hashes |
//! | [`demo`] | a simulated morning at an entrance, with truth |
//! | [`recording`] | the on-disk layout of recorded sensor streams |
//!
//! # Association rules
//! Beams anchor passages: every transit the beam decoder reports becomes
//! exactly one passage (a transit the decoder counts as two people becomes
//! one record with `persons = 2` and [`PassageFlags::MULTIPLE_PERSONS`]).
//! Each stream must be in time order; across streams any interleaving is
//! accepted as long as no stream lags the newest data by more than
//! [`SessionConfig::reorder`].
//!
//! - **Thermal** (inbound passages only: the camera faces people coming in).
//!   In each frame the *nearest* face is measured — the person who reaches
//!   the beams next is the largest face; among faces of at least 60 % of the
//!   largest face's area (people side by side) the hottest is taken, so a
//!   pair with one febrile person alarms. Consecutive nearest faces form a
//!   **face track** — one person walking up, their face growing — until the
//!   face shrinks below 60 % of the previous frame's (the next person,
//!   further back, is now the nearest), a frame has no face, or 0.5 s pass
//!   without a frame. A person leaves the camera's view before the beams see
//!   them through, so a passage takes the tracks that *ended* by its
//!   transit's completion (a later frame at or before it is not theirs), had
//!   a frame within [`ThermalSetup::approach`] before it, and no earlier
//!   passage took; when none ended, the track still in view, if it was seen
//!   within that window. (Cutting frames at transit times
//!   instead gave the end of one person's approach to the passage before
//!   theirs, and the start of the next person's to their own: with people
//!   under a second apart, the demo missed febrile persons that way.) Each
//!   track is screened by the [`hsm_thermal::screening::Screener`] as a
//!   person; the most severe outcome decides (two tracks in one passage:
//!   a febrile one alarms). Several faces in a frame set
//!   [`PassageFlags::MULTIPLE_FACES`]; no track at all sets
//!   [`PassageFlags::NO_FACE`] and a re-check. Fewer tracks screened than
//!   the people the transit counts (two side by side, one face hidden
//!   behind the other) also sets a re-check: someone walked through
//!   unmeasured. (Without this rule, 3 of the 221 febrile people of demo
//!   seeds 21–40 passed, each beside another person.)
//! - **Metal**: the samples in `[t − before, t + after]` around the transit's
//!   completion `t` (defaults 1.25 s and 0.75 s: a person crosses the coils
//!   about 0.2 s before the beams see them through, so the window is
//!   centred on the crossing, as the detector's passages are in its
//!   certification trial; the earlier 1.5 s and 0.5 s put the peak in the
//!   window's last tenth, which the detector takes as baseline, for feet
//!   and wrists that cross late) are one detector passage.
//!   - **Crowded windows.** Another person's metal peaks within 0.4 s of
//!     their own crossing (wrists, feet, the front or back of the waist
//!     lead or lag the body). When another transit completes close enough
//!     for theirs to reach into this window, the passage is flagged
//!     [`PassageFlags::METAL_OVERLAP`] — as a rule both passages, the
//!     earlier one too (a passage waits until the beams have been decoded
//!     that far; the reach is 1.35 s ahead and 1.45 s back) — and
//!     the window is cut to this person's share: the times nearer their
//!     crossing than any neighbour's, plus 0.15 s. The detector resolves
//!     one object per window, so the strongest object, often a neighbour's
//!     phone, used to decide for everyone in it; cut, each person's window
//!     holds their own peak, and its first and last tenths, the detector's
//!     baseline, lie between people instead of on someone's peak.
//!   - **Pairs.** When the beams count two people in one transit, the
//!     window holds both, at once: if the metal finding passes but the
//!     one-object fit leaves more than 1 % of the window unexplained (one
//!     object leaves less), another object may be hidden under the first,
//!     and the pair is re-checked ([`Alarms::RECHECK`]).
//!
//!   Too few samples set [`PassageFlags::METAL_NO_DATA`] and a sensor-fault
//!   alarm. Samples no window covers, and at least 1 s from every window
//!   (a slow walker's metal is still in reach there: their tails, not
//!   metal of its own), are swept in window-sized pieces; a detection there that one object's path explains to within 15 % (the
//!   gate's own noise and wander never fit that well; any threat does) is
//!   a record of its own, direction unknown, flagged
//!   [`PassageFlags::METAL_WITHOUT_PASSAGE`].
//! - **Tokens**: the latest token seen within the approach window before the
//!   transit binds to it, as a keyed hash (never the token).
//! - **Lateness**: a passage closes when every stream it needs has reached
//!   its window's end — with metal, the beams 1.35 s past the transit (the
//!   window's end plus a neighbour's lead and peak spread) and the beam
//!   decoder's dwell, so that every person whose metal can reach into the
//!   window is known; with the default 1 s reordering bound a passage
//!   closes about 2.4 s after its transit — or when the newest data is [`SessionConfig::reorder`]
//!   past that point — then with [`PassageFlags::LATE_STREAM`]. Nothing is
//!   dropped: every transit yields a record.
//!
//! # Examples
//! ```
//! use hsm::core::Timestamp;
//! use hsm::core::counting::{Beam, BeamEvent};
//! use hsm::gate::{Alarms, GateSession, PassageFlags, PassageLog, Query, SessionConfig, Way};
//!
//! // Beams and coils, no camera; one person walks in.
//! let mut gate = GateSession::new(SessionConfig { thermal: None, ..SessionConfig::default() })?;
//! let t0 = 1_795_390_200_000_000; // 2026-11-23 07:30 +08:00, µs
//! for (dt, beam, blocked) in [(0, Beam::A, true), (200_000, Beam::B, true),
//!                             (500_000, Beam::A, false), (700_000, Beam::B, false)] {
//!     gate.push_beam(BeamEvent { t: Timestamp(t0 + dt), beam, blocked })?;
//! }
//! gate.finish()?;
//! let mut passages = Vec::new();
//! gate.poll(&mut passages);
//! assert_eq!(passages.len(), 1);
//! assert_eq!(passages[0].direction, Way::In);
//! // No coil samples arrived: said so, not guessed.
//! assert!(passages[0].flags.contains(PassageFlags::METAL_NO_DATA));
//!
//! let dir = tempfile::tempdir().map_err(|e| hsm::gate::GateError::Storage(e.to_string()))?;
//! let mut log = PassageLog::open(dir.path().join("passages.db"))?;
//! log.append_all(&mut passages)?; // durable once this returns
//! let faults = log.query(&Query { alarms: Alarms::SENSOR_FAULT, ..Query::default() })?;
//! assert_eq!(faults.len(), 1);
//! # Ok::<(), hsm::Error>(())
//! ```
//!
//! # Clock
//! Timestamps are µs since the Unix epoch (UTC) as the gate's clock reports
//! them; libhsm never reads a clock itself (retention takes "now" from the
//! caller).

pub mod demo;
pub mod error;
pub mod export;
pub mod log;
pub mod record;
pub mod recording;
pub mod session;
pub mod token;

pub use error::GateError;
pub use export::{ExportFormat, TokenExport, export};
pub use log::{Bucket, ContactScope, FlowRow, PassageLog, Query};
pub use record::{
    Alarms, MetalFinding, Passage, PassageFlags, ThermalFinding, ThermalOutcome, TokenHash, Way,
};
pub use session::{GateSession, MetalSetup, SessionConfig, SessionStats, ThermalSetup};
pub use token::SiteKey;
