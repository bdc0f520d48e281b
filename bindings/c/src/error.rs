//! Status codes, messages and the per-thread last-error message.

use std::cell::RefCell;
use std::ffi::c_char;

use hsm::StatusCode;

use crate::panic::ffi_boundary;
use crate::slice::write_c_string;

/// Status returned by every fallible libhsm function. `HSM_STATUS_OK` (0) is
/// success; the numbers are stable across releases (table in
/// `hsm_core::status`) and a retired number is never reused.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_status {
    /// Success.
    Ok = 0,
    /// An argument is outside its documented domain.
    InvalidArgument = 1001,
    /// Width, height, stride and buffer length do not describe a frame.
    FrameShape = 1002,
    /// A frame dimension exceeds the supported maximum.
    FrameTooLarge = 1003,
    /// Two buffers that must have the same shape do not.
    ShapeMismatch = 1004,
    /// A timestamp or frame number goes backwards in a stream that must be ordered.
    OutOfOrder = 1005,
    /// More items (detections, tracks, events) than a configured capacity allows.
    CapacityExceeded = 1006,
    /// Camera radiometric constants are unusable.
    InvalidRadiometry = 2001,
    /// Scene parameters are unusable.
    InvalidScene = 2002,
    /// A value lies outside what the radiometric map can represent.
    OutOfRange = 2003,
    /// A metal-detector or object parameter is unusable.
    InvalidMetalParameter = 3001,
    /// A hospital profile or policy input is unusable.
    InvalidProfile = 4001,
    /// Reading or writing a file failed.
    Io = 5001,
    /// A file's contents are not in the expected format.
    Format = 5002,
    /// A file ends before a record, field or frame it declares.
    Truncated = 5003,
    /// A file uses a format or encoding variant libhsm does not read.
    UnsupportedFormat = 5004,
    /// A size declared by a file exceeds libhsm's resource limits.
    LimitExceeded = 5005,
    /// The passage log's database failed (locked, corrupt, full disk, read-only).
    Storage = 6001,
    /// The passage log was written by a newer libhsm.
    SchemaTooNew = 6002,
    /// No record with the given id.
    NotFound = 6003,
    /// A required pointer argument was NULL.
    NullPointer = 9001,
    /// A caller-supplied buffer is too small.
    BufferTooSmall = 9002,
    /// An internal panic was caught at the boundary (a bug: please report it).
    Panic = 9003,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 9004,
}

impl From<StatusCode> for hsm_status {
    /// Exhaustive: adding a [`StatusCode`] fails to compile until it is mapped here.
    fn from(code: StatusCode) -> Self {
        match code {
            StatusCode::Ok => hsm_status::Ok,
            StatusCode::InvalidArgument => hsm_status::InvalidArgument,
            StatusCode::FrameShape => hsm_status::FrameShape,
            StatusCode::FrameTooLarge => hsm_status::FrameTooLarge,
            StatusCode::ShapeMismatch => hsm_status::ShapeMismatch,
            StatusCode::OutOfOrder => hsm_status::OutOfOrder,
            StatusCode::CapacityExceeded => hsm_status::CapacityExceeded,
            StatusCode::InvalidRadiometry => hsm_status::InvalidRadiometry,
            StatusCode::InvalidScene => hsm_status::InvalidScene,
            StatusCode::OutOfRange => hsm_status::OutOfRange,
            StatusCode::InvalidMetalParameter => hsm_status::InvalidMetalParameter,
            StatusCode::InvalidProfile => hsm_status::InvalidProfile,
            StatusCode::Io => hsm_status::Io,
            StatusCode::Format => hsm_status::Format,
            StatusCode::Truncated => hsm_status::Truncated,
            StatusCode::UnsupportedFormat => hsm_status::UnsupportedFormat,
            StatusCode::LimitExceeded => hsm_status::LimitExceeded,
            StatusCode::Storage => hsm_status::Storage,
            StatusCode::SchemaTooNew => hsm_status::SchemaTooNew,
            StatusCode::NotFound => hsm_status::NotFound,
            StatusCode::NullPointer => hsm_status::NullPointer,
            StatusCode::BufferTooSmall => hsm_status::BufferTooSmall,
            StatusCode::Panic => hsm_status::Panic,
            StatusCode::InvalidUtf8 => hsm_status::InvalidUtf8,
        }
    }
}

