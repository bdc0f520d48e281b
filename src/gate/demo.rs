//! A simulated morning at a hospital entrance, run through a
//! [`GateSession`] and compared with the simulation's truth.
//!
//! The three simulators share one timeline:
//! - **People and beams** — [`hsm_core::counting::sim`]: arrivals in both
//!   directions with pairs, groups, tailgaters, loiterers and U-turns, and
//!   the beam edges they cause (with chatter).
//!   An overhead camera's person detections (the same simulator's) feed the
//!   counting line, which tells how many people each beam transit was.
//! - **Thermal** — [`hsm_thermal::sim`]: each inbound person is drawn from
//!   the population (a stated fraction febrile) and rendered walking up to
//!   the camera on a 10 frame/s grid from 1.25 s to 0.25 s before they cross
//!   the beams (about 2.1 m to 0.9 m away); people whose approaches overlap
//!   share frames. Between approaches the camera delivers one frame per
//!   second (the blackbody and sensor checks keep running).
//! - **Metal** — [`hsm_metal::sim`]: each crossing person carries nothing, one
//!   innocuous item or one threat from the built-in library at a random body
//!   location; their 4.5 s coil response spans their crossing (their own
//!   metal and their body's weak conductive response), fading in and out
//!   over its first and last 0.5 s (1.3 s or more from the crossing), and overlapping
//!   responses add, as coil responses superpose. The gate's own
//!   disturbances (static coupling offset, linear drift, slow wander, mains
//!   hum, white noise) are one continuous [`Background`] under everyone: the
//!   coils stream every sample of the morning, people or not, and two
//!   people close together share one noise floor, as on a real gate.
//!
//! The streams are merged in time order and fed to the session, which writes
//! each passage to the log as it closes. [`DemoSummary`] compares passages
//! with the truth person by person.
//!
//! For diagnosis, setting the environment variable `HSM_DEMO_DEBUG` prints to
//! stderr every person whose passage was merged with another's without a
//! flag, every entering person whose fever alarm disagrees with the truth
//! (with their body temperature and the passage's thermal finding), every
//! threat carrier who was not stopped (with what they carried where, and
//! the people crossing within 1.6 s with theirs) and every record of metal
//! without passage (with the people crossing within 8 s). It is not part
//! of the CLI's contract.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use hsm_core::counting::{Direction, sim as csim};
use hsm_core::rng::SplitMix64;
use hsm_core::{FrameView, Timestamp};
use hsm_metal::gate::Gate;
use hsm_metal::library::{LibraryObject, ObjectClass};
use hsm_metal::sim::{Background, BodyLocation, Carried, Disturbances};
use hsm_thermal::sim::{self as tsim, Person, Placement, Scene};
use num_complex::Complex64;
use serde::Serialize;

use super::error::GateError;
use super::log::PassageLog;
use super::record::{Alarms, Passage, PassageFlags, Way};
use super::recording::{
    BlackbodyManifest, FORMAT, LineManifest, Manifest, MetalManifest, RecordingWriter,
    ThermalManifest,
};
use super::session::{GateSession, SessionConfig};

/// 2026-11-23 07:30 at UTC+8 (a Monday morning), µs since the Unix epoch.
pub const DEFAULT_START: Timestamp = Timestamp(1_795_390_200_000_000);

/// What to simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoConfig {
    /// Simulated minutes (0 < m <= 1440).
    pub minutes: f64,
    /// Seed: same seed, same passages.
    pub seed: u64,
    /// Wall-clock time of the first instant, µs since the Unix epoch.
    pub start: Timestamp,
    /// Fraction of inbound persons febrile (default 0.05).
    pub fever_fraction: f64,
    /// Fraction of persons carrying a threat (default 0.03).
    pub threat_fraction: f64,
    /// Fraction carrying one innocuous item (default 0.5).
    pub innocuous_fraction: f64,
    /// Gap between groups reaching the gate, s (default 1.5–8: about ten
    /// people a minute through one lane).
    pub gap_s: (f64, f64),
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            minutes: 30.0,
            seed: 1,
            start: DEFAULT_START,
            fever_fraction: 0.05,
            threat_fraction: 0.03,
            innocuous_fraction: 0.5,
            gap_s: (1.5, 8.0),
        }
    }
}

