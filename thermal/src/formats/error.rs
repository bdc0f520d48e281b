//! [`FileError`]: what went wrong in which file, at which byte offset.

use hsm_core::StatusCode;

/// The class of a [`FileError`]; each maps to one stable [`StatusCode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileErrorKind {
    /// The operating system refused a read or write ([`StatusCode::Io`]).
    Io,
    /// The bytes are not what the format requires ([`StatusCode::Format`]).
    Format,
    /// The file ends before something it declares ([`StatusCode::Truncated`]).
    Truncated,
    /// A recognised format, but a variant libhsm does not read
    /// ([`StatusCode::UnsupportedFormat`]).
    Unsupported,
    /// A declared size is beyond libhsm's resource limits
    /// ([`StatusCode::LimitExceeded`]).
    LimitExceeded,
}

/// An error reading or writing a thermal file: the file, the byte offset
/// where the problem was found (when there is one) and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {detail}", offset.map(|o| format!(": at byte offset {o} (0x{o:x})")).unwrap_or_default())]
pub struct FileError {
    /// The file's name as given by the caller (`<memory>` for a buffer;
    /// `… [FFF in APP1]` for the FLIR block of a radiometric JPEG, whose
    /// offsets count from the start of that block).
    pub file: String,
    /// Byte offset of the problem, when it has one.
    pub offset: Option<u64>,
    /// The class of the problem.
    pub kind: FileErrorKind,
    /// What was found and what was expected.
    pub detail: String,
}

impl FileError {
    /// A new error.
    #[must_use]
    pub fn new(
        file: &str,
        offset: Option<u64>,
        kind: FileErrorKind,
        detail: impl Into<String>,
    ) -> Self {
        FileError {
            file: file.to_owned(),
            offset,
            kind,
            detail: detail.into(),
        }
    }

    /// The stable status code of this error.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self.kind {
            FileErrorKind::Io => StatusCode::Io,
            FileErrorKind::Format => StatusCode::Format,
            FileErrorKind::Truncated => StatusCode::Truncated,
            FileErrorKind::Unsupported => StatusCode::UnsupportedFormat,
            FileErrorKind::LimitExceeded => StatusCode::LimitExceeded,
        }
    }
}

/// Shorthand constructors used by the parsers.
pub(crate) fn format_err(file: &str, offset: u64, detail: impl Into<String>) -> FileError {
    FileError::new(file, Some(offset), FileErrorKind::Format, detail)
}

pub(crate) fn truncated(file: &str, offset: u64, detail: impl Into<String>) -> FileError {
    FileError::new(file, Some(offset), FileErrorKind::Truncated, detail)
}

pub(crate) fn unsupported(file: &str, offset: Option<u64>, detail: impl Into<String>) -> FileError {
    FileError::new(file, offset, FileErrorKind::Unsupported, detail)
}

pub(crate) fn limit(file: &str, offset: Option<u64>, detail: impl Into<String>) -> FileError {
    FileError::new(file, offset, FileErrorKind::LimitExceeded, detail)
}

pub(crate) fn io_err(file: &str, e: &std::io::Error) -> FileError {
    FileError::new(file, None, FileErrorKind::Io, e.to_string())
}
