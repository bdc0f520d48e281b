//! FLIR File Format (FFF) blocks: header, record directory, RawData,
//! CameraInfo and EmbeddedImage records.
//!
//! Layout (ExifTool's FLIR module, checked against the sample files):
//! a 0x40-byte header — magic `FFF\0` at 0, creator string at 4, version
//! at 0x14 (100..=199; read in both byte orders to find the block's order),
//! directory offset at 0x18, entry count at 0x1C — and a directory of
//! 0x20-byte entries: record type (u16), subtype (u16), version (u32),
//! index (u32), offset (u32, from the block start), length (u32).

use hsm_core::MAX_DIMENSION;

use super::error::{FileError, format_err, limit, truncated, unsupported};
use super::jpegls;
use super::metadata::{CameraInfo, CaptureTime, EmbeddedImage, ImageEncoding, PixelEncoding};
use super::source::{Endian, Source};
use crate::radiometry::{AtmosphericConstants, PlanckConstants, Scene};
use hsm_core::Celsius;

/// Size of the FFF header.
pub(crate) const HEADER_LEN: u64 = 0x40;
/// Size of one directory entry.
const ENTRY_LEN: u64 = 0x20;
/// Most directory entries a block may declare.
const MAX_ENTRIES: u32 = 4096;
/// Most pixels in one frame (64 Mi: 128 MiB of u16).
pub(crate) const MAX_PIXELS: usize = 1 << 26;

/// Record types used here.
pub(crate) const REC_RAW_DATA: u16 = 0x01;
const REC_EMBEDDED_IMAGE: u16 = 0x0E;
pub(crate) const REC_CAMERA_INFO: u16 = 0x20;

/// One directory entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    /// Record type.
    pub(crate) kind: u16,
    /// Record subtype.
    pub(crate) subtype: u16,
    /// Absolute offset in the source.
    pub(crate) offset: u64,
    /// Length in bytes.
    pub(crate) length: u64,
}

/// A parsed FFF header and directory.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    /// Byte order of the header and directory.
    pub(crate) order: Endian,
    /// Non-empty records.
    pub(crate) records: Vec<Record>,
    /// Absolute offset one past the block's last byte (header, directory
    /// and every record), where the next frame of a sequence starts.
    pub(crate) end: u64,
}

impl Block {
    /// The first record of `kind`.
    pub(crate) fn find(&self, kind: u16) -> Option<Record> {
        self.records.iter().copied().find(|r| r.kind == kind)
    }
}

/// Reads the FFF block starting at `base`.
pub(crate) fn read_block(src: &mut Source, base: u64) -> Result<Block, FileError> {
    let mut head = [0u8; HEADER_LEN as usize];
    src.read_at(base, &mut head, "an FFF header")?;
    if &head[..4] != b"FFF\0" {
        return Err(format_err(
            &src.name,
            base,
            format!(
                "expected the FFF magic \"FFF\\0\", found {:02x?}",
                &head[..4]
            ),
        ));
    }
    let order = [Endian::Big, Endian::Little]
        .into_iter()
        .find(|e| e.u32(&head, 0x14).is_some_and(|v| (100..200).contains(&v)))
        .ok_or_else(|| {
            format_err(
                &src.name,
                base + 0x14,
                format!(
                    "expected an FFF version in 100..=199 (either byte order), found bytes {:02x?}",
                    &head[0x14..0x18]
                ),
            )
        })?;
    let dir_offset = u64::from(order.u32(&head, 0x18).unwrap_or(0));
    let count = order.u32(&head, 0x1C).unwrap_or(0);
    if count > MAX_ENTRIES {
        return Err(limit(
            &src.name,
            Some(base + 0x1C),
            format!("the FFF directory declares {count} entries; the limit is {MAX_ENTRIES}"),
        ));
    }
    let dir_len = u64::from(count) * ENTRY_LEN;
    let dir_abs = base + dir_offset;
    let mut dir = Vec::new();
    src.read_into(dir_abs, dir_len, &mut dir, "the FFF record directory")?;
    let mut end = (base + HEADER_LEN).max(dir_abs + dir_len);
    let mut records = Vec::new();
    for (i, e) in dir.chunks_exact(ENTRY_LEN as usize).enumerate() {
        let kind = order.u16(e, 0).unwrap_or(0);
        if kind == 0 {
            continue;
        }
        let subtype = order.u16(e, 2).unwrap_or(0);
        let offset = u64::from(order.u32(e, 12).unwrap_or(0));
        let length = u64::from(order.u32(e, 16).unwrap_or(0));
        let at = dir_abs + i as u64 * ENTRY_LEN;
        let abs = base + offset;
        // A record may overrun the end of the data by a few bytes (the last
        // frame of SampleCSQ.csq declares 4 bytes more than the file holds):
        // it is clipped here, and a decoder that needs the missing bytes
        // reports the truncation when the frame is read.
        let length = if abs < src.len && abs.saturating_add(length) > src.len {
            src.len - abs
        } else {
            length
        };
        if abs.checked_add(length).is_none_or(|x| x > src.len) {
            return Err(truncated(
                &src.name,
                at,
                format!(
                    "directory entry {i} (record type 0x{kind:02x}) declares {length} bytes at block offset {offset}, past the end of the data ({} bytes)",
                    src.len
                ),
            ));
        }
        end = end.max(abs + length);
        records.push(Record {
            kind,
            subtype,
            offset: abs,
            length,
        });
    }
    Ok(Block {
        order,
        records,
        end,
    })
}

