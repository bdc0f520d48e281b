//! The gate: one session fusing thermal frames, metal samples, beam edges,
//! overhead detections and person tokens into passages, and the passage log
//! (SQLite) they are kept in.
//!
//! A `hsm_gate` is fed timestamped data (each stream in time order, any
//! interleaving across streams within `reorder_us`) and polled for
//! passages into the caller's array; given a `hsm_gate_log`, the poll
//! appends them durably first, so every passage the caller receives has its
//! log id. The association rules are those of `hsm::gate` (module docs).

use std::ffi::{CStr, c_char};
use std::path::Path;

use hsm::core::counting::{BeamEvent, CountingLine, Detection, LineConfig};
use hsm::core::{Celsius, FrameView, Micros, Rect, Timestamp};
use hsm::gate::demo::demo_session_config;
use hsm::gate::{
    ContactScope, ExportFormat, GateError, GateSession, MetalSetup, Passage, PassageLog, Query,
    SessionConfig, SiteKey, ThermalOutcome, ThermalSetup, TokenExport, TokenHash, Way, export,
};
use hsm::thermal::extract::{BlackbodyConfig, ProcessorConfig};
use hsm::thermal::radiometry::{
    AtmosphericConstants, PlanckConstants, Radiometry, Scene, TLinearResolution,
};

use crate::count::{beam_of, hsm_beam_config, hsm_detection};
use crate::error::{FfiError, hsm_status};
use crate::panic::{free_handle, status_of};
use crate::slice::{as_mut, as_mut_slice, as_ref, as_slice};
use crate::thermal::{hsm_atmosphere, hsm_planck, hsm_scene};

/// Alarm bit: body temperature at or above the fever line.
pub const HSM_ALARM_FEVER: u32 = 1 << 0;
/// Alarm bit: the metal finding's decision is alarm (a threat).
pub const HSM_ALARM_THREAT: u32 = 1 << 1;
/// Alarm bit: screen again by hand (no trustworthy temperature, an
/// uncertain metal object).
pub const HSM_ALARM_RECHECK: u32 = 1 << 2;
/// Alarm bit: a sensor was faulty while the passage was measured (dead
/// lines, frozen frame, blackbody missing or drifting, no metal data, a
/// stuck beam).
pub const HSM_ALARM_SENSOR_FAULT: u32 = 1 << 3;
/// Alarm bit: the person token matched the watch list.
pub const HSM_ALARM_WATCHLIST: u32 = 1 << 4;

/// Passage flag: the beams counted two people in one transit; the record
/// stands for both (`persons` = 2).
pub const HSM_PASSAGE_FLAG_MULTIPLE_PERSONS: u32 = 1 << 0;
/// Passage flag: more than one face in the approach frames; the nearest
/// face was measured.
pub const HSM_PASSAGE_FLAG_MULTIPLE_FACES: u32 = 1 << 1;
/// Passage flag: an inbound passage with a thermal camera, but no face in
/// its approach window.
pub const HSM_PASSAGE_FLAG_NO_FACE: u32 = 1 << 2;
/// Passage flag: the metal window overlaps a neighbouring passage's.
pub const HSM_PASSAGE_FLAG_METAL_OVERLAP: u32 = 1 << 3;
/// Passage flag: too few metal samples in the passage's window to decide.
pub const HSM_PASSAGE_FLAG_METAL_NO_DATA: u32 = 1 << 4;
/// Passage flag: metal detected with no beam transit to anchor it (a record
/// of its own, direction unknown).
pub const HSM_PASSAGE_FLAG_METAL_WITHOUT_PASSAGE: u32 = 1 << 5;
/// Passage flag: a stream lagged past `reorder_us`; the passage was closed
/// without it.
pub const HSM_PASSAGE_FLAG_LATE_STREAM: u32 = 1 << 6;
/// Passage flag: a person token arrived without a site key; it was dropped.
pub const HSM_PASSAGE_FLAG_TOKEN_DROPPED: u32 = 1 << 7;

/// Shortest accepted site key, bytes.
pub const HSM_GATE_MIN_KEY_BYTES: usize = 32;

/// How the thermal camera's counts map to temperature.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_gate_radiometry {
    /// TLinear: counts are apparent temperature in centi-kelvin.
    TlinearCentiKelvin = 0,
    /// TLinear: counts are apparent temperature in deci-kelvin.
    TlinearDeciKelvin = 1,
    /// °C = `linear_gain` · count + `linear_offset`.
    Linear = 2,
    /// Raw counts with the Planck constants, atmosphere and scene of the
    /// config's `planck`, `atmosphere` and `scene` fields.
    Planck = 3,
}

/// Which way a passage went.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_gate_direction {
    /// Into the building.
    In = 0,
    /// Out of the building.
    Out = 1,
    /// Not known: a record no beam transit anchors
    /// (`HSM_PASSAGE_FLAG_METAL_WITHOUT_PASSAGE`).
    Unknown = 2,
}

/// The thermal decision of a passage.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_gate_thermal_outcome {
    /// No thermal finding (`has_thermal` false).
    None = 0,
    /// Below the fever line on enough valid readings.
    Normal = 1,
    /// At or above the fever line.
    Fever = 2,
    /// No trustworthy reading: screen again.
    Recheck = 3,
}

/// The metal decision of a passage.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_gate_metal_decision {
    /// No metal finding (`has_metal` false).
    None = 0,
    /// Nothing to act on.
    Pass = 1,
    /// An uncertain object: screen again.
    Recheck = 2,
    /// A threat.
    Alarm = 3,
}

/// The file format of `hsm_gate_log_export`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_gate_export_format {
    /// Apache Parquet, Snappy-compressed; `entry_us`/`exit_us` as
    /// TIMESTAMP(MICROS, UTC).
    Parquet = 0,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv = 1,
    /// One JSON object per line.
    Jsonl = 2,
}

/// What `hsm_gate_log_export_tokens` writes in the `token` column.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_gate_token_export {
    /// Nothing (as `hsm_gate_log_export`).
    Drop = 0,
    /// The stored keyed hash, hex.
    Hash = 1,
    /// A pseudonym: the stored hash hashed again under an export key, so
    /// that one person's passages link to each other within the export but
    /// not to the log or to an export under another key.
    Pseudonym = 2,
}

