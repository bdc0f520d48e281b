//! Fuzz target: the flir_jpeg parser, through `ThermalFile::from_bytes` (inputs
//! without its magic are skipped so the fuzzer stays on this parser).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.starts_with(&[0xFF, 0xD8]) {
        hsm_thermal::formats::fuzzing::open_and_read(data, 4);
    }
});
