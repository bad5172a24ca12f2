//! TC0502: a deployment referring to an image by a mutable tag.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a deployment referring to an image by a mutable tag.
    pub MutableReleaseImage {
        code: "TC0502", name: "mutable-release-image",
        factor: BuildReleaseRun, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for MutableReleaseImage {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