/// An error on its way out of an export: a code and a detailed message.
#[derive(Debug)]
pub struct FfiError {
    /// The status returned to C.
    pub status: hsm_status,
    /// The detailed message kept for `hsm_last_error_message`.
    pub message: String,
}

impl FfiError {
    /// A NULL pointer was passed for `arg`.
    #[must_use]
    pub fn null(arg: &'static str) -> Self {
        FfiError {
            status: hsm_status::NullPointer,
            message: format!("argument `{arg}` is NULL"),
        }
    }

    /// An enum argument arrived as an integer that names no member.
    /// Enumerations cross the C boundary as `uint32_t` and are checked
    /// here, because a C caller can pass any value and a Rust enum holding
    /// an undeclared one is undefined behaviour.
    #[must_use]
    pub fn bad_enum(arg: &'static str, enum_name: &'static str, value: u32) -> Self {
        FfiError {
            status: hsm_status::InvalidArgument,
            message: format!("argument `{arg}` = {value} is not an {enum_name} value"),
        }
    }
}

impl From<hsm::Error> for FfiError {
    fn from(e: hsm::Error) -> Self {
        FfiError {
            status: e.code().into(),
            message: e.to_string(),
        }
    }
}

macro_rules! from_domain_error {
    ($($t:ty),*) => {$(
        impl From<$t> for FfiError {
            fn from(e: $t) -> Self {
                hsm::Error::from(e).into()
            }
        }
    )*};
}
from_domain_error!(
    hsm::core::CoreError,
    hsm::thermal::ThermalError,
    hsm::gate::GateError,
    hsm::metal::MetalError
);

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records the detailed message of the calling thread's last error.
pub(crate) fn set_last_error(message: String) {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = message);
}

/// Writes the static description of status `code` into `buf` as a
/// NUL-terminated UTF-8 string, truncated to `len - 1` bytes (on a character
/// boundary) when `buf` is too small, like `snprintf`.
///
/// Returns the length of the full message in bytes, excluding the NUL; a
/// return value `>= len` means the message was truncated. `buf` may be NULL
/// when `len` is 0 (to query the length). An unknown `code` yields
/// "unknown status code". Never fails; thread-safe.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_status_message(code: u32, buf: *mut c_char, len: usize) -> usize {
    let message = StatusCode::from_u32(code).map_or("unknown status code", StatusCode::message);
    // SAFETY: the caller guarantees `buf` points to `len` writable bytes (or is NULL).
    ffi_boundary(|| Ok(unsafe { write_c_string(message, buf, len) })).unwrap_or(0)
}

/// Writes the detailed message of the last error raised **on the calling
/// thread** (naming the argument and value at fault) into `buf`, with the
/// same truncation and return-value rules as `hsm_status_message`. Returns 0
/// and writes an empty string when no error has occurred on this thread. A
/// successful call does not clear the message.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_last_error_message(buf: *mut c_char, len: usize) -> usize {
    ffi_boundary(|| {
        Ok(LAST_ERROR.with(|slot| {
            let message = slot.borrow();
            // SAFETY: the caller guarantees `buf` points to `len` writable bytes (or is NULL).
            unsafe { write_c_string(&message, buf, len) }
        }))
    })
    .unwrap_or(0)
}

/// Whether `code` reports a problem with the caller's input (a bad argument,
/// shape or file) rather than success, an I/O failure or an internal bug.
#[unsafe(no_mangle)]
pub extern "C" fn hsm_status_is_input_error(code: u32) -> bool {
    StatusCode::from_u32(code).is_some_and(StatusCode::is_input_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_the_core_table() {
        for code in StatusCode::ALL {
            assert_eq!(hsm_status::from(code) as u32, code.as_u32(), "{code:?}");
        }
    }
}
