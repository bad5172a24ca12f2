//! TC0402: a backing-service locator used as the fallback of an environment lookup.

use crate::rule::prelude::*;
use crate::rules::f04_backing_services::hardcoded_backing_service::{locators, OPTIONS, TRIGGERS};

declare_rule! {
    /// ## What it does
    /// Flags a backing-service locator (the same literals `TC0401` recognises) used as the
    /// fallback of an environment or configuration lookup in a service crate:
    /// - `env::var("DATABASE_URL").unwrap_or("postgres://localhost/dev".into())`, with
    ///   `unwrap_or_else(|_| ..)`, `.ok().unwrap_or(..)`, `map_or`, ..., also through
    ///   `dotenvy::var`, `env::args()` and `option_env!`;
    /// - `match env::var("X") { Ok(v) => v, Err(_) => "redis://..".into() }`,
    ///   `if let Ok(v) = env::var("X") { v } else { .. }`, `let Ok(v) = .. else { .. }` and
    ///   `if env::var("X").is_err() { env::set_var("X", "..") }`;
    /// - a `const` or variable used only as such a fallback;
    /// - command-line defaults (`#[arg(env = "DATABASE_URL", default_value = "..")]`,
    ///   `Arg::default_value`), `config`'s `set_default`, `#[serde(default = "..")]` functions
    ///   and `impl Default` of a settings type.
    ///
    /// Not flagged: fallbacks that are not locators (`"8080"`, `"info"`, format templates), a
    /// `const` also used directly (that is `TC0401`), lookups of other kinds
    /// (`match load() { Err(_) => .. }`), test code, and library crates.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// The lookup is right, but the fallback means a deploy that forgot to set the variable
    /// silently talks to whatever the literal names, usually a developer's local database,
    /// instead of failing at start-up. It is a note: a local default can be a deliberate choice.
    ///
    /// ## Example
    /// ```rust
    /// let url = std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://localhost:5672/%2f".into());
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let url = std::env::var("AMQP_URL").context("AMQP_URL must be set")?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/backing-services>
    pub BackingServiceFallback {
        code: "TC0402", name: "backing-service-fallback",
        factor: BackingServices, severity: Note, preview: false, since: "0.1.0",
    }
}

impl Rule for BackingServiceFallback {
    fn options(&self) -> &'static [RuleOption] {
        OPTIONS
    }

    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            ..Inputs::default()
        }
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let allowed = cx.option_list("allowed-hosts").to_vec();
        for found in locators(file) {
            let (i, what) = (found.index, &found.what);
            let lit = &file.lits[i];
            if !lit.env_fallback || found.allowed(&allowed) {
                continue;
            }
            let (message, label) = if lit.config_default {
                (
                    format!("{what} used as a configuration default"),
                    "used when the setting is missing",
                )
            } else {
                (
                    format!("{what} used as the fallback of an environment lookup"),
                    "used when the variable is unset",
                )
            };
            cx.report(
                Violation::new(lit.span.clone(), message)
                    .label(label)
                    .help("fail at start-up when the setting is missing instead of falling back to a fixed service"),
            );
        }
    }
}
