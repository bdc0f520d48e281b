//! People counting: the beam-pair decoder and the line counter.
//!
//! Both are handles that take events or frames and queue transits, which
//! the caller polls into its own arrays. Neither allocates after `_new`.

use hsm::core::Timestamp;
use hsm::core::counting::{
    Beam, BeamConfig, BeamDecoder, BeamEvent, BeamFault, CountingLine, Detection, Direction,
    FaultKind, LineConfig, LineCounter, Source, Transit,
};
use hsm::core::time::Micros;

use crate::error::{FfiError, hsm_status};
use crate::panic::{free_handle, status_of};
use crate::slice::{as_mut, as_mut_slice, as_ref, as_slice};

/// Transit flag: `persons` is an estimate (beams: an occlusion too long for
/// one person counted as two).
pub const HSM_TRANSIT_ESTIMATED: u32 = 1;
/// Transit flag: the track was born inside the band (tracks).
pub const HSM_TRANSIT_BORN_IN_BAND: u32 = 2;
/// Transit flag: the track vanished past the line; the crossing is inferred (tracks).
pub const HSM_TRANSIT_VANISHED_PAST_LINE: u32 = 4;
/// Transit flag: the crossing was seen after the track coasted through a dropout (tracks).
pub const HSM_TRANSIT_COASTED: u32 = 8;
/// Transit flag: earlier transits were dropped because the queue was full.
pub const HSM_TRANSIT_QUEUE_OVERFLOW: u32 = 16;

/// One of a lane's two beams.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_beam {
    /// The outer beam (street side).
    A = 0,
    /// The inner beam.
    B = 1,
}

/// The `hsm_beam` named by a C integer.
pub(crate) fn beam_of(beam: u32) -> Result<Beam, FfiError> {
    const A: u32 = hsm_beam::A as u32;
    const B: u32 = hsm_beam::B as u32;
    match beam {
        A => Ok(Beam::A),
        B => Ok(Beam::B),
        _ => Err(FfiError::bad_enum("beam", "hsm_beam", beam)),
    }
}

/// Which way a person went.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_direction {
    /// In: beam A then B; or the counting line crossed from its left to its right.
    In = 0,
    /// Out: the mirror.
    Out = 1,
}

/// What produced a transit.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_count_source {
    /// The beam-pair decoder.
    Beams = 0,
    /// The line counter.
    Tracks = 1,
    /// Simulator ground truth.
    Truth = 2,
}

/// A beam fault: raised (stuck) or cleared (recovered).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_fault_kind {
    /// Blocked longer than `fault_after_us`.
    Stuck = 0,
    /// A stuck beam cleared.
    Recovered = 1,
}

/// A counted passage.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_transit {
    /// When the passage completed, µs since the caller's epoch.
    pub t_us: i64,
    /// Which way.
    pub direction: hsm_direction,
    /// People: 1, or 2 with `HSM_TRANSIT_ESTIMATED`.
    pub persons: u32,
    /// What produced it.
    pub source: hsm_count_source,
    /// `HSM_TRANSIT_*` bits.
    pub flags: u32,
    /// The track's id (line counter) or 0.
    pub track_id: u32,
}

/// A beam fault.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_beam_fault {
    /// When (stuck: the moment the limit was reached; recovered: the clear).
    pub t_us: i64,
    /// Which beam.
    pub beam: hsm_beam,
    /// Raised or cleared.
    pub kind: hsm_fault_kind,
    /// When the beam became blocked.
    pub blocked_since_us: i64,
}

/// A detection: box top-left corner and size in pixels (y down) and a
/// score in [0, 1] (pass 1 if the detector gives none). Centroid-only
/// detectors pass the centre as x, y and 0 as w, h.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_detection {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width, >= 0.
    pub w: f32,
    /// Height, >= 0.
    pub h: f32,
    /// Score in [0, 1].
    pub score: f32,
}

/// Settings of a beam decoder; durations in µs. Start from
/// `hsm_beam_config_default`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_beam_config {
    /// A level must hold this long to be believed (0 – 10 s; default 30 ms).
    pub min_dwell_us: i64,
    /// A sequence older than this restarts (1 ms – 1 h; default 10 s).
    pub sequence_timeout_us: i64,
    /// A beam blocked longer than this is a fault (1 ms – 1 day; default 30 s).
    pub fault_after_us: i64,
    /// Both beams blocked longer than this counts two people (default 650 ms).
    pub pair_occlusion_us: i64,
    /// … unless longer than this (someone standing still; default 1.5 s).
    pub pair_occlusion_max_us: i64,
    /// Transits and faults held until polled, each (1 – 1 048 576; default 256).
    pub queue_capacity: usize,
}