/// Everything a gate session needs, given once to `hsm_gate_new`. Start
/// from `hsm_gate_config_default` and change what differs. Durations in µs.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_gate_config {
    /// The gate's id (UTF-8, NUL-terminated, non-empty), stored with every
    /// passage. Copied by `hsm_gate_new`.
    pub gate_id: *const c_char,
    /// The entrance the gate belongs to (contacts group by it). Copied.
    pub entrance_id: *const c_char,
    /// Whether a thermal camera is fitted.
    pub thermal: bool,
    /// How its counts map to temperature: an `hsm_gate_radiometry` value
    /// (`uint32_t` so that any value a caller stores is checked, not
    /// undefined behaviour).
    pub radiometry: u32,
    /// °C per count (`HSM_GATE_RADIOMETRY_LINEAR` only).
    pub linear_gain: f64,
    /// °C at count 0 (`HSM_GATE_RADIOMETRY_LINEAR` only).
    pub linear_offset: f64,
    /// Planck constants (`HSM_GATE_RADIOMETRY_PLANCK` only).
    pub planck: hsm_planck,
    /// Atmospheric constants (`HSM_GATE_RADIOMETRY_PLANCK` only).
    pub atmosphere: hsm_atmosphere,
    /// Scene (`HSM_GATE_RADIOMETRY_PLANCK` only).
    pub scene: hsm_scene,
    /// Whether a reference blackbody is in view.
    pub has_blackbody: bool,
    /// Blackbody region measured (its interior): left column.
    pub blackbody_x: u32,
    /// Top row.
    pub blackbody_y: u32,
    /// Width in pixels.
    pub blackbody_width: u32,
    /// Height in pixels.
    pub blackbody_height: u32,
    /// The blackbody's set-point, °C.
    pub blackbody_set_point_c: f64,
    /// The fever line for the body estimate, °C (34.0–39.0; default 37.3).
    pub fever_threshold_c: f64,
    /// How long before a transit its person can be seen walking up
    /// (0–60 s; default 3 s). Also the window a token binds within.
    pub approach_us: i64,
    /// Whether a metal detector is fitted (default coils: 18 zones × 4
    /// frequencies at 200 Hz; the built-in "hospital" program).
    pub metal: bool,
    /// Metal window start before the transit's completion (default 1.25 s).
    pub metal_before_us: i64,
    /// Metal window end after it (default 0.75 s).
    pub metal_after_us: i64,
    /// Fraction of the window's samples needed to decide, in (0, 1]
    /// (default 0.8).
    pub metal_min_coverage: f64,
    /// The through-beam decoder (always fitted: beams anchor passages).
    pub beams: hsm_beam_config,
    /// Whether an overhead camera's counting line is fitted (fed with
    /// `hsm_gate_push_detections`).
    pub line: bool,
    /// Line start x, px.
    pub line_x1: f32,
    /// Line start y, px (y down).
    pub line_y1: f32,
    /// Line end x, px.
    pub line_x2: f32,
    /// Line end y, px. Crossing from the left of (x1,y1)→(x2,y2) to its
    /// right is "in".
    pub line_y2: f32,
    /// How far one stream may lag the others (0–60 s; default 1 s).
    pub reorder_us: i64,
}

/// One passage: a person (or a flagged pair) through the gate, flattened.
/// Strings are NUL-terminated UTF-8, truncated on a character boundary to
/// fit; temperatures are NaN when absent.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_passage {
    /// Row id in the passage log; 0 when polled without a log.
    pub id: i64,
    /// The gate's id.
    pub gate_id: [c_char; 64],
    /// The entrance's id.
    pub entrance_id: [c_char; 64],
    /// When the person entered the gate (first face frame, metal window or
    /// beam edge), µs since the Unix epoch.
    pub entry_us: i64,
    /// When the passage completed (the beams cleared), µs since the epoch.
    pub exit_us: i64,
    /// Which way.
    pub direction: hsm_gate_direction,
    /// People in this record: 1, or 2 with `HSM_PASSAGE_FLAG_MULTIPLE_PERSONS`.
    pub persons: u32,
    /// Whether the thermal fields below are set (inbound passages with a
    /// camera and at least one face).
    pub has_thermal: bool,
    /// Median apparent measurement-site temperature, °C.
    pub site_c: f64,
    /// Median blackbody-corrected site temperature, °C.
    pub corrected_c: f64,
    /// Estimated body temperature, °C.
    pub body_c: f64,
    /// The thermal decision.
    pub thermal_outcome: hsm_gate_thermal_outcome,
    /// Face readings collected.
    pub readings: u32,
    /// Valid readings among them.
    pub valid_readings: u32,
    /// Union of the readings' quality flags (the thermal door's bits).
    pub quality_flags: u32,
    /// Whether the metal fields below are set.
    pub has_metal: bool,
    /// Metal above the program's threshold.
    pub metal_detected: bool,
    /// The metal decision.
    pub metal_decision: hsm_gate_metal_decision,
    /// Most probable object class ("" when none), e.g. "knife".
    pub metal_class: [c_char; 24],
    /// Height band of the strongest object ("" when none), e.g. "waist".
    pub metal_height_band: [c_char; 16],
    /// Side of the strongest object ("" when none): "left", "centre", "right".
    pub metal_side: [c_char; 8],
    /// Calibrated probability of `metal_class` (NaN without a finding).
    pub metal_confidence: f64,
    /// Probability the object is a threat (NaN without a finding).
    pub metal_threat_probability: f64,
    /// `HSM_ALARM_*` bits.
    pub alarms: u32,
    /// `HSM_PASSAGE_FLAG_*` bits.
    pub flags: u32,
    /// Whether `token` holds a token hash.
    pub has_token: bool,
    /// HMAC-SHA-256 of the person token under the site key (never the token).
    pub token: [u8; 32],
}

/// A gate session. Created by `hsm_gate_new`, released by `hsm_gate_free`.
/// Not thread-safe: use one handle from one thread at a time (it may move
/// between threads).
pub struct hsm_gate {
    session: GateSession,
    key: Option<SiteKey>,
    /// Passages taken from the session and not yet returned to the caller.
    queue: Vec<Passage>,
    detections: Vec<Detection>,
    metal_zones: usize,
    metal_frequencies: usize,
}