/// One truth-versus-gate tally.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Cases in the truth.
    pub truth: u64,
    /// Of those, alarmed by the gate.
    pub alarmed: u64,
    /// Of those, sent to re-check instead.
    pub rechecked: u64,
    /// Alarms on persons without the condition.
    pub false_alarms: u64,
}

/// Per threat class: carried and alarmed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClassTally {
    /// The class (`knife`, `firearm`, …).
    pub class: String,
    /// Passes carrying it.
    pub carried: u64,
    /// Of those, alarmed.
    pub alarmed: u64,
    /// Of those, re-checked.
    pub rechecked: u64,
}

/// What the demo did and how it compares with the truth.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DemoSummary {
    /// Simulated minutes.
    pub minutes: f64,
    /// Seed.
    pub seed: u64,
    /// Persons who crossed, by direction (truth).
    pub truth_in: u64,
    /// Persons who crossed out (truth).
    pub truth_out: u64,
    /// Persons counted in by the gate's passages.
    pub passages_in: u64,
    /// Persons counted out.
    pub passages_out: u64,
    /// Passages written.
    pub passages: u64,
    /// Passages standing for two people (flagged).
    pub multiple_persons: u64,
    /// Records of metal without a transit.
    pub metal_without_passage: u64,
    /// Crossing persons matched to a passage of their own.
    pub matched: u64,
    /// Crossing persons sharing a passage flagged as several people.
    pub matched_flagged: u64,
    /// Crossing persons sharing a passage that is *not* flagged (merged
    /// silently: should be 0).
    pub merged_unflagged: u64,
    /// Crossing persons with no passage at all.
    pub unmatched_persons: u64,
    /// Passages no crossing person explains.
    pub unmatched_passages: u64,
    /// Fever: febrile inbound persons, alarmed, re-checked; false alarms.
    pub fever: Tally,
    /// Threats: persons carrying one; alarmed; re-checked; false alarms on
    /// persons carrying none.
    pub threat: Tally,
    /// Threats as the metal detector's bar counts them — one person with
    /// one threat through the coils: those of [`DemoSummary::threat`] whose
    /// passage is theirs alone and not flagged
    /// [`PassageFlags::METAL_OVERLAP`] (`false_alarms` stays 0). The others,
    /// crowded, are in `threat` only.
    pub threat_alone: Tally,
    /// Per threat class.
    pub threat_classes: Vec<ClassTally>,
    /// Nuisance: persons carrying one innocuous item; threat alarms among
    /// them (`alarmed`) and re-checks.
    pub nuisance: Tally,
    /// Nuisance as the metal detector's bar counts it — one person with one
    /// innocuous item through the coils: those of [`DemoSummary::nuisance`]
    /// whose passage is theirs alone and not flagged
    /// [`PassageFlags::METAL_OVERLAP`] (no other person's metal in the
    /// window). The others are in `nuisance` only: a passage shared with a
    /// knife carrier rightly alarms.
    pub nuisance_alone: Tally,
    /// Passages with a re-check.
    pub rechecks: u64,
    /// Passages with a sensor-fault alarm.
    pub sensor_faults: u64,
    /// Thermal frames processed.
    pub frames: u64,
    /// Metal sample frames processed.
    pub metal_samples: u64,
    /// Wall-clock seconds the run took.
    pub wall_s: f64,
    /// Simulated time / wall-clock time.
    pub speed_factor: f64,
}

#[derive(Clone, Debug)]
struct Truth {
    direction: Direction,
    crossing: Timestamp,
    fever: bool,
    /// Body (core) temperature of an entering person, °C.
    core_c: f64,
    threat: Option<ObjectClass>,
    innocuous: bool,
    /// What the person carries and where (for `HSM_DEMO_DEBUG`).
    item: Option<(String, BodyLocation)>,
    passage: Option<usize>,
}

/// A person in the thermal scene during their approach.
#[derive(Clone, Copy, Debug)]
struct Approach {
    person: Person,
    crossing: i64,
    lateral: f64,
    height: f64,
    speed: f64,
}

