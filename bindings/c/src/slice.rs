//! Checked conversions from C pointers to Rust references and slices.
//!
//! Each helper turns a NULL into [`FfiError::null`] naming the argument; the
//! caller of the export guarantees, per the header's documentation, that a
//! non-NULL pointer is valid for the stated length.

use std::ffi::c_char;

use crate::error::FfiError;

/// `&T` from a pointer the caller promised is valid when non-NULL.
///
/// # Safety
/// `ptr` is NULL or points to a valid, aligned `T` that outlives `'a`.
pub(crate) unsafe fn as_ref<'a, T>(ptr: *const T, arg: &'static str) -> Result<&'a T, FfiError> {
    // SAFETY: forwarded to the caller.
    unsafe { ptr.as_ref() }.ok_or_else(|| FfiError::null(arg))
}

/// `&mut T` from a pointer the caller promised is valid when non-NULL.
///
/// # Safety
/// `ptr` is NULL or points to a valid, aligned, writable `T` that outlives `'a`.
pub(crate) unsafe fn as_mut<'a, T>(ptr: *mut T, arg: &'static str) -> Result<&'a mut T, FfiError> {
    // SAFETY: forwarded to the caller.
    unsafe { ptr.as_mut() }.ok_or_else(|| FfiError::null(arg))
}

/// `&[T]` of `len` elements.
///
/// # Safety
/// `ptr` is NULL or points to `len` valid, initialised, aligned `T`s.
pub(crate) unsafe fn as_slice<'a, T>(
    ptr: *const T,
    len: usize,
    arg: &'static str,
) -> Result<&'a [T], FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null(arg));
    }
    // SAFETY: non-NULL, and the caller guarantees `len` valid elements.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `&mut [T]` of `len` elements.
///
/// # Safety
/// `ptr` is NULL or points to `len` valid, aligned, writable `T`s not
/// aliased by any other argument.
pub(crate) unsafe fn as_mut_slice<'a, T>(
    ptr: *mut T,
    len: usize,
    arg: &'static str,
) -> Result<&'a mut [T], FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null(arg));
    }
    // SAFETY: non-NULL, and the caller guarantees `len` writable, unaliased elements.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// Copies `s` into `buf` (capacity `len`) NUL-terminated, truncating on a
/// UTF-8 character boundary; returns `s.len()` (snprintf semantics).
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes.
pub(crate) unsafe fn write_c_string(s: &str, buf: *mut c_char, len: usize) -> usize {
    if buf.is_null() || len == 0 {
        return s.len();
    }
    let mut n = s.len().min(len - 1);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    // SAFETY: `buf` holds `len > n` writable bytes.
    let out = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
    out[..n].copy_from_slice(&s.as_bytes()[..n]);
    out[n] = 0;
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_strings_truncate_on_char_boundaries() {
        let mut buf = [0x7f as c_char; 5];
        // "°" is two bytes: 4 usable bytes hold "abc" and half of "°", which must not be split.
        // SAFETY: buf is 5 writable bytes.
        let n = unsafe { write_c_string("abc°d", buf.as_mut_ptr(), buf.len()) };
        assert_eq!(n, 6);
        let bytes: Vec<u8> = buf.iter().map(|&c| c as u8).collect();
        assert_eq!(&bytes[..4], b"abc\0");
        // SAFETY: NULL with len 0 only queries the length.
        assert_eq!(unsafe { write_c_string("xyz", std::ptr::null_mut(), 0) }, 3);
    }
}