/// An open passage log. Created by `hsm_gate_log_open` or
/// `hsm_gate_log_open_read_only`, released by `hsm_gate_log_close`. Not
/// thread-safe: use one handle from one thread at a time; open one handle
/// per thread (or process) to read while a gate writes.
pub struct hsm_gate_log {
    log: PassageLog,
}

fn copy_str<const N: usize>(s: &str) -> [c_char; N] {
    let mut out = [0 as c_char; N];
    let mut n = s.len().min(N - 1);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    for (o, b) in out.iter_mut().zip(&s.as_bytes()[..n]) {
        *o = *b as c_char;
    }
    out
}

/// `&str` from a NUL-terminated UTF-8 C string.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string valid for `'a`.
unsafe fn c_str<'a>(ptr: *const c_char, arg: &'static str) -> Result<&'a str, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null(arg));
    }
    // SAFETY: non-NULL and, per the caller, NUL-terminated and live.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|_| FfiError {
            status: hsm_status::InvalidUtf8,
            message: format!("argument `{arg}` is not valid UTF-8"),
        })
}

fn passage(p: &Passage) -> hsm_passage {
    let t = p.thermal.as_ref();
    let m = p.metal.as_ref();
    let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    hsm_passage {
        id: p.id,
        gate_id: copy_str(&p.gate),
        entrance_id: copy_str(&p.entrance),
        entry_us: p.entry.0,
        exit_us: p.exit.0,
        direction: match p.direction {
            Way::In => hsm_gate_direction::In,
            Way::Out => hsm_gate_direction::Out,
            Way::Unknown => hsm_gate_direction::Unknown,
        },
        persons: p.persons,
        has_thermal: t.is_some(),
        site_c: nan(t.and_then(|t| t.site_c)),
        corrected_c: nan(t.and_then(|t| t.corrected_c)),
        body_c: nan(t.and_then(|t| t.body_c)),
        thermal_outcome: match t.map(|t| t.outcome) {
            None => hsm_gate_thermal_outcome::None,
            Some(ThermalOutcome::Normal) => hsm_gate_thermal_outcome::Normal,
            Some(ThermalOutcome::Fever) => hsm_gate_thermal_outcome::Fever,
            Some(ThermalOutcome::Recheck) => hsm_gate_thermal_outcome::Recheck,
        },
        readings: t.map_or(0, |t| t.readings),
        valid_readings: t.map_or(0, |t| t.valid_readings),
        quality_flags: t.map_or(0, |t| t.quality_flags),
        has_metal: m.is_some(),
        metal_detected: m.is_some_and(|m| m.detected),
        metal_decision: match m.map(|m| m.decision.as_str()) {
            Some("pass") => hsm_gate_metal_decision::Pass,
            Some("recheck") => hsm_gate_metal_decision::Recheck,
            Some("alarm") => hsm_gate_metal_decision::Alarm,
            _ => hsm_gate_metal_decision::None,
        },
        metal_class: copy_str(m.and_then(|m| m.class.as_deref()).unwrap_or("")),
        metal_height_band: copy_str(m.and_then(|m| m.height_band.as_deref()).unwrap_or("")),
        metal_side: copy_str(m.and_then(|m| m.side.as_deref()).unwrap_or("")),
        metal_confidence: m.map_or(f64::NAN, |m| m.confidence),
        metal_threat_probability: m.map_or(f64::NAN, |m| m.threat_probability),
        alarms: p.alarms.0,
        flags: p.flags.0,
        has_token: p.token.is_some(),
        token: p.token.map_or([0; 32], |h| h.0),
    }
}

/// The C config from a Rust one (for the defaults).
fn c_config(cfg: &SessionConfig) -> Result<hsm_gate_config, FfiError> {
    let thermal = cfg.thermal.clone().unwrap_or_default();
    let metal = cfg.metal.clone().unwrap_or_default();
    let mut out = hsm_gate_config {
        gate_id: c"gate-1".as_ptr(),
        entrance_id: c"outpatient-main".as_ptr(),
        thermal: cfg.thermal.is_some(),
        radiometry: hsm_gate_radiometry::TlinearCentiKelvin as u32,
        linear_gain: 0.01,
        linear_offset: -273.15,
        planck: hsm_planck {
            r1: 0.0,
            r2: 0.0,
            b: 0.0,
            f: 1.0,
            o: 0.0,
        },
        atmosphere: AtmosphericConstants::default().into(),
        scene: Scene::default().into(),
        has_blackbody: false,
        blackbody_x: 0,
        blackbody_y: 0,
        blackbody_width: 0,
        blackbody_height: 0,
        blackbody_set_point_c: 35.0,
        fever_threshold_c: thermal.screening.threshold.get(),
        approach_us: thermal.approach.0,
        metal: cfg.metal.is_some(),
        metal_before_us: metal.before.0,
        metal_after_us: metal.after.0,
        metal_min_coverage: metal.min_coverage,
        beams: cfg.beams.into(),
        line: cfg.line.is_some(),
        line_x1: 0.0,
        line_y1: 0.0,
        line_x2: 0.0,
        line_y2: 0.0,
        reorder_us: cfg.reorder.0,
    };
    match thermal.processor.radiometry {
        Radiometry::TLinear(TLinearResolution::CentiKelvin) => {
            out.radiometry = hsm_gate_radiometry::TlinearCentiKelvin as u32;
        }
        Radiometry::TLinear(TLinearResolution::DeciKelvin) => {
            out.radiometry = hsm_gate_radiometry::TlinearDeciKelvin as u32;
        }
        Radiometry::Linear { gain, offset } => {
            out.radiometry = hsm_gate_radiometry::Linear as u32;
            out.linear_gain = gain;
            out.linear_offset = offset;
        }
        Radiometry::Planck {
            constants,
            atmosphere,
            scene,
        } => {
            out.radiometry = hsm_gate_radiometry::Planck as u32;
            out.planck = hsm_planck {
                r1: constants.r1,
                r2: constants.r2,
                b: constants.b,
                f: constants.f,
                o: constants.o,
            };
            out.atmosphere = atmosphere.into();
            out.scene = scene.into();
        }
        Radiometry::Celsius => {
            return Err(FfiError {
                status: hsm_status::InvalidArgument,
                message: "the default gate's camera delivers °C frames, which the C door \
                          (uint16_t frames) cannot express"
                    .to_owned(),
            });
        }
    }
    if let Some(bb) = thermal.processor.blackbody {
        out.has_blackbody = true;
        out.blackbody_x = bb.rect.x;
        out.blackbody_y = bb.rect.y;
        out.blackbody_width = bb.rect.width;
        out.blackbody_height = bb.rect.height;
        out.blackbody_set_point_c = bb.set_point.get();
    }
    if let Some(l) = &cfg.line {
        out.line_x1 = l.line.p1.x;
        out.line_y1 = l.line.p1.y;
        out.line_x2 = l.line.p2.x;
        out.line_y2 = l.line.p2.y;
    }
    Ok(out)
}

