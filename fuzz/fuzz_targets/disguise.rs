//! Structured fuzzing: records the shipped DPRK pack blocks, disguised by
//! the fuzzer's bytes, must never be passed (`cordon::unstable::fuzzing::disguise`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cordon::unstable::fuzzing::disguise(data));
