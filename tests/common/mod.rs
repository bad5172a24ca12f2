//! Shared test helpers: running the engine on a fixture and reading expectation markers.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use twelve_check::config::Settings;
use twelve_check::registry::{RuleId, Selector};
use twelve_check::Report;

/// `case.toml` in a fixture folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Case {
    /// What the case shows.
    pub description: Option<String>,
    /// Extra rules to run besides the one under test.
    #[serde(default)]
    pub extend_select: Vec<String>,
    /// Check test code too.
    #[serde(default)]
    pub include_tests: bool,
    /// Expectations for files that cannot carry a comment: `path:line:CODE`.
    #[serde(default)]
    pub expect: Vec<String>,
    /// Check a copy of the case outside any git work tree (the fixtures live in one).
    #[serde(default)]
    pub outside_git: bool,
    /// Files to create in the copy before checking, `path = "text"`: for names git or the
    /// harness treat specially (a `.git` file, a nested `.gitignore`). Needs `outside-git`.
    #[serde(default)]
    pub create: std::collections::BTreeMap<String, String>,
}

/// One expected or actual finding: (path, line, code).
pub type Key = (String, usize, String);

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads `case.toml` when present.
pub fn read_case(dir: &Path) -> Case {
    match std::fs::read_to_string(dir.join("case.toml")) {
        Ok(t) => {
            toml::from_str(&t).unwrap_or_else(|e| panic!("{}: bad case.toml: {e}", dir.display()))
        }
        Err(_) => Case::default(),
    }
}

/// Every `expect: TC0301[, TC0302]` marker in the files under `dir`, plus `case.toml`'s list.
pub fn expectations(dir: &Path, case: &Case) -> BTreeSet<Key> {
    let marker = regex::Regex::new(r"(?://|#)\s*expect:\s*(TC\d{4}(?:\s*,\s*TC\d{4})*)")
        .expect("valid regex");
    let mut out = BTreeSet::new();
    for entry in walk_files(dir) {
        let rel = entry
            .strip_prefix(dir)
            .expect("under dir")
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "case.toml" || rel == "README.md" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if let Some(c) = marker.captures(line) {
                for code in c[1].split(',') {
                    out.insert((rel.clone(), i + 1, code.trim().to_string()));
                }
            }
        }
    }
    for e in &case.expect {
        let mut parts = e.rsplitn(3, ':');
        let code = parts.next().expect("code").to_string();
        let line: usize = parts.next().expect("line").parse().expect("line number");
        let path = parts.next().expect("path").to_string();
        out.insert((path, line, code));
    }
    out
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Runs the engine on `dir` with `settings`; paths in the report are relative to `dir`.
pub fn run(dir: &Path, settings: &Settings) -> Report {
    twelve_check::check(&[dir.to_path_buf()], settings).expect("fixture checks without error")
}

/// Runs a fixture case: in place, or on a copy outside git when the case asks for it.
pub fn run_case(dir: &Path, case: &Case, settings: &Settings) -> Report {
    if !case.outside_git {
        return run(dir, settings);
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_tree(dir, tmp.path());
    for (path, text) in &case.create {
        let p = tmp.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(&p, text).expect("create file");
    }
    let report = run(tmp.path(), settings);
    drop(tmp);
    report
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walk_files(from) {
        let rel = entry.strip_prefix(from).expect("under dir");
        if rel == Path::new("case.toml") {
            continue;
        }
        let dest = to.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::copy(&entry, &dest).expect("copy fixture file");
    }
}

/// The (path, line, code) of every finding.
pub fn actual(report: &Report) -> BTreeSet<Key> {
    report
        .findings
        .iter()
        .map(|f| (f.rel_path.clone(), f.line, f.code().to_string()))
        .collect()
}

/// Settings for a rule fixture: the rule under test, the case's extras, meta rules.
pub fn settings_for(rule: RuleId, case: &Case) -> Settings {
    let mut rules = vec![rule];
    for s in &case.extend_select {
        let sel = Selector::parse(s).unwrap_or_else(|| panic!("unknown selector {s} in case.toml"));
        rules.extend(RuleId::ALL.iter().copied().filter(|r| sel.matches(*r)));
    }
    let mut settings = Settings::for_rules(&rules);
    settings.include_tests = case.include_tests;
    settings.threads = 1;
    settings
}

/// Describes the difference between expected and actual findings.
pub fn diff(expected: &BTreeSet<Key>, actual: &BTreeSet<Key>, report: &Report) -> Option<String> {
    let missing: Vec<_> = expected.difference(actual).collect();
    let extra: Vec<_> = actual.difference(expected).collect();
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    let mut s = String::new();
    for (p, l, c) in missing {
        s.push_str(&format!("  missing {c} at {p}:{l}\n"));
    }
    for (p, l, c) in extra {
        let msg = report
            .findings
            .iter()
            .find(|f| &f.rel_path == p && f.line == *l && f.code() == c)
            .map(|f| f.message.clone())
            .unwrap_or_default();
        s.push_str(&format!("  unexpected {c} at {p}:{l}: {msg}\n"));
    }
    Some(s)
}
