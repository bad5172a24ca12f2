//! TC0204: a Dockerfile base image without a fixed tag.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a Dockerfile base image without a fixed tag.
    pub UnpinnedBaseImage {
        code: "TC0204", name: "unpinned-base-image",
        factor: Dependencies, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for UnpinnedBaseImage {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
