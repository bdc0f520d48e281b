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
}

impl MetalError {
    /// The stable status code of this error.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self {
            MetalError::InvalidParameter { .. } => StatusCode::InvalidMetalParameter,
        }
    }
}
