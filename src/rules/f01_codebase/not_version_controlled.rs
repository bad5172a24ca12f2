//! TC0101: the checked root is not inside a git work tree.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: the checked root is not inside a git work tree.
    pub NotVersionControlled {
        code: "TC0101", name: "not-version-controlled",
        factor: Codebase, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for NotVersionControlled {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
