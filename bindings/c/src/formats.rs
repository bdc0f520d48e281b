//! Radiometric files: FLIR radiometric JPEG, FFF, SEQ, CSQ, 16-bit TIFF and
//! `.npy`, opened from a path or a memory buffer and read frame by frame
//! into caller buffers.

use std::ffi::{CStr, c_char};

use hsm::core::Celsius;
use hsm::thermal::formats::{FileFormat, SceneOverrides, ThermalFile};
use hsm::thermal::radiometry::CelsiusLut;

use crate::error::{FfiError, hsm_status};
use crate::panic::{free_handle, status_of};
use crate::slice::{as_mut, as_mut_slice, as_ref, as_slice};
use crate::thermal::{hsm_atmosphere, hsm_conversion_stats, hsm_planck, hsm_scene};

/// The container of a thermal file.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_file_format {
    /// FLIR radiometric JPEG.
    FlirJpeg = 1,
    /// A single FLIR FFF block.
    Fff = 2,
    /// FLIR SEQ sequence.
    Seq = 3,
    /// FLIR CSQ sequence (JPEG-LS frames).
    Csq = 4,
    /// NumPy .npy stack of uint16.
    Npy = 5,
    /// TIFF of 16-bit greyscale pages.
    Tiff = 6,
}

/// What a thermal file says about itself. Strings are NUL-terminated and
/// truncated to fit. The radiometric fields are meaningful only when
/// `has_camera` is true (FLIR files); TIFF and .npy hold raw counts only.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_thermal_file_info {
    /// The container.
    pub format: hsm_file_format,
    /// Frame width in pixels.
    pub width: usize,
    /// Frame height in pixels.
    pub height: usize,
    /// Number of frames.
    pub frame_count: usize,
    /// Whether the file carries a FLIR CameraInfo record (Planck constants and scene).
    pub has_camera: bool,
    /// Planck constants R1, R2, B, F, O.
    pub planck: hsm_planck,
    /// Atmospheric transmission constants.
    pub atmosphere: hsm_atmosphere,
    /// The scene the file stores (emissivity, distance, temperatures in °C, humidity).
    pub scene: hsm_scene,
    /// Camera model.
    pub camera_model: [c_char; 33],
    /// Camera serial number.
    pub camera_serial: [c_char; 17],
    /// Whether `capture_unix_seconds` and friends are set.
    pub has_capture_time: bool,
    /// Capture time, seconds since 1970-01-01 UTC.
    pub capture_unix_seconds: u32,
    /// Milliseconds within the second.
    pub capture_milliseconds: u32,
    /// The camera's time-zone offset in minutes, as stored.
    pub capture_utc_offset_minutes: i16,
    /// Frame rate in Hz, 0 when not stored.
    pub frame_rate: f64,
    /// Size in bytes of the embedded visible-light image, 0 when there is none.
    pub embedded_image_len: usize,
}

/// Scene values to use instead of the file's own when converting to °C.
/// A NaN field keeps the file's value; fill all with NaN (or pass NULL to
/// the read function) to use the file's parameters.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_scene_overrides {
    /// Emissivity in (0, 1].
    pub emissivity: f64,
    /// Object distance in metres.
    pub distance_m: f64,
    /// Reflected apparent temperature, °C.
    pub reflected_c: f64,
    /// Air temperature, °C.
    pub atmosphere_c: f64,
    /// Relative humidity as a fraction in [0, 1].
    pub relative_humidity: f64,
}

/// An open thermal file. Created by `hsm_thermal_file_open` or
/// `hsm_thermal_file_open_memory`, released by `hsm_thermal_file_free`.
///
/// Not thread-safe: reading moves a file position and reuses buffers, so
/// use a handle from one thread at a time (open one per thread to read in
/// parallel).
pub struct hsm_thermal_file {
    file: ThermalFile,
    default_lut: Option<CelsiusLut>,
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

fn opt(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

unsafe fn new_handle(
    file: Result<ThermalFile, hsm::thermal::ThermalError>,
    out: *mut *mut hsm_thermal_file,
) -> Result<(), FfiError> {
    // SAFETY: the caller guarantees `out` is NULL or valid.
    let out = unsafe { as_mut(out, "out") }?;
    let handle = Box::new(hsm_thermal_file {
        file: file?,
        default_lut: None,
    });
    *out = Box::into_raw(handle);
    Ok(())
}

/// Opens a thermal file by path (UTF-8, NUL-terminated), recognising its
/// format from its first bytes. Only the headers and each frame's record
/// directory are read now; pixels are decoded by the read functions.
///
/// Errors: `HSM_STATUS_NULL_POINTER`, `HSM_STATUS_INVALID_UTF8`,
/// `HSM_STATUS_IO` (cannot open or read), `HSM_STATUS_FORMAT`,
/// `HSM_STATUS_TRUNCATED`, `HSM_STATUS_UNSUPPORTED_FORMAT`,
/// `HSM_STATUS_LIMIT_EXCEEDED` (the detailed message names the file, the
/// byte offset and what was expected).
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_thermal_file_open(
    path: *const c_char,
    out: *mut *mut hsm_thermal_file,
) -> hsm_status {
    status_of(|| {
        if path.is_null() {
            return Err(FfiError::null("path"));
        }
        // SAFETY: non-NULL and, per the caller, a NUL-terminated string.
        let path = unsafe { CStr::from_ptr(path) }
            .to_str()
            .map_err(|_| FfiError {
                status: hsm_status::InvalidUtf8,
                message: "argument `path` is not valid UTF-8".to_owned(),
            })?;
        // SAFETY: forwarded to the caller.
        unsafe { new_handle(ThermalFile::open(path), out) }
    })
}

/// Opens a thermal file held in memory (`len` bytes at `data`, copied:
/// the buffer may be released after the call). Errors as
/// `hsm_thermal_file_open`; the messages name the file `<memory>`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_thermal_file_open_memory(
    data: *const u8,
    len: usize,
    out: *mut *mut hsm_thermal_file,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `len` readable bytes at `data`.
        let bytes = unsafe { as_slice(data, len, "data") }?;
        // SAFETY: forwarded to the caller.
        unsafe { new_handle(ThermalFile::from_bytes(bytes.to_vec(), "<memory>"), out) }
    })
}

