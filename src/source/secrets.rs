//! Where a file's secrets are, and how they are hidden.
//!
//! Guarantees (the engine applies them to every finding, whatever the format):
//! - [`scan`] finds the byte ranges of secret values in a text without parsing it: provider
//!   tokens ([`find_tokens`], the recogniser TC0301 reports from), PEM private keys from their
//!   `BEGIN` line to their `END` line, URL userinfo passwords, query parameters named like a
//!   credential (`access_token=`, `key=`, `sig=`...), command-line options named like one
//!   (`--api-key=`, `--token=`, `--password x`), `Authorization` credentials (`Bearer x`), and
//!   values bound to a secret-looking name (`DB_PASSWORD=..`, `api_key: ..`,
//!   `const JWT_SECRET: &str = ".."`, [`secret_name`]). It does not depend on which rules run.
//! - [`Shown`] is the text every snippet and fingerprint is drawn from: those ranges and the
//!   secret spans the rules reported masked ([`mask_spans`]), a bare CR shown as a line break.
//!   Byte offsets are unchanged, so every span still points at the same place.
//! - [`redact`] is the one pass over a finding's message, label and help: the same scan, plus
//!   every value of the file's secret ranges wherever it is quoted.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use regex::Regex;

use crate::rules::common::{find_tokens, secret_name};

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant regex: {e}")))
}

/// Words that make a query parameter or a command-line option a credential.
const CREDENTIAL_PARTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "key",
    "sig",
    "signature",
    "auth",
    "credential",
    "session",
    "pass",
    "pw",
];

/// Whether an option or parameter name (`stripe-key`, `access_token`, `X-Amz-Signature`) names a
/// credential.
fn credential_name(name: &str) -> bool {
    if secret_name(name).is_some() {
        return true;
    }
    crate::rules::common::words(name)
        .iter()
        .any(|w| CREDENTIAL_PARTS.contains(&w.as_str()))
}

/// Whether a value is a reference to a secret kept elsewhere, not the secret: `${X}`, `$X`,
/// `%s`, `{{ x }}`, `<token>`, an environment variable's name, a path.
fn is_reference(v: &str) -> bool {
    let v = v.trim_matches(|c| c == '"' || c == '\'');
    v.is_empty()
        || v.starts_with(['$', '%', '{', '<', '/', '~'])
        || v.starts_with("./")
        || v.starts_with("ENC[")
        || v.starts_with("vault:")
        || v.starts_with("arn:")
        || (v.contains('_')
            && v.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        || v.chars().count() < 3
}

/// The byte ranges of secret values in `text` (see the module documentation). Ranges may
/// overlap; they lie on character boundaries.
pub fn scan(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = find_tokens(text).into_iter().map(|t| t.range).collect();
    pem_bodies(text, &mut out);
    if text.contains("://") {
        url_passwords(text, &mut out);
    }
    if text.contains('=') {
        query_values(text, &mut out);
    }
    if text.contains("--") {
        option_values(text, &mut out);
    }
    authorization(text, &mut out);
    bindings(text, &mut out);
    out.retain(|r| !r.is_empty());
    out.sort_by_key(|r| (r.start, r.end));
    out.dedup();
    out
}

/// PEM private keys: the span runs from the end of the `BEGIN` header to the `END` marker (or
/// to the end of the text when there is none), whatever lies in between.
fn pem_bodies(text: &str, out: &mut Vec<Range<usize>>) {
    if !text.contains("PRIVATE KEY") {
        return;
    }
    static BEGIN: OnceLock<Regex> = OnceLock::new();
    let begin = re(
        &BEGIN,
        r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,10}-----",
    );
    for m in begin.find_iter(text) {
        let body = m.end();
        let end = text[body..]
            .find("-----END")
            .map_or(text.len(), |i| body + i);
        out.push(m.start()..end);
    }
}

/// `scheme://user:password@host`: the password, which may hold `/` or `:` (git and curl take
/// what comes before the last `@` of the authority).
fn url_passwords(text: &str, out: &mut Vec<Range<usize>>) {
    static URL: OnceLock<Regex> = OnceLock::new();
    let url = re(
        &URL,
        r#"(?i)\b[a-z][a-z0-9+.\-]{0,30}://[^\s/:@'"`<>]*:([^\s@'"`<>]+)@"#,
    );
    for c in url.captures_iter(text) {
        if let Some(p) = c.get(1) {
            if !is_reference(p.as_str()) {
                out.push(p.range());
            }
        }
    }
}

