//! TC1202: an SSH server in a container image.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: an SSH server in a container image.
    pub SshInContainer {
        code: "TC1202", name: "ssh-in-container",
        factor: AdminProcesses, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for SshInContainer {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
