//! Fuzz target: the shell-command splitter and `RunCommand::from_shell`.

#![no_main]

#[path = "harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::shell(data));
