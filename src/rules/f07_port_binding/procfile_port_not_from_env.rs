//! TC0703: a Procfile web process with a literal port.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a Procfile web process with a literal port.
    pub ProcfilePortNotFromEnv {
        code: "TC0703", name: "procfile-port-not-from-env",
        factor: PortBinding, severity: Error, preview: false, since: "0.2.0",
    }
}

impl Rule for ProcfilePortNotFromEnv {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
