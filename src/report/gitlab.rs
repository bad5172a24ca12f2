//! `gitlab`: a GitLab Code Quality report (the CodeClimate subset GitLab reads): one JSON array,
//! each finding with `description`, `check_name`, a unique `fingerprint`, `severity` and a
//! location with begin and end lines.

use std::collections::HashSet;

use serde::Serialize;

use super::{RenderOptions, Reporter};
use crate::config::Settings;
use crate::diagnostic::fnv1a;
use crate::engine::Report;
use crate::rule::Severity;

/// The GitLab Code Quality reporter.
pub struct Gitlab;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

impl Reporter for Gitlab {
    fn render(&self, report: &Report, _settings: &Settings, _opts: &RenderOptions) -> String {
        let mut seen: HashSet<String> = HashSet::new();
        let issues: Vec<Issue<'_>> = report
            .findings
            .iter()
            .map(|f| {
                // Our fingerprints are unique per finding already; re-hash on the off chance two
                // collide, since GitLab shows only the first issue of a fingerprint.
                let mut fingerprint = f.fingerprint.clone();
                while !seen.insert(fingerprint.clone()) {
                    fingerprint = format!("{:016x}", fnv1a(fingerprint.as_bytes()));
                }
                Issue {
                    description: format!("{}: {}", f.code(), f.message),
                    check_name: f.code(),
                    fingerprint,
                    severity: match f.severity {
                        Severity::Error => "major",
                        Severity::Warning => "minor",
                        Severity::Note => "info",
                    },
                    location: Location {
                        path: &f.path,
                        lines: Lines {
                            begin: f.line,
                            end: f.end_line.max(f.line),
                        },
                    },
                }
            })
            .collect();
        let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
        out.push('\n');
        out
    }
}
