//! Thermal files: FLIR radiometric JPEG, FFF, SEQ and CSQ, 16-bit TIFF
//! stacks and `.npy` stacks — read frame by frame; `.npy`, TIFF and CSV
//! written frame by frame.
//!
//! ## Overview
//! [`ThermalFile::open`] (or [`ThermalFile::from_bytes`]) recognises the
//! container from its first bytes, reads its metadata ([`Metadata`]: size,
//! frame count, the FLIR CameraInfo record with Planck and scene constants,
//! an embedded visible image) and indexes its frames. Pixels are decoded on
//! demand, one frame at a time, into caller-owned buffers:
//! [`ThermalFile::read_raw`] gives the u16 counts and
//! [`ThermalFile::read_celsius`] the temperatures with the file's own
//! parameters or [`SceneOverrides`].
//!
//! ```no_run
//! use hsm_thermal::formats::{SceneOverrides, ThermalFile};
//!
//! let mut file = ThermalFile::open("IR_2412.jpg")?;
//! let lut = file.converter(&SceneOverrides::default())?.lut();
//! let mut celsius = Vec::new();
//! for i in 0..file.frame_count() {
//!     file.read_celsius(i, &lut, &mut celsius)?;
//! }
//! # Ok::<(), hsm_thermal::ThermalError>(())
//! ```
//!
//! ## Performance and memory
//! A file is never read whole except a JPEG (at most 256 MiB) and a
//! memory buffer the caller already holds. For FFF/SEQ/CSQ only each
//! frame's header and directory are read when the file is opened (16 bytes
//! of index per frame); decoding frame *i* reads its RawData record into a
//! reused buffer. Memory is therefore bounded by one frame whatever the
//! file's size.
//!
//! ## Untrusted input
//! Every offset and length is checked against the data before use; a size
//! is checked against [`MAX_DIMENSION`](hsm_core::MAX_DIMENSION) per side,
//! 2²⁶ pixels per frame and 256 MiB per record before anything is
//! allocated from it. A truncated, corrupt or hostile file yields a
//! [`FileError`] naming the file, the byte offset and what was expected.
//! SEQ/CSQ frames are found through each frame's record directory, never
//! by searching for magic bytes (SampleSEQ.seq holds a false `FFF\0` in
//! its pixels). Each parser has a cargo-fuzz target under `fuzz/`.

mod error;
mod fff;
mod jpeg;
mod jpegls;
mod metadata;
mod npy;
mod source;
mod writers;

use std::path::Path;
use std::sync::Arc;

pub use error::{FileError, FileErrorKind};
pub use metadata::{
    CameraInfo, CaptureTime, EmbeddedImage, FileFormat, ImageEncoding, Metadata, PixelEncoding,
    SceneOverrides,
};
pub use writers::{ExportFormat, StackWriter};

use crate::error::ThermalError;
use crate::radiometry::{CelsiusLut, Converter};
use error::{format_err, io_err, unsupported};
use source::{Backing, Endian, Source};

/// A whole `.npy` stack read by [`read_npy_stack`]: shape `(N, H, W)` (a
/// 2-D file is one frame) and its elements.
#[derive(Clone, Debug, PartialEq)]
pub enum NpyStack {
    /// uint16 counts.
    U16 {
        /// `(frames, height, width)`.
        shape: (usize, usize, usize),
        /// Row-major elements.
        data: Vec<u16>,
    },
    /// float32 (°C).
    F32 {
        /// `(frames, height, width)`.
        shape: (usize, usize, usize),
        /// Row-major elements.
        data: Vec<f32>,
    },
}

impl NpyStack {
    /// `(frames, height, width)`.
    #[must_use]
    pub const fn shape(&self) -> (usize, usize, usize) {
        match self {
            NpyStack::U16 { shape, .. } | NpyStack::F32 { shape, .. } => *shape,
        }
    }
}