/// Releases a handle. `hsm_thermal_file_free(NULL)` does nothing.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_thermal_file_free(file: *mut hsm_thermal_file) {
    // SAFETY: the caller passes NULL or a live handle from this door's
    // `_new`/`_open`, and frees it once.
    unsafe { free_handle(file) };
}

/// Writes the file's metadata into `*out`.
///
/// Errors: `HSM_STATUS_NULL_POINTER`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_thermal_file_info_get(
    file: *const hsm_thermal_file,
    out: *mut hsm_thermal_file_info,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees the pointers are NULL or valid.
        let f = unsafe { as_ref(file, "file") }?;
        // SAFETY: as above.
        let out = unsafe { as_mut(out, "out") }?;
        let m = f.file.metadata();
        let camera = m.camera.as_ref();
        let scene = camera.map(|c| c.scene).unwrap_or_default();
        let capture = camera.and_then(|c| c.capture_time);
        *out = hsm_thermal_file_info {
            format: match m.format {
                FileFormat::FlirJpeg => hsm_file_format::FlirJpeg,
                FileFormat::Fff => hsm_file_format::Fff,
                FileFormat::Seq => hsm_file_format::Seq,
                FileFormat::Csq => hsm_file_format::Csq,
                FileFormat::Npy => hsm_file_format::Npy,
                FileFormat::Tiff => hsm_file_format::Tiff,
            },
            width: m.width,
            height: m.height,
            frame_count: m.frame_count,
            has_camera: camera.is_some(),
            planck: camera.map_or(
                hsm_planck {
                    r1: 0.0,
                    r2: 0.0,
                    b: 0.0,
                    f: 0.0,
                    o: 0.0,
                },
                |c| hsm_planck {
                    r1: c.planck.r1,
                    r2: c.planck.r2,
                    b: c.planck.b,
                    f: c.planck.f,
                    o: c.planck.o,
                },
            ),
            atmosphere: camera.map(|c| c.atmosphere).unwrap_or_default().into(),
            scene: scene.into(),
            camera_model: copy_str(camera.map_or("", |c| c.model.as_str())),
            camera_serial: copy_str(camera.map_or("", |c| c.serial.as_str())),
            has_capture_time: capture.is_some(),
            capture_unix_seconds: capture.map_or(0, |t| t.unix_seconds),
            capture_milliseconds: capture.map_or(0, |t| t.milliseconds),
            capture_utc_offset_minutes: capture.map_or(0, |t| t.utc_offset_minutes),
            frame_rate: camera.and_then(|c| c.frame_rate).unwrap_or(0.0),
            embedded_image_len: m.embedded_image.as_ref().map_or(0, |e| e.data.len()),
        };
        Ok(())
    })
}

/// Copies the embedded visible-light image (JPEG or PNG bytes, as stored)
/// into `buf` (`len` bytes, at least `embedded_image_len`).
///
/// Errors: `HSM_STATUS_NULL_POINTER`, `HSM_STATUS_BUFFER_TOO_SMALL`,
/// `HSM_STATUS_INVALID_ARGUMENT` when the file has no embedded image.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_thermal_file_embedded_image(
    file: *const hsm_thermal_file,
    buf: *mut u8,
    len: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees the pointers are NULL or valid.
        let f = unsafe { as_ref(file, "file") }?;
        let Some(img) = f.file.metadata().embedded_image.as_ref() else {
            return Err(FfiError {
                status: hsm_status::InvalidArgument,
                message: "the file has no embedded visible image".to_owned(),
            });
        };
        if len < img.data.len() {
            return Err(FfiError {
                status: hsm_status::BufferTooSmall,
                message: format!("buffer of {len} bytes; the image needs {}", img.data.len()),
            });
        }
        // SAFETY: the caller guarantees `len` writable bytes.
        let out = unsafe { as_mut_slice(buf, len, "buf") }?;
        out[..img.data.len()].copy_from_slice(&img.data);
        Ok(())
    })
}

