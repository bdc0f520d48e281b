//! Metal detection: a detector handle for the default gate (18 zones × 4
//! frequencies at 200 Hz) that takes frames as they arrive (streaming) or a
//! whole passage, and returns a passage result struct; and the simulator,
//! to make test passages.
//!
//! Samples are complex: each is two `double`s, real then imaginary (the
//! layout of C99 `double _Complex` and numpy `complex128`). A frame is
//! `zones × frequencies` samples, zone-major (`frame[(z · F + f) · 2 + {0,1}]`).

use std::ffi::{CStr, c_char};

use hsm::metal::classify::Model;
use hsm::metal::detect::{Decision, Detector, PassageResult, Program};
use hsm::metal::gate::{Gate, GateConfig, Passage, Recorder};
use hsm::metal::library::{ObjectClass, builtin};
use hsm::metal::sim::{BodyLocation, Carried, HeightBand, Side, SimConfig, Simulator};
use hsm::metal::train::default_model;
use num_complex::Complex64;

use crate::error::{FfiError, hsm_status};
use crate::panic::{free_handle, status_of};
use crate::slice::{as_mut, as_mut_slice, as_ref, as_slice};

/// The decision for a passage.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_metal_decision {
    /// Let through.
    Pass = 0,
    /// Uncertain: search by hand.
    Recheck = 1,
    /// Threat.
    Alarm = 2,
}

/// Object class (`HSM_METAL_CLASS_NONE` when nothing was detected or the
/// program does not classify). Values 1–7 are threats.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_metal_class {
    /// Nothing detected / not classified.
    None = 0,
    /// Knife.
    Knife = 1,
    /// Firearm.
    Firearm = 2,
    /// Aerosol or pressurised can.
    PressurisedCan = 3,
    /// Knuckle duster.
    KnuckleDuster = 4,
    /// Screwdriver.
    Screwdriver = 5,
    /// Scissors.
    Scissors = 6,
    /// Hammer.
    Hammer = 7,
    /// Phone.
    Phone = 8,
    /// Keys.
    Keys = 9,
    /// Coins.
    Coins = 10,
    /// Belt buckle.
    BeltBuckle = 11,
    /// Watch.
    Watch = 12,
    /// Glasses.
    Glasses = 13,
    /// Jewellery.
    Jewellery = 14,
    /// Shoe shank.
    ShoeShank = 15,
    /// Zipper.
    Zipper = 16,
}

/// Height band on the body.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_height_band {
    /// Nothing detected.
    None = 0,
    /// Below 0.35 m.
    Ankle = 1,
    /// 0.35–0.76 m.
    Thigh = 2,
    /// 0.76–1.15 m.
    Waist = 3,
    /// 1.15–1.40 m.
    Torso = 4,
    /// Above 1.40 m.
    Head = 5,
}

/// Side of the walkway (the walker's).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_side {
    /// Nothing detected.
    None = 0,
    /// Left.
    Left = 1,
    /// Within 7 cm of the centre line.
    Centre = 2,
    /// Right.
    Right = 3,
}

/// What the detector concluded about one passage.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_metal_result {
    /// Metal above the program's threshold was found.
    pub detected: bool,
    /// The decision is `HSM_METAL_DECISION_ALARM`.
    pub alarm: bool,
    /// Pass, re-check or alarm.
    pub decision: hsm_metal_decision,
    /// Most probable class.
    pub class_: hsm_metal_class,
    /// Its calibrated probability (0 when none).
    pub confidence: f64,
    /// Probability that the object is a threat, 0–1.
    pub threat: f64,
    /// Height band of the strongest object.
    pub height_band: hsm_height_band,
    /// Side of the strongest object.
    pub side: hsm_side,
    /// Estimated lateral position (m, 0 = centre line).
    pub x_m: f64,
    /// Estimated height (m).
    pub z_m: f64,
    /// Largest estimated tensor norm (m³).
    pub size_m3: f64,
    /// Time of the peak from the passage start (s).
    pub peak_s: f64,
}

/// A metal detector for the default gate with a program and a classifier.
/// Not thread-safe: one handle per thread at a time (it may move).
pub struct hsm_metal_detector {
    gate: Gate,
    detector: Detector,
    recorder: Recorder,
    frame: Vec<Complex64>,
}

