//! TC0206: a downloaded script piped into a shell.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a downloaded script piped into a shell.
    pub RemoteScriptExecution {
        code: "TC0206", name: "remote-script-execution",
        factor: Dependencies, severity: Warning, preview: false, since: "0.2.0",
    }
}

impl Rule for RemoteScriptExecution {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
