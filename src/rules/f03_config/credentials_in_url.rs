//! TC0302: a URL with a password in its userinfo.

use crate::rule::prelude::*;
use crate::rules::common::{
    find_urls, is_doc_comment, is_doc_path, is_generated, is_template, is_test_file,
};
use crate::rules::f03_config::hardcoded_secret::{decoded_values, secret_data};
use crate::settings;

declare_rule! {
    /// ## What it does
    /// Flags a URL whose userinfo carries a password, such as
    /// `postgres://user:hunter2@db.internal/app`, in Rust string literals and in any other text
    /// file: configuration, Dockerfile `ENV`/`ARG`, Kubernetes `env:` values and `Secret`
    /// `stringData:`, `.env` files, scripts; in the `data:` values of a Kubernetes `Secret`,
    /// after base64 decoding; and in the settings of the settings model (`src/settings/`):
    /// compose `environment:` values of stacks that are not for development, and the defaults
    /// Rust code gives a setting (`env::var("DATABASE_URL")` fallbacks, clap `default_value`,
    /// `impl Default`) in a crate a service runs.
    ///
    /// A weak password (equal to the user name, `postgres:postgres`, `root:pass`, or a
    /// placeholder word) is reported where the settings model shows the value reaches a running
    /// app: a configuration file a service loads or an image copies in, a deploy manifest, the
    /// env file a deploy stack reads, a default compiled into a service. The message says it is
    /// a default every deployment that does not override it connects with.
    ///
    /// Not flagged: `user@host` with no password, interpolations and templates (`${DB_PASSWORD}`,
    /// `$PASS`, `%s`, `{}`, `{password}`, `<password>`, `[password]`), weak passwords where
    /// nothing shows they ship, doc comments, test and example code (`#[cfg(test)]`,
    /// `tests.rs`, `foo_test.go`), templates committed with example values (`.env.example`,
    /// `config.sample.toml`), documentation files (`.md`, `.rst`, `.txt`), generated files
    /// (`.cargo-checksum.json`, `*.min.js`), and settings no deployed app reads: cargo's
    /// `.cargo/config.toml`, CI workflows, files named for development, and compose files that
    /// are development or test stacks (by name, header comment, build target, source mount,
    /// file watcher, a test overlay laid over them, only backing services beside the app, ports
    /// on loopback only, or building the app from the working tree next to databases of their
    /// own).
    ///
    /// Other files consulted: the settings model decides where a value ships from the whole
    /// repository (see `src/settings/ships.rs`).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 4 findings, 4
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor III: a connection string is config, and its password is a credential. Written into
    /// the repository it is visible to every reader, identical in every deploy and impossible to
    /// rotate without a release.
    ///
    /// ## Example
    /// ```rust
    /// let pool = PgPool::connect("postgres://shop:hunter2@db.internal/shop").await?;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let pool = PgPool::connect(&std::env::var("DATABASE_URL")?).await?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/config>
    pub CredentialsInUrl {
        code: "TC0302", name: "credentials-in-url",
        factor: Config, severity: Error, preview: false, since: "0.1.0",
    }
}

fn report(scheme: &str, span: std::ops::Range<usize>, cx: &mut RuleCtx<'_>) {
    cx.report(
        Violation::new(span, format!("{scheme} URL with an embedded password"))
            .label("password in the URL")
            .help("read the whole URL, or at least its password, from an environment variable")
            .secret(),
    );
}

