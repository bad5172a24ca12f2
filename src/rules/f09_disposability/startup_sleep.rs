//! TC0903: a fixed sleep before the app starts.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// TODO: a fixed sleep before the app starts.
    pub StartupSleep {
        code: "TC0903", name: "startup-sleep",
        factor: Disposability, severity: Note, preview: true, since: "0.2.0",
    }
}

impl Rule for StartupSleep {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