/// The Rust config from a C one.
///
/// # Safety
/// The strings of `c` are NULL or NUL-terminated and live for the call.
unsafe fn session_config(c: &hsm_gate_config) -> Result<SessionConfig, FfiError> {
    // SAFETY: forwarded to the caller.
    let gate_id = unsafe { c_str(c.gate_id, "config.gate_id") }?;
    // SAFETY: as above.
    let entrance_id = unsafe { c_str(c.entrance_id, "config.entrance_id") }?;
    let thermal = if c.thermal {
        const CENTI: u32 = hsm_gate_radiometry::TlinearCentiKelvin as u32;
        const DECI: u32 = hsm_gate_radiometry::TlinearDeciKelvin as u32;
        const LINEAR: u32 = hsm_gate_radiometry::Linear as u32;
        const PLANCK: u32 = hsm_gate_radiometry::Planck as u32;
        let radiometry = match c.radiometry {
            CENTI => Radiometry::TLinear(TLinearResolution::CentiKelvin),
            DECI => Radiometry::TLinear(TLinearResolution::DeciKelvin),
            LINEAR => Radiometry::Linear {
                gain: c.linear_gain,
                offset: c.linear_offset,
            },
            PLANCK => Radiometry::Planck {
                constants: PlanckConstants {
                    r1: c.planck.r1,
                    r2: c.planck.r2,
                    b: c.planck.b,
                    f: c.planck.f,
                    o: c.planck.o,
                },
                atmosphere: c.atmosphere.into(),
                scene: c.scene.into(),
            },
            other => {
                return Err(FfiError::bad_enum(
                    "config.radiometry",
                    "hsm_gate_radiometry",
                    other,
                ));
            }
        };
        let blackbody = c.has_blackbody.then(|| {
            BlackbodyConfig::new(
                Rect {
                    x: c.blackbody_x,
                    y: c.blackbody_y,
                    width: c.blackbody_width,
                    height: c.blackbody_height,
                },
                Celsius(c.blackbody_set_point_c),
            )
        });
        let mut setup = ThermalSetup {
            processor: ProcessorConfig {
                radiometry,
                blackbody,
                ..ProcessorConfig::default()
            },
            approach: Micros(c.approach_us),
            ..ThermalSetup::default()
        };
        setup.screening.threshold = Celsius(c.fever_threshold_c);
        Some(setup)
    } else {
        None
    };
    let metal = c.metal.then(|| MetalSetup {
        before: Micros(c.metal_before_us),
        after: Micros(c.metal_after_us),
        min_coverage: c.metal_min_coverage,
        ..MetalSetup::default()
    });
    let line = c.line.then(|| {
        let mut l = LineConfig::new(CountingLine::new(
            c.line_x1, c.line_y1, c.line_x2, c.line_y2,
        ));
        l.queue_capacity = 4096;
        l
    });
    Ok(SessionConfig {
        gate_id: gate_id.to_owned(),
        entrance_id: entrance_id.to_owned(),
        thermal,
        metal,
        beams: c.beams.into(),
        line,
        reorder: Micros(c.reorder_us),
    })
}

/// Writes the settings of the built-in demo gate into `*out`: gate
/// "gate-1" at entrance "outpatient-main" (static strings); a 160 × 120
/// TLinear centi-kelvin camera with a blackbody at 35 °C, fever line
/// 37.3 °C, 3 s approach; the default metal detector (1.25 s before, 0.75 s
/// after, 80 % coverage); default beams; a counting line from (0,120) to
/// (320,120); 1 s reordering.
///
/// Errors: `HSM_STATUS_NULL_POINTER`. Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for writing one `hsm_gate_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_config_default(out: *mut hsm_gate_config) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        *out = c_config(&demo_session_config()?)?;
        Ok(())
    })
}

/// Creates a gate session from `config` into `*out` (the id strings are
/// copied; `config` may be released after the call).
///
/// Errors: `HSM_STATUS_NULL_POINTER` (config, out, an id string);
/// `HSM_STATUS_INVALID_UTF8`; `HSM_STATUS_INVALID_ARGUMENT` (empty id,
/// reorder or approach outside 0–60 s, bad metal window or coverage, bad
/// beam or line settings); `HSM_STATUS_INVALID_RADIOMETRY`,
/// `HSM_STATUS_INVALID_SCENE` (camera); `HSM_STATUS_INVALID_PROFILE`
/// (fever threshold). The message names the field.
///
/// # Safety
/// `config` is NULL or valid for reading, its strings NULL or
/// NUL-terminated; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_new(
    config: *const hsm_gate_config,
    out: *mut *mut hsm_gate,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `config` is NULL or valid.
        let config = unsafe { as_ref(config, "config") }?;
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        // SAFETY: the caller guarantees the strings are NULL or NUL-terminated.
        let cfg = unsafe { session_config(config) }?;
        let (metal_zones, metal_frequencies) = match &cfg.metal {
            Some(m) => {
                let g = hsm::metal::gate::Gate::new(m.coils.clone()).map_err(GateError::from)?;
                (g.zones(), g.frequencies())
            }
            None => (0, 0),
        };
        let max_detections = cfg.line.map_or(0, |l| l.tracker.max_detections);
        let session = GateSession::new(cfg)?;
        let handle = hsm_gate {
            session,
            key: None,
            queue: Vec::new(),
            detections: Vec::with_capacity(max_detections),
            metal_zones,
            metal_frequencies,
        };
        *out = Box::into_raw(Box::new(handle));
        Ok(())
    })
}

/// Releases a gate session; NULL is a no-op. Passages still queued are
/// lost: call `hsm_gate_finish` and poll first.
///
/// # Safety
/// `gate` is NULL or a handle from `hsm_gate_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_free(gate: *mut hsm_gate) {
    // SAFETY: the caller passes NULL or a live handle from this door's
    // `_new`/`_open`, and frees it once.
    unsafe { free_handle(gate) };
}