impl From<BeamConfig> for hsm_beam_config {
    fn from(c: BeamConfig) -> Self {
        hsm_beam_config {
            min_dwell_us: c.min_dwell.0,
            sequence_timeout_us: c.sequence_timeout.0,
            fault_after_us: c.fault_after.0,
            pair_occlusion_us: c.pair_occlusion.0,
            pair_occlusion_max_us: c.pair_occlusion_max.0,
            queue_capacity: c.queue_capacity,
        }
    }
}

impl From<hsm_beam_config> for BeamConfig {
    fn from(c: hsm_beam_config) -> Self {
        BeamConfig {
            min_dwell: Micros(c.min_dwell_us),
            sequence_timeout: Micros(c.sequence_timeout_us),
            fault_after: Micros(c.fault_after_us),
            pair_occlusion: Micros(c.pair_occlusion_us),
            pair_occlusion_max: Micros(c.pair_occlusion_max_us),
            queue_capacity: c.queue_capacity,
        }
    }
}

/// Settings of a line counter. Start from `hsm_line_config_default`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_line_config {
    /// Line start x, px.
    pub x1: f32,
    /// Line start y, px (y down).
    pub y1: f32,
    /// Line end x, px.
    pub x2: f32,
    /// Line end y, px. Crossing from the left of (x1,y1)→(x2,y2), as seen on
    /// the screen, to its right is "in".
    pub y2: f32,
    /// Half-width of the hysteresis band, px (default 12).
    pub band: f32,
    /// Matching gate along the direction of motion, px (default 40).
    pub gate_px: f32,
    /// Frames a confirmed track coasts through a dropout (default 10).
    pub max_coast: u32,
    /// Matches before a track is confirmed (default 3).
    pub min_hits: u32,
    /// Detections scoring below this are ignored (default 0).
    pub min_score: f32,
    /// Infer a crossing for a track that vanishes past the line (default true).
    pub count_vanishing: bool,
    /// Tracks held at once (1 – 1024; default 64).
    pub max_tracks: usize,
    /// Detections per frame (1 – 1024; default 256).
    pub max_detections: usize,
    /// Transits held until polled (1 – 1 048 576; default 256).
    pub queue_capacity: usize,
}

fn line_config(c: &hsm_line_config) -> LineConfig {
    let mut cfg = LineConfig::new(CountingLine::new(c.x1, c.y1, c.x2, c.y2));
    cfg.band = c.band;
    cfg.count_vanishing = c.count_vanishing;
    cfg.queue_capacity = c.queue_capacity;
    cfg.tracker.gate_px = c.gate_px;
    cfg.tracker.max_coast = c.max_coast;
    cfg.tracker.min_hits = c.min_hits;
    cfg.tracker.min_score = c.min_score;
    cfg.tracker.max_tracks = c.max_tracks;
    cfg.tracker.max_detections = c.max_detections;
    cfg
}

/// Placeholder for poll buffers (overwritten before use).
const EMPTY_TRANSIT: Transit = Transit {
    t: Timestamp(0),
    direction: Direction::In,
    persons: 0,
    source: Source::Truth,
    flags: 0,
    track_id: 0,
};

/// Placeholder for poll buffers (overwritten before use).
const EMPTY_FAULT: BeamFault = BeamFault {
    t: Timestamp(0),
    beam: Beam::A,
    kind: FaultKind::Recovered,
    blocked_since: Timestamp(0),
};

fn transit(t: &Transit) -> hsm_transit {
    hsm_transit {
        t_us: t.t.0,
        direction: match t.direction {
            Direction::In => hsm_direction::In,
            Direction::Out => hsm_direction::Out,
        },
        persons: t.persons,
        source: match t.source {
            Source::Beams => hsm_count_source::Beams,
            Source::Tracks => hsm_count_source::Tracks,
            Source::Truth => hsm_count_source::Truth,
        },
        flags: t.flags,
        track_id: t.track_id,
    }
}

