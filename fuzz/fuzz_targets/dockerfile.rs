//! Fuzz target: the Dockerfile model: parse, variables, stages, RUN scripts, start commands,
//! copies, and the run commands and entry scripts taken from it.

#![no_main]

#[path = "harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::dockerfile(data));