/// Writes the shape of one metal sample frame: `*zones` × `*frequencies`
/// complex samples (0 × 0 without a metal detector), i.e. `2 · zones ·
/// frequencies` doubles for `hsm_gate_push_metal`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// `gate` is NULL or a live handle; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_metal_shape(
    gate: *const hsm_gate,
    zones: *mut usize,
    frequencies: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let g = unsafe { as_ref(gate, "gate") }?;
        // SAFETY: the caller guarantees valid out-pointers or NULL.
        let (z, f) = unsafe { (as_mut(zones, "zones")?, as_mut(frequencies, "frequencies")?) };
        *z = g.metal_zones;
        *f = g.metal_frequencies;
        Ok(())
    })
}

/// Feeds one thermal frame of raw counts taken at `t_us` (µs since the
/// Unix epoch): `len` elements at `data`, `width` × `height` pixels, rows
/// `stride` elements apart. The frame is processed during the call and not
/// kept.
///
/// Errors (nothing changes): `HSM_STATUS_NULL_POINTER`;
/// `HSM_STATUS_FRAME_SHAPE`, `HSM_STATUS_FRAME_TOO_LARGE`;
/// `HSM_STATUS_INVALID_ARGUMENT` without a thermal camera configured;
/// `HSM_STATUS_OUT_OF_ORDER` for a frame older than the previous one.
///
/// # Safety
/// `gate` is NULL or a live handle not used by another thread meanwhile;
/// `data` is NULL or valid for reading `len` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_push_frame(
    gate: *mut hsm_gate,
    t_us: i64,
    data: *const u16,
    len: usize,
    width: u32,
    height: u32,
    stride: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        // SAFETY: the caller guarantees `len` readable elements.
        let data = unsafe { as_slice(data, len, "data") }?;
        let frame = FrameView::new(data, width as usize, height as usize, stride)?;
        g.session.push_frame(Timestamp(t_us), &frame)?;
        Ok(())
    })
}

/// Reinterprets interleaved (re, im) doubles as complex samples.
///
/// # Safety
/// `T` is a `#[repr(C)] { re: f64, im: f64 }` pair (num-complex's
/// `Complex64`, whose layout that crate documents as `[f64; 2]`).
unsafe fn as_complex<T>(pairs: &[f64]) -> &[T] {
    const {
        assert!(size_of::<T>() == 2 * size_of::<f64>() && align_of::<T>() == align_of::<f64>());
    }
    // SAFETY: size and alignment match two f64 (checked above); the caller
    // guarantees the field layout; `pairs.len() / 2` pairs are in bounds.
    unsafe { std::slice::from_raw_parts(pairs.as_ptr().cast::<T>(), pairs.len() / 2) }
}

/// Feeds one metal sample frame taken at `t_us`: `len` doubles at
/// `re_im`, the zones × frequencies complex samples (zone-major) as
/// interleaved real and imaginary parts, so `len = 2 · zones · frequencies`
/// (see `hsm_gate_metal_shape`). Timestamps must strictly increase.
///
/// Errors (nothing changes): `HSM_STATUS_NULL_POINTER`;
/// `HSM_STATUS_INVALID_ARGUMENT` for an odd `len`, a non-finite sample or a
/// gate without a metal detector; `HSM_STATUS_SHAPE_MISMATCH` for the wrong
/// count; `HSM_STATUS_OUT_OF_ORDER`.
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`; `re_im` is NULL or valid for reading
/// `len` doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_push_metal(
    gate: *mut hsm_gate,
    t_us: i64,
    re_im: *const f64,
    len: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        // SAFETY: the caller guarantees `len` readable doubles.
        let pairs = unsafe { as_slice(re_im, len, "re_im") }?;
        if !len.is_multiple_of(2) {
            return Err(FfiError::from(hsm::core::CoreError::InvalidArgument {
                field: "len (doubles)",
                value: len as f64,
                expected: "an even count: interleaved real and imaginary parts",
            }));
        }
        // SAFETY: `push_metal` takes `&[num_complex::Complex64]`, a
        // `#[repr(C)]` (re, im) pair of f64.
        let samples = unsafe { as_complex(pairs) };
        g.session.push_metal(Timestamp(t_us), samples)?;
        Ok(())
    })
}

/// Feeds one beam edge at `t_us`: `blocked` true when `beam` (an
/// `hsm_beam` value) became blocked, false when it cleared. Beam A is the
/// street side: A then B is "in". Edges must come in time order.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_ARGUMENT` when
/// `beam` is not an `hsm_beam` value; `HSM_STATUS_OUT_OF_ORDER` (nothing
/// changes).
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_push_beam(
    gate: *mut hsm_gate,
    t_us: i64,
    beam: u32,
    blocked: bool,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        let beam = beam_of(beam)?;
        g.session.push_beam(BeamEvent {
            t: Timestamp(t_us),
            beam,
            blocked,
        })?;
        Ok(())
    })
}

/// Feeds one overhead-camera frame's `n` person detections taken at `t_us`
/// (`dets` may be NULL when `n` is 0) to the counting line.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_ARGUMENT` without
/// a counting line or for a bad detection (named `detections[i]`);
/// `HSM_STATUS_CAPACITY_EXCEEDED`; `HSM_STATUS_OUT_OF_ORDER`.
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`; `dets` is NULL or valid for reading `n`
/// elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_push_detections(
    gate: *mut hsm_gate,
    t_us: i64,
    dets: *const hsm_detection,
    n: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        let dets = if n == 0 {
            &[][..]
        } else {
            // SAFETY: the caller guarantees `n` readable elements.
            unsafe { as_slice(dets, n, "dets") }?
        };
        g.detections.clear();
        g.detections.extend(dets.iter().map(|d| Detection {
            x: d.x,
            y: d.y,
            w: d.w,
            h: d.h,
            score: d.score,
        }));
        g.session.push_detections(Timestamp(t_us), &g.detections)?;
        Ok(())
    })
}

/// Feeds a person token (`len` bytes, 1–4096) from the vendor's face or ID
/// module, seen at `t_us`. It binds to the next passage completing within
/// the approach window after `t_us`. It is hashed at once with the site key
/// (`hsm_gate_set_site_key`) and never kept; without a key it is dropped
/// and the passage is flagged `HSM_PASSAGE_FLAG_TOKEN_DROPPED`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_ARGUMENT` for a
/// length outside 1–4096.
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`; `token` is NULL or valid for reading
/// `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_push_token(
    gate: *mut hsm_gate,
    t_us: i64,
    token: *const u8,
    len: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        // SAFETY: the caller guarantees `len` readable bytes.
        let token = unsafe { as_slice(token, len, "token") }?;
        g.session.push_token(Timestamp(t_us), token)?;
        Ok(())
    })
}

