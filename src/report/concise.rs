//! `concise`: `path:line:col: CODE severity message`, one finding per line.

use super::{RenderOptions, Reporter};
use crate::config::Settings;
use crate::engine::Report;

/// The concise reporter.
pub struct Concise;

impl Reporter for Concise {
    fn render(&self, report: &Report, _settings: &Settings, _opts: &RenderOptions) -> String {
        let mut out = String::new();
        for f in &report.findings {
            out.push_str(&format!(
                "{}:{}:{}: {} {} {}\n",
                super::human::escape_line(&f.path),
                f.line,
                f.column,
                f.code(),
                f.severity,
                super::human::escape_line(&f.message)
            ));
        }
        out
    }
}
