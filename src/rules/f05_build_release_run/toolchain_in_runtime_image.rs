//! TC0504: compiling and running in the same single-stage image.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: compiling and running in the same single-stage image.
    pub ToolchainInRuntimeImage {
        code: "TC0504", name: "toolchain-in-runtime-image",
        factor: BuildReleaseRun, severity: Note, preview: true, since: "0.2.0",
    }
}

impl Rule for ToolchainInRuntimeImage {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