/// Sets the site key (`len` >= `HSM_GATE_MIN_KEY_BYTES` secret bytes,
/// copied) that person tokens are hashed with. A log given to
/// `hsm_gate_poll` is bound to this key: a log bound to another key is
/// refused (`HSM_STATUS_STORAGE`).
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_ARGUMENT` for a
/// shorter key.
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`; `key` is NULL or valid for reading
/// `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_set_site_key(
    gate: *mut hsm_gate,
    key: *const u8,
    len: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        // SAFETY: the caller guarantees `len` readable bytes.
        let key = unsafe { as_slice(key, len, "key") }?;
        let key = SiteKey::new(key)?;
        g.session.set_site_key(key.clone());
        g.key = Some(key);
        Ok(())
    })
}

/// Writes the keyed hash (HMAC-SHA-256 under the site key) of `len` bytes
/// of `token` into `out[32]`: what a passage stores, and what a watch list
/// holds.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_ARGUMENT` when no
/// site key is set.
///
/// # Safety
/// `gate` is NULL or a live handle; `token` is NULL or valid for reading
/// `len` bytes; `out` is NULL or valid for writing 32 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_hash_token(
    gate: *const hsm_gate,
    token: *const u8,
    len: usize,
    out: *mut u8,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let g = unsafe { as_ref(gate, "gate") }?;
        // SAFETY: the caller guarantees `len` readable bytes.
        let token = unsafe { as_slice(token, len, "token") }?;
        // SAFETY: the caller guarantees 32 writable bytes.
        let out = unsafe { as_mut_slice(out, 32, "out") }?;
        let key = g.key.as_ref().ok_or_else(|| {
            FfiError::from(hsm::core::CoreError::InvalidArgument {
                field: "site key",
                value: 0.0,
                expected: "a key set with hsm_gate_set_site_key",
            })
        })?;
        out.copy_from_slice(&key.hash(token).0);
        Ok(())
    })
}

/// Sets the watch list: `n` token hashes of 32 bytes each, back to back
/// at `hashes` (made with `hsm_gate_hash_token` under the same site key).
/// A passage whose token matches alarms `HSM_ALARM_WATCHLIST`. Replaces
/// the previous list; `n` = 0 clears it (`hashes` may then be NULL).
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`; `hashes` is NULL or valid for reading
/// `32 · n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_set_watch_list(
    gate: *mut hsm_gate,
    hashes: *const u8,
    n: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        let bytes = if n == 0 {
            &[][..]
        } else {
            let len = n.checked_mul(32).ok_or_else(|| {
                FfiError::from(hsm::core::CoreError::InvalidArgument {
                    field: "n (hashes)",
                    value: n as f64,
                    expected: "32 · n addressable bytes",
                })
            })?;
            // SAFETY: the caller guarantees `32 · n` readable bytes.
            unsafe { as_slice(hashes, len, "hashes") }?
        };
        g.session.set_watch_list(bytes.chunks_exact(32).map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            TokenHash(h)
        }));
        Ok(())
    })
}

/// Declares that every stream has reached `t_us` (no more data before it),
/// so passages close without waiting for the next event. Call it
/// periodically (e.g. every 100 ms) on a live gate.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_OUT_OF_ORDER` for a time
/// before the last beam edge.
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_advance(gate: *mut hsm_gate, t_us: i64) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        g.session.advance(Timestamp(t_us))?;
        Ok(())
    })
}

/// Ends the streams (shutdown, end of a recording): closes every pending
/// passage with what has arrived. Poll afterwards; do not feed the session
/// any more.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_finish(gate: *mut hsm_gate) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        g.session.finish()?;
        Ok(())
    })
}

/// Writes how many passages are ready to poll into `*n`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// `gate` is NULL or a live handle; `n` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_pending(gate: *const hsm_gate, n: *mut usize) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let g = unsafe { as_ref(gate, "gate") }?;
        // SAFETY: the caller guarantees `n` is NULL or valid.
        let n = unsafe { as_mut(n, "n") }?;
        *n = g.queue.len() + g.session.ready();
        Ok(())
    })
}

/// Moves up to `capacity` finished passages, oldest first, into `out` and
/// writes how many into `*written` (0 when none are ready). Passages beyond
/// `capacity` stay queued for the next call. `out` may be NULL only when
/// `capacity` is 0.
///
/// With a `log` (not NULL), the passages are first appended to it in one
/// durable transaction (bound to the site key, if one is set) and returned
/// with their log ids; if that fails, nothing is returned, nothing is
/// lost — the passages stay queued — and the call may be retried. Without a
/// log, `id` is 0.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_STORAGE` (the log failed,
/// is read-only, or is bound to another site key).
///
/// # Safety
/// `gate` as `hsm_gate_push_frame`; `log` is NULL or a live log handle not
/// used by another thread meanwhile; `out` is valid for writing `capacity`
/// elements; `written` is valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_poll(
    gate: *mut hsm_gate,
    log: *mut hsm_gate_log,
    out: *mut hsm_passage,
    capacity: usize,
    written: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let g = unsafe { as_mut(gate, "gate") }?;
        // SAFETY: the caller guarantees `written` is NULL or valid.
        let written = unsafe { as_mut(written, "written") }?;
        let out = if capacity == 0 {
            &mut [][..]
        } else {
            // SAFETY: the caller guarantees `capacity` writable elements.
            unsafe { as_mut_slice(out, capacity, "out") }?
        };
        // SAFETY: the caller guarantees `log` is NULL or a live, exclusive handle.
        let log = unsafe { log.as_mut() };
        g.session.poll(&mut g.queue);
        let k = out.len().min(g.queue.len());
        if let Some(l) = log
            && k > 0
        {
            if let Some(key) = &g.key {
                l.log.bind_key(key)?;
            }
            l.log.append_all(&mut g.queue[..k])?;
        }
        for (slot, p) in out.iter_mut().zip(g.queue.drain(..k)) {
            *slot = passage(&p);
        }
        *written = k;
        Ok(())
    })
}

