//! Errors raised by `hsm-metal`, each mapped to a stable [`StatusCode`].

use hsm_core::StatusCode;

/// Errors from metal-detector processing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetalError {
    /// An object or detector parameter is unusable.
    #[error("invalid {field} = {value}: expected {expected}")]
    InvalidParameter {
        /// Name of the parameter.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// What it must be.
        expected: &'static str,
    },
    /// Buffers or arrays whose sizes must agree do not.
    #[error("{what}: expected {expected} values, got {got}")]
    Shape {
        /// What was being checked.
        what: &'static str,
        /// The required count.
        expected: usize,
        /// The count supplied.
        got: usize,
    },
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        reason: String,
    },
    /// A file's contents are malformed (line numbers start at 1; 0 when
    /// the whole file is at fault).
    #[error("{file}:{line}: {reason}")]
    Format {
        /// The file (or a description of the input).
        file: String,
        /// 1-based line, 0 for the whole file.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A model or object file has a format version this build does not read.
    #[error("{what} version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion {
        /// Which kind of file.
        what: &'static str,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
}

impl MetalError {
    /// The stable status code of this error.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self {
            MetalError::InvalidParameter { .. } => StatusCode::InvalidMetalParameter,
            MetalError::Shape { .. } => StatusCode::ShapeMismatch,
            MetalError::Io { .. } => StatusCode::Io,
            MetalError::Format { .. } => StatusCode::Format,
            MetalError::UnsupportedVersion { .. } => StatusCode::UnsupportedFormat,
        }
    }

    pub(crate) fn format(file: &str, line: usize, reason: impl Into<String>) -> MetalError {
        MetalError::Format {
            file: file.to_owned(),
            line,
            reason: reason.into(),
        }
    }
}
