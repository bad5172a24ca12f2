//! Helpers shared by several rules: secret names, placeholders, URLs and backing services.

use std::sync::OnceLock;

use regex::Regex;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant regex: {e}")))
}

/// Splits an identifier or key into lower-case words: `apiKey`, `API_KEY`, `api-key` → `api key`.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Last words that name something about a secret rather than the secret itself.
const NON_VALUE: &[&str] = &[
    "url",
    "uri",
    "path",
    "file",
    "dir",
    "env",
    "var",
    "name",
    "header",
    "field",
    "type",
    "len",
    "length",
    "kind",
    "id",
    "endpoint",
    "prefix",
    "suffix",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "param",
    "params",
    "ref",
    "source",
    "location",
    "count",
    "size",
    "max",
    "min",
    "hash",
    "hashed",
    "regex",
    "pattern",
    "label",
    "placeholder",
    "hint",
    "prompt",
    "policy",
    "format",
    "lifetime",
    "timeout",
    "duration",
    "limit",
    "route",
    "mode",
    "store",
    "provider",
    "scheme",
    "column",
    "table",
    "query",
    "required",
    "enabled",
    "rules",
    "strength",
    "command",
    "cmd",
    "arn",
    "version",
    "algorithm",
    "alg",
    "encoding",
    "usage",
    "tag",
    "index",
    "position",
    "span",
    "error",
    "message",
    "msg",
    "template",
    "description",
    "title",
    "help",
    "text",
    "reset",
    "policy",
    "manager",
    "service",
    "stream",
    "tree",
    "kind",
    "parser",
    "validator",
];

/// How strongly a name suggests that its value is a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretName {
    /// `password`, `passwd`, `passphrase`, `pwd`.
    Password,
    /// `secret`, `client_secret`, `api_key`, `private_key`, `signing_key`, `token`, ...
    Key,
}

/// Classifies a variable, key or field name.
pub fn secret_name(name: &str) -> Option<SecretName> {
    let w = words(name);
    let last = w.last()?;
    if NON_VALUE.contains(&last.as_str()) {
        return None;
    }
    let has = |x: &str| w.iter().any(|y| y == x);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    if has("password") || has("passwd") || has("passphrase") || has("pwd") {
        return Some(SecretName::Password);
    }
    let keyish = has("secret")
        || has("token")
        || has("apikey")
        || pair("api", "key")
        || pair("private", "key")
        || pair("signing", "key")
        || pair("access", "key")
        || pair("encryption", "key")
        || pair("auth", "key")
        || pair("master", "key")
        || pair("secret", "key");
    keyish.then_some(SecretName::Key)
}

const PLACEHOLDER_PARTS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "example",
    "placeholder",
    "your",
    "<",
    ">",
    "${",
    "{{",
    "{}",
    "%s",
    "xxx",
    "***",
    "...",
    "todo",
    "fixme",
    "dummy",
    "fake",
    "sample",
    "redacted",
    "replace",
    "insert",
    "test",
    "mock",
    "foobar",
    "$(",
    "{",
    "}",
];

const NON_SECRET_WORDS: &[&str] = &[
    "bearer",
    "basic",
    "token",
    "secret",
    "password",
    "passwd",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "string",
    "required",
    "optional",
    "hidden",
    "empty",
    "default",
    "unset",
    "undefined",
    "off",
    "on",
    "yes",
    "no",
    "disabled",
    "enabled",
    "auto",
    "any",
    "env",
    "ignore",
    "omit",
];

/// Whether a value is a placeholder, a reference or otherwise not a real secret.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if v.chars().count() < 3 {
        return true;
    }
    if NON_SECRET_WORDS.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_PARTS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    if v.starts_with('$')
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || lower.starts_with("file:")
    {
        return true;
    }
    if v.contains(char::is_whitespace) || v.contains("://") {
        return true;
    }
    let first = v.chars().next().unwrap_or(' ');
    if v.chars().all(|c| c == first) {
        return true;
    }
    // An environment variable name (`GITHUB_TOKEN`) is a reference, not a value.
    v.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && v.contains('_')
}

/// Whether `value`, bound to a name of the given kind, looks like a real secret.
pub fn looks_secret(kind: SecretName, value: &str) -> bool {
    if is_placeholder(value) {
        return false;
    }
    let v = value.trim();
    match kind {
        SecretName::Password => !(v.len() < 6 && v.chars().all(|c| c.is_ascii_alphabetic())),
        SecretName::Key => {
            let classes = [
                v.chars().any(|c| c.is_ascii_lowercase()),
                v.chars().any(|c| c.is_ascii_uppercase()),
                v.chars().any(|c| c.is_ascii_digit()),
                v.chars().any(|c| !c.is_ascii_alphanumeric()),
            ];
            v.len() >= 8 && classes.iter().filter(|c| **c).count() >= 2
        }
    }
}

/// A high-confidence token found in text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenMatch {
    /// What kind of token (`GitHub token`).
    pub kind: &'static str,
    /// Byte range in the searched text.
    pub range: std::ops::Range<usize>,
}

const TOKEN_KINDS: &[(&str, &str)] = &[
    ("aws", "AWS access key ID"),
    ("github", "GitHub token"),
    ("gitlab", "GitLab token"),
    ("slack", "Slack token"),
    ("stripe", "Stripe live key"),
    ("google", "Google API key"),
    ("pem", "private key"),
    ("sendgrid", "SendGrid API key"),
    ("npm", "npm token"),
    ("pypi", "PyPI token"),
];