/// Opens the passage log at `path` (UTF-8, NUL-terminated) for reading and
/// writing, creating and migrating it as needed (SQLite, WAL,
/// synchronous=FULL: an append is durable once it returns).
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_UTF8`;
/// `HSM_STATUS_STORAGE` (cannot open or create, not a log);
/// `HSM_STATUS_SCHEMA_TOO_NEW` (written by a newer libhsm).
///
/// # Safety
/// `path` is NULL or NUL-terminated; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_open(
    path: *const c_char,
    out: *mut *mut hsm_gate_log,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `path` is NULL or NUL-terminated.
        let path = unsafe { c_str(path, "path") }?;
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        let log = PassageLog::open(path)?;
        *out = Box::into_raw(Box::new(hsm_gate_log { log }));
        Ok(())
    })
}

/// Opens an existing passage log read-only (queries and exports while a
/// gate writes; appends and purges fail with `HSM_STATUS_STORAGE`).
///
/// Errors: as `hsm_gate_log_open`; also `HSM_STATUS_STORAGE` when the file
/// does not exist or has an older schema.
///
/// # Safety
/// As `hsm_gate_log_open`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_open_read_only(
    path: *const c_char,
    out: *mut *mut hsm_gate_log,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `path` is NULL or NUL-terminated.
        let path = unsafe { c_str(path, "path") }?;
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        let log = PassageLog::open_read_only(path)?;
        *out = Box::into_raw(Box::new(hsm_gate_log { log }));
        Ok(())
    })
}

/// Closes a log; NULL is a no-op.
///
/// # Safety
/// `log` is NULL or a handle from `hsm_gate_log_open*` not yet closed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_close(log: *mut hsm_gate_log) {
    // SAFETY: the caller passes NULL or a live handle from this door's
    // `_new`/`_open`, and frees it once.
    unsafe { free_handle(log) };
}

/// Writes the number of passages in the log into `*count`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_STORAGE`.
///
/// # Safety
/// `log` is NULL or a live handle; `count` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_count(
    log: *const hsm_gate_log,
    count: *mut u64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let l = unsafe { as_ref(log, "log") }?;
        // SAFETY: the caller guarantees `count` is NULL or valid.
        let count = unsafe { as_mut(count, "count") }?;
        *count = l.log.len()?;
        Ok(())
    })
}

/// Writes the passage with log id `id` into `*out`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_NOT_FOUND`;
/// `HSM_STATUS_STORAGE`.
///
/// # Safety
/// `log` is NULL or a live handle; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_get(
    log: *const hsm_gate_log,
    id: i64,
    out: *mut hsm_passage,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let l = unsafe { as_ref(log, "log") }?;
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        *out = passage(&l.log.get(id)?);
        Ok(())
    })
}

/// Close contacts of passage `id` (密切接触人群排查): every other passage
/// of the same entrance (`same_gate`: of the same gate only) whose entry
/// lies within ±`window_us` of its entry, in entry order.
///
/// Writes the number found into `*written`. When it exceeds `capacity` the
/// call returns `HSM_STATUS_BUFFER_TOO_SMALL` with `*written` set to the
/// number needed and `out` untouched: call again with a larger array
/// (`capacity` 0 and `out` NULL to ask for the count).
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_NOT_FOUND` (no passage
/// `id`); `HSM_STATUS_INVALID_ARGUMENT` (negative window);
/// `HSM_STATUS_BUFFER_TOO_SMALL`; `HSM_STATUS_STORAGE`.
///
/// # Safety
/// `log` is NULL or a live handle; `out` is valid for writing `capacity`
/// elements; `written` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_contacts(
    log: *const hsm_gate_log,
    id: i64,
    window_us: i64,
    same_gate: bool,
    out: *mut hsm_passage,
    capacity: usize,
    written: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let l = unsafe { as_ref(log, "log") }?;
        // SAFETY: the caller guarantees `written` is NULL or valid.
        let written = unsafe { as_mut(written, "written") }?;
        let out = if capacity == 0 {
            &mut [][..]
        } else {
            // SAFETY: the caller guarantees `capacity` writable elements.
            unsafe { as_mut_slice(out, capacity, "out") }?
        };
        let scope = if same_gate {
            ContactScope::SameGate
        } else {
            ContactScope::SameEntrance
        };
        let found = l.log.contacts(id, Micros(window_us), scope)?;
        if found.len() > out.len() {
            *written = found.len();
            return Err(FfiError {
                status: hsm_status::BufferTooSmall,
                message: format!(
                    "passage {id} has {} contacts; `capacity` is {capacity}",
                    found.len()
                ),
            });
        }
        for (slot, p) in out.iter_mut().zip(&found) {
            *slot = passage(p);
        }
        *written = found.len();
        Ok(())
    })
}

/// Deletes every passage that entered before `cutoff_us` (retention) and
/// writes how many into `*deleted`. Deleted content is overwritten and the
/// WAL truncated: no byte of a purged passage remains in the files.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_STORAGE` (also for a
/// read-only log).
///
/// # Safety
/// `log` is NULL or a live handle not used by another thread meanwhile;
/// `deleted` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_purge_before(
    log: *mut hsm_gate_log,
    cutoff_us: i64,
    deleted: *mut u64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let l = unsafe { as_mut(log, "log") }?;
        // SAFETY: the caller guarantees `deleted` is NULL or valid.
        let deleted = unsafe { as_mut(deleted, "deleted") }?;
        *deleted = l.log.purge_before(Timestamp(cutoff_us))?;
        Ok(())
    })
}

/// Exports every passage of the log, in entry order, to the file at `path`
/// (UTF-8, NUL-terminated; created or truncated), streaming; writes the row
/// count into `*rows`. Token hashes are left out. On error the partial file
/// is removed.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_UTF8`;
/// `HSM_STATUS_INVALID_ARGUMENT` when `format` is not an
/// `hsm_gate_export_format` value; `HSM_STATUS_IO` (the file);
/// `HSM_STATUS_STORAGE` (the log).
///
/// # Safety
/// `log` is NULL or a live handle; `path` is NULL or NUL-terminated; `rows`
/// is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_export(
    log: *const hsm_gate_log,
    path: *const c_char,
    format: u32,
    rows: *mut u64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: forwarded contract (no key).
        unsafe { export_log(log, path, format, TokenExport::Drop, rows) }
    })
}

