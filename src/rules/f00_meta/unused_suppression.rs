//! TC0001: an inline suppression that suppressed nothing (reported by the engine).

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a `twelve-check: ignore[...]` comment whose selector matched no finding on its line,
    /// the line below it or, for `ignore-file`, anywhere in the file.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real violation that lands on that line, and it tells
    /// readers that a problem exists where there is none. Keeping suppressions exact keeps them
    /// trustworthy.
    ///
    /// Only selectors naming an enabled rule are checked: a suppression for a rule switched off by
    /// `--select` or `ignore` is not reported.
    ///
    /// ## Example
    /// ```rust
    /// // twelve-check: ignore[TC0701] admin port, never deployed
    /// let port = std::env::var("ADMIN_PORT")?;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let port = std::env::var("ADMIN_PORT")?;
    /// ```
    ///
    /// ## References
    /// - ruff's `RUF100` (unused `noqa`)
    pub UnusedSuppression {
        code: "TC0001", name: "unused-suppression",
        factor: Meta, severity: Warning, preview: false, since: "0.1.0",
    }
}

impl Rule for UnusedSuppression {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
