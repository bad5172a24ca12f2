//! `human`: one miette report per finding (code, severity, message, labelled snippet, help,
//! link to the rule page), then a summary and the twelve-factor scorecard.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::{scorecard, totals, RenderOptions, Reporter, Status};
use crate::config::Settings;
use crate::diagnostic::Finding;
use crate::engine::Report;
use crate::rule::Severity;

/// The human reporter.
pub struct Human;

/// Whether a character must not reach a terminal raw: control characters (escape sequences)
/// and the bidirectional overrides that make text read differently from what it is.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Escapes control characters visibly (`\u{1b}`), keeping line breaks and tabs: for messages
/// and help, whose text may come from the repository.
pub fn sanitize(s: &str) -> String {
    escape(s, |c| c == '\n' || c == '\t')
}

/// Escapes every control character visibly, line breaks included (`\n`): for file names and
/// anything printed on one line.
pub fn escape_line(s: &str) -> String {
    escape(s, |_| false)
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> String {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if !is_unsafe(c) || keep(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    out
}

/// The file text shown in a snippet with each unsafe character replaced by as many `?` as it
/// has bytes, so that spans (byte offsets) still point at the same text.
fn sanitize_source(text: &Arc<str>) -> Arc<str> {
    let unsafe_here = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r');
    if !text.chars().any(unsafe_here) {
        return text.clone();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unsafe_here(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out.into()
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    message: String,
    code: String,
    source: Option<NamedSource<Arc<str>>>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let meta = self.finding.rule.meta();
        let help = self.finding.help.as_deref().map(sanitize);
        Some(Box::new(match help {
            Some(h) => format!("{h}\nsee: {}", meta.url()),
            None => format!("see: {}", meta.url()),
        }))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let f = self.finding;
        let label = f.label.clone().map(|l| sanitize(&l));
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(label, (f.span.start, f.span.end - f.span.start)),
        )))
    }
}

impl Reporter for Human {
    fn render(&self, report: &Report, settings: &Settings, opts: &RenderOptions) -> String {
        let theme = if opts.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(opts.width)
            .with_links(false)
            .with_context_lines(1);
        let mut out = String::new();
        for f in &report.findings {
            // The engine masked every secret in `source` (and left it out for files that must
            // not be shown): the snippet is drawn from it as it is.
            let source = f
                .source
                .as_ref()
                .filter(|t| !t.is_empty())
                .map(|text| NamedSource::new(escape_line(&f.path), sanitize_source(text)));
            let diag = FindingDiagnostic {
                finding: f,
                message: sanitize(&f.message),
                code: format!("{}({})", f.code(), f.rule.name()),
                source,
            };
            let mut buf = String::new();
            if handler.render_report(&mut buf, &diag).is_ok() {
                if diag.source.is_none() {
                    // No snippet to carry the location: say where.
                    out.push_str(&format!(
                        "{}:{}:{}\n",
                        escape_line(&f.path),
                        f.line,
                        f.column
                    ));
                }
                out.push_str(&buf);
                out.push('\n');
            }
        }
        if opts.quiet {
            return out;
        }
        out.push_str(&summary(report, settings, opts));
        out
    }
}

fn paint(opts: &RenderOptions, code: &str, s: &str) -> String {
    if opts.color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn summary(report: &Report, settings: &Settings, opts: &RenderOptions) -> String {
    let (errors, warnings, notes) = totals(report);
    let mut out = String::new();
    let n = report.findings.len();
    let head = if n == 0 {
        paint(opts, "32;1", "No twelve-factor violations found")
    } else {
        paint(
            opts,
            "1",
            &format!(
                "Found {n} finding{} ({errors} error{}, {warnings} warning{}, {notes} note{})",
                if n == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
                if notes == 1 { "" } else { "s" },
            ),
        )
    };
    out.push_str(&format!(
        "{head} in {} file{} checked with {} rule{}",
        report.files_checked,
        if report.files_checked == 1 { "" } else { "s" },
        report.enabled.len(),
        if report.enabled.len() == 1 { "" } else { "s" },
    ));
    if report.suppressed > 0 {
        out.push_str(&format!("; {} suppressed", report.suppressed));
    }
    if report.baselined > 0 {
        out.push_str(&format!("; {} in the baseline", report.baselined));
    }
    out.push_str(".\n");
    if report.stale_baseline > 0 {
        out.push_str(&format!(
            "{}: {} baseline entr{} matched nothing (fixed, or the line changed); rewrite it with --write-baseline\n",
            paint(opts, "36", "note"),
            report.stale_baseline,
            if report.stale_baseline == 1 { "y" } else { "ies" }
        ));
    }
    for note in &report.notes {
        out.push_str(&format!(
            "{}: {}\n",
            paint(opts, "36", "note"),
            escape_line(note)
        ));
    }
    out.push('\n');
    out.push_str(&paint(opts, "1", "Twelve-factor scorecard"));
    out.push('\n');
    out.push_str(&format!(
        "  {:<24} {:>5} {:>6} {:>8} {:>5}  {}\n",
        "factor", "rules", "errors", "warnings", "notes", "status"
    ));
    for row in scorecard(report) {
        let (mark, color) = match row.status {
            Status::NotChecked => ("-  not checked", "2"),
            Status::Pass => ("✓  pass", "32"),
            Status::Warn => ("!  warn", "33"),
            Status::Fail => ("✗  fail", "31"),
        };
        out.push_str(&format!(
            "  {:<24} {:>5} {:>6} {:>8} {:>5}  {}\n",
            row.factor.title(),
            row.rules_run,
            row.errors,
            row.warnings,
            row.notes,
            paint(opts, color, mark)
        ));
    }
    if let Some(threshold) = settings.fail_on {
        let failing = report
            .findings
            .iter()
            .filter(|f| f.severity >= threshold)
            .count();
        if failing > 0 {
            out.push_str(&format!(
                "\n{failing} finding{} at or above `{threshold}`: exit code 1.\n",
                if failing == 1 { "" } else { "s" }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_visible_and_spans_survive() {
        assert_eq!(escape_line("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(sanitize("a\nb\u{202e}"), "a\nb\\u{202e}");
        let text: Arc<str> = "x\u{1b}\u{85}\u{202e}y\r\n".into();
        let clean = sanitize_source(&text);
        assert_eq!(&*clean, "x??????y\r\n");
        assert_eq!(clean.len(), text.len());
    }
}
