//! TC0503: fetching code when the process starts.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: fetching code when the process starts.
    pub FetchCodeAtRun {
        code: "TC0503", name: "fetch-code-at-run",
        factor: BuildReleaseRun, severity: Error, preview: false, since: "0.2.0",
    }
}

impl Rule for FetchCodeAtRun {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
