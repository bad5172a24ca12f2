//! Helpers shared by several rules: secret names and values, placeholders, provider tokens,
//! URLs, and which parts of a repository are tests, documentation or generated data.

use std::ops::Range;
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
    "names",
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
    "digest",
    "checksum",
    "fingerprint",
    "md5",
    "sha1",
    "sha256",
    "encrypted",
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
    "seconds",
    "secs",
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
    "disabled",
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
    "manager",
    "service",
    "stream",
    "tree",
    "parser",
    "validator",
    "payload",
    "claims",
    "audience",
    "issuer",
    "scope",
    "scopes",
    "method",
    "methods",
    "grant",
    "auth",
    "cookie",
    "chars",
    "charset",
    "alphabet",
    "characters",
    "at",
    "date",
    "time",
    "timestamp",
    "updated",
    "created",
    "changed",
    "age",
    "days",
    "hours",
    "minutes",
    "rounds",
    "cost",
    "history",
    "attempts",
    "retries",
    "interval",
    "period",
    "window",
    "threshold",
    "level",
    "score",
    "complexity",
    "iterations",
    "bits",
    "bytes",
];

/// Words that mark a name as a documented fake (`TEST_PASSWORD`, `example_token`).
const FAKE_NAME_WORDS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "fake",
    "mock",
    "test",
    "placeholder",
    "existing",
];

/// Secret words written as one word in upper- or lower-case names (`APIKEY`, `secretkey`).
const COMPOUND_KEYS: &[&str] = &[
    "apikey",
    "apitoken",
    "authtoken",
    "accesstoken",
    "refreshtoken",
    "bearertoken",
    "privatekey",
    "secretkey",
    "accesskey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "clientsecret",
];

/// Endings of file names: a name or value ending so is a file, not a secret.
const FILE_EXTS: &[&str] = &[
    "rs", "c", "h", "cc", "cpp", "hpp", "go", "py", "js", "ts", "rb", "java", "kt", "swift", "css",
    "html", "md", "txt", "json", "toml", "yaml", "yml", "xml", "ini", "cfg", "conf", "pem", "der",
    "crt", "cer", "csr", "p8", "pk8", "p12", "pfx", "jks", "bin", "gpg", "asc", "sh", "lock",
];

/// Whether the last `.`-separated part of `s` is a known file extension (`src/token.rs`).
fn has_file_extension(s: &str, exts: &[&str]) -> bool {
    s.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && exts.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// How strongly a name suggests that its value is a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretName {
    /// `password`, `passwd`, `passphrase`, `pwd`, and `pass`/`pw` as the last word.
    Password,
    /// `secret`, `client_secret`, `api_key`, `private_key`, `signing_key`, `token`, ...
    Key,
}

impl SecretName {
    /// `password` or `secret`, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            SecretName::Password => "password",
            SecretName::Key => "secret",
        }
    }
}

fn is_password_word(w: &str) -> bool {
    matches!(w, "password" | "passwd" | "passphrase" | "pwd")
}