/// The byte order of a record whose first u16 is a version equal to 2
/// (RawData, CameraInfo, EmbeddedImage), or `fallback` when neither order
/// reads 2.
fn record_order(rec: &[u8], fallback: Endian) -> Endian {
    if Endian::Little.u16(rec, 0) == Some(2) {
        Endian::Little
    } else if Endian::Big.u16(rec, 0) == Some(2) {
        Endian::Big
    } else {
        fallback
    }
}

/// Width, height and encoding of a RawData record, from its bytes (at
/// least the 32-byte header; the encoding needs the bytes after it).
pub(crate) fn raw_header(
    name: &str,
    rec: &[u8],
    at: u64,
    fallback: Endian,
) -> Result<(usize, usize, PixelEncoding), FileError> {
    if rec.len() < 32 {
        return Err(truncated(
            name,
            at,
            format!(
                "expected a RawData record of at least 32 bytes, found {}",
                rec.len()
            ),
        ));
    }
    let order = record_order(rec, fallback);
    let w = usize::from(order.u16(rec, 2).unwrap_or(0));
    let h = usize::from(order.u16(rec, 4).unwrap_or(0));
    if w == 0 || h == 0 || w > MAX_DIMENSION || h > MAX_DIMENSION || w * h > MAX_PIXELS {
        return Err(format_err(
            name,
            at + 2,
            format!(
                "expected a RawData image size between 1×1 and {MAX_DIMENSION}×{MAX_DIMENSION} (at most {MAX_PIXELS} pixels), found {w}×{h}"
            ),
        ));
    }
    let data = &rec[32..];
    let encoding = if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        PixelEncoding::PngByteSwapped
    } else if data.starts_with(&[0xFF, 0xD8]) {
        PixelEncoding::JpegLs
    } else {
        PixelEncoding::U16Le
    };
    Ok((w, h, encoding))
}

/// Decodes a RawData record (bytes `rec`, found at absolute offset `at`)
/// into `out` (resized to `w*h`), checking it is `w`×`h`.
pub(crate) fn decode_raw(
    name: &str,
    rec: &[u8],
    at: u64,
    fallback: Endian,
    out: &mut Vec<u16>,
) -> Result<(usize, usize, PixelEncoding), FileError> {
    let (w, h, encoding) = raw_header(name, rec, at, fallback)?;
    let n = w * h;
    let data = &rec[32..];
    let data_at = at + 32;
    out.clear();
    match encoding {
        // raw_header only yields the three FFF encodings.
        PixelEncoding::U16Le | PixelEncoding::U16Be | PixelEncoding::Tiff => {
            let bytes = data.get(..n * 2).ok_or_else(|| {
                truncated(
                    name,
                    data_at,
                    format!(
                        "expected {} bytes of u16 pixels for {w}×{h}, the record holds {}",
                        n * 2,
                        data.len()
                    ),
                )
            })?;
            out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|p| u16::from_le_bytes([p[0], p[1]])),
            );
        }
        PixelEncoding::PngByteSwapped => decode_png(name, data, data_at, w, h, out)?,
        PixelEncoding::JpegLs => {
            out.resize(n, 0);
            jpegls::decode(data, w, h, out).map_err(|e| {
                format_err(
                    name,
                    data_at + e.offset as u64,
                    format!("in the JPEG-LS frame: {}", e.detail),
                )
            })?;
        }
    }
    Ok((w, h, encoding))
}

