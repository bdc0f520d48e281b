//! Thermal screening: the per-frame face extractor as a handle.
//!
//! `hsm_frame_processor_new` takes a radiometry handle and a configuration;
//! `hsm_frame_processor_process` (u16 counts) or `_process_f32` (°C) take a
//! frame as pointer + length + width + height + stride and write the faces
//! into the caller's array of `hsm_face_reading` with their count. No
//! allocation after the first frames.

use hsm::core::{Celsius, FrameView, Rect, Timestamp};
use hsm::thermal::extract::{
    BlackbodyConfig, FrameProcessor, FrameResult, ProcessorConfig, SiteStatistic,
};

use crate::error::{FfiError, hsm_status};
use crate::panic::{free_handle, status_of};
use crate::slice::{as_mut, as_mut_slice, as_ref, as_slice};
use crate::thermal::hsm_radiometry;

/// Quality flag: Fewer face pixels than `min_face_pixels`.
pub const HSM_QUALITY_TOO_FEW_PIXELS: u32 = 1 << 0;
/// Quality flag: Pixels at the sensor's limits (or NaN °C) in the face box.
pub const HSM_QUALITY_SATURATED: u32 = 1 << 1;
/// Quality flag: The site's window touches cold pixels or the frame border.
pub const HSM_QUALITY_SITE_ON_EDGE: u32 = 1 << 2;
/// Quality flag: Cold occlusion at the eyes (glasses).
pub const HSM_QUALITY_GLASSES: u32 = 1 << 3;
/// Quality flag: More than one face while one person at a time is required.
pub const HSM_QUALITY_MULTIPLE_PERSONS: u32 = 1 << 4;
/// Quality flag: Sensor fault: a dead (constant) row or column.
pub const HSM_QUALITY_DEAD_LINES: u32 = 1 << 5;
/// Quality flag: Sensor fault: the frame repeats the previous one.
pub const HSM_QUALITY_FROZEN_FRAME: u32 = 1 << 6;
/// Quality flag: No blackbody configured: the reading is uncorrected.
pub const HSM_QUALITY_NO_BLACKBODY: u32 = 1 << 7;
/// Quality flag: The blackbody is missing or occluded (or not yet measured).
pub const HSM_QUALITY_BLACKBODY_MISSING: u32 = 1 << 8;
/// Quality flag: The blackbody reads outside its expected band.
pub const HSM_QUALITY_BLACKBODY_OUT_OF_BAND: u32 = 1 << 9;
/// Quality flag: The blackbody offset drifts faster than allowed.
pub const HSM_QUALITY_BLACKBODY_DRIFTING: u32 = 1 << 10;
/// Quality flag: The blackbody region is not uniform.
pub const HSM_QUALITY_BLACKBODY_NON_UNIFORM: u32 = 1 << 11;

/// Faces a processor holds per frame (more are counted in `dropped_faces`).
pub const HSM_MAX_FACES: u32 = 64;

/// Configuration of a frame processor; start from
/// `hsm_frame_processor_config_default`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_frame_processor_config {
    /// Skin band, °C (default 30).
    pub band_lo_c: f64,
    /// Skin band, °C (default 43).
    pub band_hi_c: f64,
    /// Smallest valid face, pixels (default 800).
    pub min_face_pixels: u32,
    /// Smallest reported region, pixels (default 40).
    pub min_region_pixels: u32,
    /// Hottest pixels tried as the measurement site, 1..=64 (default 24).
    pub candidates: u32,
    /// Non-zero: one person at a time (flags `MULTIPLE_PERSONS`) (default 1).
    pub single_person: u32,
    /// Non-zero: a blackbody is in view at `bb_*` (default 0).
    pub has_blackbody: u32,
    /// Blackbody region (its emitter's interior), left column.
    pub bb_x: u32,
    /// Blackbody region, top row.
    pub bb_y: u32,
    /// Blackbody region, width.
    pub bb_w: u32,
    /// Blackbody region, height.
    pub bb_h: u32,
    /// Blackbody set-point, °C.
    pub bb_set_point_c: f64,
}

/// One face in one frame.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct hsm_face_reading {
    /// Bounding box, left column.
    pub x: u32,
    /// Bounding box, top row.
    pub y: u32,
    /// Bounding box width.
    pub w: u32,
    /// Bounding box height.
    pub h: u32,
    /// Centroid column.
    pub centroid_x: f32,
    /// Centroid row.
    pub centroid_y: f32,
    /// Pixels in the region.
    pub area: u32,
    /// Measurement site, column.
    pub site_x: u32,
    /// Measurement site, row.
    pub site_y: u32,
    /// `HSM_QUALITY_*` bits; 0 = a valid reading.
    pub flags: u32,
    /// Apparent temperature at the site, °C.
    pub site_c: f64,
    /// `site_c` corrected with the blackbody offset, °C; NaN without one.
    pub corrected_c: f64,
}

