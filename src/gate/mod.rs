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
//!   [`PassageFlags::NO_FACE`] and a re-check.
//! - **Metal**: the samples in `[t − before, t + after]` around the transit's
//!   completion `t` (defaults 1.5 s and 0.5 s) are one detector passage.
//!   Windows of consecutive passages that overlap set
//!   [`PassageFlags::METAL_OVERLAP`]; too few samples set
//!   [`PassageFlags::METAL_NO_DATA`] and a sensor-fault alarm. Samples no
//!   window covers are swept in window-sized pieces; a detection there is a
//!   record of its own, direction unknown, flagged
//!   [`PassageFlags::METAL_WITHOUT_PASSAGE`].
//! - **Tokens**: the latest token seen within the approach window before the
//!   transit binds to it, as a keyed hash (never the token).
//! - **Lateness**: a passage closes when every stream it needs has reached
//!   its window's end, or when the newest data is [`SessionConfig::reorder`]
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
