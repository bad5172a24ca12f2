//! Inline suppression comments: `// twelve-check: ignore[TC0701] reason` on the line or the line
//! above, and `twelve-check: ignore-file[TC1101]` anywhere in a comment for the whole file.
//! Every suppression is tracked so that one matching nothing becomes `TC0001`.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::registry::Selector;
use crate::source::{FileKind, SourceFile};

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// 1-based line of the comment.
    pub line: usize,
    /// Whether it covers the whole file.
    pub file_wide: bool,
    /// Each selector as written, parsed (`None` for an unknown one), and whether it was used.
    pub selectors: Vec<SuppressionSelector>,
    /// The stated reason (may be empty).
    pub reason: String,
    /// Byte range of the `twelve-check: ...` directive.
    pub span: Range<usize>,
}

/// One selector inside `ignore[...]`.
#[derive(Clone, Debug)]
pub struct SuppressionSelector {
    /// As written.
    pub text: String,
    /// Parsed.
    pub selector: Option<Selector>,
    /// Whether it suppressed at least one finding.
    pub used: bool,
}

fn directive() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"twelve-check:\s*(ignore|ignore-file)\[([^\]]*)\][ \t]*([^\r\n]*)")
            .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    })
}

/// Finds the suppression comments of a file.
pub fn parse(source: &SourceFile) -> Vec<Suppression> {
    let leaders: &[&str] = match source.kind {
        FileKind::Rust => &["//"],
        FileKind::Other => &["#", "//"],
        k if k.comment_leader().is_some() => &["#"],
        _ => return vec![],
    };
    if !source.text.contains("twelve-check:") {
        return vec![];
    }
    let mut out = Vec::new();
    for m in directive().captures_iter(&source.text) {
        let (Some(all), Some(kind), Some(list)) = (m.get(0), m.get(1), m.get(2)) else {
            continue;
        };
        let line_start = source.text[..all.start()].rfind('\n').map_or(0, |i| i + 1);
        let before = source.text[line_start..all.start()].trim_end();
        let is_comment = leaders.iter().any(|l| before.ends_with(l))
            && !(source.kind == FileKind::Rust
                && (before.trim_start().starts_with("///")
                    || before.trim_start().starts_with("//!")));
        if !is_comment {
            continue;
        }
        let selectors = list
            .as_str()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| SuppressionSelector {
                text: s.to_string(),
                selector: Selector::parse(s),
                used: false,
            })
            .collect();
        out.push(Suppression {
            line: source.lines.line_col(&source.text, all.start()).0,
            file_wide: kind.as_str() == "ignore-file",
            selectors,
            reason: m
                .get(3)
                .map(|r| r.as_str().trim().to_string())
                .unwrap_or_default(),
            span: all.start()..all.end(),
        });
    }
    out
}

impl Suppression {
    /// Whether this suppression covers a finding of `rule` at `line`; marks the selector used.
    pub fn covers(&mut self, rule: crate::registry::RuleId, line: usize) -> bool {
        if !(self.file_wide || line == self.line || line == self.line + 1) {
            return false;
        }
        let mut hit = false;
        for s in &mut self.selectors {
            if s.selector.as_ref().is_some_and(|sel| sel.matches(rule)) {
                s.used = true;
                hit = true;
            }
        }
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::RuleId;

    #[test]
    fn finds_comments_only() {
        let text = "let a = 1; // twelve-check: ignore[TC0301, nope] local only\n/// // twelve-check: ignore[TC0301]\nlet s = \"twelve-check: ignore[TC0301]\";\n// twelve-check: ignore-file[logs]\n";
        let src = SourceFile::new("a.rs", FileKind::Rust, text.into());
        let mut s = parse(&src);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].reason, "local only");
        assert!(s[0].selectors[1].selector.is_none());
        assert!(s[0].covers(RuleId::HardcodedSecret, 2));
        assert!(!s[0].covers(RuleId::HardcodedSecret, 3));
        assert!(s[1].file_wide);
        assert!(s[1].covers(RuleId::LogToFile, 99));
    }
}
