//! Fuzz target: 16-bit TIFF stacks, through `ThermalFile::from_bytes`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"II") || data.starts_with(b"MM") {
        hsm_thermal::formats::fuzzing::open_and_read(data, 4);
    }
});
