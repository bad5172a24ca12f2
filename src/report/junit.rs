//! `junit`: JUnit XML for CI test reports: one `<testsuite>` per file with findings, one failing
//! `<testcase>` per finding; a clean run is one passing test case.
//!
//! Written by hand: the XML is flat and needs only attribute/text escaping (the five entities,
//! and control characters XML 1.0 cannot carry dropped), while `quick-junit` would bring a
//! dependency tree (quick-xml, chrono, uuid) for the same few lines.

use std::collections::BTreeMap;

use super::{RenderOptions, Reporter};
use crate::config::Settings;
use crate::diagnostic::Finding;
use crate::engine::Report;

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
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

impl Reporter for Junit {
    fn render(&self, report: &Report, _settings: &Settings, _opts: &RenderOptions) -> String {
        let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_file.entry(&f.path).or_default().push(f);
        }
        let n = report.findings.len();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<testsuites name=\"twelve-check\" tests=\"{}\" failures=\"{n}\" errors=\"0\">\n",
            n.max(1)
        ));
        if by_file.is_empty() {
            out.push_str(
                "  <testsuite name=\"twelve-check\" tests=\"1\" failures=\"0\" errors=\"0\">\n",
            );
            out.push_str("    <testcase name=\"no twelve-factor violations found\" classname=\"twelve-check\"/>\n");
            out.push_str("  </testsuite>\n");
        }
        for (path, findings) in by_file {
            let path = escape_xml(path);
            out.push_str(&format!(
                "  <testsuite name=\"{path}\" tests=\"{0}\" failures=\"{0}\" errors=\"0\">\n",
                findings.len()
            ));
            for f in findings {
                let message = escape_xml(&f.message);
                out.push_str(&format!(
                    "    <testcase name=\"{} {} ({}:{})\" classname=\"{path}\" file=\"{path}\" line=\"{}\">\n",
                    f.code(),
                    f.rule.name(),
                    f.line,
                    f.column,
                    f.line
                ));
                let mut body = format!(
                    "{}:{}:{}: {} {}",
                    f.path,
                    f.line,
                    f.column,
                    f.severity.as_str(),
                    f.message
                );
                if let Some(h) = &f.help {
                    body.push_str(&format!("\nhelp: {h}"));
                }
                body.push_str(&format!("\nsee: {}", f.rule.meta().url()));
                out.push_str(&format!(
                    "      <failure message=\"{message}\" type=\"{}\">{}</failure>\n",
                    f.severity.as_str(),
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
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;[31m"
        );
    }
}