/// Decodes FLIR's 16-bit greyscale PNG, whose samples hold little-endian
/// values (so they are byte-swapped relative to PNG's big-endian order).
fn decode_png(
    name: &str,
    data: &[u8],
    at: u64,
    w: usize,
    h: usize,
    out: &mut Vec<u16>,
) -> Result<(), FileError> {
    let bad = |detail: String| format_err(name, at, format!("in the RawData PNG: {detail}"));
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(data),
        png::Limits {
            bytes: w * h * 2 + (1 << 16),
        },
    );
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().map_err(|e| bad(e.to_string()))?;
    let info = reader.info();
    let (pw, ph) = (info.width as usize, info.height as usize);
    if (pw, ph) != (w, h)
        || info.bit_depth != png::BitDepth::Sixteen
        || info.color_type != png::ColorType::Grayscale
    {
        return Err(unsupported(
            name,
            Some(at),
            format!(
                "expected a {w}×{h} 16-bit greyscale PNG, found {pw}×{ph} {:?} {:?}",
                info.bit_depth, info.color_type
            ),
        ));
    }
    let mut buf = vec![0u8; w * h * 2];
    let frame = reader
        .next_frame(&mut buf)
        .map_err(|e| bad(e.to_string()))?;
    let bytes = buf.get(..frame.buffer_size()).unwrap_or(&buf);
    if bytes.len() < w * h * 2 {
        return Err(bad(format!(
            "expected {} bytes of samples, decoded {}",
            w * h * 2,
            bytes.len()
        )));
    }
    out.extend(
        bytes
            .chunks_exact(2)
            .take(w * h)
            .map(|p| u16::from_le_bytes([p[0], p[1]])),
    );
    Ok(())
}

/// A fixed-size, NUL-terminated string field.
fn text(rec: &[u8], at: usize, len: usize) -> String {
    let Some(field) = rec.get(at..at + len) else {
        return String::new();
    };
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).trim().to_owned()
}

/// Parses a CameraInfo record (bytes `rec` at absolute offset `at`).
pub(crate) fn camera_info(
    name: &str,
    rec: &[u8],
    at: u64,
    fallback: Endian,
) -> Result<CameraInfo, FileError> {
    const NEEDED: usize = 0x310;
    if rec.len() < NEEDED {
        return Err(truncated(
            name,
            at,
            format!(
                "expected a CameraInfo record of at least {NEEDED} bytes (PlanckR2 at 0x30C), found {}",
                rec.len()
            ),
        ));
    }
    let o = record_order(rec, fallback);
    let f = |off: usize| f64::from(o.f32(rec, off).unwrap_or(f32::NAN));
    let kelvin = |off: usize| Celsius(f(off) - hsm_core::KELVIN_OFFSET);
    let rh = f(0x3C);
    let capture_time = (rec.len() >= 0x38E).then(|| CaptureTime {
        unix_seconds: o.u32(rec, 0x384).unwrap_or(0),
        milliseconds: o.u32(rec, 0x388).unwrap_or(0) % 1000,
        utc_offset_minutes: o.u16(rec, 0x38C).unwrap_or(0) as i16,
    });
    let frame_rate = o
        .u16(rec, 0x464)
        .filter(|&r| r > 0 && rec.len() >= 0x466)
        .map(f64::from);
    Ok(CameraInfo {
        planck: PlanckConstants {
            r1: f(0x58),
            r2: f(0x30C),
            b: f(0x5C),
            f: f(0x60),
            o: f64::from(o.i32(rec, 0x308).unwrap_or(0)),
        },
        atmosphere: AtmosphericConstants {
            alpha1: f(0x70),
            alpha2: f(0x74),
            beta1: f(0x78),
            beta2: f(0x7C),
            x: f(0x80),
        },
        scene: Scene {
            emissivity: f(0x20),
            distance_m: f(0x24),
            reflected: kelvin(0x28),
            atmosphere: kelvin(0x2C),
            window: kelvin(0x30),
            window_transmission: f(0x34),
            // ExifTool: a value above 2 is a percentage.
            relative_humidity: if rh > 2.0 { rh / 100.0 } else { rh },
        },
        model: text(rec, 0xD4, 32),
        part_number: text(rec, 0xF4, 16),
        serial: text(rec, 0x104, 16),
        software: text(rec, 0x114, 16),
        lens_model: text(rec, 0x170, 32),
        capture_time,
        frame_rate,
    })
}