/// Frame-level state of the last processed frame.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct hsm_frame_info {
    /// Flags of the whole frame (sensor faults, blackbody), also on every face.
    pub frame_flags: u32,
    /// Dead rows found.
    pub dead_rows: u32,
    /// Dead columns found.
    pub dead_columns: u32,
    /// Faces found but not written (beyond the caller's capacity or `HSM_MAX_FACES`).
    pub dropped_faces: u32,
    /// The blackbody's measured temperature, °C (NaN when none).
    pub blackbody_measured_c: f64,
    /// The tracked blackbody offset applied to readings, °C (NaN when none).
    pub blackbody_offset_c: f64,
}

/// An opaque per-camera face extractor (holds the blackbody tracking and
/// the previous frame's samples).
pub struct hsm_frame_processor {
    inner: FrameProcessor,
    result: FrameResult,
}

/// Writes the defaults (band 30–43 °C, 800/40 pixels, 24 candidates, one
/// person, no blackbody) into `out`.
///
/// # Safety
/// `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_frame_processor_config_default(
    out: *mut hsm_frame_processor_config,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        let d = ProcessorConfig::default();
        *out = hsm_frame_processor_config {
            band_lo_c: d.band.0.get(),
            band_hi_c: d.band.1.get(),
            min_face_pixels: d.min_face_pixels,
            min_region_pixels: d.min_region_pixels,
            candidates: 24,
            single_person: u32::from(d.single_person),
            has_blackbody: 0,
            bb_x: 0,
            bb_y: 0,
            bb_w: 0,
            bb_h: 0,
            bb_set_point_c: 35.0,
        };
        Ok(())
    })
}

/// Creates a frame processor for frames under `radiometry` (the handle may
/// be freed afterwards).
///
/// Errors: `HSM_STATUS_NULL_POINTER`; `HSM_STATUS_INVALID_ARGUMENT` naming
/// the bad field (band, candidates, blackbody region or set-point, …).
///
/// # Safety
/// Each pointer is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_frame_processor_new(
    radiometry: *const hsm_radiometry,
    config: *const hsm_frame_processor_config,
    out: *mut *mut hsm_frame_processor,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees each pointer is NULL or valid.
        let r = unsafe { as_ref(radiometry, "radiometry") }?;
        // SAFETY: as above.
        let c = unsafe { as_ref(config, "config") }?;
        // SAFETY: as above.
        let out = unsafe { as_mut(out, "out") }?;
        let candidates = u16::try_from(c.candidates).unwrap_or(u16::MAX);
        let cfg = ProcessorConfig {
            radiometry: *r.converter().radiometry(),
            band: (Celsius(c.band_lo_c), Celsius(c.band_hi_c)),
            min_face_pixels: c.min_face_pixels,
            min_region_pixels: c.min_region_pixels,
            site: SiteStatistic::TrimmedWindow { candidates },
            blackbody: (c.has_blackbody != 0).then(|| {
                BlackbodyConfig::new(
                    Rect::new(c.bb_x, c.bb_y, c.bb_w, c.bb_h),
                    Celsius(c.bb_set_point_c),
                )
            }),
            single_person: c.single_person != 0,
            ..ProcessorConfig::default()
        };
        let inner = FrameProcessor::new(cfg)?;
        *out = Box::into_raw(Box::new(hsm_frame_processor {
            inner,
            result: FrameResult::with_capacity(HSM_MAX_FACES as usize),
        }));
        Ok(())
    })
}

/// Releases a frame processor; NULL is a no-op.
///
/// # Safety
/// `processor` is NULL or a handle from `hsm_frame_processor_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_frame_processor_free(processor: *mut hsm_frame_processor) {
    // SAFETY: the caller passes NULL or a live handle from this door's
    // `_new`/`_open`, and frees it once.
    unsafe { free_handle(processor) };
}

/// Forgets the stream's history (blackbody tracking, previous frame).
///
/// # Safety
/// `processor` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_frame_processor_reset(
    processor: *mut hsm_frame_processor,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `processor` is NULL or valid.
        let p = unsafe { as_mut(processor, "processor") }?;
        p.inner.reset();
        Ok(())
    })
}

/// Copies the result into the caller's array and info.
///
/// # Safety
/// `out` is NULL (then `out_cap` must be 0) or valid for `out_cap` writes;
/// `out_count` valid; `out_info` NULL or valid.
unsafe fn write_out(
    r: &FrameResult,
    out: *mut hsm_face_reading,
    out_cap: usize,
    out_count: &mut usize,
    out_info: *mut hsm_frame_info,
) -> Result<(), FfiError> {
    let n = r.faces().len().min(out_cap);
    if n > 0 {
        // SAFETY: non-NULL when out_cap > 0 (checked by the callers), valid for out_cap.
        let dst = unsafe { as_mut_slice(out, out_cap, "out") }?;
        for (d, f) in dst.iter_mut().zip(r.faces()) {
            *d = hsm_face_reading {
                x: f.bbox.x,
                y: f.bbox.y,
                w: f.bbox.width,
                h: f.bbox.height,
                centroid_x: f.centroid.x,
                centroid_y: f.centroid.y,
                area: f.area,
                site_x: f.site.x,
                site_y: f.site.y,
                flags: f.flags.bits(),
                site_c: f.site_c.get(),
                corrected_c: f.corrected_c.get(),
            };
        }
    }
    *out_count = n;
    // SAFETY: `out_info` is NULL or valid.
    if let Some(info) = unsafe { out_info.as_mut() } {
        *info = hsm_frame_info {
            frame_flags: r.frame_flags.bits(),
            dead_rows: r.dead_rows,
            dead_columns: r.dead_columns,
            dropped_faces: r.dropped_faces + (r.faces().len() - n) as u32,
            blackbody_measured_c: r.blackbody.measured.get(),
            blackbody_offset_c: r.blackbody.offset.get(),
        };
    }
    Ok(())
}

