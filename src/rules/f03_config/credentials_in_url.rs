//! TC0302: a URL with a password in its userinfo.

use crate::rule::prelude::*;
use crate::rules::common::{find_urls, is_doc_path, is_password_placeholder};

declare_rule! {
    /// ## What it does
    /// Flags a URL whose userinfo carries a password, such as
    /// `postgres://user:hunter2@db.internal/app`, in Rust string literals and in configuration,
    /// Dockerfiles, compose files and `.env` files.
    ///
    /// Not flagged: `user@host` with no password, interpolations (`${DB_PASSWORD}`, `$PASS`,
    /// `{}`, `{password}`), placeholder passwords (`password`, `xxx`, `changeme`), test and example
    /// code, and documentation files (`.md`, `.rst`, `.txt`).
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
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &["://"]
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        for lit in &file.lits {
            if let Some(url) = find_urls(&lit.value)
                .into_iter()
                .find(|u| u.password.is_some_and(|p| !is_password_placeholder(p)))
            {
                report(&url.scheme, lit.span.clone(), cx);
            }
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if is_doc_path(&file.path) || !file.text.contains("://") {
            return;
        }
        for url in find_urls(&file.text) {
            if let (Some(p), Some(range)) = (url.password, url.password_range.clone()) {
                if !is_password_placeholder(p) {
                    report(&url.scheme, url.range.start..range.end, cx);
                }
            }
        }
    }
}
