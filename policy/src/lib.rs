//! # hsm-policy — a hospital's security obligations, computed and cited
//!
//! ## Overview
//! Rules from Chinese hospital-security documents, each encoding one clause
//! and citing it ([`citation::Citation`]). Today: [`staffing`], the guard
//! staffing rule of 豫卫医函〔2024〕10号 一(三).
//!
//! ## Examples
//! ```
//! use hsm_policy::staffing::{guard_staffing, StaffingBasis, StaffingInput};
//!
//! let need = guard_staffing(&StaffingInput {
//!     medical_staff_on_duty: 2000,
//!     open_beds: 1500,
//!     daily_outpatient_avg: 8000,
//! });
//! // max(60, 75, 24): the beds term binds.
//! assert_eq!(need.required, 75);
//! assert_eq!(need.binding, StaffingBasis::Beds);
//! println!("{}", hsm_policy::staffing::CITATION.quote);
//! ```
//!
//! ## Untrusted input
//! Inputs are unsigned integers and every value is meaningful; arithmetic is
//! exact and overflow-free in 64 bits. Nothing panics.
//!
//! ## Crate features
//! None yet.
#![forbid(unsafe_code)]

pub mod citation;
pub mod error;
pub mod staffing;

pub use error::PolicyError;
