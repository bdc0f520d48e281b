//! Fuzz target: the JPEG-LS (T.87) decoder on bare streams.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hsm_thermal::formats::fuzzing::jpegls(data);
});
