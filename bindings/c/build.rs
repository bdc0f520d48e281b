//! Gives the shared library a versioned SONAME (`libhsm.so.<major>`), so a
//! program linked against one major version never loads another.
fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".to_owned());
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libhsm.so.{major}");
    }
}