/// `?access_token=..`, `&key=..`, `;sig=..`: the value of a query parameter named like a
/// credential.
fn query_values(text: &str, out: &mut Vec<Range<usize>>) {
    static QUERY: OnceLock<Regex> = OnceLock::new();
    let query = re(&QUERY, r#"[?&;]([A-Za-z0-9_.\-]{1,64})=([^&#\s'"`<>]+)"#);
    for c in query.captures_iter(text) {
        if let (Some(n), Some(v)) = (c.get(1), c.get(2)) {
            if credential_name(n.as_str()) && !is_reference(v.as_str()) {
                out.push(v.range());
            }
        }
    }
}

/// `--stripe-key=..`, `--token ..`, `-password=..`: the value of a command-line option named
/// like a credential.
fn option_values(text: &str, out: &mut Vec<Range<usize>>) {
    static OPTION: OnceLock<Regex> = OnceLock::new();
    let option = re(
        &OPTION,
        r#"(?:^|[\s"'\[,(])--?([A-Za-z][A-Za-z0-9_.\-]{0,63})(?:=|[ \t]+)([^\s"'`,\]\)]+)"#,
    );
    for c in option.captures_iter(text) {
        if let (Some(n), Some(v)) = (c.get(1), c.get(2)) {
            if credential_name(n.as_str())
                && !is_reference(v.as_str())
                && !v.as_str().starts_with('-')
            {
                out.push(v.range());
            }
        }
    }
}

/// `Authorization: Bearer ..`, `-u user:..`: the credential after an authorization scheme.
fn authorization(text: &str, out: &mut Vec<Range<usize>>) {
    static AUTH: OnceLock<Regex> = OnceLock::new();
    let auth = re(
        &AUTH,
        r#"(?i)\b(?:bearer|basic|token|bot|apikey)[ \t]+([A-Za-z0-9._~+/=\-]{8,})"#,
    );
    for c in auth.captures_iter(text) {
        if let Some(v) = c.get(1) {
            if !is_reference(v.as_str()) && v.as_str().chars().any(|ch| ch.is_ascii_digit()) {
                out.push(v.range());
            }
        }
    }
}

/// `NAME=value`, `name: value`, `"name": "value"`, `name = "value"`, `NAME value` after
/// `ENV`, `const NAME: &str = "value"`, `name => "value"`: a value bound to a secret-looking
/// name. The value runs to the end of its quotes, or to the end of the line for a bare value.
fn bindings(text: &str, out: &mut Vec<Range<usize>>) {
    static BIND: OnceLock<Regex> = OnceLock::new();
    let bind = re(
        &BIND,
        concat!(
            r#"(?m)(?:^|[^A-Za-z0-9_.\-])["']?([A-Za-z_][A-Za-z0-9_.\-]{0,80})["']?"#,
            // A Rust type (`: &str`, `: &'static [u8]`) before `=`.
            r#"(?:[ \t]*:[ \t]*&?(?:'static[ \t]+)?[A-Za-z_\[][A-Za-z0-9_:<>;\[\] ]{0,40}?)?"#,
            r#"[ \t]*(?:=>|:=|=|:)[ \t]*(?:&|b|r#*|[A-Za-z_:]+\(&?)?"#,
            r#"(?:"((?:[^"\\\r\n]|\\.)*)"|'([^'\r\n]*)'|([^\s"'`,;\}\]\)]+))"#,
        ),
    );
    static SPACED: OnceLock<Regex> = OnceLock::new();
    // `set $api_key "..";` (nginx), `ENV NAME ".."`, `api_key '..'`: a quoted value after a
    // space.
    let spaced = re(
        &SPACED,
        r#"(?:^|[^A-Za-z0-9_.\-])\$?([A-Za-z_][A-Za-z0-9_.\-]{0,80})[ \t]+(?:"((?:[^"\\\r\n]|\\.)*)"|'([^'\r\n]*)')"#,
    );
    for c in spaced.captures_iter(text) {
        if let (Some(n), Some(v)) = (c.get(1), c.get(2).or(c.get(3))) {
            if secret_name(n.as_str()).is_some() && !is_reference(v.as_str()) {
                out.push(v.range());
            }
        }
    }
    static ENV: OnceLock<Regex> = OnceLock::new();
    // Dockerfile `ENV NAME value` (the legacy form without `=`).
    let env = re(
        &ENV,
        r"(?mi)^[ \t]*(?:ENV|ARG)[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+([^\s=][^\r\n]*)",
    );
    let bare = |v: &str, next: Option<u8>| {
        // Code, not a value: a call, an index, a path or a plain identifier.
        next == Some(b'(')
            || v.contains(['(', '['])
            || v.chars()
                .all(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '.' | ':'))
    };
    for c in bind.captures_iter(text) {
        let Some(name) = c.get(1) else { continue };
        let (v, quoted) = match (c.get(2).or(c.get(3)), c.get(4)) {
            (Some(v), _) => (v, true),
            (None, Some(v)) => (v, false),
            _ => continue,
        };
        if secret_name(name.as_str()).is_none()
            || is_reference(v.as_str())
            || (!quoted && bare(v.as_str(), text.as_bytes().get(v.end()).copied()))
        {
            continue;
        }
        out.push(v.range());
    }
    for c in env.captures_iter(text) {
        if let (Some(n), Some(v)) = (c.get(1), c.get(2)) {
            if secret_name(n.as_str()).is_some() && !is_reference(v.as_str()) {
                out.push(v.range());
            }
        }
    }
}

