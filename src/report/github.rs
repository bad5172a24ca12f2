//! `github`: GitHub Actions workflow commands, one `::error`/`::warning`/`::notice` annotation
//! per finding, escaped as `actions/toolkit` does (`%`, CR and LF in the message; also `:` and
//! `,` in properties).
//!
//! GitHub shows at most 10 error and 10 warning annotations per step; the rest stay in the log.

use super::{RenderOptions, Reporter};
use crate::config::Settings;
use crate::engine::Report;
use crate::rule::Severity;

/// The GitHub annotations reporter.
pub struct Github;

/// Escapes a command's message; other control characters (terminal escape sequences, which the
/// Actions log would interpret) are written out visibly.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Reporter for Github {
    fn render(&self, report: &Report, _settings: &Settings, _opts: &RenderOptions) -> String {
        let mut out = String::new();
        for f in &report.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            let mut props = vec![
                format!("file={}", escape_property(&f.path)),
                format!("line={}", f.line),
            ];
            // Columns only count when the finding stays on one line.
            if f.end_line == f.line {
                props.push(format!("col={}", f.column));
                props.push(format!("endColumn={}", f.end_column.max(f.column)));
            } else {
                props.push(format!("endLine={}", f.end_line));
            }
            props.push(format!(
                "title={}",
                escape_property(&format!("twelve-check {} ({})", f.code(), f.rule.name()))
            ));
            let mut message = format!("{} [{}]", f.message, f.rule.meta().factor.title());
            if let Some(h) = &f.help {
                message.push_str(&format!("\nhelp: {h}"));
            }
            out.push_str(&format!(
                "::{command} {}::{}\n",
                props.join(","),
                escape_data(&message)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_data("a\u{1b}[31m"), "a\\u{1b}[31m");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
