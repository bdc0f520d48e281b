//! # hsm-metal — what metal a person carries
//!
//! ## Overview
//! The physics of walk-through metal detection. Today: [`polarizability`],
//! the closed-form magnetic polarizability of a conducting, permeable sphere
//! — the reference against which object models and imported signatures are
//! checked.
//!
//! ## Examples
//! ```
//! use hsm_metal::polarizability::sphere;
//!
//! // A 1 cm steel-like sphere at 16 kHz.
//! let m = sphere(0.01, 100.0, 5.0e6, 2.0 * std::f64::consts::PI * 16_000.0)?;
//! assert!(m.im > 0.0); // eddy-current loss
//! # Ok::<(), hsm_metal::MetalError>(())
//! ```
//!
//! ## Untrusted input
//! Every parameter is checked (finite, in its physical domain) and a bad one
//! is named in the error. Numerically extreme inputs use the asymptotic
//! branches rather than overflowing. Nothing panics.
//!
//! ## Crate features
//! None yet.
#![forbid(unsafe_code)]

pub mod error;
pub mod polarizability;

pub use error::MetalError;
