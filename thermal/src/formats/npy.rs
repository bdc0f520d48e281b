//! NumPy `.npy` files: header parsing for u16 stacks and writing of u16 or
//! f32 stacks, frame by frame.
//!
//! The header is validated before any pixel is read or any buffer sized
//! from it: magic and version, a header length within 64 KiB, a dict with
//! exactly `descr` (`<u2`, `>u2`), `fortran_order` (`False`) and `shape`
//! (`(H, W)` or `(N, H, W)`, each side within the frame limits), and a
//! file exactly as long as the header says.

use std::io::Write;

use hsm_core::MAX_DIMENSION;

use super::error::{FileError, format_err, limit, truncated, unsupported};
use super::fff::MAX_PIXELS;
use super::metadata::PixelEncoding;
use super::source::Source;

/// numpy refuses headers longer than this by default; so do we.
const MAX_HEADER: u64 = 1 << 16;

/// A validated `.npy` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NpyHeader {
    pub(crate) encoding: PixelEncoding,
    pub(crate) frames: usize,
    pub(crate) height: usize,
    pub(crate) width: usize,
    /// Elements are f32 (`<f4`/`>f4`; `encoding` then gives the byte order:
    /// `U16Le` little-endian, `U16Be` big-endian) rather than u16.
    pub(crate) f32: bool,
    /// Offset of the first pixel.
    pub(crate) data_offset: u64,
}

/// The value of `key` in a numpy header dict (`'key': value`), as text.
fn dict_value<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let pat_sq = format!("'{key}'");
    let pat_dq = format!("\"{key}\"");
    let start = dict
        .find(&pat_sq)
        .map(|i| i + pat_sq.len())
        .or_else(|| dict.find(&pat_dq).map(|i| i + pat_dq.len()))?;
    let rest = dict[start..].trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else {
        rest.find([',', '}'])?
    };
    Some(rest[..end].trim())
}

/// Parses and checks the header of a `.npy` file.
/// `allow_f32` also accepts float32 (`<f4`, `>f4`) elements.
pub(crate) fn read_header(src: &mut Source, allow_f32: bool) -> Result<NpyHeader, FileError> {
    let name = src.name.clone();
    let mut prefix = [0u8; 10];
    src.read_at(0, &mut prefix, "the .npy magic and header length")?;
    if &prefix[..6] != b"\x93NUMPY" {
        return Err(format_err(
            &name,
            0,
            "expected the .npy magic \"\\x93NUMPY\"",
        ));
    }
    let (header_len, header_at) = match prefix[6] {
        1 => (u64::from(u16::from_le_bytes([prefix[8], prefix[9]])), 10u64),
        2 | 3 => {
            let mut l = [0u8; 4];
            src.read_at(8, &mut l, "the .npy v2 header length")?;
            (u64::from(u32::from_le_bytes(l)), 12u64)
        }
        v => {
            return Err(unsupported(
                &name,
                Some(6),
                format!("expected .npy format version 1, 2 or 3, found {v}"),
            ));
        }
    };
    if header_len > MAX_HEADER {
        return Err(limit(
            &name,
            Some(8),
            format!("the .npy header declares {header_len} bytes; the limit is {MAX_HEADER}"),
        ));
    }
    let mut raw = Vec::new();
    src.read_into(header_at, header_len, &mut raw, "the .npy header dict")?;
    let dict = String::from_utf8_lossy(&raw);
    let bad = |what: &str| {
        format_err(
            &name,
            header_at,
            format!("in the .npy header {}: {what}", dict.trim()),
        )
    };
    let descr = dict_value(&dict, "descr").ok_or_else(|| bad("no 'descr' key"))?;
    let (encoding, f32) = match descr.trim_matches(['\'', '"']) {
        "<u2" => (PixelEncoding::U16Le, false),
        ">u2" => (PixelEncoding::U16Be, false),
        "<f4" if allow_f32 => (PixelEncoding::U16Le, true),
        ">f4" if allow_f32 => (PixelEncoding::U16Be, true),
        other => {
            let expected = if allow_f32 {
                "uint16 ('<u2', '>u2') or float32 ('<f4', '>f4')"
            } else {
                "uint16 ('<u2' or '>u2')"
            };
            return Err(unsupported(
                &name,
                Some(header_at),
                format!("expected dtype {expected}, found '{other}'"),
            ));
        }
    };
    match dict_value(&dict, "fortran_order") {
        Some("False") => {}
        Some("True") => {
            return Err(unsupported(
                &name,
                Some(header_at),
                "Fortran-order arrays cannot be streamed frame by frame; save with numpy.ascontiguousarray",
            ));
        }
        _ => return Err(bad("expected 'fortran_order': False")),
    }
    let shape = dict_value(&dict, "shape").ok_or_else(|| bad("no 'shape' key"))?;
    let dims: Vec<usize> = shape
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad("the shape is not a tuple of integers"))?;
    let (frames, height, width) = match dims[..] {
        [h, w] => (1, h, w),
        [n, h, w] => (n, h, w),
        _ => {
            return Err(unsupported(
                &name,
                Some(header_at),
                format!("expected a shape (H, W) or (N, H, W), found {shape}"),
            ));
        }
    };
    if width == 0
        || height == 0
        || width > MAX_DIMENSION
        || height > MAX_DIMENSION
        || width * height > MAX_PIXELS
    {
        return Err(limit(
            &name,
            Some(header_at),
            format!(
                "a {height}×{width} frame is outside 1..={MAX_DIMENSION} per side or above {MAX_PIXELS} pixels"
            ),
        ));
    }
    let data_offset = header_at + header_len;
    let frame_bytes = (width * height * if f32 { 4 } else { 2 }) as u64;
    let expected = (frames as u64)
        .checked_mul(frame_bytes)
        .and_then(|b| b.checked_add(data_offset));
    if expected != Some(src.len) {
        let detail = format!(
            "the header declares shape {shape} of {}, {} bytes with the header, but the file is {} bytes",
            if f32 { "float32" } else { "uint16" },
            expected.map_or_else(|| "more than 2^64".to_owned(), |e| e.to_string()),
            src.len
        );
        return Err(if expected.is_some_and(|e| e > src.len) {
            truncated(&name, data_offset, detail)
        } else {
            format_err(&name, data_offset, detail)
        });
    }
    Ok(NpyHeader {
        encoding,
        frames,
        height,
        width,
        f32,
        data_offset,
    })
}

