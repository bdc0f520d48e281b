//! Library version, matching the header's `HSM_VERSION_*` macros.

use std::ffi::c_char;

/// The library version as a NUL-terminated string, e.g. `"0.1.0"`; equal to
/// the header's `HSM_VERSION_STRING` when header and library match. The
/// pointer is static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn hsm_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The library version packed as `(major << 16) | (minor << 8) | patch`;
/// equal to the header's `HSM_VERSION_NUMBER` when header and library match.
#[unsafe(no_mangle)]
pub extern "C" fn hsm_version_number() -> u32 {
    let part = |s: &str| s.parse::<u32>().unwrap_or(0);
    (part(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
        | (part(env!("CARGO_PKG_VERSION_MINOR")) << 8)
        | part(env!("CARGO_PKG_VERSION_PATCH"))
}
