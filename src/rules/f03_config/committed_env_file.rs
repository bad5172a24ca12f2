//! TC0303: a committed .env file holding real configuration.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a committed .env file holding real configuration.
    pub CommittedEnvFile {
        code: "TC0303", name: "committed-env-file",
        factor: Config, severity: Error, preview: false, since: "0.2.0",
    }
}

impl Rule for CommittedEnvFile {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
