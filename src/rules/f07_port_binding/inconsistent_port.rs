//! TC0704: code, Dockerfile, compose and Kubernetes disagreeing on the port.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: code, Dockerfile, compose and Kubernetes disagreeing on the port.
    pub InconsistentPort {
        code: "TC0704", name: "inconsistent-port",
        factor: PortBinding, severity: Warning, preview: true, since: "0.2.0",
    }
}

impl Rule for InconsistentPort {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
