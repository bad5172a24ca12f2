//! Every output format rendered from the same multi-finding app, snapshotted (insta), plus the
//! properties each format's consumer relies on.

mod common;

use twelve_check::config::Settings;
use twelve_check::report::{self, Format, RenderOptions};

const APP: &str = "fixtures/apps/axum-shop";

/// Every rule, preview ones included: the secret rules (preview until their corpus precision
/// reaches 0.90) are the ones whose masking the formats must show.
fn settings() -> Settings {
    let overrides = twelve_check::config::Overrides {
        preview: true,
        ..Default::default()
    };
    twelve_check::config::resolve(Default::default(), &overrides, None).expect("settings")
}

fn render(format: Format) -> String {
    let mut settings = settings();
    settings.threads = 1;
    // A relative path, as a user runs it from the root of a checkout (tests run there).
    assert!(common::root().join(APP).is_dir());
    let report = twelve_check::check(&[std::path::PathBuf::from(APP)], &settings).expect("checks");
    report::render(format, &report, &settings, &RenderOptions::default())
}

#[test]
fn sarif_snapshot_and_shape() {
    let out = render(Format::Sarif);
    let v: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "exactly one run");
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for r in &runs[0]["results"].as_array().expect("results")[..] {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["region"]["startLine"].as_u64().expect("startLine") >= 1);
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let hash = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .expect("line hash");
        assert!(hash.contains(':'), "{hash}");
    }
    // The rule docs use `hunter2` as an example; the results must not carry the app's password.
    let results = serde_json::to_string(&run["results"]).expect("results");
    assert!(!results.contains("hunter2"), "a secret leaked into SARIF");
    // Rule documentation is checked by the rule pages; keep the snapshot about the structure.
    let mut v = v;
    if let Some(rules) = v["runs"][0]["tool"]["driver"]["rules"].as_array_mut() {
        for r in rules {
            r["help"]["text"] = "<rule page>".into();
            r["help"]["markdown"] = "<rule page>".into();
            r["fullDescription"]["text"] = "<summary and factor>".into();
            r["shortDescription"]["text"] = "<summary>".into();
        }
    }
    v["runs"][0]["tool"]["driver"]["semanticVersion"] = "<version>".into();
    insta::assert_snapshot!(
        "sarif",
        serde_json::to_string_pretty(&v).expect("serialises")
    );
}

#[test]
fn github_snapshot() {
    let out = render(Format::Github);
    for line in out.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
    insta::assert_snapshot!("github", out);
}

#[test]
fn gitlab_snapshot_with_unique_fingerprints() {
    let out = render(Format::Gitlab);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON array");
    let items = v.as_array().expect("array");
    let mut fps: Vec<&str> = items
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fingerprint"))
        .collect();
    let n = fps.len();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), n, "fingerprints are unique");
    for i in items {
        for key in ["description", "check_name", "severity"] {
            assert!(i[key].is_string(), "{key} missing");
        }
        assert!(i["location"]["lines"]["begin"].as_u64().is_some());
    }
    insta::assert_snapshot!("gitlab", out);
}

#[test]
fn junit_snapshot() {
    let out = render(Format::Junit);
    assert!(out.starts_with("<?xml"));
    // One test case per enabled rule; the rules with findings fail.
    let enabled = settings().enabled.len();
    assert_eq!(out.matches("<testcase ").count(), enabled, "{out}");
    assert_eq!(out.matches("<failure ").count(), 7, "{out}");
    insta::assert_snapshot!("junit", out);
}