/// Length of each person's simulated coil response (µs); they cross the
/// coils 40–60 % of the way through it, 1.8–2.7 s from its ends.
const RESPONSE_US: i64 = 4_500_000;
/// [`RESPONSE_US`] in seconds.
const RESPONSE_S: f64 = RESPONSE_US as f64 * 1e-6;
/// A person's response is simulated once their crossing is this close
/// ahead of the stream (µs): it starts at most 0.6 × [`RESPONSE_US`] before
/// the crossing, so still ahead of every slot streamed.
const SIM_LEAD_US: i64 = 5_000_000;
const _: () = assert!(SIM_LEAD_US > RESPONSE_US * 6 / 10);
/// Each response fades in and out over this long (s; see
/// [`hsm_metal::sim::SimConfig::fade_s`]): a simulated response starts and
/// ends with the person 0.9 m (the slowest walkers) to several metres from
/// the coils, where a large object can still give up to a few hundred
/// times the noise; added to the stream unfaded, those ends were steps,
/// which the gate swept up as metal without a passage and which landed in
/// neighbours' windows. Fully on from 1.3 s before the crossing, before
/// any window of the person's opens.
const FADE_S: f64 = 0.5;

const FRAME_STEP_US: i64 = 100_000;
const APPROACH_FIRST_US: i64 = 1_250_000;
const APPROACH_LAST_US: i64 = 250_000;

fn range(rng: &mut SplitMix64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.unit()
}

fn bad(field: &'static str, value: f64, expected: &'static str) -> GateError {
    GateError::InvalidArgument {
        field,
        value,
        expected,
    }
}

/// The session configuration the demo uses: the default thermal camera
/// (160 × 120 TLinear, blackbody at 35 °C in view), the default 18-zone,
/// 4-frequency coils with the "hospital" program, default beams.
///
/// # Errors
/// None in practice; the thermal simulator's blackbody placement is checked.
pub fn demo_session_config() -> Result<SessionConfig, GateError> {
    demo_manifest().session_config(Path::new("gate.json"))
}

/// Runs the demo: simulates, feeds a session built from
/// [`demo_session_config`], appends every passage to `log` (when given) and
/// compares with the truth. `progress` is called with the simulated
/// fraction done (0–1) now and then.
///
/// # Errors
/// [`GateError::InvalidArgument`] for a bad configuration; any pipeline or
/// log error.
pub fn run(
    cfg: &DemoConfig,
    log: Option<&mut PassageLog>,
    progress: impl FnMut(f64),
) -> Result<DemoSummary, GateError> {
    run_recorded(cfg, log, None, progress)
}

/// The manifest of the demo's recordings (see [`super::recording`]).
#[must_use]
pub fn demo_manifest() -> Manifest {
    let cam = tsim::CameraModel::default();
    let bb = tsim::default_blackbody(cam.width, cam.height);
    let r = bb.interior(2);
    Manifest {
        format: FORMAT.to_owned(),
        version: 1,
        gate_id: "gate-1".to_owned(),
        entrance_id: "outpatient-main".to_owned(),
        thermal: Some(ThermalManifest {
            radiometry: "tlinear-0.01".to_owned(),
            width: cam.width,
            height: cam.height,
            blackbody: Some(BlackbodyManifest {
                x: r.x,
                y: r.y,
                w: r.width,
                h: r.height,
                set_point_c: bb.set_point.get(),
            }),
            threshold_c: 37.3,
        }),
        metal: Some(MetalManifest {
            program: "hospital".to_owned(),
            zones: 18,
            frequencies: 4,
        }),
        line: Some(LineManifest {
            x1: 0.0,
            y1: 120.0,
            x2: 320.0,
            y2: 120.0,
        }),
    }
}