/// As `hsm_gate_log_export`, with the `token` column as `tokens` (an
/// `hsm_gate_token_export` value) says: `DROP`, `HASH`, or `PSEUDONYM`
/// under the export key `key[0..key_len]` (at least
/// `HSM_GATE_MIN_KEY_BYTES`; read for `PSEUDONYM` only, and then required).
///
/// Errors: as `hsm_gate_log_export`; `HSM_STATUS_INVALID_ARGUMENT` when
/// `tokens` is not an `hsm_gate_token_export` value or the key is shorter
/// than `HSM_GATE_MIN_KEY_BYTES`; `HSM_STATUS_NULL_POINTER` for a NULL `key`
/// with `PSEUDONYM`.
///
/// # Safety
/// As `hsm_gate_log_export`; `key` is NULL or valid for reading `key_len`
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_gate_log_export_tokens(
    log: *const hsm_gate_log,
    path: *const c_char,
    format: u32,
    tokens: u32,
    key: *const u8,
    key_len: usize,
    rows: *mut u64,
) -> hsm_status {
    status_of(|| {
        const DROP: u32 = hsm_gate_token_export::Drop as u32;
        const HASH: u32 = hsm_gate_token_export::Hash as u32;
        const PSEUDONYM: u32 = hsm_gate_token_export::Pseudonym as u32;
        let tokens = match tokens {
            DROP => TokenExport::Drop,
            HASH => TokenExport::Hash,
            PSEUDONYM => {
                // SAFETY: the caller guarantees `key_len` readable bytes.
                let key = unsafe { as_slice(key, key_len, "key") }?;
                TokenExport::Pseudonymise(SiteKey::new(key)?)
            }
            other => {
                return Err(FfiError::bad_enum("tokens", "hsm_gate_token_export", other));
            }
        };
        // SAFETY: forwarded contract.
        unsafe { export_log(log, path, format, tokens, rows) }
    })
}

/// The body of both exports.
///
/// # Safety
/// As `hsm_gate_log_export`.
unsafe fn export_log(
    log: *const hsm_gate_log,
    path: *const c_char,
    format: u32,
    tokens: TokenExport,
    rows: *mut u64,
) -> Result<(), FfiError> {
    // SAFETY: the caller guarantees a live handle or NULL.
    let l = unsafe { as_ref(log, "log") }?;
    // SAFETY: the caller guarantees `path` is NULL or NUL-terminated.
    let path = unsafe { c_str(path, "path") }?;
    // SAFETY: the caller guarantees `rows` is NULL or valid.
    let rows = unsafe { as_mut(rows, "rows") }?;
    const PARQUET: u32 = hsm_gate_export_format::Parquet as u32;
    const CSV: u32 = hsm_gate_export_format::Csv as u32;
    const JSONL: u32 = hsm_gate_export_format::Jsonl as u32;
    let format = match format {
        PARQUET => ExportFormat::Parquet,
        CSV => ExportFormat::Csv,
        JSONL => ExportFormat::JsonLines,
        _ => {
            return Err(FfiError::bad_enum(
                "format",
                "hsm_gate_export_format",
                format,
            ));
        }
    };
    *rows = export(&l.log, &Query::default(), format, &tokens, Path::new(path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsm::gate::{Alarms, PassageFlags};

    #[test]
    fn bit_values_match_the_record() {
        assert_eq!(HSM_ALARM_FEVER, Alarms::FEVER.0);
        assert_eq!(HSM_ALARM_THREAT, Alarms::THREAT.0);
        assert_eq!(HSM_ALARM_RECHECK, Alarms::RECHECK.0);
        assert_eq!(HSM_ALARM_SENSOR_FAULT, Alarms::SENSOR_FAULT.0);
        assert_eq!(HSM_ALARM_WATCHLIST, Alarms::WATCHLIST.0);
        assert_eq!(
            Alarms::ALL.len(),
            5,
            "a new alarm needs its HSM_ALARM_* constant"
        );
        assert_eq!(
            HSM_PASSAGE_FLAG_MULTIPLE_PERSONS,
            PassageFlags::MULTIPLE_PERSONS.0
        );
        assert_eq!(
            HSM_PASSAGE_FLAG_MULTIPLE_FACES,
            PassageFlags::MULTIPLE_FACES.0
        );
        assert_eq!(HSM_PASSAGE_FLAG_NO_FACE, PassageFlags::NO_FACE.0);
        assert_eq!(
            HSM_PASSAGE_FLAG_METAL_OVERLAP,
            PassageFlags::METAL_OVERLAP.0
        );
        assert_eq!(
            HSM_PASSAGE_FLAG_METAL_NO_DATA,
            PassageFlags::METAL_NO_DATA.0
        );
        assert_eq!(
            HSM_PASSAGE_FLAG_METAL_WITHOUT_PASSAGE,
            PassageFlags::METAL_WITHOUT_PASSAGE.0
        );
        assert_eq!(HSM_PASSAGE_FLAG_LATE_STREAM, PassageFlags::LATE_STREAM.0);
        assert_eq!(
            HSM_PASSAGE_FLAG_TOKEN_DROPPED,
            PassageFlags::TOKEN_DROPPED.0
        );
        assert_eq!(HSM_GATE_MIN_KEY_BYTES, hsm::gate::token::MIN_KEY_BYTES);
        assert_eq!(
            PassageFlags::ALL.len(),
            8,
            "a new flag needs its HSM_PASSAGE_FLAG_* constant"
        );
    }

    #[test]
    fn the_default_config_round_trips() {
        let rust = demo_session_config().unwrap_or_else(|e| unreachable!("{e}"));
        let c = c_config(&rust).unwrap_or_else(|e| unreachable!("{}", e.message));
        // SAFETY: the default's strings are static C strings.
        let mut back =
            unsafe { session_config(&c) }.unwrap_or_else(|e| unreachable!("{}", e.message));
        // The C door always runs the built-in "hospital" program.
        if let (Some(b), Some(r)) = (&mut back.metal, &rust.metal) {
            b.program.clone_from(&r.program);
        }
        assert_eq!(back, rust);
    }
}
