//! `hsm::Error` → the typed Python exceptions of `hsm._errors`.
//!
//! The exception classes are defined in Python (`hsm/_errors.py`) because
//! each one inherits from both `HsmError` and a built-in (`ValueError`,
//! `OSError`, `RuntimeError`), which PyO3's `create_exception!` cannot
//! express. They are imported once, on the first error, and cached.
//!
//! Every exception is constructed as `cls(message, code, status)`: the
//! message is the Rust error's `Display` (which names the field and value),
//! `code` the stable number and `status` the [`StatusCode`] variant name.

use hsm::core::ErrorKind;
use hsm::{Error, StatusCode};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The Python module that defines the exception classes.
const ERRORS_MODULE: &str = "hsm._errors";

static INVALID_VALUE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SHAPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static IO: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static FORMAT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INTERNAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The exception class (cache and Python name) for a broad error class.
///
/// Exhaustive on purpose: `ErrorKind` is a closed enum, so a new kind fails
/// to compile here until it is given an exception.
fn exception_for(kind: ErrorKind) -> (&'static PyOnceLock<Py<PyType>>, &'static str) {
    match kind {
        ErrorKind::InvalidValue => (&INVALID_VALUE, "InvalidValueError"),
        ErrorKind::Shape => (&SHAPE, "ShapeError"),
        ErrorKind::Io => (&IO, "HsmIOError"),
        ErrorKind::Format => (&FORMAT, "FormatError"),
        // An error that claims success is a bug in libhsm, as is a panic.
        ErrorKind::Internal | ErrorKind::None => (&INTERNAL, "InternalError"),
    }
}

/// The name of a status code's variant (`"OutOfRange"`), as Python's
/// `HsmError.status` and `hsm.status_codes()` spell it.
pub(crate) fn status_name(code: StatusCode) -> String {
    code.name().to_owned()
}

/// A Python exception for `code` with `message`.
///
/// Used for errors the binding itself detects (a numpy array of the wrong
/// shape, an integer out of range) as well as for every [`Error`].
pub(crate) fn status_error(py: Python<'_>, code: StatusCode, message: String) -> PyErr {
    let (cell, name) = exception_for(code.kind());
    match cell.import(py, ERRORS_MODULE, name) {
        Ok(cls) => PyErr::from_type(cls.clone(), (message, code.as_u32(), status_name(code))),
        // Only when `hsm._native` is loaded without its package: still an
        // error, with the import failure chained as its cause.
        Err(import_error) => {
            let err = pyo3::exceptions::PyRuntimeError::new_err(format!(
                "{message} (status {code}; the hsm exception classes could not be imported)"
            ));
            err.set_cause(py, Some(import_error));
            err
        }
    }
}

/// Converts a libhsm error into its typed Python exception.
pub(crate) fn to_py(py: Python<'_>, err: impl Into<Error>) -> PyErr {
    let err = err.into();
    status_error(py, err.code(), err.to_string())
}
