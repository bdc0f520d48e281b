//! Errors raised by `hsm-thermal`, each mapped to a stable [`StatusCode`].

use hsm_core::{CoreError, StatusCode};

/// Errors from thermal processing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ThermalError {
    /// A camera radiometric constant is unusable (non-finite, zero, negative).
    #[error("invalid radiometric constant {field} = {value}: expected {expected}")]
    InvalidRadiometry {
        /// Name of the constant (`R1`, `B`, `gain`, …).
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// What the constant must be.
        expected: &'static str,
    },
    /// A scene parameter is unusable.
    #[error("invalid scene parameter {field} = {value}: expected {expected}")]
    InvalidScene {
        /// Name of the parameter (`emissivity`, `distance_m`, …).
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// What the parameter must be.
        expected: &'static str,
    },
    /// A value lies outside what the radiometric map can represent.
    #[error("{what} {value} is outside the representable range: {detail}")]
    OutOfRange {
        /// What was converted (`temperature °C`, `raw count`).
        what: &'static str,
        /// The value.
        value: f64,
        /// Why it cannot be represented.
        detail: &'static str,
    },
    /// A frame-shape or argument error from `hsm-core`.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A thermal file could not be read, or its contents are malformed.
    /// Boxed so the common variants stay small.
    #[error(transparent)]
    File(Box<crate::formats::FileError>),
}

impl From<crate::formats::FileError> for ThermalError {
    fn from(e: crate::formats::FileError) -> Self {
        ThermalError::File(Box::new(e))
    }
}

impl ThermalError {
    /// The stable status code of this error.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self {
            ThermalError::InvalidRadiometry { .. } => StatusCode::InvalidRadiometry,
            ThermalError::InvalidScene { .. } => StatusCode::InvalidScene,
            ThermalError::OutOfRange { .. } => StatusCode::OutOfRange,
            ThermalError::Core(e) => e.code(),
            ThermalError::File(e) => e.code(),
        }
    }
}