fn class_of(c: Option<ObjectClass>) -> hsm_metal_class {
    use hsm_metal_class as H;
    match c {
        None => H::None,
        Some(ObjectClass::Knife) => H::Knife,
        Some(ObjectClass::Firearm) => H::Firearm,
        Some(ObjectClass::PressurisedCan) => H::PressurisedCan,
        Some(ObjectClass::KnuckleDuster) => H::KnuckleDuster,
        Some(ObjectClass::Screwdriver) => H::Screwdriver,
        Some(ObjectClass::Scissors) => H::Scissors,
        Some(ObjectClass::Hammer) => H::Hammer,
        Some(ObjectClass::Phone) => H::Phone,
        Some(ObjectClass::Keys) => H::Keys,
        Some(ObjectClass::Coins) => H::Coins,
        Some(ObjectClass::BeltBuckle) => H::BeltBuckle,
        Some(ObjectClass::Watch) => H::Watch,
        Some(ObjectClass::Glasses) => H::Glasses,
        Some(ObjectClass::Jewellery) => H::Jewellery,
        Some(ObjectClass::ShoeShank) => H::ShoeShank,
        Some(ObjectClass::Zipper) => H::Zipper,
    }
}

fn result(r: &PassageResult) -> hsm_metal_result {
    hsm_metal_result {
        detected: r.detected,
        alarm: r.decision == Decision::Alarm,
        decision: match r.decision {
            Decision::Pass => hsm_metal_decision::Pass,
            Decision::Recheck => hsm_metal_decision::Recheck,
            Decision::Alarm => hsm_metal_decision::Alarm,
        },
        class_: class_of(r.class),
        confidence: r.confidence,
        threat: r.threat_probability,
        height_band: match r.height_band {
            None => hsm_height_band::None,
            Some(HeightBand::Ankle) => hsm_height_band::Ankle,
            Some(HeightBand::Thigh) => hsm_height_band::Thigh,
            Some(HeightBand::Waist) => hsm_height_band::Waist,
            Some(HeightBand::Torso) => hsm_height_band::Torso,
            Some(HeightBand::Head) => hsm_height_band::Head,
        },
        side: match r.side {
            None => hsm_side::None,
            Some(Side::Left) => hsm_side::Left,
            Some(Side::Centre) => hsm_side::Centre,
            Some(Side::Right) => hsm_side::Right,
        },
        x_m: r.position_m[0],
        z_m: r.position_m[1],
        size_m3: r.size_m3,
        peak_s: r.peak_s,
    }
}

/// A NUL-terminated UTF-8 string argument; NULL gives `None`.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string.
unsafe fn opt_str<'a>(s: *const c_char, arg: &'static str) -> Result<Option<&'a str>, FfiError> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and, per the caller, NUL-terminated.
    unsafe { CStr::from_ptr(s) }
        .to_str()
        .map(Some)
        .map_err(|_| FfiError {
            status: hsm_status::InvalidUtf8,
            message: format!("argument `{arg}` is not valid UTF-8"),
        })
}

/// Complex samples from `len` doubles (re, im pairs); NaN/inf refused.
fn complex_samples(values: &[f64], out: &mut Vec<Complex64>) -> Result<(), FfiError> {
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(FfiError::from(hsm::metal::MetalError::InvalidParameter {
            field: "sample",
            value: values[k],
            expected: "finite samples",
        }));
    }
    out.clear();
    out.extend(values.chunks_exact(2).map(|c| Complex64::new(c[0], c[1])));
    Ok(())
}

fn odd_length(len: usize) -> FfiError {
    FfiError::from(hsm::metal::MetalError::Shape {
        what: "doubles (real, imaginary pairs)",
        expected: len + 1,
        got: len,
    })
}

