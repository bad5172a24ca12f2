//! TC0103: several independent apps deployed from one codebase.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: several independent apps deployed from one codebase.
    pub MultipleAppsInCodebase {
        code: "TC0103", name: "multiple-apps-in-codebase",
        factor: Codebase, severity: Note, preview: true, since: "0.2.0",
    }
}

impl Rule for MultipleAppsInCodebase {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