/// Literal prefixes of the high-confidence tokens (prefilter triggers).
pub const TOKEN_TRIGGERS: &[&str] = &[
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
];

/// Finds high-confidence secret tokens (provider-specific formats) in `text`.
pub fn find_tokens(text: &str) -> Vec<TokenMatch> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        r"(?x)
        (?P<aws>\b(?:AKIA|ASIA)[0-9A-Z]{16}\b)
        |(?P<github>\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b)
        |(?P<gitlab>\bglpat-[A-Za-z0-9_\-]{20,}\b)
        |(?P<slack>\bxox[abprs]-[A-Za-z0-9\-]{10,})
        |(?P<stripe>\b[sr]k_live_[A-Za-z0-9]{20,}\b)
        |(?P<google>\bAIza[0-9A-Za-z_\-]{35}\b)
        |(?P<pem>-----BEGIN[ A-Z]{0,20} PRIVATE KEY(?:\ BLOCK)?-----)
        |(?P<sendgrid>\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b)
        |(?P<npm>\bnpm_[A-Za-z0-9]{36}\b)
        |(?P<pypi>\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})",
    );
    let mut out = Vec::new();
    for caps in re.captures_iter(text) {
        for (group, kind) in TOKEN_KINDS {
            if let Some(m) = caps.name(group) {
                let s = m.as_str();
                let lower = s.to_ascii_lowercase();
                let fake = lower.contains("example")
                    || lower.contains("xxxx")
                    || lower.contains("0000000");
                if !fake {
                    out.push(TokenMatch {
                        kind,
                        range: m.range(),
                    });
                }
            }
        }
    }
    out
}

/// A URL with its parts, as far as the rules need them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url<'a> {
    /// Lower-case scheme.
    pub scheme: String,
    /// User name, when userinfo is present.
    pub user: Option<&'a str>,
    /// Password, when userinfo has one.
    pub password: Option<&'a str>,
    /// Byte range of the password within the searched text.
    pub password_range: Option<std::ops::Range<usize>>,
    /// Host (possibly empty).
    pub host: &'a str,
    /// Byte range of the whole URL within the searched text.
    pub range: std::ops::Range<usize>,
}

/// Finds URLs (`scheme://[user[:pass]@]host...`) in `text`.
pub fn find_urls(text: &str) -> Vec<Url<'_>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        r"(?i)\b([a-z][a-z0-9+.\-]{1,20})://(?:([^\s/:@'`]*)(?::([^\s/@'`]*))?@)?([^\s/:?#'`]*)[^\s'`]*",
    );
    re.captures_iter(text)
        .filter_map(|c| {
            let all = c.get(0)?;
            let url = all.as_str().trim_end_matches(['"', ',', ')', ';', '>']);
            let scheme = c.get(1)?.as_str().to_ascii_lowercase();
            let pass = c.get(3);
            Some(Url {
                scheme,
                user: c.get(2).map(|m| m.as_str()),
                password: pass.map(|m| m.as_str()),
                password_range: pass.map(|m| m.range()),
                host: c.get(4).map_or("", |m| m.as_str()),
                range: all.start()..all.start() + url.len(),
            })
        })
        .collect()
}

/// Whether a URL password is a placeholder or interpolation rather than a credential.
pub fn is_password_placeholder(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    p.is_empty()
        || p.starts_with('$')
        || p.starts_with('%')
        || p.contains('{')
        || p.contains('<')
        || p.contains('*')
        || [
            "password",
            "pass",
            "passwd",
            "pwd",
            "secret",
            "xxx",
            "changeme",
            "...",
            "redacted",
            "mypassword",
            "yourpassword",
        ]
        .contains(&lower.as_str())
}

/// Whether a path is documentation (examples in prose are not configuration).
pub fn is_doc_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".rst", ".adoc", ".txt", ".html", ".htm"]
        .iter()
        .any(|e| lower.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(secret_name("DB_PASSWORD"), Some(SecretName::Password));
        assert_eq!(secret_name("apiKey"), Some(SecretName::Key));
        assert_eq!(secret_name("client_secret"), Some(SecretName::Key));
        assert_eq!(secret_name("JWT_SECRET"), Some(SecretName::Key));
        assert_eq!(secret_name("password_file"), None);
        assert_eq!(secret_name("token_url"), None);
        assert_eq!(secret_name("keyboard"), None);
        assert_eq!(secret_name("monkey"), None);
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "changeme",
            "<your-token>",
            "${DB_PASSWORD}",
            "xxx",
            "GITHUB_TOKEN",
            "example-key",
            "/run/secrets/db",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder("hunter2"));
        assert!(looks_secret(SecretName::Key, "s3cr3t-signing-key-2024"));
        assert!(!looks_secret(SecretName::Key, "identifier"));
    }

    #[test]
    fn tokens() {
        let t = "key = AKIAZ7Q2EXAMPL3ABCDE and ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let kinds: Vec<_> = find_tokens(t).into_iter().map(|m| m.kind).collect();
        assert_eq!(kinds, ["AWS access key ID", "GitHub token"]);
        assert!(find_tokens("AKIAIOSFODNN7EXAMPLE").is_empty());
    }

    #[test]
    fn urls() {
        let u = &find_urls("postgres://shop:hunter2@db.internal:5432/shop")[0];
        assert_eq!(u.password, Some("hunter2"));
        assert_eq!(u.host, "db.internal");
    }
}
