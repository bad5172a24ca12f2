//! TC0501: building or installing when the process starts.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: building or installing when the process starts.
    pub BuildInRunStage {
        code: "TC0501", name: "build-in-run-stage",
        factor: BuildReleaseRun, severity: Error, preview: false, since: "0.2.0",
    }
}

impl Rule for BuildInRunStage {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
