//! # hsm-py — the native module `hsm._native` of the Python package `hsm`
//!
//! ## Overview
//! This crate is private to the Python package built from
//! `bindings/python` with maturin; users import `hsm`, `hsm.thermal` and
//! `hsm.policy`, never this module directly. It only translates between
//! Python and the `hsm` facade: argument checks that concern Python objects
//! (dtype, number of dimensions, integer range), the call, and the mapping
//! of `hsm::Error` onto the typed exceptions of `hsm/_errors.py`. No domain
//! logic lives here.
//!
//! | Python | Rust |
//! |---|---|
//! | `hsm.thermal.Radiometry` | [`hsm::thermal::radiometry::Converter`] + [`hsm::thermal::radiometry::CelsiusLut`] |
//! | `hsm.thermal.FrameProcessor`, `simulate` | [`hsm::thermal::extract::FrameProcessor`], [`hsm::thermal::sim::Simulator`] |
//! | `hsm.policy.guard_staffing`, `StaffingResult` | [`hsm::policy::staffing::guard_staffing`] |
//! | `hsm.HsmError` and subclasses | [`hsm::Error`] via [`hsm::core::ErrorKind`] |
//! | `hsm.status_codes()` | [`hsm::StatusCode::ALL`] |
//! | `hsm.gate.PassageLog`, `run_demo`, `ALARMS`, `FLAGS` | [`hsm::gate::PassageLog`], [`hsm::gate::demo::run`], [`hsm::gate::Alarms::ALL`], [`hsm::gate::PassageFlags::ALL`] |
//!
//! ## Performance
//! Frames are read zero-copy from C-contiguous numpy arrays and written
//! into a caller's `out=` array or a fresh one; the GIL is released (one
//! helper, `detach_if_large`) for inputs of at least 4096 pixels
//! (`DETACH_MIN_PIXELS`) so several Python threads can convert at once.
//!
//! ## Untrusted input
//! Every numpy argument's dtype, byte order, shape, alignment, contiguity
//! and writability is checked before a pixel is read; a non-contiguous or
//! misaligned input is copied once into a C-contiguous array rather than
//! misread. Errors are typed Python exceptions carrying the stable status
//! code; nothing panics.

use hsm::StatusCode;
use pyo3::marker::Ungil;
use pyo3::prelude::*;
use pyo3::types::PyDict;

mod count;
mod errors;
mod formats;
mod gate;
mod metal;
mod policy;
mod policy_rules;
mod screen;
mod thermal;

/// Inputs with at least this many pixels are converted with the GIL
/// released; smaller ones are not worth the hand-over.
pub(crate) const DETACH_MIN_PIXELS: usize = 4096;

/// Runs `work` with the GIL released when the input is frame-sized
/// (`pixels >= DETACH_MIN_PIXELS`), and with the GIL held otherwise.
pub(crate) fn detach_if_large<T, F>(py: Python<'_>, pixels: usize, work: F) -> T
where
    F: Ungil + FnOnce() -> T,
    T: Ungil,
{
    if pixels >= DETACH_MIN_PIXELS {
        py.detach(work)
    } else {
        work()
    }
}

/// Every stable status code, by name: `{"Ok": 0, "InvalidArgument": 1001, …}`.
#[pyfunction]
fn status_codes(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    for code in StatusCode::ALL {
        dict.set_item(errors::status_name(code), code.as_u32())?;
    }
    Ok(dict)
}

/// The native half of the `hsm` package. Import `hsm` instead.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(status_codes, m)?)?;
    thermal::register(m)?;
    screen::register(m)?;
    count::register(m)?;
    formats::register(m)?;
    metal::register(m)?;
    policy::register(m)?;
    policy_rules::register(m)?;
    gate::register(m)?;
    Ok(())
}
