//! TC0301: secrets written into source, configuration or image files.

use crate::rule::prelude::*;
use crate::rules::common::{self, find_tokens, looks_secret, secret_name, SecretName};
use crate::source::structured::Node;

declare_rule! {
    /// ## What it does
    /// Flags secrets written into the repository: provider tokens with a recognisable format
    /// anywhere in text (AWS access key IDs, GitHub `ghp_`/`gho_`/`ghs_`/`github_pat_`, GitLab
    /// `glpat-`, Slack `xox?-`, Stripe `sk_live_`, Google `AIza`, SendGrid, npm and PyPI tokens,
    /// PEM private keys), and a secret-named key or identifier (`password`, `secret`, `token`,
    /// `api_key`, `private_key`, `client_secret`, signing keys...) bound to a non-empty literal in
    /// Rust code, TOML/YAML/JSON configuration, Dockerfile `ENV`/`ARG` and `.env` files.
    ///
    /// Not flagged: empty values and documented placeholders (`changeme`, `<your-token>`, `xxx`,
    /// `example`), references such as `${DB_PASSWORD}` or an environment variable's name,
    /// Kubernetes `secretKeyRef`, test and example code, `.env.example`-style templates, and a
    /// literal used as the fallback of an environment lookup.
    ///
    /// ## Why is this bad?
    /// Factor III: config that varies between deploys, credentials above all, is kept in the
    /// environment. A secret in the repository is shared with everyone who can read it, cannot be
    /// rotated without a release, and is the same in every environment.
    ///
    /// ## Example
    /// ```rust
    /// const JWT_SECRET: &str = "s3cr3t-signing-key-2024";
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let jwt_secret = std::env::var("JWT_SECRET")?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/config>
    /// - [GitHub secret scanning patterns](https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns)
    pub HardcodedSecret {
        code: "TC0301", name: "hardcoded-secret",
        factor: Config, severity: Error, preview: false, since: "0.1.0",
    }
}

const NAME_TRIGGERS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "privatekey",
    "signing_key",
    "signingkey",
    "access_key",
    "accesskey",
    "encryption_key",
    "auth_key",
    "master_key",
    "secret_key",
];

const TRIGGERS: &[&str] = &[
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "rk_live_",
    "AIza",
    "PRIVATE KEY",
    "SG.",
    "npm_",
    "pypi-",
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "privatekey",
    "signing_key",
    "signingkey",
    "access_key",
    "accesskey",
    "encryption_key",
    "auth_key",
    "master_key",
    "secret_key",
];

fn named(name: &str, kind: SecretName, span: std::ops::Range<usize>, cx: &mut RuleCtx<'_>) {
    let what = match kind {
        SecretName::Password => "password",
        SecretName::Key => "secret",
    };
    cx.report(
        Violation::new(span, format!("hard-coded {what} in `{name}`"))
            .label("secret value written into the repository")
            .help(format!(
                "read `{name}` from an environment variable or a secret store, and rotate the exposed value"
            ))
            .secret(),
    );
}

fn token(kind: &str, span: std::ops::Range<usize>, cx: &mut RuleCtx<'_>) {
    cx.report(
        Violation::new(span, format!("{kind} written into the repository"))
            .label("secret token")
            .help("revoke this token, then read it from the environment or a secret store")
            .secret(),
    );
}

/// Whether a `.env`-style file is a template meant to be committed.
fn is_template(path: &str) -> bool {
    let lower = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    ["example", "sample", "template", "dist", "defaults", "tpl"]
        .iter()
        .any(|t| lower.contains(t))
}

impl Rule for HardcodedSecret {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            text: true,
            structured: true,
            dockerfile: true,
            dotenv: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        debug_assert!(common::TOKEN_TRIGGERS.iter().all(|t| TRIGGERS.contains(t)));
        debug_assert!(NAME_TRIGGERS.iter().all(|t| TRIGGERS.contains(t)));
        TRIGGERS
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        for lit in &file.lits {
            let tokens = find_tokens(&lit.value);
            if let Some(t) = tokens.first() {
                token(t.kind, lit.span.clone(), cx);
                continue;
            }
            if lit.env_fallback {
                continue;
            }
            let Some(name) = &lit.binding else { continue };
            if let Some(kind) = secret_name(name) {
                if looks_secret(kind, &lit.value) {
                    named(name, kind, lit.span.clone(), cx);
                }
            }
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if file.kind == crate::source::FileKind::Dotenv && is_template(&file.path) {
            return;
        }
        for t in find_tokens(&file.text) {
            token(t.kind, t.range, cx);
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        for doc in &file.docs {
            walk(doc, None, cx);
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        for v in file.vars() {
            let (Some(value), Some(kind)) = (&v.value, secret_name(&v.key)) else {
                continue;
            };
            if looks_secret(kind, value) && find_tokens(value).is_empty() {
                named(&v.key, kind, v.span, cx);
            }
        }
    }

    fn check_dotenv(&self, file: &DotenvFile, cx: &mut RuleCtx<'_>) {
        if is_template(&file.source.path) {
            return;
        }
        for e in &file.entries {
            if let Some(kind) = secret_name(&e.key) {
                if looks_secret(kind, &e.value) && find_tokens(&e.value).is_empty() {
                    named(&e.key, kind, e.value_span.clone(), cx);
                }
            }
        }
    }
}

/// Walks a document; `name`/`value` pairs (compose and k8s `env:` lists) count as bindings.
fn walk(node: &Node, key: Option<&str>, cx: &mut RuleCtx<'_>) {
    match node {
        Node::Map(kv) => {
            // Kubernetes `env: [{name: X, value: y}]`.
            if let (Some(Node::Scalar(name, _)), Some(value @ Node::Scalar(..))) =
                (node.get("name"), node.get("value"))
            {
                check_pair(name, value, cx);
            }
            for (k, v) in kv {
                if k.name == "valueFrom" || k.name == "secretKeyRef" {
                    continue;
                }
                walk(v, Some(&k.name), cx);
            }
        }
        Node::Seq(items) => {
            for item in items {
                // Compose `environment: ["KEY=value"]`.
                if let Node::Scalar(s, span) = item {
                    if let Some((k, v)) = s.split_once('=') {
                        if let Some(kind) = secret_name(k) {
                            if looks_secret(kind, v) && find_tokens(v).is_empty() {
                                named(k, kind, span.clone(), cx);
                            }
                            continue;
                        }
                    }
                }
                walk(item, key, cx);
            }
        }
        Node::Scalar(..) => {
            if let Some(k) = key {
                if k != "value" {
                    check_pair(k, node, cx);
                }
            }
        }
        Node::Null(_) => {}
    }
}

fn check_pair(name: &str, value: &Node, cx: &mut RuleCtx<'_>) {
    let (Node::Scalar(v, span), Some(kind)) = (value, secret_name(name)) else {
        return;
    };
    // Provider tokens are reported by the text scan; report each value once.
    if !find_tokens(v).is_empty() || span.is_empty() {
        return;
    }
    if looks_secret(kind, v) {
        named(name, kind, span.clone(), cx);
    }
}
