//! # hsm-ffi — the C ABI of libhsm
//!
//! Builds `libhsm.so` and `libhsm.a`; the header `include/hsm.h` is generated
//! from this crate by cbindgen (pinned version, see `cbindgen.toml`) and
//! committed; `cargo test -p hsm-ffi --test header` fails when the committed
//! header differs from what the code generates (`HSM_BLESS=1` rewrites it).
//!
//! ## Conventions (model: rustls-ffi)
//! - Every export returns an [`hsm_status`] (or a value that cannot fail) and
//!   runs its body inside [`panic::ffi_boundary`]: a Rust panic becomes
//!   `HSM_STATUS_PANIC`, never an abort of the gate's process.
//! - Pointer arguments are checked for NULL; out-parameters are written only
//!   on success.
//! - Opaque handles come in `_new` / `_free` pairs; `_free(NULL)` is a no-op.
//! - Frames cross as pointer + length + width + height + row stride (in
//!   elements), validated once by `hsm_core::FrameView`.
//! - The detailed message of the last error on the calling thread is
//!   available from `hsm_last_error_message`; the static description of any
//!   code from `hsm_status_message`.
//!
//! Bindings translate: every function here checks arguments, calls the
//! domain crates, and maps the result. No domain logic lives here.
#![allow(
    unsafe_code,
    reason = "a C ABI dereferences raw pointers; each unsafe block states its invariant"
)]
#![allow(
    non_camel_case_types,
    reason = "C type names follow the header's snake_case convention"
)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod count;
pub mod error;
pub mod formats;
pub mod gate;
pub mod metal;
pub mod panic;
pub mod policy;
pub mod policy_rules;
pub mod screen;
pub mod slice;
pub mod thermal;
pub mod version;

pub use error::hsm_status;