/// Classifies a variable, key or field name. Names of files (`src/token.rs`), names that
/// describe a secret rather than hold it (`password_file`, `token_url`, `secret_name`), the key a
/// password is stored under (`passwordKey`) and documented fakes (`TEST_PASSWORD`) are `None`.
pub fn secret_name(name: &str) -> Option<SecretName> {
    if name.contains(['/', '\\']) || has_file_extension(name, FILE_EXTS) {
        return None;
    }
    // Plurals name the same thing: `api_tokens`, `api_keys`, `passwords`. A bare `tokens` is
    // usually syntax (`let tokens = "a.b".parse::<TokenStream>()`).
    let raw = words(name);
    let qualified = raw.len() >= 2;
    let w: Vec<String> = raw
        .into_iter()
        .map(|x| match x.as_str() {
            "tokens" if qualified => "token".to_string(),
            "secrets" | "passwords" | "passphrases" | "keys" | "apikeys" => {
                x[..x.len() - 1].to_string()
            }
            _ => x,
        })
        .collect();
    // A version suffix names a revision of the same thing: `TOKEN_PREFIX_V1` is a prefix.
    let versioned = |x: &String| {
        let d = x.strip_prefix('v').unwrap_or(x);
        !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
    };
    let last = w.iter().rev().find(|x| !versioned(x)).or(w.last())?;
    if NON_VALUE.contains(&last.as_str()) {
        return None;
    }
    let has = |x: &str| w.iter().any(|y| y == x);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    if FAKE_NAME_WORDS.iter().any(|f| has(f)) {
        return None;
    }
    // `passwordKey`, `password_key`: the key under which a password is stored.
    if last == "key" && w.len() >= 2 && is_password_word(&w[w.len() - 2]) {
        return None;
    }
    if w.iter().any(|x| is_password_word(x)) || last == "pass" || last == "pw" {
        return Some(SecretName::Password);
    }
    let keyish = has("secret")
        || has("token")
        || has("bearer")
        || has("credential")
        || has("credentials")
        || COMPOUND_KEYS.iter().any(|k| has(k))
        || pair("api", "key")
        || pair("private", "key")
        || pair("signing", "key")
        || pair("access", "key")
        || pair("encryption", "key")
        || pair("auth", "key")
        || pair("master", "key")
        || pair("secret", "key")
        || pair("hmac", "key")
        || pair("jwt", "key");
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
    "n/a",
    "tbd",
    "foo",
    "bar",
    "baz",
    "qux",
    "secure",
    "insecure",
];

/// References to a secret kept elsewhere: Jasypt `ENC(..)`, SOPS `ENC[..]`, Vault and AWS
/// Secrets Manager references.
const REFERENCE_PREFIXES: &[&str] = &["enc(", "enc[", "vault:", "arn:", "sm:", "secret:"];

/// Stems of secret words; an identifier-shaped value containing one is a name, not a secret.
const SECRET_STEMS: &[&str] = &[
    "pass",
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "privatekey",
    "private_key",
];

/// Passwords that are the documented defaults of local service containers.
const DEFAULT_PASSWORDS: &[&str] = &[
    "postgres",
    "mysql",
    "mariadb",
    "mongodb",
    "rabbitmq",
    "minioadmin",
    "keycloak",
    "elastic",
    "grafana",
];

/// Whether a value is shaped like an identifier or key path that names a secret
/// (`access_token`, `aspnetcore.identity.password_check_result`, `proxyPassword`) rather than
/// holding one. Words mixing letters and digits (`key_9f8a7b`) make it a value again.
fn names_a_secret(v: &str) -> bool {
    if v.is_empty()
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'))
    {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    if !SECRET_STEMS.iter().any(|s| lower.contains(s)) {
        return false;
    }
    let separated = v.contains(['_', '.', '-', ':']);
    let alphabetic = v.chars().all(|c| c.is_ascii_alphabetic());
    let mixed_word = words(v).iter().any(|w| {
        w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(|c| c.is_ascii_alphabetic())
    });
    (separated || alphabetic) && !mixed_word
}

/// Whether a value is a relative path to a file (`certs/server.key`, `secrets/db.txt`).
fn is_file_ref(v: &str) -> bool {
    v.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        && (has_file_extension(v, FILE_EXTS) || has_file_extension(v, &["key", "pub", "env"]))
}

/// Whether a value is a Windows path or registry key: `C:\\keys\\app.pfx`,
/// `HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Tokens`.
fn is_windows_path(v: &str) -> bool {
    let b = v.as_bytes();
    let drive = b.len() > 3 && b[0].is_ascii_alphabetic() && b.get(1..3) == Some(b":\\");
    let segments = v.split('\\').collect::<Vec<_>>();
    drive
        || (segments.len() >= 3
            && segments.iter().all(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.'))
            }))
}

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
    if REFERENCE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // Paths, but not base64 that happens to start with `/` (`/x9+Kq..=`).
    let absolute_path = v.starts_with('/') && !v.contains(['+', '=']);
    if v.starts_with('$')
        || absolute_path
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
    if names_a_secret(v) || is_file_ref(v) || is_windows_path(v) {
        return true;
    }
    // OIDs, versions, dates, times, addresses: `1.2.840.113549.1.9.7`, `2024-01-31`.
    if v.contains(['.', ':', '-', '/'])
        && v.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ':' | '-' | '/'))
    {
        return true;
    }
    // An environment variable name (`GITHUB_TOKEN`) is a reference, not a value.
    v.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && v.contains('_')
}

