//! # hsm — libhsm, software for hospital entrance security gates
//!
//! ## Overview
//! A person walks through a gate; libhsm turns the thermal camera's frames
//! into a skin temperature and a fever decision, the metal detector's coil
//! signals into "what metal, where, is it a threat", the gate's beams into
//! counts, and computes the hospital's obligations under Chinese
//! hospital-security rules. This facade re-exports the domain crates:
//!
//! | module | crate | what |
//! |---|---|---|
//! | [`core`] | `hsm-core` | units, time, geometry, frame views, status codes, people counting ([`core::counting`]) |
//! | [`thermal`] | `hsm-thermal` | radiometry (raw ⇄ °C) |
//! | [`metal`] | `hsm-metal` | metal detection: tensor physics, MPT import, simulator, detector, classifier, evaluation |
//! | [`policy`] | `hsm-policy` | guard staffing, with citations |
//!
//! and defines the workspace [`Error`], which any crate's error converts into.
//!
//! ## Examples
//! ```
//! use hsm::policy::staffing::{guard_staffing, StaffingInput};
//! use hsm::thermal::radiometry::{Radiometry, TLinearResolution};
//!
//! // A Boson in TLinear 0.01 K mode: 31015 counts is 37.0 °C.
//! let conv = Radiometry::TLinear(TLinearResolution::CentiKelvin).compile()?;
//! assert!((conv.raw_to_celsius(31015.0)?.get() - 37.0).abs() < 1e-9);
//!
//! let guards = guard_staffing(&StaffingInput { medical_staff_on_duty: 2000, open_beds: 1500, daily_outpatient_avg: 8000 });
//! assert_eq!(guards.required, 75);
//! # Ok::<(), hsm::Error>(())
//! ```
//!
//! ## Performance
//! Per-frame work takes views and writes into caller buffers; see each
//! crate's Performance section and `benches/`.
//!
//! ## Untrusted input
//! Every public function validates its inputs and reports a typed error with
//! a stable code; none panics on any input. See each crate's section.
//!
//! ## Crate features
//! None yet.
#![forbid(unsafe_code)]

pub mod error;
pub mod gate;

pub use error::{Error, Result};
pub use hsm_core as core;
pub use hsm_core::StatusCode;
pub use hsm_metal as metal;
pub use hsm_policy as policy;
pub use hsm_thermal as thermal;

/// The library version (Cargo package version of the facade).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
