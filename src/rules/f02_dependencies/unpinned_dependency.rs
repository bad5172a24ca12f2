//! TC0203: a dependency that is not pinned.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a dependency that is not pinned.
    pub UnpinnedDependency {
        code: "TC0203", name: "unpinned-dependency",
        factor: Dependencies, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for UnpinnedDependency {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