/// Whether a letters-only value reads as an identifier (`sessionId`, `read-write`) rather than
/// as random characters (`aBcDeFgHqZ`).
fn is_identifier_like(v: &str) -> bool {
    if !v
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '-' | '.'))
    {
        return false;
    }
    let w = words(v);
    let letters: usize = w.iter().map(String::len).sum();
    !w.is_empty() && letters >= 3 * w.len()
}

/// Whether `value`, bound to a name of the given kind, looks like a real secret.
pub fn looks_secret(kind: SecretName, value: &str) -> bool {
    if is_placeholder(value) {
        return false;
    }
    let v = value.trim();
    match kind {
        SecretName::Password => {
            let lower = v.to_ascii_lowercase();
            let short_word = v.len() < 6 && v.chars().all(|c| c.is_ascii_alphabetic());
            !short_word && !DEFAULT_PASSWORDS.contains(&lower.as_str())
        }
        SecretName::Key => {
            let classes = [
                v.chars().any(|c| c.is_ascii_lowercase()),
                v.chars().any(|c| c.is_ascii_uppercase()),
                v.chars().any(|c| c.is_ascii_digit()),
            ];
            v.len() >= 8 && classes.iter().filter(|c| **c).count() >= 2 && !is_identifier_like(v)
        }
    }
}

/// Lower-case letters and digits only: `PROXY_PASSWORD` and `proxypassword` normalise alike.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The kind of secret when `name` names a secret and `value`, bound to it, looks like a real
/// one: not a placeholder, and not the name itself spelled differently
/// (`const PROXY_PASSWORD: &str = "proxypassword"`, `SECRET_KEY = "secret_key"`).
pub fn named_secret(name: &str, value: &str) -> Option<SecretName> {
    let kind = secret_name(name)?;
    let (n, v) = (normalise(name), normalise(value));
    if v.len() >= 3 && n.contains(&v) {
        return None;
    }
    // A label spelled from the name's own words and a version (`KANIDM_HMAC_KEY =
    // "kanidm-hmac-key-v2"`): a domain-separation string or key id, not key material.
    let name_words = words(name);
    let value_words = words(value);
    let echo = value_words.len() >= 2
        && value_words.iter().all(|x| {
            name_words.contains(x)
                || x.strip_prefix('v')
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        });
    if echo {
        return None;
    }
    looks_secret(kind, value).then_some(kind)
}

/// A high-confidence token found in text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenMatch {
    /// What kind of token (`GitHub token`).
    pub kind: &'static str,
    /// Byte range in the searched text.
    pub range: Range<usize>,
}

