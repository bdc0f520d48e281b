//! The workspace error: any libhsm error, with its stable status code.

use hsm_core::{CoreError, StatusCode};
use hsm_metal::MetalError;
use hsm_policy::PolicyError;
use hsm_thermal::ThermalError;

/// Any error raised by a libhsm crate.
///
/// Each domain crate has its own error enum; this one wraps them so that
/// applications and bindings handle a single type. [`Error::code`] gives the
/// stable numeric [`StatusCode`] (the table is in [`hsm_core::status`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// From `hsm-core`.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// From `hsm-thermal`.
    #[error(transparent)]
    Thermal(#[from] ThermalError),
    /// From `hsm-metal`.
    #[error(transparent)]
    Metal(#[from] MetalError),
    /// From `hsm-policy`.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// From the gate session, its passage log or an export ([`crate::gate`]).
    #[error(transparent)]
    Gate(#[from] crate::gate::GateError),
}

impl Error {
    /// The stable status code of this error.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self {
            Error::Core(e) => e.code(),
            Error::Thermal(e) => e.code(),
            Error::Metal(e) => e.code(),
            Error::Policy(e) => e.code(),
            Error::Gate(e) => e.code(),
        }
    }
}

/// `Result` with the workspace [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
