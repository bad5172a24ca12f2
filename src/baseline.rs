//! Baselines: accept today's findings and report only new ones.
//!
//! An entry is matched on (code, path, fingerprint). The fingerprint hashes the rule, the path,
//! the normalised text of the finding's line and its occurrence index among identical lines
//! (see `assign_fingerprints` in the engine), never the line number: a finding stays baselined
//! when code moves up or down, and comes back when its line changes. The file is JSON, sorted,
//! one entry per finding, so it reviews well in a diff.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::engine::Report;

/// Version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// Accepted findings.
    pub findings: Vec<Entry>,
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Path as reported.
    pub path: String,
    /// Rule code.
    pub code: String,
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// The line when the baseline was written; informational only, not matched on.
    pub line: usize,
    /// The message when the baseline was written; informational only.
    pub message: String,
}

impl Baseline {
    /// The baseline of every finding in `report`.
    pub fn from_report(report: &Report) -> Baseline {
        let mut findings: Vec<Entry> = report
            .findings
            .iter()
            .map(|f| Entry {
                path: f.path.clone(),
                code: f.code().to_string(),
                fingerprint: f.fingerprint.clone(),
                line: f.line,
                message: f.message.clone(),
            })
            .collect();
        findings.sort();
        Baseline {
            version: BASELINE_VERSION,
            findings,
        }
    }

    /// The file text.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if b.version != BASELINE_VERSION {
            return Err(format!(
                "baseline version {} is not supported (expected {BASELINE_VERSION})",
                b.version
            ));
        }
        Ok(b)
    }

    /// Drops the findings the baseline holds; records how many were dropped and how many entries
    /// matched nothing (stale: fixed since, or changed).
    pub fn apply(&self, report: &mut Report) {
        let keys: BTreeSet<(&str, &str, &str)> = self
            .findings
            .iter()
            .map(|e| (e.path.as_str(), e.code.as_str(), e.fingerprint.as_str()))
            .collect();
        let mut matched: BTreeSet<(String, String, String)> = BTreeSet::new();
        let before = report.findings.len();
        report.findings.retain(|f| {
            let key = (f.path.as_str(), f.code(), f.fingerprint.as_str());
            if keys.contains(&key) {
                matched.insert((f.path.clone(), f.code().to_string(), f.fingerprint.clone()));
                false
            } else {
                true
            }
        });
        report.baselined = before - report.findings.len();
        report.stale_baseline = keys.len() - matched.len();
    }
}
