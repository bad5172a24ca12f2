//! `junit`: JUnit XML for CI test reports: one `<testsuite>` per factor and one `<testcase>` per
//! enabled rule, failing with the rule's findings (each with its location, message and help) when
//! it has any. A dashboard then reads "38 checks, 3 failing".
//!
//! Written by hand: the XML is flat and needs only attribute/text escaping (the five entities,
//! and control characters XML 1.0 cannot carry dropped), while `quick-junit` would bring a
//! dependency tree (quick-xml, chrono, uuid) for the same few lines.

use std::collections::BTreeMap;

use super::{RenderOptions, Reporter};
use crate::config::Settings;
use crate::diagnostic::Finding;
use crate::engine::Report;
use crate::registry::RuleId;
use crate::rule::Factor;

/// The JUnit reporter.
pub struct Junit;

/// Escapes text for an XML attribute or element; drops characters XML 1.0 forbids.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            // Not allowed in XML 1.0 (nor as a character reference): written out visibly.
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

impl Reporter for Junit {
    fn render(&self, report: &Report, _settings: &Settings, _opts: &RenderOptions) -> String {
        let mut by_rule: BTreeMap<RuleId, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_rule.entry(f.rule).or_default().push(f);
        }
        let mut by_factor: BTreeMap<Factor, Vec<RuleId>> = BTreeMap::new();
        for id in &report.enabled {
            by_factor.entry(id.meta().factor).or_default().push(*id);
        }
        let failing = by_rule.len();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<testsuites name=\"twelve-check\" tests=\"{}\" failures=\"{failing}\" errors=\"0\">\n",
            report.enabled.len()
        ));
        for (factor, rules) in by_factor {
            let failures = rules.iter().filter(|r| by_rule.contains_key(r)).count();
            out.push_str(&format!(
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
                escape_xml(factor.title()),
                rules.len()
            ));
            for id in rules {
                let name = format!("{} {}", id.code(), id.name());
                let classname = format!("twelve-check.{}", factor.name());
                let Some(findings) = by_rule.get(&id) else {
                    out.push_str(&format!(
                        "    <testcase name=\"{}\" classname=\"{classname}\"/>\n",
                        escape_xml(&name)
                    ));
                    continue;
                };
                let first = findings[0];
                out.push_str(&format!(
                    "    <testcase name=\"{}\" classname=\"{classname}\" file=\"{}\" line=\"{}\">\n",
                    escape_xml(&name),
                    escape_xml(&first.path),
                    first.line
                ));
                let mut body = String::new();
                for f in findings {
                    body.push_str(&format!(
                        "{}:{}:{}: {} {}\n",
                        f.path,
                        f.line,
                        f.column,
                        f.severity.as_str(),
                        f.message
                    ));
                    if let Some(h) = &f.help {
                        body.push_str(&format!("  help: {h}\n"));
                    }
                }
                body.push_str(&format!("see: {}", id.meta().url()));
                let worst = findings
                    .iter()
                    .map(|f| f.severity)
                    .max()
                    .unwrap_or(first.severity);
                out.push_str(&format!(
                    "      <failure message=\"{} finding{}\" type=\"{}\">{}</failure>\n",
                    findings.len(),
                    if findings.len() == 1 { "" } else { "s" },
                    worst.as_str(),
                    escape_xml(&body)
                ));
                out.push_str("    </testcase>\n");
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape_xml("a<b & \"c\" 'd'>\u{1b}[31m"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\\u{1b}[31m"
        );
    }
}
