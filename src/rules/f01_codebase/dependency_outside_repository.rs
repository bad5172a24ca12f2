//! TC0102: a dependency resolved by a path outside the repository.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a dependency resolved by a path outside the repository.
    pub DependencyOutsideRepository {
        code: "TC0102", name: "dependency-outside-repository",
        factor: Codebase, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for DependencyOutsideRepository {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
