//! `.npy` input (u16 frames, read one frame at a time) and output (f32).
//!
//! The header is validated before any pixel is read or any buffer sized from
//! it: the dtype must be uint16, the array 2-D `(H, W)` or 3-D `(N, H, W)`,
//! each side within [`MAX_DIMENSION`], and the file exactly as long as the
//! header says. A hostile header therefore cannot make the command allocate
//! more than the file holds.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use hsm::core::frame::MAX_DIMENSION;
use ndarray::ArrayD;
use ndarray_npy::ReadNpyExt as _;
use ndarray_npy::npy::header::{Header, Layout};
use py_literal::Value as PyValue;

use crate::error::CliError;

/// What `thermal convert` accepts, for hints.
pub(crate) const EXPECTED: &str =
    "expected a uint16 array of shape (H, W) or (N, H, W) holding raw camera counts";

/// numpy refuses headers longer than this by default; so do we.
const MAX_HEADER_BYTES: u64 = 1 << 16;

/// Byte order of the stored u16 values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

/// Where the frames come from.
enum Source {
    /// C-order data, read frame by frame.
    Stream {
        reader: BufReader<File>,
        endian: Endian,
        bytes: Vec<u8>,
    },
    /// Fortran-order data, loaded whole (its size was checked against the
    /// file) and re-laid out in C order.
    Loaded { data: Vec<u16>, next: usize },
}

/// A validated `.npy` file of u16 frames, read one frame at a time.
pub(crate) struct FrameReader {
    shape: Vec<usize>,
    frames: usize,
    height: usize,
    width: usize,
    source: Source,
}

/// A numpy-style name for a type descriptor: `'<f8'` → `float64 ('<f8')`.
fn describe_dtype(desc: &PyValue) -> String {
    let PyValue::String(s) = desc else {
        return format!("a structured dtype {desc}");
    };
    let body = s.trim_start_matches(['<', '>', '|', '=']);
    let mut chars = body.chars();
    let kind = chars.next();
    let bits = chars.as_str().parse::<u32>().ok().map(|b| b * 8);
    let name = match (kind, bits) {
        (Some('u'), Some(b)) => format!("uint{b}"),
        (Some('i'), Some(b)) => format!("int{b}"),
        (Some('f'), Some(b)) => format!("float{b}"),
        (Some('c'), Some(b)) => format!("complex{b}"),
        (Some('b'), _) => "bool".to_owned(),
        (Some('U'), _) => "unicode strings".to_owned(),
        (Some('S'), _) => "byte strings".to_owned(),
        (Some('O'), _) => "Python objects".to_owned(),
        _ => return format!("'{s}'"),
    };
    format!("{name} ('{s}')")
}

