//! `json`: a versioned document with the summary, the scorecard and every finding.
//!
//! The schema is ours and separate from internal types; bump [`SCHEMA_VERSION`] on any
//! incompatible change. Paths are relative, with forward slashes.

use serde::Serialize;

use super::{scorecard, totals, RenderOptions, Reporter};
use crate::config::Settings;
use crate::engine::Report;

/// Version of the JSON output schema.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON reporter.
pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary<'a>,
    scorecard: Vec<FactorOut>,
    findings: Vec<FindingOut<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
}

#[derive(Serialize)]
struct Summary<'a> {
    files_checked: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    suppressed: usize,
    baselined: usize,
    stale_baseline: usize,
    rules_enabled: usize,
    /// What the run did not check (Helm templates), as sentences.
    skipped: &'a [String],
}

#[derive(Serialize)]
struct FactorOut {
    factor: u8,
    name: &'static str,
    title: &'static str,
    rules_run: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    status: &'static str,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'static str,
    name: &'static str,
    factor: u8,
    factor_name: &'static str,
    severity: &'static str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    url: String,
    fingerprint: &'a str,
}

impl Reporter for Json {
    fn render(&self, report: &Report, _settings: &Settings, _opts: &RenderOptions) -> String {
        let (errors, warnings, notes) = totals(report);
        let doc = Document {
            version: SCHEMA_VERSION,
            tool: Tool {
                name: "twelve-check",
                version: crate::VERSION,
                information_uri: crate::REPOSITORY_URL,
            },
            summary: Summary {
                files_checked: report.files_checked,
                findings: report.findings.len(),
                errors,
                warnings,
                notes,
                suppressed: report.suppressed,
                baselined: report.baselined,
                stale_baseline: report.stale_baseline,
                rules_enabled: report.enabled.len(),
                skipped: &report.notes,
            },
            scorecard: scorecard(report)
                .into_iter()
                .map(|r| FactorOut {
                    factor: r.factor.number(),
                    name: r.factor.name(),
                    title: r.factor.title(),
                    rules_run: r.rules_run,
                    errors: r.errors,
                    warnings: r.warnings,
                    notes: r.notes,
                    status: r.status.as_str(),
                })
                .collect(),
            findings: report
                .findings
                .iter()
                .map(|f| {
                    let meta = f.rule.meta();
                    FindingOut {
                        code: meta.code,
                        name: meta.name,
                        factor: meta.factor.number(),
                        factor_name: meta.factor.name(),
                        severity: f.severity.as_str(),
                        message: &f.message,
                        path: &f.path,
                        line: f.line,
                        column: f.column,
                        end_line: f.end_line,
                        end_column: f.end_column,
                        help: f.help.as_deref(),
                        url: meta.url(),
                        fingerprint: &f.fingerprint,
                    }
                })
                .collect(),
        };
        let mut s =
            serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        s.push('\n');
        s
    }
}