/// Creates a detector for the default gate running `program` (`"hospital"`
/// or `"strict"`; NULL means `"hospital"`) with the classifier model in
/// `model_json` (`model_len` bytes of a model file; NULL means the shipped
/// default model) into `*out`.
///
/// Errors: `HSM_STATUS_NULL_POINTER` (out); `HSM_STATUS_INVALID_UTF8`;
/// `HSM_STATUS_INVALID_METAL_PARAMETER` for an unknown program or a model
/// for other frequencies; `HSM_STATUS_FORMAT` for a malformed model file.
/// Thread-safe.
///
/// # Safety
/// `program` is NULL or NUL-terminated; `model_json` is NULL or valid for
/// `model_len` bytes; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_metal_detector_new(
    program: *const c_char,
    model_json: *const c_char,
    model_len: usize,
    out: *mut *mut hsm_metal_detector,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let program = unsafe { opt_str(program, "program") }?.unwrap_or("hospital");
        let model = if model_json.is_null() {
            default_model()?
        } else {
            // SAFETY: the caller guarantees `model_len` readable bytes.
            let bytes = unsafe { as_slice(model_json.cast::<u8>(), model_len, "model_json") }?;
            let text = std::str::from_utf8(bytes).map_err(|_| FfiError {
                status: hsm_status::InvalidUtf8,
                message: "argument `model_json` is not valid UTF-8".to_owned(),
            })?;
            Model::from_json("<model_json>", text)?
        };
        let gate = Gate::new(GateConfig::default())?;
        let detector = Detector::new(&gate, Program::named(program)?, Some(model))?;
        let recorder = Recorder::new(gate.zones(), gate.frequencies());
        *out = Box::into_raw(Box::new(hsm_metal_detector {
            gate,
            detector,
            recorder,
            frame: Vec::new(),
        }));
        Ok(())
    })
}

/// Releases a detector; NULL is a no-op.
///
/// # Safety
/// `detector` is NULL or a handle from `hsm_metal_detector_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_metal_detector_free(detector: *mut hsm_metal_detector) {
    // SAFETY: the caller passes NULL or a live handle from this door's
    // `_new`/`_open`, and frees it once.
    unsafe { free_handle(detector) };
}

/// The gate's zones, frequencies and sample rate (Hz): a frame holds
/// `2 · zones · frequencies` doubles. Any out-pointer may be NULL.
///
/// Errors: `HSM_STATUS_NULL_POINTER` (detector).
///
/// # Safety
/// `detector` is NULL or live; each out-pointer is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_metal_detector_geometry(
    detector: *const hsm_metal_detector,
    zones: *mut usize,
    frequencies: *mut usize,
    sample_rate_hz: *mut f64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let d = unsafe { as_ref(detector, "detector") }?;
        // SAFETY: each is NULL or valid for writing.
        unsafe {
            if let Some(z) = zones.as_mut() {
                *z = d.gate.zones();
            }
            if let Some(f) = frequencies.as_mut() {
                *f = d.gate.frequencies();
            }
            if let Some(r) = sample_rate_hz.as_mut() {
                *r = d.gate.config().sample_rate_hz;
            }
        }
        Ok(())
    })
}

/// Appends one frame (`len` = `2 · zones · frequencies` doubles) to the
/// passage being recorded (streaming input).
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_SHAPE_MISMATCH` for a
/// wrong `len` or more than 12 000 frames; `HSM_STATUS_INVALID_METAL_PARAMETER`
/// for a NaN or infinite sample. Nothing is appended on error.
///
/// # Safety
/// `detector` is NULL or live and exclusive; `frame` is NULL or valid for
/// `len` doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_metal_detector_push(
    detector: *mut hsm_metal_detector,
    frame: *const f64,
    len: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let d = unsafe { as_mut(detector, "detector") }?;
        // SAFETY: the caller guarantees `len` readable doubles.
        let values = unsafe { as_slice(frame, len, "frame") }?;
        if !len.is_multiple_of(2) {
            return Err(odd_length(len));
        }
        complex_samples(values, &mut d.frame)?;
        d.recorder.push(&d.frame)?;
        Ok(())
    })
}

/// Frames pushed since the last `hsm_metal_detector_finish` into `*out`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// `detector` is NULL or live; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_metal_detector_frames(
    detector: *const hsm_metal_detector,
    out: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: as documented.
        let d = unsafe { as_ref(detector, "detector") }?;
        // SAFETY: as documented.
        let out = unsafe { as_mut(out, "out") }?;
        *out = d.recorder.frames();
        Ok(())
    })
}

/// Ends the passage being recorded: processes the pushed frames, writes the
/// result into `*out` and empties the recorder (also on error, so the next
/// push starts a new passage).
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_SHAPE_MISMATCH` when fewer
/// than 0.3 s of frames were pushed.
///
/// # Safety
/// `detector` is NULL or live and exclusive; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_metal_detector_finish(
    detector: *mut hsm_metal_detector,
    out: *mut hsm_metal_result,
) -> hsm_status {
    status_of(|| {
        // SAFETY: as documented.
        let d = unsafe { as_mut(detector, "detector") }?;
        // SAFETY: as documented.
        let out = unsafe { as_mut(out, "out") }?;
        let passage = d.recorder.finish()?;
        let r = d.detector.process(&passage)?;
        *out = result(&r);
        Ok(())
    })
}