/// Element type of an `.npy` file being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NpyDtype {
    /// `<u2`.
    U16,
    /// `<f4`.
    F32,
}

/// The header bytes of a C-order little-endian `.npy` v1 file.
pub(crate) fn header_bytes(dtype: NpyDtype, shape: &[usize]) -> Vec<u8> {
    let descr = match dtype {
        NpyDtype::U16 => "<u2",
        NpyDtype::F32 => "<f4",
    };
    let shape_text = match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut dict =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Pad so that magic + length + dict + newline is a multiple of 64.
    let total = 10 + dict.len() + 1;
    dict.push_str(&" ".repeat((64 - total % 64) % 64));
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

/// Writes little-endian u16 samples.
pub(crate) fn write_u16(w: &mut impl Write, data: &[u16]) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(data.len() * 2);
    for v in data {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    w.write_all(&buf)
}

/// Writes little-endian f32 samples.
pub(crate) fn write_f32(w: &mut impl Write, data: &[f32]) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(data.len() * 4);
    for v in data {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    w.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn npy(shape: &[usize], extra: usize) -> Vec<u8> {
        let mut v = header_bytes(NpyDtype::U16, shape);
        let n: usize = shape.iter().product();
        v.extend(std::iter::repeat_n(0u8, n * 2 + extra));
        v
    }

    #[test]
    fn header_round_trips() {
        let bytes = npy(&[3, 4, 5], 0);
        assert_eq!((bytes.len() - 3 * 4 * 5 * 2) % 64, 0);
        let mut src = Source::memory("t.npy", Arc::from(bytes));
        let h = read_header(&mut src, false).unwrap();
        assert_eq!((h.frames, h.height, h.width), (3, 4, 5));
    }

    #[test]
    fn length_mismatch_is_rejected() {
        let mut src = Source::memory("t.npy", Arc::from(npy(&[4, 5], 1)));
        let e = read_header(&mut src, false).unwrap_err();
        assert!(e.detail.contains("file is"), "{e}");
        let mut bytes = npy(&[4, 5], 0);
        bytes.pop();
        let mut src = Source::memory("t.npy", Arc::from(bytes));
        assert_eq!(
            read_header(&mut src, false).unwrap_err().kind,
            super::super::FileErrorKind::Truncated
        );
    }

    #[test]
    fn absurd_shapes_are_rejected_before_allocation() {
        let mut v = header_bytes(NpyDtype::U16, &[1usize << 40, 1 << 20, 1 << 20]);
        v.extend([0u8; 8]);
        let mut src = Source::memory("t.npy", Arc::from(v));
        assert!(read_header(&mut src, false).is_err());
    }

    #[test]
    fn float32_only_when_allowed() {
        let mut v = header_bytes(NpyDtype::F32, &[2usize, 3, 4]);
        v.extend(std::iter::repeat_n(0u8, 2 * 3 * 4 * 4));
        let mut src = Source::memory("t.npy", Arc::from(v));
        let h = read_header(&mut src, true).unwrap();
        assert!(h.f32);
        assert_eq!((h.frames, h.height, h.width), (2, 3, 4));
        let e = read_header(&mut src, false).unwrap_err();
        assert!(e.detail.contains("uint16"), "{e}");
    }
}
