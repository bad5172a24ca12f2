//! Output formats. Each format is a [`Reporter`]; only this module knows them.

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod line_hash;
pub mod sarif;

use crate::config::Settings;
use crate::engine::Report;
use crate::rule::{Factor, Severity};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// miette diagnostics, summary and scorecard.
    Human,
    /// One line per finding.
    Concise,
    /// The versioned JSON document.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
}

impl Format {
    /// Parses a format name.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "human" => Some(Format::Human),
            "concise" => Some(Format::Concise),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "github" => Some(Format::Github),
            "gitlab" => Some(Format::Gitlab),
            "junit" => Some(Format::Junit),
            _ => None,
        }
    }
}

/// How a rendering should look.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// ANSI colour.
    pub color: bool,
    /// Terminal width for wrapping.
    pub width: usize,
    /// Only the findings, no summary or scorecard (`--quiet`).
    pub quiet: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            width: 100,
            quiet: false,
        }
    }
}

/// Turns a report into the bytes of one format.
pub trait Reporter {
    /// Renders the whole report.
    fn render(&self, report: &Report, settings: &Settings, opts: &RenderOptions) -> String;
}

/// Renders `report` in `format`.
pub fn render(
    format: Format,
    report: &Report,
    settings: &Settings,
    opts: &RenderOptions,
) -> String {
    let reporter: &dyn Reporter = match format {
        Format::Human => &human::Human,
        Format::Concise => &concise::Concise,
        Format::Json => &json::Json,
        Format::Sarif => &sarif::Sarif,
        Format::Github => &github::Github,
        Format::Gitlab => &gitlab::Gitlab,
        Format::Junit => &junit::Junit,
    };
    reporter.render(report, settings, opts)
}

/// A factor's verdict on the scorecard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// No rule of the factor ran.
    NotChecked,
    /// No error or warning.
    Pass,
    /// Warnings but no error.
    Warn,
    /// At least one error.
    Fail,
}

impl Status {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotChecked => "not-checked",
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One row of the twelve-factor scorecard.
#[derive(Clone, Debug)]
pub struct FactorRow {
    /// The factor.
    pub factor: Factor,
    /// How many enabled rules belong to it.
    pub rules_run: usize,
    /// Findings by severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
    /// The verdict.
    pub status: Status,
}

/// The scorecard: one row per factor, in order.
pub fn scorecard(report: &Report) -> Vec<FactorRow> {
    Factor::TWELVE
        .iter()
        .map(|&factor| {
            let rules_run = report
                .enabled
                .iter()
                .filter(|r| r.meta().factor == factor)
                .count();
            let count = |s: Severity| {
                report
                    .findings
                    .iter()
                    .filter(|f| f.rule.meta().factor == factor && f.severity == s)
                    .count()
            };
            let (errors, warnings, notes) = (
                count(Severity::Error),
                count(Severity::Warning),
                count(Severity::Note),
            );
            let status = if rules_run == 0 {
                Status::NotChecked
            } else if errors > 0 {
                Status::Fail
            } else if warnings > 0 {
                Status::Warn
            } else {
                Status::Pass
            };
            FactorRow {
                factor,
                rules_run,
                errors,
                warnings,
                notes,
                status,
            }
        })
        .collect()
}

/// Counts of findings by severity: (errors, warnings, notes).
pub fn totals(report: &Report) -> (usize, usize, usize) {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    )
}