impl Rule for CredentialsInUrl {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            text: true,
            structured: true,
            repo: true,
            settings: true,
            ..Inputs::default()
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        for s in repo.settings.with_role(settings::CREDENTIAL_URL) {
            if let Some(v) = setting_violation(s) {
                cx.report(&s.file, v);
            }
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        let path = &file.source.path;
        if is_doc_path(path) || is_test_file(path) || is_generated(path) || is_template(path) {
            return;
        }
        // Secret `data:` values are base64: decode them to see the URL the text scan cannot.
        for doc in file.docs() {
            let Some(data) = secret_data(&doc) else {
                continue;
            };
            for (_, value, span) in decoded_values(&data) {
                if let Some(url) = find_urls(&value).into_iter().find(|u| u.has_credential()) {
                    report(&url.scheme, span, cx);
                }
            }
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &["://"]
    }

    fn rust_wants(&self, src: &RustText<'_>) -> bool {
        // Most `://` in Rust files are documentation links: parse only when a string literal
        // holds a URL with a `user:password@` part, the check below. The text is looked at
        // first (cheaper than finding the literals): such a URL is written out unless escapes
        // spell its `:` or `@` or a line continuation splits it.
        static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
        let written = RE
            .get_or_init(|| regex::Regex::new(r#"://[^\s/:@'"`]*:[^\s/@'"`]*@"#).ok())
            .as_ref()
            .is_none_or(|re| re.is_match(src.text));
        let escaped = ["\\x", "\\u{", "\\\n", "\\\r\n"]
            .iter()
            .any(|e| src.text.contains(e));
        (written || escaped)
            && src
                .literals()
                .iter()
                .any(|l| find_urls(&l.value).iter().any(|u| u.has_credential()))
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        let tests = &file.tests;
        for lit in &file.lits {
            if lit.env_fallback
                || tests.contains(lit.span.start)
                || is_doc_comment(&file.source.text, &lit.span)
            {
                continue;
            }
            if let Some(url) = find_urls(&lit.value)
                .into_iter()
                .find(|u| u.has_credential())
            {
                report(&url.scheme, lit.span.clone(), cx);
            }
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if is_doc_path(&file.path)
            || is_test_file(&file.path)
            || is_generated(&file.path)
            || is_template(&file.path)
            || crate::rules::common::development_tool_config(&file.path)
            || !file.text.contains("://")
        {
            return;
        }
        // Compose files are read as settings (`check_repo`), where it is known whether the stack
        // is for development.
        if crate::source::compose::is_compose_path(&file.path) {
            return;
        }
        for url in find_urls(&file.text) {
            if let (true, Some(range)) = (url.has_credential(), url.password_range.clone()) {
                report(&url.scheme, url.range.start..range.end, cx);
            }
        }
    }
}

/// The finding for a URL setting from the settings model that the per-file checks do not
/// report: a weak password (`postgres:postgres`, `root:pass`) in a value that reaches a running
/// app, and any password in a Rust default that a service runs.
fn setting_violation(s: &settings::Setting) -> Option<Violation> {
    if s.ships.kept_out() || (s.origin.is_rust() && !s.ships.reaches_app()) {
        return None;
    }
    let url = find_urls(&s.value).into_iter().find(|u| {
        u.password.is_some_and(|p| {
            !p.is_empty()
                && !p.starts_with('$')
                && !p.starts_with('%')
                && !p.contains(['{', '<', '['])
        })
    })?;
    let strong = url.has_credential();
    // The text scan reports strong passwords in every file but compose files.
    if strong && !(s.origin.is_rust() || s.origin == settings::Origin::Compose) {
        return None;
    }
    if !strong && !s.ships.reaches_app() {
        return None;
    }
    let message = if strong {
        format!(
            "{} URL with an embedded password in `{}`, {} ({})",
            url.scheme,
            s.key,
            s.origin.describe(),
            s.why
        )
    } else {
        format!(
            "{} URL with a default password in `{}`, {} ({}): every deployment that does not override it connects with these credentials",
            url.scheme,
            s.key,
            s.origin.describe(),
            s.why
        )
    };
    Some(
        Violation::new(s.span.clone(), message)
            .label("password in the URL")
            .help(format!(
                "remove the default and read `{}` (or at least its password) from the environment at start-up",
                s.key
            ))
            .secret(),
    )
}