/// The shared body of `hsm_beam_decoder_poll_transits` and
/// `hsm_line_counter_poll`: moves up to `capacity` pending transits through
/// the handle's reused `scratch` buffer into the caller's array and writes
/// how many into `*written` (only on success).
///
/// # Safety
/// `written` is NULL or valid for writing; `out` is valid for writing
/// `capacity` elements when `capacity > 0`.
unsafe fn poll_transits_into(
    out: *mut hsm_transit,
    capacity: usize,
    written: *mut usize,
    scratch: &mut Vec<Transit>,
    pending: usize,
    poll: impl FnOnce(&mut [Transit]) -> usize,
) -> Result<(), FfiError> {
    // SAFETY: the caller guarantees `written` is NULL or valid.
    let written = unsafe { as_mut(written, "written") }?;
    let out = if capacity == 0 {
        &mut [][..]
    } else {
        // SAFETY: the caller guarantees `capacity` writable elements.
        unsafe { as_mut_slice(out, capacity, "out") }?
    };
    scratch.clear();
    scratch.resize(out.len().min(pending), EMPTY_TRANSIT);
    let n = poll(scratch);
    for (slot, t) in out.iter_mut().zip(scratch.iter()) {
        *slot = transit(t);
    }
    *written = n;
    Ok(())
}

const fn beam(b: Beam) -> hsm_beam {
    match b {
        Beam::A => hsm_beam::A,
        Beam::B => hsm_beam::B,
    }
}

/// A lane's beam-pair decoder. Not thread-safe: use one handle from one
/// thread at a time (it may move between threads).
pub struct hsm_beam_decoder {
    inner: BeamDecoder,
    transits: Vec<Transit>,
    faults: Vec<BeamFault>,
}

/// A line counter (tracker + counting line) for one camera. Not
/// thread-safe: use one handle from one thread at a time.
pub struct hsm_line_counter {
    inner: LineCounter,
    scratch: Vec<Detection>,
    transits: Vec<Transit>,
}

/// Writes the default beam settings into `*out`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`. Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for writing one `hsm_beam_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_config_default(out: *mut hsm_beam_config) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        *out = BeamConfig::default().into();
        Ok(())
    })
}

/// Creates a beam decoder with `config` (NULL: defaults) into `*out`.
///
/// Errors: `HSM_STATUS_NULL_POINTER` (out); `HSM_STATUS_INVALID_ARGUMENT`
/// naming the bad field. Thread-safe.
///
/// # Safety
/// `config` is NULL or valid for reading; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_decoder_new(
    config: *const hsm_beam_config,
    out: *mut *mut hsm_beam_decoder,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        // SAFETY: the caller guarantees `config` is NULL or valid.
        let cfg = unsafe { config.as_ref() }.map_or_else(BeamConfig::default, |c| (*c).into());
        let inner = BeamDecoder::new(cfg)?;
        let handle = hsm_beam_decoder {
            inner,
            transits: Vec::with_capacity(cfg.queue_capacity),
            faults: Vec::with_capacity(cfg.queue_capacity),
        };
        *out = Box::into_raw(Box::new(handle));
        Ok(())
    })
}

/// Releases a decoder; NULL is a no-op.
///
/// # Safety
/// `decoder` is NULL or a handle from `hsm_beam_decoder_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_decoder_free(decoder: *mut hsm_beam_decoder) {
    // SAFETY: the caller passes NULL or a live handle from this door's
    // `_new`/`_open`, and frees it once.
    unsafe { free_handle(decoder) };
}

/// Feeds one beam edge at `t_us`: `beam` (an `hsm_beam` value) became
/// blocked (`blocked` true) or cleared. Edges must come in time order.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_ARGUMENT` when
/// `beam` is not an `hsm_beam` value; `HSM_STATUS_OUT_OF_ORDER` when `t_us`
/// is earlier than the previous call's (nothing changes).
///
/// # Safety
/// `decoder` is NULL or a live handle not used by another thread meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_decoder_push(
    decoder: *mut hsm_beam_decoder,
    t_us: i64,
    beam: u32,
    blocked: bool,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let d = unsafe { as_mut(decoder, "decoder") }?;
        let beam = beam_of(beam)?;
        d.inner.push(BeamEvent {
            t: Timestamp(t_us),
            beam,
            blocked,
        })?;
        Ok(())
    })
}

/// Tells the decoder the time is `t_us` without an edge, so debounced
/// levels, timeouts and stuck-beam faults whose deadline has passed take
/// effect. Call it periodically (e.g. every 100 ms) on a live gate.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_OUT_OF_ORDER`.
///
/// # Safety
/// As `hsm_beam_decoder_push`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_decoder_advance(
    decoder: *mut hsm_beam_decoder,
    t_us: i64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let d = unsafe { as_mut(decoder, "decoder") }?;
        d.inner.advance(Timestamp(t_us))?;
        Ok(())
    })
}

