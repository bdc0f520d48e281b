//! Fuzz target: the npy parser, through `ThermalFile::from_bytes` (inputs
//! without its magic are skipped so the fuzzer stays on this parser).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"\x93NUMPY") {
        hsm_thermal::formats::fuzzing::open_and_read(data, 4);
    }
});
