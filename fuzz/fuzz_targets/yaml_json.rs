//! Fuzz target: YAML, JSON and TOML text → the depth bound and `StructuredFile` (event reader, flow fallback).

#![no_main]

#[path = "harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::yaml_json(data));
