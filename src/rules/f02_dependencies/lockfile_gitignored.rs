//! TC0202: the lockfile of a deployable app is git-ignored.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: the lockfile of a deployable app is git-ignored.
    pub LockfileGitignored {
        code: "TC0202", name: "lockfile-gitignored",
        factor: Dependencies, severity: Error, preview: false, since: "0.2.0",
    }
}

impl Rule for LockfileGitignored {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
