//! Fuzz target: `cordon::unstable::fuzzing::jsonl` on arbitrary bytes (see that module).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cordon::unstable::fuzzing::jsonl(data));
