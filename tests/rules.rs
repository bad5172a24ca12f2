//! The fixture harness: every `fixtures/fNN_*/<rule-name>/<pass|fail>-<case>/` folder is a tiny
//! repository checked with only its rule (plus the meta rules); `expect:` markers must match the
//! findings exactly, both ways. `pass-*` cases hold traps and must produce nothing. The apps under
//! `fixtures/apps/` run with every stable rule and are also snapshotted as human and JSON output.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use twelve_check::config::Settings;
use twelve_check::engine::Report;
use twelve_check::registry::RuleId;
use twelve_check::report::{self, Format, RenderOptions};

fn rule_cases() -> Vec<(RuleId, PathBuf)> {
    let mut out = Vec::new();
    let fixtures = common::root().join("fixtures");
    let mut factors: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures/")
        .flatten()
        .map(|e| e.path())
        .collect();
    factors.sort();
    for factor in factors {
        let name = factor
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if !name.starts_with('f') || !factor.is_dir() {
            continue;
        }
        let mut rules: Vec<_> = std::fs::read_dir(&factor)
            .expect("factor dir")
            .flatten()
            .map(|e| e.path())
            .collect();
        rules.sort();
        for rule_dir in rules {
            let rule_name = rule_dir
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let rule = RuleId::lookup(&rule_name)
                .unwrap_or_else(|| panic!("{}: folder names no rule", rule_dir.display()));
            let mut cases: Vec<_> = std::fs::read_dir(&rule_dir)
                .expect("rule dir")
                .flatten()
                .map(|e| e.path())
                .collect();
            cases.sort();
            for case in cases {
                out.push((rule, case));
            }
        }
    }
    out
}

#[test]
fn rule_fixtures() {
    let mut failures = Vec::new();
    let cases = rule_cases();
    assert!(!cases.is_empty(), "no fixtures found");
    for (rule, dir) in &cases {
        let case_name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let case = common::read_case(dir);
        let expected = common::expectations(dir, &case);
        let is_pass = case_name.starts_with("pass-");
        if !is_pass && !case_name.starts_with("fail-") {
            failures.push(format!(
                "{}: case folders start with pass- or fail-",
                dir.display()
            ));
            continue;
        }
        if is_pass && !expected.is_empty() {
            failures.push(format!(
                "{}: a pass case carries expect markers",
                dir.display()
            ));
        }
        if !is_pass && !expected.iter().any(|(_, _, c)| c == rule.code()) {
            failures.push(format!(
                "{}: a fail case expects no {}",
                dir.display(),
                rule.code()
            ));
        }
        let settings = common::settings_for(*rule, &case);
        let report = common::run_case(dir, &case, &settings);
        let actual = common::actual(&report);
        if let Some(d) = common::diff(&expected, &actual, &report) {
            failures.push(format!("{}:\n{d}", rel(dir)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The prefilter (trigger tokens, `rust_wants`, crate scopes) may only skip work: with every
/// rule enabled, each fixture case and app gives the same rule findings with it as without it.
#[test]
fn prefilter_loses_nothing() {
    let key = |r: &Report| -> BTreeSet<(String, usize, String, String)> {
        r.findings
            .iter()
            .filter(|f| !f.rule.is_meta())
            .map(|f| {
                (
                    f.rel_path.clone(),
                    f.line,
                    f.code().to_string(),
                    f.message.clone(),
                )
            })
            .collect()
    };
    let mut dirs: Vec<(PathBuf, common::Case)> = rule_cases()
        .into_iter()
        .map(|(_, dir)| {
            let case = common::read_case(&dir);
            (dir, case)
        })
        .collect();
    dirs.extend(apps().into_iter().map(|d| (d, common::Case::default())));
    let mut failures = Vec::new();
    let mut parsed_with = 0;
    let mut parsed_without = 0;
    for (dir, case) in &dirs {
        let mut settings = Settings::for_rules(RuleId::ALL);
        settings.include_tests = case.include_tests;
        settings.threads = 1;
        let with = common::run_case(dir, case, &settings);
        settings.rust_prefilter = false;
        let without = common::run_case(dir, case, &settings);
        parsed_with += with.rust_parsed;
        parsed_without += without.rust_parsed;
        let (a, b) = (key(&with), key(&without));
        for lost in b.difference(&a) {
            failures.push(format!("{}: lost by the prefilter: {lost:?}", rel(dir)));
        }
        for extra in a.difference(&b) {
            failures.push(format!("{}: only with the prefilter: {extra:?}", rel(dir)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The comparison means something only if the prefilter skipped files.
    assert!(
        parsed_with < parsed_without,
        "{parsed_with} parsed with the prefilter, {parsed_without} without"
    );
}

fn rel(p: &Path) -> String {
    p.strip_prefix(common::root())
        .unwrap_or(p)
        .display()
        .to_string()
}

fn apps() -> Vec<PathBuf> {
    let mut apps: Vec<_> = std::fs::read_dir(common::root().join("fixtures/apps"))
        .expect("fixtures/apps")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    apps.sort();
    apps
}

/// Every rule but TC1103, preview ones included: the apps' markers cover the catalog.
fn app_settings() -> Settings {
    let overrides = twelve_check::config::Overrides {
        preview: true,
        ..Default::default()
    };
    let mut s =
        twelve_check::config::resolve(Default::default(), &overrides, None).expect("settings");
    // TC1103 judges a logging style, not a factor: the apps log plain text on purpose.
    s.enabled
        .retain(|r| *r != twelve_check::registry::RuleId::UnstructuredLogs);
    s.threads = 2;
    s
}

#[test]
fn app_markers_match() {
    let mut failures = Vec::new();
    for app in apps() {
        let case = common::read_case(&app);
        let expected = common::expectations(&app, &case);
        let report = common::run(&app, &app_settings());
        if let Some(d) = common::diff(&expected, &common::actual(&report), &report) {
            failures.push(format!("{}:\n{d}", rel(&app)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn app_snapshots() {
    let root = common::root();
    for app in apps() {
        let name = app
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let rel_app = app.strip_prefix(&root).expect("under root").to_path_buf();
        // Run from the repository root with a relative path, as a user would.
        let report = twelve_check::check(&[root.join(&rel_app)], &app_settings()).expect("checks");
        let opts = RenderOptions {
            color: false,
            width: 100,
            quiet: false,
        };
        let root_prefix = format!("{}/", root.display());
        let human = report::render(Format::Human, &report, &app_settings(), &opts)
            .replace(&root_prefix, "");
        let json =
            report::render(Format::Json, &report, &app_settings(), &opts).replace(&root_prefix, "");
        insta::assert_snapshot!(format!("{name}__human"), human);
        insta::assert_snapshot!(format!("{name}__json"), json);
    }
}