/// Processes a whole passage: `len` = `2 · T · zones · frequencies` doubles,
/// frame-major (`(T, Z, F)` complex samples). Does not touch frames pushed
/// with `hsm_metal_detector_push`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_SHAPE_MISMATCH` for a
/// length that is not whole frames or under 0.3 s;
/// `HSM_STATUS_INVALID_METAL_PARAMETER` for a NaN or infinite sample.
///
/// # Safety
/// `detector` is NULL or live and exclusive; `samples` is NULL or valid for
/// `len` doubles; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_metal_detector_process(
    detector: *mut hsm_metal_detector,
    samples: *const f64,
    len: usize,
    out: *mut hsm_metal_result,
) -> hsm_status {
    status_of(|| {
        // SAFETY: as documented.
        let d = unsafe { as_mut(detector, "detector") }?;
        // SAFETY: as documented.
        let out = unsafe { as_mut(out, "out") }?;
        // SAFETY: as documented.
        let values = unsafe { as_slice(samples, len, "samples") }?;
        if !len.is_multiple_of(2) {
            return Err(odd_length(len));
        }
        let mut v = Vec::with_capacity(len / 2);
        complex_samples(values, &mut v)?;
        let passage = Passage::new(d.gate.zones(), d.gate.frequencies(), v)?;
        let r = d.detector.process(&passage)?;
        *out = result(&r);
        Ok(())
    })
}

/// Simulates one 2 s passage through the default gate (400 frames × 18
/// zones × 4 frequencies) of a person carrying `object` — a built-in object
/// name (e.g. `"pistol_steel"`, `"smartphone"`), a class name (e.g.
/// `"knife"`: its first built-in object), or NULL / `""` for nothing — at
/// body location `location` (0–14 in the order head, neck, chest,
/// waist front, waist back, left/right wrist, left/right pocket, left/right
/// thigh, left/right ankle, left/right shoe; -1 random), seeded by `seed`.
/// Writes `2 · T · Z · F` doubles into `samples` (capacity `len` doubles)
/// and the count into `*written`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_METAL_PARAMETER`
/// for an unknown object or location; `HSM_STATUS_SHAPE_MISMATCH` when
/// `len` is too small (nothing written).
///
/// # Safety
/// `object` is NULL or NUL-terminated; `samples` is NULL or valid for `len`
/// doubles; `written` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_metal_simulate(
    object: *const c_char,
    location: i32,
    seed: u64,
    samples: *mut f64,
    len: usize,
    written: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: as documented.
        let written = unsafe { as_mut(written, "written") }?;
        // SAFETY: as documented.
        let object = unsafe { opt_str(object, "object") }?.unwrap_or("");
        // SAFETY: as documented.
        let out = unsafe { as_mut_slice(samples, len, "samples") }?;
        let bad = |field, value, expected| {
            FfiError::from(hsm::metal::MetalError::InvalidParameter {
                field,
                value,
                expected,
            })
        };
        let gate = Gate::new(GateConfig::default())?;
        let mut sim = Simulator::new(gate.clone(), SimConfig::default(), seed)?;
        let location = match location {
            -1 => BodyLocation::ALL[(seed % BodyLocation::ALL.len() as u64) as usize],
            k => *usize::try_from(k)
                .ok()
                .and_then(|k| BodyLocation::ALL.get(k))
                .ok_or_else(|| bad("location", f64::from(k), "-1 or 0 to 14"))?,
        };
        let items = if object.is_empty() {
            Vec::new()
        } else {
            let lib = builtin();
            let o = lib
                .iter()
                .find(|o| o.name == object)
                .or_else(|| {
                    ObjectClass::from_name(object).and_then(|c| lib.iter().find(|o| o.class == c))
                })
                .ok_or_else(|| bad("object", f64::NAN, "a built-in object or class name"))?;
            vec![Carried {
                signature: o.signature(gate.omegas())?,
                location,
                orientation: None,
            }]
        };
        let (p, _) = sim.passage(&items)?;
        let need = 2 * p.samples().len();
        if need > out.len() {
            return Err(FfiError::from(hsm::metal::MetalError::Shape {
                what: "samples capacity (doubles)",
                expected: need,
                got: out.len(),
            }));
        }
        for (o, v) in out.chunks_exact_mut(2).zip(p.samples()) {
            o[0] = v.re;
            o[1] = v.im;
        }
        *written = need;
        Ok(())
    })
}
