//! TC0902: a container start command that does not receive SIGTERM.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a container start command that does not receive SIGTERM.
    pub ShellFormEntrypoint {
        code: "TC0902", name: "shell-form-entrypoint",
        factor: Disposability, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for ShellFormEntrypoint {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
