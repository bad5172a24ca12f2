//! Fuzz target: YAML text → `StructuredFile` → compose and Kubernetes models → run commands.

#![no_main]

#[path = "harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::compose_k8s(data));
