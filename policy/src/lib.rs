//! # hsm-policy — a hospital's security obligations, computed and cited
//!
//! ## Overview
//! Rules from Chinese hospital-security documents, kept **as data**: one
//! versioned TOML file per jurisdiction, embedded in the crate
//! (`cn-national-2021`, `cn-henan-2024`; [`ruleset`]), the province
//! extending the nation, the stricter value winning, conflicts reported.
//! Every rule cites its clause (quoted Chinese and an English gloss) and
//! carries its own test cases. Typed rule kinds are evaluated in Rust:
//! guard [`staffing`], mandatory screening, the 附件4 [`equipment`] table,
//! posts and patrols, periodic duties, campaign deadlines, numeric bounds
//! and yes/no checks. A [`profile::HospitalProfile`] evaluated against a
//! rule set on an as-of date gives findings (ok / gap / unknown) and a
//! trace ([`evaluate`]).
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
//! Evaluating a hospital:
//! ```
//! use hsm_policy::{evaluate, profile::HospitalProfile, ruleset::RuleSet};
//!
//! let rs = RuleSet::embedded("cn-henan-2024")?;
//! let p = HospitalProfile::from_toml(r#"
//!     name = "Example Hospital"
//!     level = 3
//!     medical_staff_on_duty = 2000
//!     open_beds = 1500
//!     daily_outpatient_avg = 8000
//!     guards = 70
//!     patrol_teams = [3, 2]
//! "#)?;
//! let e = evaluate::evaluate(&rs, &p, "2024-10-01".parse()?, evaluate::Options::default());
//! let staffing = e.findings.iter().find(|f| f.kind == "staffing").unwrap();
//! assert_eq!(staffing.status, evaluate::Status::Gap); // 70 < 75
//! # Ok::<(), hsm_policy::PolicyError>(())
//! ```
//!
//! ## Performance
//! Evaluating one profile without the trace takes a few microseconds
//! (`cargo bench -p hsm-policy --bench evaluate`: 10 000 generated profiles
//! well under a second).
//!
//! ## Untrusted input
//! Profiles and rule sets are parsed with serde (unknown profile fields are
//! rejected); every numeric input is meaningful or rejected with the field
//! named; arithmetic is exact integer arithmetic where the rules are ratios.
//! Nothing panics.
//!
//! ## Crate features
//! None.
#![forbid(unsafe_code)]

pub mod capacity;
pub mod citation;
pub mod csv;
pub mod date;
pub mod equipment;
pub mod error;
pub mod evaluate;
pub mod forms;
pub mod profile;
pub mod rule_tests;
pub mod ruleset;
pub mod sample;
pub mod schedule;
pub mod staffing;
pub mod synth;

pub use date::Date;
pub use error::PolicyError;