/// Processes one frame of u16 counts taken at `t_us`.
///
/// `frame` holds `len` elements: `height` rows of `width` pixels, row `y`
/// starting at element `y * stride` (strides count elements; the last row
/// needs only `width`). The faces, in raster order, are written to
/// `out[0..*out_count]` (at most `out_cap`; `out` may be NULL when
/// `out_cap` is 0); `out_info` (may be NULL) receives the frame-level
/// state, including faces that did not fit.
///
/// Errors (nothing written): `HSM_STATUS_NULL_POINTER`;
/// `HSM_STATUS_FRAME_SHAPE` (zero side, stride < width, `len` too short);
/// `HSM_STATUS_FRAME_TOO_LARGE`; `HSM_STATUS_OUT_OF_ORDER` when `t_us`
/// goes back; `HSM_STATUS_INVALID_ARGUMENT` when the blackbody region is
/// not inside the frame or the processor's radiometry is Celsius.
///
/// # Safety
/// Each pointer is NULL or valid for the reads or writes described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_frame_processor_process(
    processor: *mut hsm_frame_processor,
    frame: *const u16,
    len: usize,
    width: u32,
    height: u32,
    stride: usize,
    t_us: i64,
    out: *mut hsm_face_reading,
    out_cap: usize,
    out_count: *mut usize,
    out_info: *mut hsm_frame_info,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees each pointer is NULL or valid.
        let p = unsafe { as_mut(processor, "processor") }?;
        // SAFETY: as above.
        let px = unsafe { as_slice(frame, len, "frame") }?;
        // SAFETY: as above.
        let count = unsafe { as_mut(out_count, "out_count") }?;
        if out.is_null() && out_cap > 0 {
            return Err(FfiError::null("out"));
        }
        let view = FrameView::new(px, width as usize, height as usize, stride)?;
        p.inner.process(&view, Timestamp(t_us), &mut p.result)?;
        // SAFETY: `out` is valid for `out_cap` (non-NULL when out_cap > 0).
        unsafe { write_out(&p.result, out, out_cap, count, out_info) }
    })
}

/// As `hsm_frame_processor_process` for a frame of temperatures in °C
/// (`float`): each is mapped to the count of the processor's linear
/// radiometry (TLinear or linear; Planck is refused with
/// `HSM_STATUS_INVALID_ARGUMENT`); NaN pixels count as bad pixels.
///
/// # Safety
/// As `hsm_frame_processor_process`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_frame_processor_process_f32(
    processor: *mut hsm_frame_processor,
    frame: *const f32,
    len: usize,
    width: u32,
    height: u32,
    stride: usize,
    t_us: i64,
    out: *mut hsm_face_reading,
    out_cap: usize,
    out_count: *mut usize,
    out_info: *mut hsm_frame_info,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees each pointer is NULL or valid.
        let p = unsafe { as_mut(processor, "processor") }?;
        // SAFETY: as above.
        let px = unsafe { as_slice(frame, len, "frame") }?;
        // SAFETY: as above.
        let count = unsafe { as_mut(out_count, "out_count") }?;
        if out.is_null() && out_cap > 0 {
            return Err(FfiError::null("out"));
        }
        let view = FrameView::new(px, width as usize, height as usize, stride)?;
        p.inner.process_f32(&view, Timestamp(t_us), &mut p.result)?;
        // SAFETY: `out` is valid for `out_cap` (non-NULL when out_cap > 0).
        unsafe { write_out(&p.result, out, out_cap, count, out_info) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsm::thermal::extract::QualityFlags;

    #[test]
    fn quality_constants_match_the_library() {
        let c = [
            HSM_QUALITY_TOO_FEW_PIXELS,
            HSM_QUALITY_SATURATED,
            HSM_QUALITY_SITE_ON_EDGE,
            HSM_QUALITY_GLASSES,
            HSM_QUALITY_MULTIPLE_PERSONS,
            HSM_QUALITY_DEAD_LINES,
            HSM_QUALITY_FROZEN_FRAME,
            HSM_QUALITY_NO_BLACKBODY,
            HSM_QUALITY_BLACKBODY_MISSING,
            HSM_QUALITY_BLACKBODY_OUT_OF_BAND,
            HSM_QUALITY_BLACKBODY_DRIFTING,
            HSM_QUALITY_BLACKBODY_NON_UNIFORM,
        ];
        for ((flag, _), bits) in QualityFlags::ALL.iter().zip(c) {
            assert_eq!(flag.bits(), bits);
        }
    }
}