/// How many leading characters of a masked value stay visible: at most a quarter of it, and at
/// most four.
fn kept(chars: usize) -> usize {
    (chars / 4).min(4)
}

/// Returns `text` with every range in `spans` masked: the first characters of each (see
/// [`kept`], after an opening quote) stay, every other byte becomes `*` except line breaks and
/// quotes. The byte length is preserved, so spans into `text` stay valid.
pub fn mask_spans(text: &str, spans: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let start = floor_boundary(text, span.start.min(text.len()));
        let end = ceil_boundary(text, span.end.min(text.len()));
        let slice = &text[start..end];
        let lead = usize::from(slice.starts_with(['"', '\'']));
        let close = usize::from(lead == 1 && slice.len() > 1 && slice.ends_with(&slice[..1]));
        let chars = slice.chars().count().saturating_sub(lead + close);
        let skip = slice
            .char_indices()
            .nth(lead + kept(chars))
            .map_or(slice.len(), |(i, _)| i);
        for (i, b) in slice.bytes().enumerate().skip(skip) {
            if b != b'\n' && b != b'\r' && b != b'"' && b != b'\'' {
                bytes[start + i] = b'*';
            }
        }
    }
    // Multi-byte characters masked byte by byte are `*`s now; anything else is unchanged.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The secrets of one file: the masked text snippets are drawn from, and the secret values to
/// redact from messages.
#[derive(Clone, Debug, Default)]
pub struct Shown {
    /// The text with every secret masked and bare CRs shown as line breaks (same byte length);
    /// `None` when the file must not be shown at all (it does not parse, is not UTF-8, or holds
    /// NUL bytes).
    pub text: Option<Arc<str>>,
    /// The raw values of the secret ranges, longest first (for [`redact`]); values shorter
    /// than six characters or made of lower-case letters only are left out.
    pub values: Vec<String>,
}

impl Shown {
    /// Masks `text` with the ranges [`scan`] finds and `reported` (the secret spans rules
    /// reported). `show` is false for a file that must never be shown as a snippet.
    pub fn new(text: &Arc<str>, reported: &[Range<usize>], show: bool) -> Shown {
        let mut spans = scan(text);
        spans.extend(reported.iter().cloned());
        let mut values: Vec<String> = spans
            .iter()
            .filter_map(|r| {
                text.get(floor_boundary(text, r.start)..ceil_boundary(text, r.end.min(text.len())))
            })
            .map(|v| v.trim_matches(|c| c == '"' || c == '\'').trim().to_string())
            // Masked in snippets all the same, but too short or too plain (`password`, a
            // placeholder word) to be told apart from a message's own words.
            .filter(|v| v.chars().count() >= 6 && !v.chars().all(|c| c.is_ascii_lowercase()))
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        let text = show.then(|| {
            if spans.is_empty() && !text.contains('\r') {
                // Nothing to hide: the same text, not a copy.
                return text.clone();
            }
            bare_cr_as_lf(mask_spans(text, &spans)).into()
        });
        Shown { text, values }
    }
}

