//! TC0003: a suppression comment naming no rule (reported by the engine).

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a selector inside `twelve-check: ignore[...]` or `ignore-file[...]` that is not a
    /// rule code (`TC0701`, any case), a rule name (`hardcoded-listen-port`), a code prefix of an
    /// existing rule (`TC07`), a factor name (`port-binding`) or `all`. Selectors are separated by
    /// commas or spaces.
    ///
    /// A malformed directive names no rule either and is reported the same way: an empty list
    /// (`ignore[]`), no brackets (`ignore TC0701`) or an unknown word (`ignore-line[TC0701]`).
    ///
    /// ## Why is this bad?
    /// A misspelt selector suppresses nothing, so the finding it was meant to silence still
    /// fails the build, or, worse, the author believes a problem is acknowledged when it is not.
    ///
    /// ## Example
    /// ```rust
    /// // twelve-check: ignore[TC701] typo in the code
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// // twelve-check: ignore[TC0701] admin port, never deployed
    /// ```
    pub UnknownRuleSelector {
        code: "TC0003", name: "unknown-rule-selector",
        factor: Meta, severity: Warning, preview: false, since: "0.1.0",
    }
}

impl Rule for UnknownRuleSelector {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