/// Reads a whole `.npy` stack of uint16 or float32 elements, shape
/// `(H, W)` or `(N, H, W)`, with the header checks of [`ThermalFile`]
/// (dtype, C order, sizes, a file exactly as long as the header says).
///
/// # Errors
/// [`ThermalError::File`] naming the file and the problem.
pub fn read_npy_stack(path: impl AsRef<Path>) -> Result<NpyStack, ThermalError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| io_err(&name, &e))?;
    let mut src = Source::file(&name, file)?;
    let h = npy::read_header(&mut src, true)?;
    let shape = (h.frames, h.height, h.width);
    let mut bytes = Vec::new();
    src.read_into(
        h.data_offset,
        src.len - h.data_offset,
        &mut bytes,
        "the .npy elements",
    )?;
    let big = h.encoding == PixelEncoding::U16Be;
    Ok(if h.f32 {
        NpyStack::F32 {
            shape,
            data: bytes
                .chunks_exact(4)
                .map(|b| {
                    let b = [b[0], b[1], b[2], b[3]];
                    if big {
                        f32::from_be_bytes(b)
                    } else {
                        f32::from_le_bytes(b)
                    }
                })
                .collect(),
        }
    } else {
        NpyStack::U16 {
            shape,
            data: bytes
                .chunks_exact(2)
                .map(|b| {
                    if big {
                        u16::from_be_bytes([b[0], b[1]])
                    } else {
                        u16::from_le_bytes([b[0], b[1]])
                    }
                })
                .collect(),
        }
    })
}

/// Largest JPEG read whole (256 MiB).
const MAX_JPEG: u64 = 256 << 20;

/// Where frame *i* of an FFF-based file lives.
#[derive(Clone, Copy, Debug)]
struct FrameLoc {
    raw_offset: u64,
    raw_len: u64,
}

/// The format-specific part of an open file.
enum Inner {
    /// JPEG (over the assembled FFF block), FFF, SEQ, CSQ.
    Fff {
        src: Source,
        order: Endian,
        frames: Vec<FrameLoc>,
    },
    /// `.npy`.
    Npy { src: Source, header: npy::NpyHeader },
    /// TIFF, through the `tiff` crate's decoder.
    Tiff {
        decoder: Box<tiff::decoder::Decoder<Backing>>,
    },
}

/// An open thermal file: metadata read, frames indexed, pixels decoded on
/// demand. See the [module docs](self).
///
/// Not `Sync` (reads move a file position); open one per thread.
pub struct ThermalFile {
    name: String,
    meta: Metadata,
    inner: Inner,
    scratch: Vec<u8>,
    raw: Vec<u16>,
}

impl core::fmt::Debug for ThermalFile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ThermalFile")
            .field("name", &self.name)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

/// Statistics of one frame, as `hsm thermal info` prints them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameStats {
    /// Smallest raw count.
    pub raw_min: u16,
    /// Largest raw count.
    pub raw_max: u16,
    /// Mean raw count.
    pub raw_mean: f64,
    /// Coldest pixel, °C (NaN when no pixel has a temperature).
    pub min_c: f64,
    /// Hottest pixel, °C.
    pub max_c: f64,
    /// Mean over pixels with a temperature, °C.
    pub mean_c: f64,
    /// Pixels without a temperature (outside the model's domain).
    pub invalid: usize,
}

impl FrameStats {
    /// Statistics of a raw frame and its temperatures (same length).
    #[must_use]
    pub fn of(raw: &[u16], celsius: &[f32]) -> FrameStats {
        let raw_min = raw.iter().copied().min().unwrap_or(0);
        let raw_max = raw.iter().copied().max().unwrap_or(0);
        let raw_sum: u64 = raw.iter().map(|&v| u64::from(v)).sum();
        let (mut min_c, mut max_c, mut sum, mut n) =
            (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize);
        for &t in celsius {
            if t.is_nan() {
                continue;
            }
            let t = f64::from(t);
            min_c = min_c.min(t);
            max_c = max_c.max(t);
            sum += t;
            n += 1;
        }
        let nan_if_empty = |v: f64| if n == 0 { f64::NAN } else { v };
        FrameStats {
            raw_min,
            raw_max,
            raw_mean: if raw.is_empty() {
                f64::NAN
            } else {
                raw_sum as f64 / raw.len() as f64
            },
            min_c: nan_if_empty(min_c),
            max_c: nan_if_empty(max_c),
            mean_c: nan_if_empty(sum / n.max(1) as f64),
            invalid: celsius.len() - n,
        }
    }
}