/// Commits edges still waiting out the debounce (end of a recording).
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// As `hsm_beam_decoder_push`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_decoder_flush(decoder: *mut hsm_beam_decoder) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let d = unsafe { as_mut(decoder, "decoder") }?;
        d.inner.flush();
        Ok(())
    })
}

/// Moves up to `capacity` queued transits, oldest first, into `out` and
/// writes how many into `*written` (0 when none are queued). `out` may be
/// NULL only when `capacity` is 0.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// `decoder` as `hsm_beam_decoder_push`; `out` is valid for writing
/// `capacity` elements; `written` is valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_decoder_poll_transits(
    decoder: *mut hsm_beam_decoder,
    out: *mut hsm_transit,
    capacity: usize,
    written: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let d = unsafe { as_mut(decoder, "decoder") }?;
        let pending = d.inner.pending_transits();
        // SAFETY: forwarded from this function's contract.
        unsafe {
            poll_transits_into(out, capacity, written, &mut d.transits, pending, |buf| {
                d.inner.poll_transits(buf)
            })
        }
    })
}

/// Moves up to `capacity` queued faults, oldest first, into `out`; writes
/// how many into `*written`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// As `hsm_beam_decoder_poll_transits`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_decoder_poll_faults(
    decoder: *mut hsm_beam_decoder,
    out: *mut hsm_beam_fault,
    capacity: usize,
    written: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let d = unsafe { as_mut(decoder, "decoder") }?;
        // SAFETY: the caller guarantees `written` is NULL or valid.
        let written = unsafe { as_mut(written, "written") }?;
        let out = if capacity == 0 {
            &mut [][..]
        } else {
            // SAFETY: the caller guarantees `capacity` writable elements.
            unsafe { as_mut_slice(out, capacity, "out") }?
        };
        let n = out.len().min(d.inner.pending_faults());
        d.faults.clear();
        d.faults.resize(n, EMPTY_FAULT);
        let n = d.inner.poll_faults(&mut d.faults);
        for (slot, f) in out.iter_mut().zip(&d.faults) {
            *slot = hsm_beam_fault {
                t_us: f.t.0,
                beam: beam(f.beam),
                kind: match f.kind {
                    FaultKind::Stuck => hsm_fault_kind::Stuck,
                    FaultKind::Recovered => hsm_fault_kind::Recovered,
                },
                blocked_since_us: f.blocked_since.0,
            };
        }
        *written = n;
        Ok(())
    })
}

/// Writes the people counted so far in each direction (polled or not).
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// `decoder` is NULL or a live handle; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_beam_decoder_counts(
    decoder: *const hsm_beam_decoder,
    in_count: *mut u64,
    out_count: *mut u64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let d = unsafe { as_ref(decoder, "decoder") }?;
        // SAFETY: the caller guarantees valid out-pointers or NULL.
        let (i, o) = unsafe {
            (
                as_mut(in_count, "in_count")?,
                as_mut(out_count, "out_count")?,
            )
        };
        *i = d.inner.count(Direction::In);
        *o = d.inner.count(Direction::Out);
        Ok(())
    })
}

/// Writes the default line-counter settings for the line (x1,y1)→(x2,y2)
/// into `*out` (the line is checked when the counter is created).
///
/// Errors: `HSM_STATUS_NULL_POINTER`. Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_line_config_default(
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    out: *mut hsm_line_config,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        let c = LineConfig::new(CountingLine::new(x1, y1, x2, y2));
        *out = hsm_line_config {
            x1,
            y1,
            x2,
            y2,
            band: c.band,
            gate_px: c.tracker.gate_px,
            max_coast: c.tracker.max_coast,
            min_hits: c.tracker.min_hits,
            min_score: c.tracker.min_score,
            count_vanishing: c.count_vanishing,
            max_tracks: c.tracker.max_tracks,
            max_detections: c.tracker.max_detections,
            queue_capacity: c.queue_capacity,
        };
        Ok(())
    })
}