/// As [`run`], also writing every sensor stream to a recording in
/// `record` (see [`super::recording`]) that `hsm gate run` replays.
///
/// # Errors
/// As [`run`]; [`GateError::Io`] for the recording.
pub fn run_recorded(
    cfg: &DemoConfig,
    mut log: Option<&mut PassageLog>,
    record: Option<&Path>,
    mut progress: impl FnMut(f64),
) -> Result<DemoSummary, GateError> {
    if !(cfg.minutes > 0.0 && cfg.minutes <= 1440.0) {
        return Err(bad("minutes", cfg.minutes, "0 < minutes <= 1440"));
    }
    for (f, v) in [
        ("fever_fraction", cfg.fever_fraction),
        ("threat_fraction", cfg.threat_fraction),
        ("innocuous_fraction", cfg.innocuous_fraction),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(bad(f, v, "a fraction in [0, 1]"));
        }
    }
    if cfg.threat_fraction + cfg.innocuous_fraction > 1.0 {
        return Err(bad(
            "threat_fraction + innocuous_fraction",
            cfg.threat_fraction + cfg.innocuous_fraction,
            "at most 1",
        ));
    }
    let wall = Instant::now();
    let manifest = demo_manifest();
    let session_cfg = manifest.session_config(Path::new("gate.json"))?;
    let mut session = GateSession::new(session_cfg.clone())?;
    let start = cfg.start.0;

    // People and beams.
    let csim_cfg = csim::SimConfig {
        seed: cfg.seed,
        minutes: cfg.minutes,
        gap_s: cfg.gap_s,
        ..csim::SimConfig::default()
    };
    let people = csim::simulate(&csim_cfg)?;
    let mut rng = SplitMix64::new(cfg.seed ^ 0x6761_7465_2d64_656d);

    // Thermal.
    let tcfg = tsim::SimConfig {
        seed: cfg.seed,
        population: tsim::Population {
            fever_fraction: cfg.fever_fraction,
            ..tsim::Population::default()
        },
        ..tsim::SimConfig::default()
    };
    let mut tsim = tsim::Simulator::new(tcfg)?;
    let cam = tcfg.camera;

    // Metal.
    let metal_setup = session_cfg.metal.clone().unwrap_or_default();
    let gate = Gate::new(metal_setup.coils.clone())?;
    let omegas = gate.omegas().to_vec();
    let fs = gate.config().sample_rate_hz;
    let slot_us = 1e6 / fs;
    let per_frame = gate.zones() * gate.frequencies();
    let mut msim = hsm_metal::sim::Simulator::new(
        gate,
        hsm_metal::sim::SimConfig {
            // Long enough that the gate's window around the beams' clearing
            // (up to a second after the crossing) is covered.
            duration_s: RESPONSE_S,
            fade_s: FADE_S,
            // Each person's own response only; the gate's disturbances
            // are the one background below.
            disturbances: Disturbances {
                body: Disturbances::default().body,
                ..Disturbances::NONE
            },
            ..hsm_metal::sim::SimConfig::default()
        },
        cfg.seed,
    )?;
    let mut metal = MetalStream {
        acc: BTreeMap::new(),
        background: Background::new(
            msim.gate(),
            &Disturbances::default(),
            cfg.seed ^ 0x636f_696c_2d62_6700,
        )?,
        next_slot: None,
        slot_us,
        frame: Vec::with_capacity(per_frame),
    };
    let library = hsm_metal::library::builtin();
    let threats: Vec<&LibraryObject> = library.iter().filter(|o| o.class.is_threat()).collect();
    let innocuous: Vec<&LibraryObject> = library.iter().filter(|o| !o.class.is_threat()).collect();
    let mut signatures = BTreeMap::new();
    for o in &library {
        signatures.insert(o.name.clone(), o.signature(&omegas)?);
    }

    // Truth per crossing person, in crossing order.
    let mut truth: Vec<Truth> = Vec::new();
    let mut approaches: Vec<Approach> = Vec::new();
    let mut carried: Vec<Vec<Carried>> = Vec::new();
    for tr in &people.truth {
        let u = rng.unit();
        let (threat, item) = if u < cfg.threat_fraction && !threats.is_empty() {
            let o = threats[rng.below(threats.len() as u64) as usize];
            (Some(o.class), Some(o))
        } else if u < cfg.threat_fraction + cfg.innocuous_fraction && !innocuous.is_empty() {
            let o = innocuous[rng.below(innocuous.len() as u64) as usize];
            (None, Some(o))
        } else {
            (None, None)
        };
        let mut label = None;
        let items = match item {
            Some(o) => {
                let location =
                    BodyLocation::ALL[rng.below(BodyLocation::ALL.len() as u64) as usize];
                label = Some((o.name.clone(), location));
                match signatures.get(&o.name) {
                    Some(sig) => vec![Carried {
                        signature: sig.clone(),
                        location,
                        orientation: None,
                    }],
                    None => Vec::new(),
                }
            }
            None => Vec::new(),
        };
        let crossing = Timestamp(start + tr.t.0);
        let (mut fever, mut core_c) = (false, f64::NAN);
        if tr.direction == Direction::In {
            let person = tsim.draw_person();
            fever = person.fever;
            core_c = person.core.get();
            approaches.push(Approach {
                person,
                crossing: crossing.0,
                lateral: range(&mut rng, -0.12, 0.12),
                height: range(&mut rng, -0.06, 0.06),
                speed: range(&mut rng, 1.0, 1.4),
            });
        }
        truth.push(Truth {
            direction: tr.direction,
            crossing,
            fever,
            core_c,
            threat,
            innocuous: item.is_some() && threat.is_none(),
            item: label,
            passage: None,
        });
        carried.push(items);
    }

    // The thermal frame grid: approach frames, else one a second.
    let mut frame_times: Vec<i64> = Vec::new();
    for a in &approaches {
        let first = (a.crossing - APPROACH_FIRST_US).div_euclid(FRAME_STEP_US) + 1;
        let last = (a.crossing - APPROACH_LAST_US).div_euclid(FRAME_STEP_US);
        frame_times.extend((first..=last).map(|k| k * FRAME_STEP_US));
    }
    let end = start + (cfg.minutes * 60e6) as i64;
    let mut k = start.div_euclid(1_000_000) * 1_000_000;
    while k < end {
        frame_times.push(k);
        k += 1_000_000;
    }
    frame_times.sort_unstable();
    frame_times.dedup();
    let mut rec = match record {
        Some(dir) => Some(RecordingWriter::create(dir, &manifest, frame_times.len())?),
        None => None,
    };

    // Beam edges, on the wall clock.
    let beams: Vec<hsm_core::counting::BeamEvent> = people
        .beam_events
        .iter()
        .map(|e| hsm_core::counting::BeamEvent {
            t: Timestamp(start + e.t.0),
            ..*e
        })
        .collect();

    // Merge: frames and beams by time; metal slots produced lazily.
    let mut next_metal_person = 0usize;
    let mut counts = vec![0u16; cam.width * cam.height];
    let (mut fi, mut bi, mut di) = (0usize, 0usize, 0usize);
    let mut passages: Vec<Passage> = Vec::new();
    let mut last_progress = start;
    let mut active: Vec<usize> = Vec::new();
    let mut next_approach = 0usize;
    loop {
        let tf = frame_times.get(fi).copied();
        let tb = beams.get(bi).map(|e| e.t.0);
        let td = people.frames.get(di).map(|f| start + f.t.0);
        let Some(now) = [tf, tb, td].into_iter().flatten().min() else {
            break;
        };
        // Simulate the responses of people crossing within SIM_LEAD_US of
        // now: each starts at most 0.6 × RESPONSE_S before its crossing,
        // so after everything streamed so far.
        while let Some(tr) = truth.get(next_metal_person) {
            if tr.crossing.0 > now + SIM_LEAD_US {
                break;
            }
            let items = carried
                .get(next_metal_person)
                .map_or(&[][..], Vec::as_slice);
            let (rec, mtruth) = msim.passage(items)?;
            let t0 = tr.crossing.0 as f64 - mtruth.crossing_s * 1e6;
            for (j, frame) in (0..rec.frames()).filter_map(|j| rec.frame(j).map(|f| (j, f))) {
                let slot = ((t0 + j as f64 * slot_us) / slot_us).round() as i64;
                let acc = metal
                    .acc
                    .entry(slot)
                    .or_insert_with(|| vec![Complex64::new(0.0, 0.0); per_frame]);
                for (a, s) in acc.iter_mut().zip(frame) {
                    *a += s;
                }
            }
            next_metal_person += 1;
        }
        // Feed metal samples up to now.
        metal.feed(now, start, &mut session, &mut rec)?;
        if tb == Some(now) {
            if let Some(ev) = beams.get(bi) {
                if let Some(r) = &mut rec {
                    r.beam(ev)?;
                }
                session.push_beam(*ev)?;
            }
            bi += 1;
        } else if td == Some(now) {
            if let Some(r) = &mut rec {
                r.detections(Timestamp(now), people.frame_detections(di))?;
            }
            session.push_detections(Timestamp(now), people.frame_detections(di))?;
            di += 1;
        } else {
            // Render the frame at `now` with everyone approaching.
            while let Some(a) = approaches.get(next_approach) {
                if a.crossing - APPROACH_FIRST_US > now {
                    break;
                }
                active.push(next_approach);
                next_approach += 1;
            }
            active.retain(|&i| {
                approaches
                    .get(i)
                    .is_some_and(|a| a.crossing - APPROACH_LAST_US >= now)
            });
            let mut scene = Scene::default();
            for &i in &active {
                let Some(a) = approaches.get(i) else { continue };
                let dt = (a.crossing - now) as f64 / 1e6;
                if dt < APPROACH_LAST_US as f64 / 1e6 {
                    continue;
                }
                let d = 0.6 + a.speed * dt;
                let f = cam.focal_px / d;
                scene.people.push(Placement {
                    person: a.person,
                    x: cam.width as f64 / 2.0 + a.lateral * f,
                    y: cam.height as f64 * 0.42 + a.height * f,
                    distance_m: d,
                });
            }
            // Far to near.
            scene
                .people
                .sort_by(|a, b| b.distance_m.total_cmp(&a.distance_m));
            tsim.render_into(&scene, &mut counts);
            if let Some(r) = &mut rec {
                r.frame(Timestamp(now), &counts)?;
            }
            let view = FrameView::packed(&counts, cam.width, cam.height)?;
            session.push_frame(Timestamp(now), &view)?;
            fi += 1;
        }
        let before = passages.len();
        session.poll(&mut passages);
        if let Some(log) = log.as_deref_mut()
            && passages.len() > before
        {
            log.append_all(&mut passages[before..])?;
        }
        if now - last_progress >= 30_000_000 {
            last_progress = now;
            progress(((now - start) as f64 / (end - start) as f64).clamp(0.0, 1.0));
        }
    }
    // Remaining metal (to the end of the morning and of the last
    // person's response), then close everything.
    let last = metal
        .acc
        .last_key_value()
        .map_or(end, |(&k, _)| end.max((k as f64 * slot_us).round() as i64));
    metal.feed(last, start, &mut session, &mut rec)?;
    if let Some(r) = rec {
        r.finish()?;
    }
    session.finish()?;
    let before = passages.len();
    session.poll(&mut passages);
    if let Some(log) = log
        && passages.len() > before
    {
        log.append_all(&mut passages[before..])?;
    }
    progress(1.0);

    let stats = session.stats();
    let mut s = summarise(cfg, &mut truth, &passages);
    s.frames = stats.frames;
    s.metal_samples = stats.metal_samples;
    s.wall_s = wall.elapsed().as_secs_f64();
    s.speed_factor = cfg.minutes * 60.0 / s.wall_s.max(1e-9);
    Ok(s)
}

