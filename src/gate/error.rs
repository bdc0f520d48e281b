//! The gate's error enum, each variant with its stable status code.

use hsm_core::{CoreError, StatusCode};

/// An error from the gate session, its passage log or an export.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// The passage log's database failed (SQLite's message).
    #[error("passage log: {0}")]
    Storage(String),
    /// The log was written by a newer libhsm.
    #[error(
        "passage log schema version {found} is newer than this libhsm supports ({supported}); upgrade libhsm"
    )]
    SchemaTooNew {
        /// Version found in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// The log is bound to a different site key.
    #[error(
        "the passage log is bound to a different site key (fingerprint mismatch); token hashes made under two keys cannot be matched"
    )]
    KeyMismatch,
    /// No passage with this id.
    #[error("no passage with id {id}")]
    NotFound {
        /// The id asked for.
        id: i64,
    },
    /// A parameter is outside its domain.
    #[error("{field} = {value}: expected {expected}")]
    InvalidArgument {
        /// The parameter.
        field: &'static str,
        /// Its value.
        value: f64,
        /// What is accepted.
        expected: &'static str,
    },
    /// Writing an export or reading a recording failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A recording's contents are malformed.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// From a counting, frame or time check in `hsm-core`.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// From the thermal pipeline.
    #[error(transparent)]
    Thermal(#[from] hsm_thermal::ThermalError),
    /// From the metal pipeline.
    #[error(transparent)]
    Metal(#[from] hsm_metal::MetalError),
}

impl GateError {
    /// The stable status code.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self {
            GateError::Storage(_) | GateError::KeyMismatch => StatusCode::Storage,
            GateError::SchemaTooNew { .. } => StatusCode::SchemaTooNew,
            GateError::NotFound { .. } => StatusCode::NotFound,
            GateError::InvalidArgument { .. } => StatusCode::InvalidArgument,
            GateError::Io { .. } => StatusCode::Io,
            GateError::Format { .. } => StatusCode::Format,
            GateError::Core(e) => e.code(),
            GateError::Thermal(e) => e.code(),
            GateError::Metal(e) => e.code(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, e: impl core::fmt::Display) -> GateError {
        GateError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}
