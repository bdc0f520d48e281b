//! The panic boundary every export runs inside.
//!
//! Since Rust 1.81 a panic that unwinds into an `extern "C"` function aborts
//! the process; on a gate that stops the gate. [`ffi_boundary`] catches it,
//! records a message and returns `HSM_STATUS_PANIC` instead. (The library is
//! built with `panic = "unwind"`, the default; with `panic = "abort"` there is
//! nothing to catch.)

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{FfiError, hsm_status, set_last_error};

/// Runs `body`, turning an error or a panic into a status with its message
/// recorded for `hsm_last_error_message`.
pub(crate) fn ffi_boundary<T>(body: impl FnOnce() -> Result<T, FfiError>) -> Result<T, hsm_status> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            set_last_error(e.message);
            Err(e.status)
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_owned());
            set_last_error(format!(
                "internal panic caught at the libhsm boundary (a bug: please report it): {what}"
            ));
            Err(hsm_status::Panic)
        }
    }
}

/// [`ffi_boundary`] for the common case of a body that only reports a status.
pub(crate) fn status_of(body: impl FnOnce() -> Result<(), FfiError>) -> hsm_status {
    match ffi_boundary(body) {
        Ok(()) => hsm_status::Ok,
        Err(s) => s,
    }
}

/// The body of every `_free`/`_close` export: drops the boxed handle
/// inside the panic boundary; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or came from `Box::into_raw` of a `Box<T>` and is not used
/// again.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if ptr.is_null() {
        return;
    }
    let _ = status_of(|| {
        // SAFETY: the caller's contract above.
        drop(unsafe { Box::from_raw(ptr) });
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::panic, reason = "the test provokes a panic on purpose")]
    fn panics_become_a_status() {
        let s = status_of(|| panic!("boom"));
        assert_eq!(s, hsm_status::Panic);
        let mut buf = [0 as std::ffi::c_char; 128];
        // SAFETY: buf is 128 writable bytes.
        let n = unsafe { crate::error::hsm_last_error_message(buf.as_mut_ptr(), buf.len()) };
        let msg: Vec<u8> = buf[..n.min(127)].iter().map(|&c| c as u8).collect();
        assert!(String::from_utf8_lossy(&msg).contains("boom"));
    }
}
