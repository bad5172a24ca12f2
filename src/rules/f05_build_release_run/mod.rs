//! Factor V, Build, release, run: strictly separate build and run stages.

pub mod build_in_run_stage;
pub mod fetch_code_at_run;
pub mod mutable_release_image;
pub mod toolchain_in_runtime_image;
