//! TC0604: load balancer session affinity.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: load balancer session affinity.
    pub StickySessions {
        code: "TC0604", name: "sticky-sessions",
        factor: Processes, severity: Error, preview: false, since: "0.2.0",
    }
}

impl Rule for StickySessions {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
