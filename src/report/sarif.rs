//! `sarif`: SARIF 2.1.0 as GitHub code scanning ingests it.
//!
//! One run; `tool.driver` lists every enabled rule with its page as help; each result has one
//! `%SRCROOT%`-relative, percent-encoded location with a region (findings about a file or the
//! repository as a whole sit on line 1 of the file they are about, never without a location),
//! GitHub's `primaryLocationLineHash` (see [`super::line_hash`]) and our own fingerprint.
//! Columns count Unicode code points (`columnKind: unicodeCodePoints`), as in every format.
//! Output types are separate from internal ones; no snippet is emitted, so no secret value can
//! leak (messages are already masked by the rules).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::line_hash::line_hashes;
use super::{RenderOptions, Reporter};
use crate::config::Settings;
use crate::engine::Report;
use crate::registry::RuleId;
use crate::rule::Severity;

/// The SARIF reporter.
pub struct Sarif;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    results: Vec<ResultOut<'a>>,
    column_kind: &'static str,
    original_uri_base_ids: BTreeMap<&'static str, UriBase>,
    invocations: Vec<Invocation>,
}

#[derive(Serialize)]
struct UriBase {
    description: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

/// Rules about credentials in the repository: GitHub lists their results as security alerts
/// (high: 7.0–8.9).
fn security_severity(code: &str) -> Option<&'static str> {
    match code {
        "TC0301" | "TC0302" => Some("8.0"),
        "TC0303" => Some("7.0"),
        _ => None,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultOut<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: PartialFingerprints,
    fingerprints: BTreeMap<&'static str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartialFingerprints {
    primary_location_line_hash: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "recommendation",
    }
}

/// Percent-encodes a relative path for a URI reference (RFC 3986): unreserved characters and
/// `/` stay, every other byte becomes `%XX`.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Caps a description at GitHub's 1,024 characters, on a character boundary.
fn cap(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

impl Reporter for Sarif {
    fn render(&self, report: &Report, settings: &Settings, _opts: &RenderOptions) -> String {
        let enabled: Vec<RuleId> = report.enabled.clone();
        let index: HashMap<RuleId, usize> =
            enabled.iter().enumerate().map(|(i, r)| (*r, i)).collect();
        let rules = enabled
            .iter()
            .map(|id| {
                let meta = id.meta();
                let summary = meta.summary();
                let docs = meta.documentation();
                let severity = settings.severity.get(id).copied().unwrap_or(meta.severity);
                let mut tags = vec!["twelve-factor".to_string(), meta.factor.name().to_string()];
                if meta.preview {
                    tags.push("preview".into());
                }
                let security = security_severity(meta.code);
                if security.is_some() {
                    tags.push("security".into());
                }
                RuleOut {
                    id: meta.code,
                    name: meta.name,
                    short_description: Text {
                        text: cap(&summary, 1024),
                    },
                    full_description: Text {
                        text: cap(
                            &format!(
                                "{} ({}: {})",
                                summary,
                                meta.factor.title(),
                                meta.factor.url()
                            ),
                            1024,
                        ),
                    },
                    help: Help {
                        text: docs.clone(),
                        markdown: docs,
                    },
                    help_uri: meta.url(),
                    default_configuration: Configuration {
                        level: level(severity),
                    },
                    properties: RuleProperties {
                        tags,
                        precision: if meta.preview { "medium" } else { "high" },
                        problem_severity: problem_severity(severity),
                        security_severity: security,
                    },
                }
            })
            .collect();

        // One hash table per file, computed from the text the finding was located in.
        let mut hashes: HashMap<&str, Vec<String>> = HashMap::new();
        let mut results = Vec::with_capacity(report.findings.len());
        for f in &report.findings {
            let line_hashes = hashes
                .entry(f.path.as_str())
                .or_insert_with(|| line_hashes(f.source.as_deref().unwrap_or("")));
            let primary = line_hashes
                .get(f.line.saturating_sub(1))
                .or(line_hashes.last())
                .cloned()
                .unwrap_or_default();
            let absolute = f.path.starts_with('/');
            let uri = if absolute {
                format!("file://{}", encode_uri_path(&f.path))
            } else {
                encode_uri_path(&f.path)
            };
            let has_extent = f.end_line > f.line || f.end_column > f.column;
            let mut message = f.message.clone();
            if let Some(h) = &f.help {
                message.push_str(&format!(". Help: {h}"));
            }
            results.push(ResultOut {
                rule_id: f.rule.code(),
                rule_index: index.get(&f.rule).copied().unwrap_or(0),
                level: level(f.severity),
                message: Text { text: message },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri,
                            uri_base_id: (!absolute).then_some("%SRCROOT%"),
                        },
                        region: Region {
                            start_line: f.line.max(1),
                            start_column: f.column.max(1),
                            end_line: has_extent.then_some(f.end_line),
                            end_column: has_extent.then_some(f.end_column),
                        },
                    },
                }],
                partial_fingerprints: PartialFingerprints {
                    primary_location_line_hash: primary,
                },
                fingerprints: BTreeMap::from([("twelve-check/v1", f.fingerprint.as_str())]),
            });
        }
        let log = Log {
            schema: "https://json.schemastore.org/sarif-2.1.0.json",
            version: "2.1.0",
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "twelve-check",
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        information_uri: crate::REPOSITORY_URL,
                        rules,
                    },
                },
                results,
                column_kind: "unicodeCodePoints",
                original_uri_base_ids: BTreeMap::from([(
                    "%SRCROOT%",
                    UriBase {
                        description: Text {
                            text: "the directory twelve-check was run from".into(),
                        },
                    },
                )]),
                invocations: vec![Invocation {
                    execution_successful: true,
                    tool_execution_notifications: report
                        .notes
                        .iter()
                        .map(|n| Notification {
                            level: "note",
                            message: Text { text: n.clone() },
                        })
                        .collect(),
                }],
            }],
        };
        let mut out = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encoding() {
        assert_eq!(encode_uri_path("src/main.rs"), "src/main.rs");
        assert_eq!(encode_uri_path("my dir/a#b.rs"), "my%20dir/a%23b.rs");
        assert_eq!(encode_uri_path("é.rs"), "%C3%A9.rs");
    }
}