/// Checks a caller's output frame: `stride >= width` and
/// `len >= stride * (height - 1) + width`.
fn check_dst(f: &ThermalFile, len: usize, stride: usize) -> Result<(), FfiError> {
    let (w, h) = (f.width(), f.height());
    let need = stride
        .checked_mul(h - 1)
        .and_then(|v| v.checked_add(w))
        .unwrap_or(usize::MAX);
    if stride < w {
        return Err(FfiError {
            status: hsm_status::FrameShape,
            message: format!("row stride {stride} is smaller than the frame width {w}"),
        });
    }
    if len < need {
        return Err(FfiError {
            status: hsm_status::BufferTooSmall,
            message: format!(
                "destination of {len} elements is too small for a {w}×{h} frame with row stride {stride}: {need} needed"
            ),
        });
    }
    Ok(())
}

fn scatter<T: Copy>(src: &[T], dst: &mut [T], width: usize, stride: usize) {
    for (row, out) in src.chunks(width).zip(dst.chunks_mut(stride)) {
        out[..width].copy_from_slice(row);
    }
}

/// Decodes frame `index`'s raw counts into `dst` (`len` elements, rows
/// `stride` elements apart; `stride == width` for a packed frame).
///
/// Errors: `HSM_STATUS_NULL_POINTER`, `HSM_STATUS_INVALID_ARGUMENT` (index
/// past the last frame), `HSM_STATUS_FRAME_SHAPE` (stride < width),
/// `HSM_STATUS_BUFFER_TOO_SMALL`, and the file errors of
/// `hsm_thermal_file_open` for a corrupt frame. `dst` is left untouched on error.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_thermal_file_read_raw(
    file: *mut hsm_thermal_file,
    index: usize,
    dst: *mut u16,
    len: usize,
    stride: usize,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees the pointers are NULL or valid.
        let f = unsafe { as_mut(file, "file") }?;
        check_dst(&f.file, len, stride)?;
        // SAFETY: as above; `dst` does not alias the handle.
        let dst = unsafe { as_mut_slice(dst, len, "dst") }?;
        let mut raw = Vec::new();
        f.file.read_raw(index, &mut raw)?;
        scatter(&raw, dst, f.file.width(), stride);
        Ok(())
    })
}

/// Decodes frame `index` and converts it to °C into `dst` (rows `stride`
/// elements apart), with the file's own parameters, or with `overrides`
/// (NULL, or NaN fields, keep the file's values). Pixels outside the
/// model's domain are NaN and counted in `*stats` (which may be NULL).
///
/// Errors: as `hsm_thermal_file_read_raw`, plus
/// `HSM_STATUS_UNSUPPORTED_FORMAT` for files without radiometric constants
/// (TIFF, .npy) and `HSM_STATUS_INVALID_SCENE` for an unusable override.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_thermal_file_read_celsius(
    file: *mut hsm_thermal_file,
    index: usize,
    overrides: *const hsm_scene_overrides,
    dst: *mut f32,
    len: usize,
    stride: usize,
    stats: *mut hsm_conversion_stats,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees the pointers are NULL or valid.
        let f = unsafe { as_mut(file, "file") }?;
        // SAFETY: as above (NULL allowed).
        let ov = unsafe { overrides.as_ref() }.map_or_else(SceneOverrides::default, |o| {
            SceneOverrides {
                emissivity: opt(o.emissivity),
                distance_m: opt(o.distance_m),
                reflected: opt(o.reflected_c).map(Celsius),
                atmosphere: opt(o.atmosphere_c).map(Celsius),
                relative_humidity: opt(o.relative_humidity),
            }
        });
        check_dst(&f.file, len, stride)?;
        // SAFETY: as above; `dst` does not alias the handle.
        let dst = unsafe { as_mut_slice(dst, len, "dst") }?;
        let mut celsius = Vec::new();
        if ov == SceneOverrides::default() {
            if f.default_lut.is_none() {
                f.default_lut = Some(f.file.converter(&ov)?.lut());
            }
            if let Some(lut) = &f.default_lut {
                f.file.read_celsius(index, lut, &mut celsius)?;
            }
        } else {
            let lut = f.file.converter(&ov)?.lut();
            f.file.read_celsius(index, &lut, &mut celsius)?;
        }
        scatter(&celsius, dst, f.file.width(), stride);
        if !stats.is_null() {
            // SAFETY: non-NULL, and the caller guarantees it is valid.
            let s = unsafe { as_mut(stats, "stats") }?;
            *s = hsm_conversion_stats {
                pixels: celsius.len(),
                invalid: celsius.iter().filter(|v| v.is_nan()).count(),
            };
        }
        Ok(())
    })
}