/// Parses an EmbeddedImage record (the visible-light photo some cameras
/// store beside the thermal data).
pub(crate) fn embedded_image(rec: &[u8], fallback: Endian) -> Option<EmbeddedImage> {
    if rec.len() <= 32 {
        return None;
    }
    let o = record_order(rec, fallback);
    let data = rec[32..].to_vec();
    let encoding = if data.starts_with(&[0xFF, 0xD8]) {
        ImageEncoding::Jpeg
    } else if data.starts_with(b"\x89PNG") {
        ImageEncoding::Png
    } else {
        ImageEncoding::Other
    };
    Some(EmbeddedImage {
        width: u32::from(o.u16(rec, 2).unwrap_or(0)),
        height: u32::from(o.u16(rec, 4).unwrap_or(0)),
        encoding,
        data,
    })
}

/// Everything known about the first frame of an FFF block.
#[derive(Debug)]
pub(crate) struct FirstFrame {
    pub(crate) block: Block,
    pub(crate) raw: Record,
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) encoding: PixelEncoding,
    pub(crate) camera: Option<CameraInfo>,
    pub(crate) embedded: Option<EmbeddedImage>,
}

/// Reads an FFF block's directory, its RawData header, CameraInfo and
/// embedded image (pixels are decoded later, on demand).
pub(crate) fn inspect(src: &mut Source, base: u64) -> Result<FirstFrame, FileError> {
    let block = read_block(src, base)?;
    let (raw, width, height, encoding) = raw_record(src, &block, base)?;
    let mut buf = Vec::new();
    let camera = match block.find(REC_CAMERA_INFO) {
        Some(r) => {
            src.read_into(r.offset, r.length, &mut buf, "the CameraInfo record")?;
            Some(camera_info(&src.name, &buf, r.offset, block.order)?)
        }
        None => None,
    };
    let embedded = match block.find(REC_EMBEDDED_IMAGE) {
        Some(r) => {
            src.read_into(r.offset, r.length, &mut buf, "the EmbeddedImage record")?;
            embedded_image(&buf, block.order)
        }
        None => None,
    };
    Ok(FirstFrame {
        block,
        raw,
        width,
        height,
        encoding,
        camera,
        embedded,
    })
}

/// The RawData record of a block with its size and encoding (reads only
/// the record's first 40 bytes).
pub(crate) fn raw_record(
    src: &mut Source,
    block: &Block,
    base: u64,
) -> Result<(Record, usize, usize, PixelEncoding), FileError> {
    let raw = block.find(REC_RAW_DATA).ok_or_else(|| {
        format_err(
            &src.name,
            base,
            "expected a RawData record (type 0x01) in the FFF directory, found none",
        )
    })?;
    let mut head = vec![0u8; raw.length.min(40) as usize];
    src.read_at(raw.offset, &mut head, "the RawData record header")?;
    let (w, h, enc) = raw_header(&src.name, &head, raw.offset, block.order)?;
    Ok((raw, w, h, enc))
}