const TOKEN_KINDS: &[(&str, &str)] = &[
    ("aws", "AWS access key ID"),
    ("awstmp", "AWS access key ID"),
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

/// Minimum length of a base64 line in a PEM key body.
const PEM_MIN_LINE: usize = 40;

/// Whether a PEM header ending at `end` is followed by a key body: optional `Name: value`
/// header lines (encrypted keys, PGP armour), then a base64 line, on real lines or after `\n`
/// escapes inside a string, possibly quoted (`"MIIE..\n"`) or behind comment markers.
fn pem_has_body(text: &str, end: usize) -> bool {
    let mut stop = (end + 4096).min(text.len());
    while !text.is_char_boundary(stop) {
        stop -= 1;
    }
    let chunk = text.get(end..stop).unwrap_or("");
    let chunk = chunk.replace("\\n", "\n").replace("\\r", "");
    for line in chunk.lines().take(8) {
        let line = line
            .trim()
            .trim_start_matches(['/', '!', '#', '*', ' ', '"', '\''])
            .trim_end_matches(['\\', '"', '\'', ',', ';', '+', ' ']);
        if line.is_empty() || line.contains(": ") {
            continue;
        }
        return line.len() >= PEM_MIN_LINE
            && line
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='));
    }
    false
}

/// Whether a token is a documented fake: `EXAMPLE` in it, runs of `x` or `0`, or an alphabet or
/// digit sequence.
fn is_fake_token(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    [
        "example",
        "xxxx",
        "0000000",
        "0123456789",
        "1234567890",
        "abcdefghij",
    ]
    .iter()
    .any(|f| lower.contains(f))
}

/// Finds high-confidence secret tokens (provider-specific formats) in `text`. Documented fakes
/// (`AKIAIOSFODNN7EXAMPLE`) and PEM headers without a key body are left out.
pub fn find_tokens(text: &str) -> Vec<TokenMatch> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        concat!(
            r"(?P<aws>\bAKIA[A-Z2-7]{16}\b)",
            r"|(?P<awstmp>\bASIA[A-Z]{0,15}[2-7][A-Z2-7]{0,15}\b)",
            r"|(?P<github>\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b)",
            r"|(?P<gitlab>\bglpat-[A-Za-z0-9_\-]{20,}\b)",
            r"|(?P<slack>\bxox[abprs]-[A-Za-z0-9\-]{10,})",
            r"|(?P<stripe>\b[sr]k_live_[A-Za-z0-9]{20,}\b)",
            r"|(?P<google>\bAIza[0-9A-Za-z_\-]{35}\b)",
            r"|(?P<pem>-----BEGIN[A-Z0-9\x20]{0,30}\x20PRIVATE\x20KEY(?:\x20BLOCK)?-----)",
            r"|(?P<sendgrid>\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b)",
            r"|(?P<npm>\bnpm_[A-Za-z0-9]{36}\b)",
            r"|(?P<pypi>\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})",
        ),
    );
    let mut out = Vec::new();
    for caps in re.captures_iter(text) {
        for (group, kind) in TOKEN_KINDS {
            let Some(m) = caps.name(group) else { continue };
            // ASIA keys are 20 characters like AKIA keys.
            if *group == "awstmp" && m.len() != 20 {
                continue;
            }
            let real = if *group == "pem" {
                pem_has_body(text, m.end())
            } else {
                !is_fake_token(m.as_str())
            };
            if real {
                out.push(TokenMatch {
                    kind,
                    range: m.range(),
                });
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
    pub password_range: Option<Range<usize>>,
    /// Host (possibly empty).
    pub host: &'a str,
    /// Byte range of the whole URL within the searched text.
    pub range: Range<usize>,
}

impl Url<'_> {
    /// Whether the URL carries a real password: one that is not a placeholder or an
    /// interpolation, and not equal to the user name (`guest:guest`, `postgres:postgres`, the
    /// documented defaults of local service containers).
    pub fn has_credential(&self) -> bool {
        let Some(p) = self.password else {
            return false;
        };
        !is_password_placeholder(p) && self.user != Some(p)
    }
}

/// Finds URLs (`scheme://[user[:pass]@]host...`) in `text`.
pub fn find_urls(text: &str) -> Vec<Url<'_>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = re(
        &RE,
        r#"(?i)\b([a-z][a-z0-9+.\-]{1,20})://(?:([^\s/:@'"`]*)(?::([^\s/@'"`]*))?@)?([^\s/:?#'"`]*)[^\s'"`]*"#,
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

/// Whether a URL password is a placeholder or interpolation rather than a credential:
/// `${DB_PASSWORD}`, `$PASS`, `%s`, `{}`, `<password>`, `[password]`, `***`, `password`,
/// `changeme`, `secret_password`...
pub fn is_password_placeholder(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    p.is_empty()
        || p.starts_with('$')
        || lower.starts_with("%s")
        || lower.starts_with("%(")
        || p.contains(['{', '<', '[', ']', '*'])
        || [
            "pass",
            "pwd",
            "mypassword",
            "yourpassword",
            "mysecret",
            "pa55word",
        ]
        .contains(&lower.as_str())
        || is_placeholder(p)
}

/// Whether a path is documentation (examples in prose are not configuration).
pub fn is_doc_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".rst", ".adoc", ".txt", ".html", ".htm"]
        .iter()
        .any(|e| lower.ends_with(e))
}

