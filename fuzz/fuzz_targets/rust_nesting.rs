//! Fuzz target: Rust text (repeated into deep shapes) → the nesting guard → syn, visitors, drop.

#![no_main]

#[path = "harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::rust_nesting(data));
