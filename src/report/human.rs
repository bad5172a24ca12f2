//! `human`: one miette report per finding (code, severity, message, labelled snippet, help,
//! link to the rule page), then a summary and the twelve-factor scorecard.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::{scorecard, totals, RenderOptions, Reporter, Status};
use crate::config::Settings;
use crate::diagnostic::{mask_spans, Finding};
use crate::engine::Report;
use crate::rule::Severity;

/// The human reporter.
pub struct Human;

/// Replaces control characters (terminal escape sequences in file names or messages) with `?`.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '?'
            } else {
                c
            }
        })
        .collect()
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
        let mut masked: Option<(String, Arc<str>)> = None;
        for f in &report.findings {
            let source = f.source.as_ref().filter(|t| !t.is_empty()).map(|text| {
                let text = if f.secret || report_has_secret(report, &f.path) {
                    match &masked {
                        Some((p, t)) if *p == f.path => t.clone(),
                        _ => {
                            let spans: Vec<_> = report
                                .findings
                                .iter()
                                .filter(|g| g.path == f.path && g.secret)
                                .map(|g| g.span.clone())
                                .collect();
                            let m: Arc<str> = mask_spans(text, &spans).into();
                            masked = Some((f.path.clone(), m.clone()));
                            m
                        }
                    }
                } else {
                    text.clone()
                };
                NamedSource::new(sanitize(&f.path), text)
            });
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
                    out.push_str(&format!("{}:{}:{}\n", sanitize(&f.path), f.line, f.column));
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

fn report_has_secret(report: &Report, path: &str) -> bool {
    report.findings.iter().any(|g| g.path == path && g.secret)
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
            sanitize(note)
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