pub use crate::source::is_test_file;

/// Whether a file is generated data whose keys are not configuration (`.cargo-checksum.json`
/// maps file paths to hashes).
pub fn is_generated(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == ".cargo-checksum.json"
        || name.ends_with(".min.js")
        || name.ends_with(".min.css")
        || name.ends_with(".map")
}

/// Whether a file is a template meant to be committed with example values: `.env.example`,
/// `.env.sample`, `.env.template`, `.env.dist`, `config.example.toml`, `compose.sample.yml`,
/// `settings_template.yaml`, and `.env.defaults`.
pub fn is_template(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let dotenv = name.starts_with(".env") || name.ends_with(".env");
    name.split(['.', '-', '_']).any(|part| {
        matches!(
            part,
            "example"
                | "examples"
                | "sample"
                | "samples"
                | "template"
                | "templates"
                | "tpl"
                | "dist"
        ) || (dotenv && part == "defaults")
    })
}

/// Whether a structured file holds translations, whose values are labels (`password: Passwort`).
pub fn is_translation_path(path: &str) -> bool {
    path.to_ascii_lowercase().split('/').any(|c| {
        matches!(
            c,
            "locales" | "locale" | "i18n" | "l10n" | "lang" | "langs" | "translations"
        )
    })
}

/// Whether the literal at `span` is a doc comment (`/// ..`, `//! ..`): prose, not a value.
pub fn is_doc_comment(text: &str, span: &Range<usize>) -> bool {
    text.get(span.start..)
        .is_some_and(|s| s.starts_with("//") || s.starts_with("/*"))
}

