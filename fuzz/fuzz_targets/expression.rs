#![no_main]
//! STUB: fuzz target expression (to be written).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = data;
});
