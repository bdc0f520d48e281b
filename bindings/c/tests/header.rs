//! The committed `include/hsm.h` must equal what cbindgen generates now.
//!
//! Run with `HSM_BLESS=1` to rewrite the header after changing the ABI.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use std::path::PathBuf;

fn generate() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let (major, minor, patch) = (
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    );
    config.after_includes = Some(format!(
        "\n/* Version of this header; hsm_version() and hsm_version_number() give the library's. */\n\
         #define HSM_VERSION_MAJOR {major}\n\
         #define HSM_VERSION_MINOR {minor}\n\
         #define HSM_VERSION_PATCH {patch}\n\
         #define HSM_VERSION_STRING \"{major}.{minor}.{patch}\"\n\
         #define HSM_VERSION_NUMBER ((HSM_VERSION_MAJOR << 16) | (HSM_VERSION_MINOR << 8) | HSM_VERSION_PATCH)\n"
    ));
    let bindings = cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed to generate the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn committed_header_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/hsm.h");
    let fresh = generate();
    if std::env::var_os("HSM_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/hsm.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/hsm.h is out of date (first difference at line {}).\n\
             Regenerate it with: HSM_BLESS=1 cargo test -p hsm-ffi --test header\n\
             committed: {:?}\n\
             generated: {:?}",
            first + 1,
            committed.lines().nth(first),
            fresh.lines().nth(first)
        );
    }
}
