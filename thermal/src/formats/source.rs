//! Where a file's bytes come from: memory or an open file read in chunks.
//!
//! Every read states what it is for; a read past the end is a
//! [`FileErrorKind::Truncated`](super::FileErrorKind::Truncated) error naming
//! the offset and the thing that was expected there, never a panic or a
//! short buffer. Reads from a file are positioned (`seek` + `read_exact`),
//! so the memory a reader holds is what it asked for, not the file's size.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use super::error::{FileError, io_err, limit, truncated};

/// The bytes behind a source.
#[derive(Debug)]
pub(crate) enum Backing {
    /// A whole buffer in memory (shared, never copied).
    Memory {
        /// The bytes.
        bytes: Arc<[u8]>,
        /// Read position for the `Read`/`Seek` adapter.
        pos: u64,
    },
    /// An open file.
    File(File),
}

impl Read for Backing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Backing::Memory { bytes, pos } => {
                let start = usize::try_from(*pos).unwrap_or(usize::MAX).min(bytes.len());
                let n = buf.len().min(bytes.len() - start);
                buf[..n].copy_from_slice(&bytes[start..start + n]);
                *pos += n as u64;
                Ok(n)
            }
            Backing::File(f) => f.read(buf),
        }
    }
}

impl Seek for Backing {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match self {
            Backing::Memory { bytes, pos } => {
                let len = bytes.len() as u64;
                let new = match to {
                    SeekFrom::Start(o) => Some(o),
                    SeekFrom::End(d) => len.checked_add_signed(d),
                    SeekFrom::Current(d) => pos.checked_add_signed(d),
                };
                match new {
                    Some(n) => {
                        *pos = n;
                        Ok(n)
                    }
                    None => Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "seek before the start of the buffer",
                    )),
                }
            }
            Backing::File(f) => f.seek(to),
        }
    }
}

/// A named, bounds-checked byte source.
#[derive(Debug)]
pub(crate) struct Source {
    /// Name used in errors.
    pub(crate) name: String,
    /// Total length in bytes.
    pub(crate) len: u64,
    pub(crate) backing: Backing,
}

/// Largest single record or block a parser will allocate for (256 MiB).
pub(crate) const MAX_READ: u64 = 256 << 20;

impl Source {
    /// A source over a buffer.
    pub(crate) fn memory(name: &str, bytes: Arc<[u8]>) -> Self {
        Source {
            name: name.to_owned(),
            len: bytes.len() as u64,
            backing: Backing::Memory { bytes, pos: 0 },
        }
    }

    /// A source over an open file.
    pub(crate) fn file(name: &str, file: File) -> Result<Self, FileError> {
        let len = file.metadata().map_err(|e| io_err(name, &e))?.len();
        Ok(Source {
            name: name.to_owned(),
            len,
            backing: Backing::File(file),
        })
    }

    /// Checks that `len` bytes at `offset` lie inside the source.
    pub(crate) fn check(&self, offset: u64, len: u64, what: &str) -> Result<(), FileError> {
        match offset.checked_add(len) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(truncated(
                &self.name,
                offset,
                format!(
                    "expected {what} ({len} bytes) but the data is {} bytes long",
                    self.len
                ),
            )),
        }
    }

    /// Fills `buf` from `offset`.
    pub(crate) fn read_at(
        &mut self,
        offset: u64,
        buf: &mut [u8],
        what: &str,
    ) -> Result<(), FileError> {
        self.check(offset, buf.len() as u64, what)?;
        match &mut self.backing {
            Backing::Memory { bytes, .. } => {
                // In range: checked above, and the length fits in usize
                // because the buffer exists.
                let start = offset as usize;
                buf.copy_from_slice(&bytes[start..start + buf.len()]);
                Ok(())
            }
            Backing::File(f) => {
                let name = &self.name;
                f.seek(SeekFrom::Start(offset))
                    .and_then(|_| f.read_exact(buf))
                    .map_err(|e| io_err(name, &e))
            }
        }
    }

    /// Reads `len` bytes at `offset` into `out` (resized; its capacity is
    /// reused), refusing sizes above [`MAX_READ`] before allocating.
    pub(crate) fn read_into(
        &mut self,
        offset: u64,
        len: u64,
        out: &mut Vec<u8>,
        what: &str,
    ) -> Result<(), FileError> {
        if len > MAX_READ {
            return Err(limit(
                &self.name,
                Some(offset),
                format!("{what} declares {len} bytes; the limit is {MAX_READ}"),
            ));
        }
        self.check(offset, len, what)?;
        out.clear();
        out.resize(len as usize, 0);
        self.read_at(offset, out, what)
    }

    /// The whole source as one buffer (memory sources are shared, files are
    /// read once, up to `max` bytes).
    pub(crate) fn whole(&mut self, max: u64, what: &str) -> Result<Arc<[u8]>, FileError> {
        if let Backing::Memory { bytes, .. } = &self.backing {
            return Ok(bytes.clone());
        }
        if self.len > max {
            return Err(limit(
                &self.name,
                None,
                format!(
                    "{what} is {} bytes; files of this kind are read whole and the limit is {max}",
                    self.len
                ),
            ));
        }
        let mut out = Vec::new();
        self.read_into(0, self.len, &mut out, what)?;
        Ok(out.into())
    }
}

/// Little helpers for fixed-width fields in a byte slice with a byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endian {
    /// Little-endian.
    Little,
    /// Big-endian.
    Big,
}

impl Endian {
    pub(crate) fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let s: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u16::from_le_bytes(s),
            Endian::Big => u16::from_be_bytes(s),
        })
    }

    pub(crate) fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u32::from_le_bytes(s),
            Endian::Big => u32::from_be_bytes(s),
        })
    }

    pub(crate) fn i32(self, b: &[u8], at: usize) -> Option<i32> {
        self.u32(b, at).map(|v| v as i32)
    }

    pub(crate) fn f32(self, b: &[u8], at: usize) -> Option<f32> {
        self.u32(b, at).map(f32::from_bits)
    }
}
