//! Errors raised by `hsm-policy`, each mapped to a stable [`StatusCode`].

use hsm_core::StatusCode;

/// Errors from policy evaluation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A hospital profile field is unusable.
    #[error("invalid hospital profile field {field}: {detail}")]
    InvalidProfile {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

impl PolicyError {
    /// The stable status code of this error.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self {
            PolicyError::InvalidProfile { .. } => StatusCode::InvalidProfile,
        }
    }
}
