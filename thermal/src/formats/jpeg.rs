//! FLIR radiometric JPEG: the FFF block carried in APP1 `"FLIR\0"` segments.
//!
//! Each segment's payload is `"FLIR\0"`, `0x01`, the chunk index and the
//! index of the last chunk, then a piece of the FFF block. Chunks may come
//! in any count (zenmuse_xtr.jpg has 11) and any order; each index from 0
//! to the last must appear exactly once, with the same "last" everywhere.

use super::error::{FileError, format_err};

/// Most chunks a file may have (the index is one byte).
const MAX_CHUNKS: usize = 256;

/// The FFF block assembled from a JPEG's FLIR APP1 segments.
pub(crate) fn assemble_fff(name: &str, jpeg: &[u8]) -> Result<Vec<u8>, FileError> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return Err(format_err(name, 0, "expected the JPEG start marker FF D8"));
    }
    // (index, payload start, payload end, declared last index, segment offset)
    let mut chunks: Vec<(u8, usize, usize, u8, usize)> = Vec::new();
    let mut pos = 2usize;
    // Markers may be preceded by fill bytes 0xFF.
    while let Some(&b) = jpeg.get(pos) {
        if b != 0xFF {
            return Err(format_err(
                name,
                pos as u64,
                format!("expected a JPEG marker (FF xx), found byte {b:02x}"),
            ));
        }
        let mut m = pos + 1;
        while jpeg.get(m) == Some(&0xFF) {
            m += 1;
        }
        let Some(&marker) = jpeg.get(m) else {
            break;
        };
        // Stand-alone markers carry no length.
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            pos = m + 1;
            continue;
        }
        // Start of scan or end of image: no more metadata segments.
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let len_at = m + 1;
        let len = match jpeg.get(len_at..len_at + 2) {
            Some(l) => usize::from(u16::from_be_bytes([l[0], l[1]])),
            None => {
                return Err(super::error::truncated(
                    name,
                    len_at as u64,
                    format!("expected the 2-byte length of JPEG segment FF {marker:02x}"),
                ));
            }
        };
        if len < 2 || len_at + len > jpeg.len() {
            return Err(super::error::truncated(
                name,
                len_at as u64,
                format!(
                    "JPEG segment FF {marker:02x} declares {len} bytes, {} remain in the file",
                    jpeg.len() - len_at
                ),
            ));
        }
        let payload = &jpeg[len_at + 2..len_at + len];
        if marker == 0xE1 && payload.len() >= 8 && payload.starts_with(b"FLIR\0") {
            if chunks.len() >= MAX_CHUNKS {
                return Err(format_err(
                    name,
                    m as u64 - 1,
                    format!("more than {MAX_CHUNKS} FLIR APP1 segments"),
                ));
            }
            chunks.push((payload[6], len_at + 2 + 8, len_at + len, payload[7], m - 1));
        }
        pos = len_at + len;
    }
    let Some(&(_, _, _, last, _)) = chunks.first() else {
        return Err(format_err(
            name,
            0,
            "expected APP1 \"FLIR\" segments holding radiometric data; this JPEG has none (not a radiometric FLIR JPEG)",
        ));
    };
    let count = usize::from(last) + 1;
    let mut ordered: Vec<Option<(usize, usize)>> = vec![None; count];
    for &(idx, start, end, l, at) in &chunks {
        if l != last {
            return Err(format_err(
                name,
                at as u64,
                format!(
                    "FLIR APP1 chunk {idx} says the last chunk is {l}, the first chunk said {last}"
                ),
            ));
        }
        match ordered.get_mut(usize::from(idx)) {
            Some(slot @ None) => *slot = Some((start, end)),
            Some(Some(_)) => {
                return Err(format_err(
                    name,
                    at as u64,
                    format!("FLIR APP1 chunk {idx} appears twice"),
                ));
            }
            None => {
                return Err(format_err(
                    name,
                    at as u64,
                    format!("FLIR APP1 chunk index {idx} exceeds the declared last index {last}"),
                ));
            }
        }
    }
    let mut fff = Vec::new();
    for (i, slot) in ordered.iter().enumerate() {
        let Some((start, end)) = *slot else {
            return Err(format_err(
                name,
                0,
                format!("FLIR APP1 chunk {i} of {count} is missing"),
            ));
        };
        fff.extend_from_slice(&jpeg[start..end]);
    }
    Ok(fff)
}