/// Configuration read only by development tools, never by the deployed app: cargo's
/// `.cargo/config.toml` (its `[env]` applies to `cargo run` and `cargo test`) and CI workflows.
pub fn development_tool_config(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".cargo/config.toml")
        || lower.ends_with(".cargo/config")
        || lower == ".cargo/config.toml"
        || lower.starts_with(".github/workflows/")
        || lower.starts_with(".github/actions/")
        || lower == ".gitlab-ci.yml"
        || lower.starts_with(".circleci/")
        || lower == ".travis.yml"
        || lower == "azure-pipelines.yml"
        || lower == "bitbucket-pipelines.yml"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(secret_name("DB_PASSWORD"), Some(SecretName::Password));
        assert_eq!(secret_name("DB_PASS"), Some(SecretName::Password));
        assert_eq!(secret_name("apiKey"), Some(SecretName::Key));
        assert_eq!(secret_name("APIKEY"), Some(SecretName::Key));
        assert_eq!(secret_name("client_secret"), Some(SecretName::Key));
        assert_eq!(secret_name("JWT_SECRET"), Some(SecretName::Key));
        assert_eq!(
            secret_name("spring.datasource.password"),
            Some(SecretName::Password)
        );
        assert_eq!(secret_name("password_file"), None);
        assert_eq!(secret_name("token_url"), None);
        assert_eq!(secret_name("keyboard"), None);
        assert_eq!(secret_name("monkey"), None);
        assert_eq!(secret_name("pass_through"), None);
        assert_eq!(secret_name("src/token/mod.rs"), None);
        assert_eq!(secret_name("trust_token.h"), None);
        assert_eq!(secret_name("existingSecretPasswordKey"), None);
        assert_eq!(secret_name("TEST_API_KEY"), None);
        assert_eq!(secret_name("api_tokens"), Some(SecretName::Key));
        assert_eq!(secret_name("tokens"), None);
        assert_eq!(secret_name("password_max_age"), None);
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
            "access_token",
            "aspnetcore.identity.password_check_result",
            "proxyPassword",
            "certs/server.key",
            "ENC[AES256_GCM,data:abc,iv:def]",
            "N/A",
            "1.2.840.113549.1.9.7",
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Speech\\UserTokens",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder("hunter2"));
        assert!(!is_placeholder("secret_key_9f8a7b6c5d"));
        assert!(looks_secret(SecretName::Key, "s3cr3t-signing-key-2024"));
        assert!(looks_secret(SecretName::Key, "a-real-looking-value-1234"));
        assert!(!looks_secret(SecretName::Key, "identifier"));
        assert!(!looks_secret(SecretName::Key, "sessionId"));
        assert!(!looks_secret(SecretName::Key, "#[derive"));
        assert!(looks_secret(SecretName::Key, "aBcDeFgHqZwY"));
        assert!(looks_secret(SecretName::Password, "Welcome1"));
        assert!(!looks_secret(SecretName::Password, "postgres"));
        assert_eq!(named_secret("PROXY_PASSWORD", "proxypassword"), None);
        assert_eq!(named_secret("SECRET_KEY", "secret_key"), None);
        assert_eq!(
            named_secret("DB_PASSWORD", "hunter2"),
            Some(SecretName::Password)
        );
    }

    #[test]
    fn tokens() {
        let t = "key = AKIAZ7Q2EXAMPL3ABCDE and ghp_R8x2Kq7VmN3pL5tW9yZ1bC4dF6gH8jK0mQ2s";
        let kinds: Vec<_> = find_tokens(t).into_iter().map(|m| m.kind).collect();
        assert_eq!(kinds, ["AWS access key ID", "GitHub token"]);
        assert!(find_tokens("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(find_tokens("ghp_0123456789abcdefghijABCDEFGHIJ012345").is_empty());
        assert!(find_tokens("ASIAPACIFICSOUTHEAST").is_empty());
        assert!(find_tokens("const PEM: &str = \"-----BEGIN PRIVATE KEY-----\";").is_empty());
        let body = "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDKSxkOmzxAkaPk";
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----");
        assert_eq!(find_tokens(&pem).len(), 1);
        let json = format!("\"-----BEGIN RSA PRIVATE KEY-----\\n{body}\\n\"");
        assert_eq!(find_tokens(&json).len(), 1);
    }

    #[test]
    fn urls() {
        let u = &find_urls("postgres://shop:hunter2@db.internal:5432/shop")[0];
        assert_eq!(u.password, Some("hunter2"));
        assert_eq!(u.host, "db.internal");
        assert!(u.has_credential());
        for s in [
            "postgres://root:root@localhost",
            "mysql://[[user]:[password]@]host",
            "postgres://{}:{}@{}/db",
            "redis://:${REDIS_PASSWORD}@cache",
            "ssh://git@github.com/x",
        ] {
            assert!(find_urls(s).iter().all(|u| !u.has_credential()), "{s}");
        }
    }

    #[test]
    fn templates() {
        for p in [
            ".env.example",
            "deploy/.env.sample",
            "example.env",
            ".env.defaults",
            "config/settings.example.toml",
            "docker-compose.sample.yml",
            "config_template.yaml",
        ] {
            assert!(is_template(p), "{p}");
        }
        for p in [
            ".env",
            ".env.production",
            "config/defaults.toml",
            "src/sampler.rs",
        ] {
            assert!(!is_template(p), "{p}");
        }
    }

    #[test]
    fn test_files() {
        assert!(is_test_file("src/uri/tests.rs"));
        assert!(is_test_file("crypto/x509/x509_test.cc"));
        assert!(is_test_file("web/login.spec.ts"));
        assert!(!is_test_file("src/attestation.rs"));
        assert!(!is_test_file("src/contest.rs"));
    }

    #[test]
    fn cfg_test() {
        let f: syn::File = syn::parse_str(
            "#[cfg(all(feature = \"x\", test))] mod a {} #[cfg(not(test))] mod b {} #[cfg(feature = \"test\")] mod c {}",
        )
        .expect("parses");
        let flags: Vec<bool> = f
            .items
            .iter()
            .map(|i| crate::source::rust::is_test_attrs(crate::source::rust::item_attrs(i)))
            .collect();
        assert_eq!(flags, [true, false, false]);
    }
}