/// Creates a line counter from `config` into `*out`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_ARGUMENT` naming
/// the bad field (a NaN coordinate, a line shorter than 1 px, …).
///
/// # Safety
/// `config` is NULL or valid for reading; `out` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_line_counter_new(
    config: *const hsm_line_config,
    out: *mut *mut hsm_line_counter,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `config` is NULL or valid.
        let config = unsafe { as_ref(config, "config") }?;
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        let cfg = line_config(config);
        let inner = LineCounter::new(cfg)?;
        let handle = hsm_line_counter {
            inner,
            scratch: Vec::with_capacity(cfg.tracker.max_detections),
            transits: Vec::with_capacity(cfg.queue_capacity),
        };
        *out = Box::into_raw(Box::new(handle));
        Ok(())
    })
}

/// Releases a line counter; NULL is a no-op.
///
/// # Safety
/// `counter` is NULL or a handle from `hsm_line_counter_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_line_counter_free(counter: *mut hsm_line_counter) {
    // SAFETY: the caller passes NULL or a live handle from this door's
    // `_new`/`_open`, and frees it once.
    unsafe { free_handle(counter) };
}

/// Processes one frame taken at `t_us` with `len` detections (`detections`
/// may be NULL when `len` is 0: an empty frame, which still ages tracks).
///
/// Errors (nothing changes): `HSM_STATUS_NULL_POINTER`;
/// `HSM_STATUS_OUT_OF_ORDER` when `t_us` goes back;
/// `HSM_STATUS_CAPACITY_EXCEEDED` when `len > max_detections`;
/// `HSM_STATUS_INVALID_ARGUMENT` naming `detections[i]` and the field for a
/// NaN, infinite, negative-size or out-of-range value.
///
/// # Safety
/// `counter` is NULL or a live handle not used by another thread meanwhile;
/// `detections` is valid for reading `len` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_line_counter_push_frame(
    counter: *mut hsm_line_counter,
    t_us: i64,
    detections: *const hsm_detection,
    len: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let c = unsafe { as_mut(counter, "counter") }?;
        let dets = if len == 0 {
            &[][..]
        } else {
            // SAFETY: the caller guarantees `len` readable elements.
            unsafe { as_slice(detections, len, "detections") }?
        };
        let max = c.inner.config().tracker.max_detections;
        if dets.len() > max {
            return Err(FfiError::from(hsm::core::CoreError::CapacityExceeded {
                field: "detections",
                value: dets.len(),
                max,
            }));
        }
        c.scratch.clear();
        c.scratch.extend(dets.iter().map(|d| Detection {
            x: d.x,
            y: d.y,
            w: d.w,
            h: d.h,
            score: d.score,
        }));
        c.inner.push_frame(Timestamp(t_us), &c.scratch)?;
        Ok(())
    })
}

/// Moves up to `capacity` queued transits, oldest first, into `out`; writes
/// how many into `*written`. Poll after every frame on a live gate.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// As `hsm_beam_decoder_poll_transits`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_line_counter_poll(
    counter: *mut hsm_line_counter,
    out: *mut hsm_transit,
    capacity: usize,
    written: *mut usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live, exclusive handle or NULL.
        let c = unsafe { as_mut(counter, "counter") }?;
        let pending = c.inner.pending();
        // SAFETY: forwarded from this function's contract.
        unsafe {
            poll_transits_into(out, capacity, written, &mut c.transits, pending, |buf| {
                c.inner.poll(buf)
            })
        }
    })
}

/// Writes the people counted so far in each direction.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// `counter` is NULL or a live handle; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_line_counter_counts(
    counter: *const hsm_line_counter,
    in_count: *mut u64,
    out_count: *mut u64,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees a live handle or NULL.
        let c = unsafe { as_ref(counter, "counter") }?;
        // SAFETY: the caller guarantees valid out-pointers or NULL.
        let (i, o) = unsafe {
            (
                as_mut(in_count, "in_count")?,
                as_mut(out_count, "out_count")?,
            )
        };
        *i = c.inner.count(Direction::In);
        *o = c.inner.count(Direction::Out);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsm::core::counting::flags;

    #[test]
    fn flag_values_match_the_core() {
        assert_eq!(HSM_TRANSIT_ESTIMATED, flags::ESTIMATED);
        assert_eq!(HSM_TRANSIT_BORN_IN_BAND, flags::BORN_IN_BAND);
        assert_eq!(HSM_TRANSIT_VANISHED_PAST_LINE, flags::VANISHED_PAST_LINE);
        assert_eq!(HSM_TRANSIT_COASTED, flags::COASTED);
        assert_eq!(HSM_TRANSIT_QUEUE_OVERFLOW, flags::QUEUE_OVERFLOW);
    }
}