/// Replaces each bare CR (not followed by LF) with LF, the line break the renderers know; the
/// byte length is unchanged.
fn bare_cr_as_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut b = text.into_bytes();
    for i in 0..b.len() {
        if b[i] == b'\r' && b.get(i + 1) != Some(&b'\n') {
            b[i] = b'\n';
        }
    }
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Redacts a message, label or help text: every range [`scan`] finds in it, and every value in
/// `values` (a file's secrets) wherever it appears, keep the convention of [`mask_spans`].
pub fn redact(message: &str, values: &[String]) -> String {
    let mut spans = scan(message);
    for v in values {
        let mut from = 0;
        while let Some(i) = message[from..].find(v.as_str()) {
            spans.push(from + i..from + i + v.len());
            from += i + v.len();
        }
    }
    if spans.is_empty() {
        return message.to_string();
    }
    mask_spans(message, &spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        mask_spans(text, &scan(text))
    }

    #[test]
    fn masking_keeps_a_short_prefix_and_the_length() {
        let t = "key = \"sk_live_abcdef\"\n";
        let m = mask_spans(t, std::slice::from_ref(&(6..22)));
        assert_eq!(m.len(), t.len());
        assert_eq!(m, "key = \"sk_***********\"\n");
        assert_eq!(
            mask_spans("pw hunter2", std::slice::from_ref(&(3..10))),
            "pw h******"
        );
        // A span inside a character is widened to it.
        assert_eq!(mask_spans("é", std::slice::from_ref(&(1..2))), "**");
    }

    #[test]
    fn scan_finds_every_shape() {
        for (text, secret) in [
            ("curl https://deploy:Zq9SecretPassw0rd@get.example.com/x", "Zq9SecretPassw0rd"),
            ("git = \"https://ci:ghp_TokenWith/Slash123456789@github.com/a\"", "TokenWith/Slash123456789"),
            ("https://h/p.git?access_token=QueryStringToken0123456789", "QueryStringToken0123456789"),
            ("./app --stripe-key=Sk4eC39HqLyjWDarjtT1zdp7dc --serve", "Sk4eC39HqLyjWDarjtT1zdp7dc"),
            ("./worker --api-secret=W0rkerSecretLeak555 &", "W0rkerSecretLeak555"),
            ("mysql --password hunter2hunter2 db", "hunter2hunter2"),
            ("ENV API_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F292c6912E7710c838347Ae178B4a"),
            ("DB_PASSWORD: Cr0nlyFullLeakD1b2C3d4E5\r", "Cr0nlyFullLeakD1b2C3d4E5"),
            ("const JWT_SECRET: &str = \"s3cr3t-signing-key-2024\";", "s3cr3t-signing-key-2024"),
            ("{\"client_secret\": \"Qw8erTy7uIoP6\"}", "Qw8erTy7uIoP6"),
            ("set $api_key \"Qw8erTy7uIoP6\";", "Qw8erTy7uIoP6"),
            ("-H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abc'", "eyJhbGciOiJIUzI1NiJ9abc"),
            (
                "K=\"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjEnv\n-----END PRIVATE KEY-----\"",
                "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjEnv",
            ),
        ] {
            let m = masked(text);
            let tail = &secret[secret.len() - 8..];
            assert!(!m.contains(tail), "{text:?} -> {m:?}");
            assert_eq!(m.len(), text.len());
        }
    }

    #[test]
    fn references_are_not_masked() {
        for text in [
            "DB_PASSWORD=${DB_PASSWORD}",
            "password_file: /run/secrets/db",
            "postgres://app:$PGPASSWORD@db/app",
            "token: GITHUB_TOKEN",
            "port: 8080",
        ] {
            assert_eq!(masked(text), text);
        }
    }

    #[test]
    fn messages_lose_quoted_values() {
        let values = vec!["Cr0nlyFullLeak".to_string()];
        let plain = Shown::new(&"postgres://u:password@h".into(), &[], true);
        assert!(plain.values.is_empty(), "{:?}", plain.values);
        let m = redact("process `web Cr0nlyFullLeak` runs", &values);
        assert!(!m.contains("FullLeak"), "{m}");
        let shown = Shown::new(&"a: 1\rpassword: Xk9#mP2vLqZ7\r".into(), &[], true);
        let text = shown.text.unwrap_or_default();
        assert_eq!(&*text, "a: 1\npassword: Xk9*********\n");
        assert!(Shown::new(&"x".into(), &[], false).text.is_none());
    }
}
