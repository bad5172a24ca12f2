//! TC0802: several processes run in one container.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: several processes run in one container.
    pub MultipleProcessesPerContainer {
        code: "TC0802", name: "multiple-processes-per-container",
        factor: Concurrency, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for MultipleProcessesPerContainer {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