/// The coils' stream: people's responses (added into slots of the sample
/// grid as they are simulated) on one continuous background.
struct MetalStream {
    /// Slot index (time / slot) → the responses that fall there.
    acc: BTreeMap<i64, Vec<Complex64>>,
    background: Background,
    /// The next slot to stream (`None` before the first).
    next_slot: Option<i64>,
    slot_us: f64,
    frame: Vec<Complex64>,
}

impl MetalStream {
    /// Stream every slot up to `until` (µs): background plus whoever is
    /// there. Responses are simulated seconds before their first slot is
    /// due (the caller's lead), so none is ever behind the stream; one that
    /// were would be an error, not a silently dropped person.
    fn feed(
        &mut self,
        until: i64,
        start: i64,
        session: &mut GateSession,
        rec: &mut Option<RecordingWriter>,
    ) -> Result<(), GateError> {
        let first = (start as f64 / self.slot_us).floor() as i64;
        let mut slot = *self.next_slot.get_or_insert_with(|| {
            self.acc
                .first_key_value()
                .map_or(first, |(&k, _)| k.min(first))
        });
        if let Some((&k, _)) = self.acc.first_key_value()
            && k < slot
        {
            return Err(bad(
                "metal response slot",
                k as f64,
                "a slot not yet streamed (simulated ahead of time)",
            ));
        }
        loop {
            let t = (slot as f64 * self.slot_us).round() as i64;
            if t > until {
                break;
            }
            self.background.next_frame(&mut self.frame);
            if let Some(person) = self.acc.remove(&slot) {
                for (a, s) in self.frame.iter_mut().zip(&person) {
                    *a += s;
                }
            }
            if let Some(r) = rec.as_mut() {
                r.metal(Timestamp(t), &self.frame)?;
            }
            session.push_metal(Timestamp(t), &self.frame)?;
            slot += 1;
        }
        self.next_slot = Some(slot);
        Ok(())
    }
}

