//! The finding type every rule's violations become, and the tool's own errors.

use std::ops::Range;
use std::sync::Arc;

use crate::registry::RuleId;
use crate::rule::Severity;

/// One reported problem, located and resolved (code, severity, position) by the engine.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule.
    pub rule: RuleId,
    /// Effective severity (after `[severity]` overrides).
    pub severity: Severity,
    /// Path as shown to the user: the checked root as given, joined with `rel_path`.
    pub path: String,
    /// Path relative to the checked root, forward slashes.
    pub rel_path: String,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// 1-based start line.
    pub line: usize,
    /// 1-based start column, in characters.
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (exclusive), in characters.
    pub end_column: usize,
    /// What was found.
    pub message: String,
    /// Label under the snippet.
    pub label: Option<String>,
    /// What to do instead.
    pub help: Option<String>,
    /// Whether the span holds a secret that must be masked in every rendering.
    pub secret: bool,
    /// Stable identity for baselines: code, path, the normalised source line and an occurrence index.
    pub fingerprint: String,
    /// The file text, shared between the findings of one file (for snippets).
    pub source: Option<Arc<str>>,
}

impl Finding {
    /// The rule's code.
    pub fn code(&self) -> &'static str {
        self.rule.code()
    }
}

/// Masks a secret for display: at most the first four characters stay.
pub fn redact(value: &str) -> String {
    let keep: String = value.chars().take(4).collect();
    format!("{keep}…")
}

/// Returns `text` with every byte range in `spans` masked (first four characters of each kept);
/// line breaks and the byte length are preserved so that spans stay valid.
pub fn mask_spans(text: &str, spans: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let Some(slice) = text.get(span.clone()) else {
            continue;
        };
        let lead = usize::from(slice.starts_with(['"', '\'']));
        let skip = slice
            .char_indices()
            .nth(lead + 4)
            .map(|(i, _)| i)
            .unwrap_or(slice.len());
        for (i, b) in slice.bytes().enumerate().skip(skip) {
            if b != b'\n' && b != b'\r' && b != b'"' && b != b'\'' {
                bytes[span.start + i] = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// FNV-1a, 64 bits: a small, stable hash for fingerprints (not for security).
pub fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_prefix_and_length() {
        let t = "key = \"sk_live_abcdef\"\n";
        let m = mask_spans(t, std::slice::from_ref(&(6..22)));
        assert_eq!(m.len(), t.len());
        assert_eq!(m, "key = \"sk_l**********\"\n");
        assert_eq!(redact("sk_live_abcdef"), "sk_l…");
    }
}