/// A shape as numpy prints it: `(2, 3)`, `(5,)`, `()`.
pub(crate) fn shape_string(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Reads the fixed prefix and checks the header length before handing the
/// file to the header parser (which would allocate whatever length it reads).
pub(crate) fn check_header_prefix(file: &mut File, shown: &str) -> Result<(), CliError> {
    let corrupt = |why: &str| {
        CliError::failure(format!("{shown} is not a valid .npy file: {why}"))
            .hint("expected a NumPy .npy file as written by numpy.save")
    };
    let mut prefix = [0u8; 12];
    let mut got = 0;
    while got < prefix.len() {
        match file.read(&mut prefix[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(CliError::failure(format!("cannot read {shown}: {e}"))),
        }
    }
    if got < 10 || &prefix[..6] != b"\x93NUMPY" {
        return Err(corrupt("it does not start with the .npy magic string"));
    }
    let header_len = match prefix[6] {
        1 => u64::from(u16::from_le_bytes([prefix[8], prefix[9]])),
        2 | 3 if got == 12 => u64::from(u32::from_le_bytes([
            prefix[8], prefix[9], prefix[10], prefix[11],
        ])),
        major => return Err(corrupt(&format!("unsupported format version {major}"))),
    };
    if header_len > MAX_HEADER_BYTES {
        return Err(corrupt(&format!(
            "its header claims {header_len} bytes (more than {MAX_HEADER_BYTES})"
        )));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
    Ok(())
}

/// A `.npy` file opened and its header parsed, the reader at the data.
pub(crate) struct NpyOpen {
    /// The path as shown in messages.
    pub(crate) shown: String,
    /// Positioned at the first data byte.
    pub(crate) reader: BufReader<File>,
    /// The parsed header.
    pub(crate) header: Header,
    /// The file's length in bytes.
    pub(crate) file_len: u64,
    /// Offset of the first data byte.
    pub(crate) data_start: u64,
}

/// Opens `path` and parses its `.npy` header: exit 1 (with a hint) when the
/// file cannot be opened or its header is malformed. Dtype and shape are
/// the caller's to check.
pub(crate) fn open_npy(path: &Path) -> Result<NpyOpen, CliError> {
    let shown = path.display().to_string();
    let mut file = File::open(path).map_err(|e| {
        let err = CliError::failure(format!("cannot open {shown}: {e}"));
        if e.kind() == io::ErrorKind::NotFound {
            err.hint("check the input path")
        } else {
            err
        }
    })?;
    let file_len = file
        .metadata()
        .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?
        .len();
    check_header_prefix(&mut file, &shown)?;
    let mut reader = BufReader::new(file);
    let header = Header::from_reader(&mut reader).map_err(|e| {
        CliError::failure(format!("{shown} is not a valid .npy file: {e}"))
            .hint("expected a NumPy .npy file as written by numpy.save")
    })?;
    let data_start = reader
        .stream_position()
        .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
    Ok(NpyOpen {
        shown,
        reader,
        header,
        file_len,
        data_start,
    })
}

impl FrameReader {
    /// Opens and validates `path`.
    ///
    /// # Errors
    /// Exit 1 when the file cannot be opened or is not a well-formed `.npy`
    /// file (bad header, truncated, trailing bytes); exit 2 when it is
    /// well-formed but not a uint16 `(H, W)` / `(N, H, W)` array.
    pub(crate) fn open(path: &Path) -> Result<Self, CliError> {
        let NpyOpen {
            shown,
            mut reader,
            header,
            file_len,
            data_start,
        } = open_npy(path)?;

        let endian = match &header.type_descriptor {
            PyValue::String(s) if s == "<u2" => Endian::Little,
            PyValue::String(s) if s == ">u2" => Endian::Big,
            other => {
                return Err(CliError::usage(format!(
                    "{shown} holds {}, not uint16 raw counts",
                    describe_dtype(other)
                ))
                .hint(EXPECTED));
            }
        };
        let shape = header.shape.clone();
        let (frames, height, width) = match shape[..] {
            [h, w] => (1, h, w),
            [n, h, w] => (n, h, w),
            _ => {
                return Err(CliError::usage(format!(
                    "{shown} has shape {}, a {}-D array",
                    shape_string(&shape),
                    shape.len()
                ))
                .hint(EXPECTED));
            }
        };
        if height == 0 || width == 0 {
            return Err(CliError::usage(format!(
                "{shown} has shape {}: a frame needs at least one row and one column",
                shape_string(&shape)
            ))
            .hint(EXPECTED));
        }
        if height > MAX_DIMENSION || width > MAX_DIMENSION {
            return Err(CliError::usage(format!(
                "{shown} has shape {}: frames larger than {MAX_DIMENSION} pixels per side are not supported",
                shape_string(&shape)
            ))
            .hint("check that the axes are (N, H, W), frames first"));
        }
        let expected_bytes = frames
            .checked_mul(height)
            .and_then(|p| p.checked_mul(width))
            .and_then(|p| p.checked_mul(2))
            .and_then(|b| u64::try_from(b).ok());
        let available = file_len.saturating_sub(data_start);
        match expected_bytes {
            Some(b) if b == available => {}
            Some(b) if b > available => {
                return Err(CliError::failure(format!(
                    "{shown} is truncated: its header promises {b} bytes of pixel data for shape {}, but only {available} follow",
                    shape_string(&shape)
                ))
                .hint("the file was cut short (an interrupted copy or write?): export it again"));
            }
            Some(b) => {
                return Err(CliError::failure(format!(
                    "{shown} is corrupt: {} bytes follow the {b} bytes of pixel data its header describes",
                    available - b
                ))
                .hint("export the file again with numpy.save"));
            }
            None => {
                return Err(CliError::failure(format!(
                    "{shown} is corrupt: shape {} is too large to address",
                    shape_string(&shape)
                )));
            }
        }

        let source = if header.layout == Layout::Fortran {
            reader
                .seek(SeekFrom::Start(0))
                .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
            let array = ArrayD::<u16>::read_npy(reader)
                .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
            let data = array.as_standard_layout().iter().copied().collect();
            Source::Loaded { data, next: 0 }
        } else {
            Source::Stream {
                reader,
                endian,
                bytes: Vec::new(),
            }
        };
        Ok(FrameReader {
            shape,
            frames,
            height,
            width,
            source,
        })
    }

    /// The array's shape as stored: `[H, W]` or `[N, H, W]`.
    pub(crate) fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of frames (1 for a 2-D array).
    pub(crate) fn frames(&self) -> usize {
        self.frames
    }

    /// Frame height in pixels.
    pub(crate) fn height(&self) -> usize {
        self.height
    }

    /// Frame width in pixels.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// Reads the next frame into `dst` (exactly `height * width` elements).
    ///
    /// # Errors
    /// Exit 1 on a read failure (the length was checked at open, so this
    /// means the file changed or the disk failed).
    pub(crate) fn read_frame(&mut self, dst: &mut [u16], shown: &str) -> Result<(), CliError> {
        match &mut self.source {
            Source::Stream {
                reader,
                endian,
                bytes,
            } => {
                bytes.resize(dst.len() * 2, 0);
                reader
                    .read_exact(bytes)
                    .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
                let decode = match endian {
                    Endian::Little => u16::from_le_bytes,
                    Endian::Big => u16::from_be_bytes,
                };
                for (d, b) in dst.iter_mut().zip(bytes.chunks_exact(2)) {
                    *d = decode([b[0], b[1]]);
                }
                Ok(())
            }
            Source::Loaded { data, next } => {
                let end = *next + dst.len();
                let src = data.get(*next..end).ok_or_else(|| {
                    CliError::failure(format!("{shown}: read past the last frame"))
                })?;
                dst.copy_from_slice(src);
                *next = end;
                Ok(())
            }
        }
    }
}

/// Writes an f32 `.npy` file frame by frame into a temporary file beside the
/// destination, renamed into place by [`F32Writer::finish`]; dropped
/// unfinished (on any error), it removes the temporary file, so a failed run
/// never leaves a partial output behind.
pub(crate) struct F32Writer {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<BufWriter<File>>,
    bytes: Vec<u8>,
}

impl F32Writer {
    /// Creates the temporary file and writes the header for `shape`.
    pub(crate) fn create(dest: &Path, shape: &[usize]) -> Result<Self, CliError> {
        let shown = dest.display().to_string();
        if dest.is_dir() {
            return Err(
                CliError::failure(format!("cannot write {shown}: it is a directory"))
                    .hint("give the output file's path, e.g. frames_celsius.npy"),
            );
        }
        let mut name = dest.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{}.partial", std::process::id()));
        let tmp = dest.with_file_name(name);
        let file = File::create(&tmp).map_err(|e| {
            let err = CliError::failure(format!("cannot create {shown}: {e}"));
            if e.kind() == io::ErrorKind::NotFound {
                err.hint("the output's directory must exist")
            } else {
                err
            }
        })?;
        let mut w = F32Writer {
            tmp,
            dest: dest.to_path_buf(),
            out: Some(BufWriter::new(file)),
            bytes: Vec::new(),
        };
        let header = Header {
            type_descriptor: PyValue::String("<f4".into()),
            layout: Layout::Standard,
            shape: shape.to_vec(),
        };
        let out = w
            .out
            .as_mut()
            .ok_or_else(|| CliError::failure("output closed"))?;
        header
            .write(out)
            .map_err(|e| CliError::failure(format!("cannot write {shown}: {e}")))?;
        Ok(w)
    }

    /// Appends one frame (little-endian f32).
    pub(crate) fn write_frame(&mut self, frame: &[f32]) -> Result<(), CliError> {
        self.bytes.clear();
        self.bytes
            .extend(frame.iter().flat_map(|v| v.to_le_bytes()));
        let out = self
            .out
            .as_mut()
            .ok_or_else(|| CliError::failure("output closed"))?;
        out.write_all(&self.bytes)
            .map_err(|e| CliError::failure(format!("cannot write {}: {e}", self.dest.display())))
    }

    /// Flushes and moves the file into place.
    pub(crate) fn finish(mut self) -> Result<(), CliError> {
        let shown = self.dest.display().to_string();
        let out = self
            .out
            .take()
            .ok_or_else(|| CliError::failure("output closed"))?;
        let file = out
            .into_inner()
            .map_err(|e| CliError::failure(format!("cannot write {shown}: {}", e.error())))?;
        file.sync_all()
            .map_err(|e| CliError::failure(format!("cannot write {shown}: {e}")))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.dest)
            .map_err(|e| CliError::failure(format!("cannot write {shown}: {e}")))
    }
}

impl Drop for F32Writer {
    fn drop(&mut self) {
        if self.out.is_some() || self.tmp.exists() {
            drop(self.out.take());
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_names_are_numpy_names() {
        let s = |x: &str| describe_dtype(&PyValue::String(x.into()));
        assert_eq!(s("|u1"), "uint8 ('|u1')");
        assert_eq!(s("<f8"), "float64 ('<f8')");
        assert_eq!(s(">i2"), "int16 ('>i2')");
        assert_eq!(s("|b1"), "bool ('|b1')");
        assert_eq!(s("?"), "'?'");
        assert!(describe_dtype(&PyValue::List(vec![])).starts_with("a structured dtype"));
    }

    #[test]
    fn shapes_print_like_numpy() {
        assert_eq!(shape_string(&[5]), "(5,)");
        assert_eq!(shape_string(&[2, 3]), "(2, 3)");
        assert_eq!(shape_string(&[]), "()");
    }
}
