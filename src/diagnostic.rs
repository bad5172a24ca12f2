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
    /// Whether the span holds a secret (its value is already masked in `source` and in the
    /// texts above: see [`crate::source::secrets`]).
    pub secret: bool,
    /// Stable identity for baselines: code, path, the normalised source line and an occurrence index.
    pub fingerprint: String,
    /// Hash of the code, path and normalised raw line text the fingerprint is built from.
    pub line_hash: u64,
    /// The file text as it may be shown, shared between the findings of one file: every secret
    /// masked, bare CRs as line breaks; `None` for a file that must not be shown (it does not
    /// parse, is not UTF-8 text, or holds NUL bytes). See [`crate::source::secrets::Shown`].
    pub source: Option<Arc<str>>,
}

impl Finding {
    /// The rule's code.
    pub fn code(&self) -> &'static str {
        self.rule.code()
    }
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
