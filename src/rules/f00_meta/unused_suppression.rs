//! TC0001: an inline suppression that suppressed nothing (reported by the engine).

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a selector of a `twelve-check: ignore[...]` comment that matched no finding where
    /// the comment applies: for a comment after code, its own line; for a comment alone on its
    /// line, the next line that is not only a comment (so several comments stacked above a line
    /// all apply to it); for `ignore-file[...]`, anywhere in the file. Each unused selector of a
    /// list is reported.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real violation that lands on that line, and it tells
    /// readers that a problem exists where there is none. Keeping suppressions exact keeps them
    /// trustworthy.
    ///
    /// Only selectors naming an enabled rule are checked: a suppression for a rule switched off by
    /// `--select` or `ignore` is not reported. Only real comments count: a directive inside a
    /// string literal, a quoted value or a Rust doc comment is not a suppression. Files out of
    /// scope (under `tests/`, `examples/`, ... without `--include-tests`) are not looked at.
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