/// Matches passages to truth persons and tallies.
fn summarise(cfg: &DemoConfig, truth: &mut [Truth], passages: &[Passage]) -> DemoSummary {
    // Diagnostics to stderr (module docs), looked up once.
    let debug = std::env::var_os("HSM_DEMO_DEBUG").is_some();
    let mut s = DemoSummary {
        minutes: cfg.minutes,
        seed: cfg.seed,
        passages: passages.len() as u64,
        ..DemoSummary::default()
    };
    let mut explained = vec![0u32; passages.len()];
    // Each crossing person: the passage of the same direction completing
    // nearest after their crossing (within 2 s), preferring unused ones.
    for tr in truth.iter_mut() {
        let way = Way::from(tr.direction);
        let mut best: Option<(usize, i64)> = None;
        for (i, p) in passages.iter().enumerate() {
            if p.direction != way {
                continue;
            }
            let dt = p.exit.0 - tr.crossing.0;
            if !(-200_000..=2_000_000).contains(&dt) {
                continue;
            }
            let cost = dt.abs() + if explained[i] > 0 { 10_000_000 } else { 0 };
            if best.is_none_or(|(_, c)| cost < c) {
                best = Some((i, cost));
            }
        }
        if let Some((i, _)) = best {
            explained[i] += 1;
            tr.passage = Some(i);
        }
    }
    for tr in truth.iter() {
        match tr.direction {
            Direction::In => s.truth_in += 1,
            Direction::Out => s.truth_out += 1,
        }
        let Some(p) = tr.passage.and_then(|i| passages.get(i)) else {
            s.unmatched_persons += 1;
            continue;
        };
        let shared = tr
            .passage
            .and_then(|i| explained.get(i))
            .copied()
            .unwrap_or(0)
            > 1;
        if !shared {
            s.matched += 1;
        } else if p
            .flags
            .intersects(PassageFlags::MULTIPLE_PERSONS | PassageFlags::MULTIPLE_FACES)
        {
            s.matched_flagged += 1;
        } else {
            if debug {
                eprintln!(
                    "merged: {:?} crossing {} passage {:?} {:?} persons {}",
                    tr.direction, tr.crossing.0, p.exit.0, p.flags, p.persons
                );
            }
            s.merged_unflagged += 1;
        }
        if tr.direction == Direction::In {
            if debug && (tr.fever != p.alarms.contains(Alarms::FEVER)) {
                eprintln!(
                    "fever mismatch: exit {} truth {} core {:.2} passage {} persons {} flags {:?} alarms {:?} thermal {:?}",
                    p.exit.0, tr.fever, tr.core_c, p.id, p.persons, p.flags, p.alarms, p.thermal
                );
            }
            if tr.fever {
                s.fever.truth += 1;
                if p.alarms.contains(Alarms::FEVER) {
                    s.fever.alarmed += 1;
                } else if p.alarms.contains(Alarms::RECHECK) {
                    s.fever.rechecked += 1;
                }
            } else if p.alarms.contains(Alarms::FEVER) && !shared {
                s.fever.false_alarms += 1;
            }
        }
        // Alone as the metal detector's bars count it: the passage is this
        // person's only, and no one else's metal reaches its window.
        let alone = !shared && !p.flags.contains(PassageFlags::METAL_OVERLAP);
        if let Some(class) = tr.threat {
            s.threat.truth += 1;
            let alarmed = p.alarms.contains(Alarms::THREAT);
            let rechecked = !alarmed && p.alarms.contains(Alarms::RECHECK);
            if debug && !alarmed && !rechecked {
                eprintln!(
                    "threat missed: {class:?} {:?} crossing {} passage {} persons {} flags {:?} metal {:?}",
                    tr.item, tr.crossing.0, p.id, p.persons, p.flags, p.metal
                );
                for o in truth
                    .iter()
                    .filter(|o| (o.crossing.0 - tr.crossing.0).abs() < 1_600_000)
                    .filter(|o| o.crossing != tr.crossing)
                {
                    eprintln!(
                        "  neighbour {:+.2} s {:?} {:?}",
                        (o.crossing.0 - tr.crossing.0) as f64 * 1e-6,
                        o.direction,
                        o.item
                    );
                }
            }
            s.threat.alarmed += u64::from(alarmed);
            s.threat.rechecked += u64::from(rechecked);
            if alone {
                s.threat_alone.truth += 1;
                s.threat_alone.alarmed += u64::from(alarmed);
                s.threat_alone.rechecked += u64::from(rechecked);
            }
            let name = class.name();
            match s.threat_classes.iter_mut().find(|c| c.class == name) {
                Some(c) => {
                    c.carried += 1;
                    c.alarmed += u64::from(alarmed);
                    c.rechecked += u64::from(rechecked);
                }
                None => s.threat_classes.push(ClassTally {
                    class: name.to_owned(),
                    carried: 1,
                    alarmed: u64::from(alarmed),
                    rechecked: u64::from(rechecked),
                }),
            }
        } else if p.alarms.contains(Alarms::THREAT) && !shared {
            s.threat.false_alarms += 1;
        }
        if tr.innocuous {
            for (tally, counts) in [(&mut s.nuisance, true), (&mut s.nuisance_alone, alone)] {
                if !counts {
                    continue;
                }
                tally.truth += 1;
                if p.alarms.contains(Alarms::THREAT) {
                    tally.alarmed += 1;
                } else if p.alarms.contains(Alarms::RECHECK) {
                    tally.rechecked += 1;
                }
            }
        }
    }
    s.threat_classes.sort_by(|a, b| a.class.cmp(&b.class));
    for (i, p) in passages.iter().enumerate() {
        match p.direction {
            Way::In => s.passages_in += u64::from(p.persons),
            Way::Out => s.passages_out += u64::from(p.persons),
            Way::Unknown => {}
        }
        if p.flags.contains(PassageFlags::MULTIPLE_PERSONS) {
            s.multiple_persons += 1;
        }
        if p.flags.contains(PassageFlags::METAL_WITHOUT_PASSAGE) {
            s.metal_without_passage += 1;
            if debug {
                eprintln!(
                    "orphan metal: {}..{} alarms {:?} metal {:?}",
                    p.entry.0, p.exit.0, p.alarms, p.metal
                );
                for o in truth
                    .iter()
                    .filter(|o| (o.crossing.0 - p.entry.0).abs() < 8_000_000)
                {
                    eprintln!(
                        "  person {:+.2} s from entry {:?} {:?}",
                        (o.crossing.0 - p.entry.0) as f64 * 1e-6,
                        o.direction,
                        o.item
                    );
                }
            }
        }
        if p.alarms.contains(Alarms::RECHECK) {
            s.rechecks += 1;
        }
        if p.alarms.contains(Alarms::SENSOR_FAULT) {
            s.sensor_faults += 1;
        }
        if explained.get(i).copied().unwrap_or(0) == 0 && p.direction != Way::Unknown {
            s.unmatched_passages += 1;
        }
    }
    s
}