impl ThermalFile {
    /// Opens a file, recognising its format from its first bytes (and, to
    /// tell a one-frame SEQ from an FFF, its extension).
    ///
    /// # Errors
    /// [`ThermalError::File`] when the file cannot be read or is malformed.
    pub fn open(path: impl AsRef<Path>) -> Result<ThermalFile, ThermalError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| io_err(&name, &e))?;
        let src = Source::file(&name, file)?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        Self::from_source(src, ext.as_deref())
    }

    /// Opens a file held in memory; `name` is used in error messages.
    ///
    /// # Errors
    /// [`ThermalError::File`] when the bytes are malformed.
    pub fn from_bytes(
        bytes: impl Into<Arc<[u8]>>,
        name: &str,
    ) -> Result<ThermalFile, ThermalError> {
        Self::from_source(Source::memory(name, bytes.into()), None)
    }

    fn from_source(mut src: Source, ext: Option<&str>) -> Result<ThermalFile, ThermalError> {
        let mut magic = [0u8; 8];
        let n = src.len.min(8) as usize;
        src.read_at(0, &mut magic[..n], "the file's first bytes")?;
        let magic = &magic[..n];
        let name = src.name.clone();
        if magic.starts_with(&[0xFF, 0xD8]) {
            let bytes = src.whole(MAX_JPEG, "a JPEG")?;
            let fff = jpeg::assemble_fff(&name, &bytes)?;
            let inner_src = Source::memory(&format!("{name} [FFF in APP1]"), fff.into());
            return Self::open_fff(name, inner_src, Some(FileFormat::FlirJpeg));
        }
        if magic.starts_with(b"FFF\0") {
            let hint = match ext {
                Some("seq") => Some(FileFormat::Seq),
                Some("csq") => Some(FileFormat::Csq),
                _ => None,
            };
            return Self::open_fff(name, src, hint);
        }
        if magic.starts_with(b"\x93NUMPY") {
            let header = npy::read_header(&mut src, false)?;
            let meta = Metadata {
                format: FileFormat::Npy,
                width: header.width,
                height: header.height,
                frame_count: header.frames,
                pixel_encoding: header.encoding,
                camera: None,
                embedded_image: None,
            };
            return Ok(ThermalFile {
                name,
                meta,
                inner: Inner::Npy { src, header },
                scratch: Vec::new(),
                raw: Vec::new(),
            });
        }
        if magic.starts_with(b"II*\0")
            || magic.starts_with(b"MM\0*")
            || magic.starts_with(b"II+\0")
            || magic.starts_with(b"MM\0+")
        {
            return Self::open_tiff(name, src);
        }
        Err(unsupported(
            &name,
            Some(0),
            format!(
                "unrecognised file: expected a FLIR radiometric JPEG, FFF, SEQ, CSQ, 16-bit TIFF or .npy file; the first bytes are {magic:02x?}"
            ),
        )
        .into())
    }

    fn open_fff(
        name: String,
        mut src: Source,
        hint: Option<FileFormat>,
    ) -> Result<ThermalFile, ThermalError> {
        let first = fff::inspect(&mut src, 0)?;
        let mut frames = vec![FrameLoc {
            raw_offset: first.raw.offset,
            raw_len: first.raw.length,
        }];
        let is_jpeg = hint == Some(FileFormat::FlirJpeg);
        let mut base = first.block.end;
        // A JPEG's FFF block holds one frame; trailing bytes are padding.
        while !is_jpeg && base < src.len {
            let block = fff::read_block(&mut src, base)?;
            let (raw, w, h, _) = fff::raw_record(&mut src, &block, base)?;
            if (w, h) != (first.width, first.height) {
                return Err(format_err(
                    &src.name,
                    raw.offset + 2,
                    format!(
                        "frame {} is {w}×{h}; expected {}×{} like the first frame",
                        frames.len(),
                        first.width,
                        first.height
                    ),
                )
                .into());
            }
            frames.push(FrameLoc {
                raw_offset: raw.offset,
                raw_len: raw.length,
            });
            base = block.end;
        }
        let format = hint.unwrap_or(if first.encoding == PixelEncoding::JpegLs {
            FileFormat::Csq
        } else if frames.len() > 1 {
            FileFormat::Seq
        } else {
            FileFormat::Fff
        });
        let meta = Metadata {
            format,
            width: first.width,
            height: first.height,
            frame_count: frames.len(),
            pixel_encoding: first.encoding,
            camera: first.camera,
            embedded_image: first.embedded,
        };
        Ok(ThermalFile {
            name,
            meta,
            inner: Inner::Fff {
                src,
                order: first.block.order,
                frames,
            },
            scratch: Vec::new(),
            raw: Vec::new(),
        })
    }

    fn open_tiff(name: String, mut src: Source) -> Result<ThermalFile, ThermalError> {
        let terr = |e: tiff::TiffError| format_err(&name, 0, format!("in the TIFF structure: {e}"));
        std::io::Seek::rewind(&mut src.backing).map_err(|e| io_err(&name, &e))?;
        let mut limits = tiff::decoder::Limits::default();
        limits.decoding_buffer_size = fff::MAX_PIXELS * 2;
        let mut decoder = tiff::decoder::Decoder::new(src.backing)
            .map_err(terr)?
            .with_limits(limits);
        let mut pages = 0usize;
        let mut dims = (0usize, 0usize);
        loop {
            let (w, h) = decoder.dimensions().map_err(terr)?;
            let (w, h) = (w as usize, h as usize);
            let color = decoder.colortype().map_err(terr)?;
            if color != tiff::ColorType::Gray(16) {
                return Err(unsupported(
                    &name,
                    None,
                    format!("TIFF page {pages} is {color:?}; expected 16-bit greyscale (Gray(16))"),
                )
                .into());
            }
            if w == 0 || h == 0 || w > hsm_core::MAX_DIMENSION || h > hsm_core::MAX_DIMENSION {
                return Err(format_err(&name, 0, format!("TIFF page {pages} is {w}×{h}")).into());
            }
            if pages == 0 {
                dims = (w, h);
            } else if dims != (w, h) {
                return Err(format_err(
                    &name,
                    0,
                    format!(
                        "TIFF page {pages} is {w}×{h}; expected {}×{} like the first page",
                        dims.0, dims.1
                    ),
                )
                .into());
            }
            pages += 1;
            if !decoder.more_images() {
                break;
            }
            decoder.next_image().map_err(terr)?;
        }
        decoder.seek_to_image(0).map_err(terr)?;
        let meta = Metadata {
            format: FileFormat::Tiff,
            width: dims.0,
            height: dims.1,
            frame_count: pages,
            pixel_encoding: PixelEncoding::Tiff,
            camera: None,
            embedded_image: None,
        };
        Ok(ThermalFile {
            name,
            meta,
            inner: Inner::Tiff {
                decoder: Box::new(decoder),
            },
            scratch: Vec::new(),
            raw: Vec::new(),
        })
    }

    /// The name given when the file was opened.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Everything the file says about itself.
    #[must_use]
    pub const fn metadata(&self) -> &Metadata {
        &self.meta
    }

    /// Number of frames.
    #[must_use]
    pub const fn frame_count(&self) -> usize {
        self.meta.frame_count
    }

    /// Frame width in pixels.
    #[must_use]
    pub const fn width(&self) -> usize {
        self.meta.width
    }

    /// Frame height in pixels.
    #[must_use]
    pub const fn height(&self) -> usize {
        self.meta.height
    }

    /// A converter built from the file's CameraInfo with `overrides` applied.
    ///
    /// # Errors
    /// [`FileErrorKind::Unsupported`] when the file carries no radiometric
    /// constants (TIFF, `.npy`); a radiometry error when the stored or
    /// overriding values are unusable.
    pub fn converter(&self, overrides: &SceneOverrides) -> Result<Converter, ThermalError> {
        let camera = self.meta.camera.as_ref().ok_or_else(|| {
            unsupported(
                &self.name,
                None,
                format!(
                    "a {} file holds raw counts without radiometric constants; convert with an explicit Radiometry",
                    self.meta.format.name()
                ),
            )
        })?;
        let mut radiometry = camera.radiometry();
        if let crate::radiometry::Radiometry::Planck { scene, .. } = &mut radiometry {
            *scene = overrides.apply(*scene);
        }
        radiometry.compile()
    }

    fn check_index(&self, index: usize) -> Result<(), ThermalError> {
        if index < self.meta.frame_count {
            Ok(())
        } else {
            Err(hsm_core::CoreError::InvalidArgument {
                field: "frame index",
                value: index as f64,
                expected: "less than the file's frame count",
            }
            .into())
        }
    }

    /// Decodes frame `index`'s raw counts into `out` (resized to
    /// `width * height`, row-major; its capacity is reused).
    ///
    /// # Errors
    /// An invalid-argument error for an index past the last frame;
    /// [`ThermalError::File`] when the frame is malformed.
    pub fn read_raw(&mut self, index: usize, out: &mut Vec<u16>) -> Result<(), ThermalError> {
        self.check_index(index)?;
        let (w, h) = (self.meta.width, self.meta.height);
        match &mut self.inner {
            Inner::Fff { src, order, frames } => {
                let loc = frames[index];
                src.read_into(
                    loc.raw_offset,
                    loc.raw_len,
                    &mut self.scratch,
                    "the RawData record",
                )?;
                let (fw, fh, _) =
                    fff::decode_raw(&src.name, &self.scratch, loc.raw_offset, *order, out)?;
                if (fw, fh) != (w, h) {
                    return Err(format_err(
                        &src.name,
                        loc.raw_offset + 2,
                        format!("frame {index} is {fw}×{fh}; expected {w}×{h}"),
                    )
                    .into());
                }
            }
            Inner::Npy { src, header } => {
                let frame_bytes = (w * h * 2) as u64;
                let at = header.data_offset + index as u64 * frame_bytes;
                src.read_into(at, frame_bytes, &mut self.scratch, "a frame of u16 pixels")?;
                out.clear();
                let big = header.encoding == PixelEncoding::U16Be;
                out.extend(self.scratch.chunks_exact(2).map(|p| {
                    if big {
                        u16::from_be_bytes([p[0], p[1]])
                    } else {
                        u16::from_le_bytes([p[0], p[1]])
                    }
                }));
            }
            Inner::Tiff { decoder } => {
                let name = &self.name;
                let terr = |e: tiff::TiffError| {
                    ThermalError::from(format_err(name, 0, format!("TIFF page {index}: {e}")))
                };
                decoder.seek_to_image(index).map_err(terr)?;
                match decoder.read_image().map_err(terr)? {
                    tiff::decoder::DecodingResult::U16(v) if v.len() == w * h => *out = v,
                    _ => {
                        return Err(format_err(
                            name,
                            0,
                            format!("TIFF page {index} did not decode to {w}×{h} u16 samples"),
                        )
                        .into());
                    }
                }
            }
        }
        Ok(())
    }

    /// Decodes frame `index` and converts it through `lut` into `out`
    /// (resized to `width * height`). Pixels outside the model's domain
    /// are NaN.
    ///
    /// # Errors
    /// As [`ThermalFile::read_raw`].
    pub fn read_celsius(
        &mut self,
        index: usize,
        lut: &CelsiusLut,
        out: &mut Vec<f32>,
    ) -> Result<(), ThermalError> {
        let mut raw = std::mem::take(&mut self.raw);
        let result = self.read_raw(index, &mut raw);
        if result.is_ok() {
            out.clear();
            out.extend(raw.iter().map(|&r| lut.get(r)));
        }
        self.raw = raw;
        result
    }

    /// Decodes frame `index` and converts it with `converter` into `out`
    /// (resized to `width * height`), through a table covering only the
    /// counts present in the frame: for one frame this costs one Planck
    /// evaluation per distinct count (a few thousand) instead of the
    /// 65 536 of [`Converter::lut`]. Results equal the LUT path bit for bit.
    ///
    /// # Errors
    /// As [`ThermalFile::read_raw`].
    pub fn read_celsius_with(
        &mut self,
        index: usize,
        converter: &Converter,
        out: &mut Vec<f32>,
    ) -> Result<(), ThermalError> {
        let mut raw = std::mem::take(&mut self.raw);
        let result = self.read_raw(index, &mut raw);
        if result.is_ok() {
            let lo = raw.iter().copied().min().unwrap_or(0);
            let hi = raw.iter().copied().max().unwrap_or(0);
            let table: Vec<f32> = (lo..=hi)
                .map(|r| match converter.celsius_of(f64::from(r)) {
                    Some(c) if (c.get() as f32).is_finite() => c.get() as f32,
                    _ => f32::NAN,
                })
                .collect();
            out.clear();
            out.extend(raw.iter().map(|&r| table[usize::from(r - lo)]));
        }
        self.raw = raw;
        result
    }

    /// Iterates over the frames' raw counts, one frame in memory at a time.
    pub fn frames(&mut self) -> Frames<'_> {
        Frames {
            file: self,
            next: 0,
        }
    }
}

