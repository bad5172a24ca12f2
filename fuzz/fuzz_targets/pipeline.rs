//! Fuzz target: the whole per-file pipeline (`engine::check_bytes`: decode, parse once, every
//! rule, suppressions), with the file name picked by the first input byte.

#![no_main]

#[path = "harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::pipeline(data));
