//! Guard rails: codes unique and well-formed, documentation complete, every rule with pass and
//! fail fixtures, generated rule pages fresh, and the tool clean on its own repository.

mod common;

use std::collections::HashSet;

use twelve_check::registry::RuleId;
use twelve_check::rule::Factor;

#[test]
fn codes_are_unique_well_formed_and_sorted() {
    let re = regex::Regex::new(r"^TC(\d{2})\d{2}$").expect("valid regex");
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    let mut previous = "";
    for id in RuleId::ALL {
        let m = id.meta();
        let caps = re
            .captures(m.code)
            .unwrap_or_else(|| panic!("{}: malformed code", m.code));
        assert_eq!(
            caps[1].parse::<u8>().ok(),
            Some(m.factor.number()),
            "{}: code does not match its factor",
            m.code
        );
        assert!(codes.insert(m.code), "{}: duplicate code", m.code);
        assert!(names.insert(m.name), "{}: duplicate name", m.name);
        assert!(m.code > previous, "{}: registry not in code order", m.code);
        previous = m.code;
        let kebab = m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        assert!(
            kebab && !m.name.starts_with("no-"),
            "{}: name must be kebab-case and describe the pattern",
            m.name
        );
        assert!(
            Factor::from_name(m.name).is_none(),
            "{}: a rule name must not shadow a factor name",
            m.name
        );
    }
}

#[test]
fn docs_have_the_required_sections_in_order() {
    for id in RuleId::ALL {
        let docs = id.meta().documentation();
        let mut at = 0;
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "Use instead",
        ] {
            let pos = docs[at..]
                .find(heading)
                .unwrap_or_else(|| panic!("{}: docs lack `{heading}` (in order)", id.code()));
            at += pos + heading.len();
        }
        assert!(
            !id.meta().summary().is_empty(),
            "{}: empty summary",
            id.code()
        );
        assert!(
            id.meta().source_path().starts_with("src/rules/"),
            "{}",
            id.code()
        );
        assert!(
            common::root().join(id.meta().source_path()).is_file(),
            "{}: source path {} does not exist",
            id.code(),
            id.meta().source_path()
        );
    }
}

#[test]
fn every_rule_has_pass_and_fail_fixtures() {
    let fixtures = common::root().join("fixtures");
    let mut missing = Vec::new();
    for id in RuleId::ALL {
        let m = id.meta();
        let folder = format!("f{:02}_", m.factor.number());
        let factor_dir = std::fs::read_dir(&fixtures)
            .expect("fixtures/")
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&folder))
            });
        let cases: Vec<String> = factor_dir
            .map(|d| d.join(m.name))
            .and_then(|d| std::fs::read_dir(d).ok())
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        for kind in ["pass-", "fail-"] {
            if !cases.iter().any(|c| c.starts_with(kind)) {
                missing.push(format!("{} {}: no {kind}* fixture", m.code, m.name));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn rule_pages_are_fresh() {
    let root = common::root();
    let update = std::env::var_os("UPDATE_RULE_PAGES").is_some();
    let mut stale = Vec::new();
    let mut expected_files = HashSet::new();
    for (path, contents) in twelve_check::docs::generated_files() {
        expected_files.insert(path.clone());
        let full = root.join(&path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current != contents {
            if update {
                std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir rules/");
                std::fs::write(&full, contents).expect("write rule page");
            } else {
                stale.push(path);
            }
        }
    }
    for e in std::fs::read_dir(root.join("rules"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = format!("rules/{}", e.file_name().to_string_lossy());
        if !expected_files.contains(&path) {
            if update {
                std::fs::remove_file(e.path()).expect("remove stale page");
            } else {
                stale.push(format!("{path} (no such rule)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule pages: {}\nregenerate with `UPDATE_RULE_PAGES=1 cargo test --test meta`",
        stale.join(", ")
    );
}

#[test]
fn dogfood_clean_on_own_repository() {
    let root = common::root();
    let settings =
        twelve_check::config::load(&root, &Default::default()).expect("own config loads");
    let report = twelve_check::check(&[root], &settings).expect("checks");
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{}:{}: {} {}", f.rel_path, f.line, f.code(), f.message))
        .collect();
    assert!(
        lines.is_empty(),
        "twelve-check reports on its own repository:\n{}",
        lines.join("\n")
    );
}
