//! TC1104: a log file committed to the repository.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a log file committed to the repository.
    pub CommittedLogFile {
        code: "TC1104", name: "committed-log-file",
        factor: Logs, severity: Note, preview: false, since: "0.2.0",
    }
}

impl Rule for CommittedLogFile {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