/// Iterator over a file's raw frames; see [`ThermalFile::frames`].
#[derive(Debug)]
pub struct Frames<'a> {
    file: &'a mut ThermalFile,
    next: usize,
}

impl Iterator for Frames<'_> {
    type Item = Result<Vec<u16>, ThermalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.file.frame_count() {
            return None;
        }
        let mut out = Vec::new();
        let r = self.file.read_raw(self.next, &mut out);
        self.next += 1;
        Some(r.map(|()| out))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.file.frame_count().saturating_sub(self.next);
        (n, Some(n))
    }
}

/// Entry points for the cargo-fuzz targets under `fuzz/`; not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use super::{SceneOverrides, ThermalFile};

    /// Opens `data` and decodes (and converts, when it can) up to
    /// `max_frames` frames, discarding every result: the fuzzers look for
    /// panics, hangs and runaway allocation, not for values.
    pub fn open_and_read(data: &[u8], max_frames: usize) {
        let Ok(mut file) = ThermalFile::from_bytes(data.to_vec(), "<fuzz>") else {
            return;
        };
        let lut = file
            .converter(&SceneOverrides::default())
            .ok()
            .map(|c| c.lut());
        let (mut raw, mut c) = (Vec::new(), Vec::new());
        for i in 0..file.frame_count().min(max_frames) {
            match &lut {
                Some(lut) => {
                    let _ = file.read_celsius(i, lut, &mut c);
                }
                None => {
                    let _ = file.read_raw(i, &mut raw);
                }
            }
        }
    }

    /// Decodes a bare JPEG-LS stream whose frame header (SOF55) states a
    /// size of at most 2²² pixels; `None` on any error.
    #[must_use]
    pub fn jpegls(data: &[u8]) -> Option<Vec<u16>> {
        let at = data.windows(2).position(|w| w == [0xFF, 0xF7])?;
        let h = usize::from(u16::from_be_bytes([*data.get(at + 5)?, *data.get(at + 6)?]));
        let w = usize::from(u16::from_be_bytes([*data.get(at + 7)?, *data.get(at + 8)?]));
        if w == 0 || h == 0 || w * h > 1 << 22 {
            return None;
        }
        let mut out = vec![0u16; w * h];
        super::jpegls::decode(data, w, h, &mut out).ok()?;
        Some(out)
    }
}
