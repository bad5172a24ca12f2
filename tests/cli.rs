//! The command line: every command, format and exit code, as a user runs them.

mod common;

use std::path::Path;
use std::process::{Command, Output};

const DEMO: &str = "fixtures/apps/axum-shop";

fn tc(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twelve-check"))
        .args(args)
        .current_dir(cwd)
        .env_remove("TWELVE_CHECK_FORMAT")
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn repo() -> std::path::PathBuf {
    common::root()
}

#[test]
fn demo_app_reports_all_four_kinds_and_exits_1() {
    let o = tc(&["--isolated", DEMO], &repo());
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    for c in ["TC0401", "TC1101", "TC0201"] {
        assert!(out.contains(c), "{c} missing from:\n{out}");
    }
    // Preview rules (below 0.90 verdict precision on the real-world corpus) need `--preview`.
    let concise = stdout(&tc(&["--isolated", "-f", "concise", DEMO], &repo()));
    let p = tc(&["--isolated", "--preview", "-f", "concise", DEMO], &repo());
    let preview = stdout(&p);
    let code = ": TC0601 ";
    assert!(!concise.contains(code), "TC0601 is preview:\n{concise}");
    assert!(preview.contains(code), "TC0601 missing from:\n{preview}");
    // Back to stable with the settings model (issue 15).
    for c in ["TC0301", "TC0302"] {
        let code = format!(": {c} ");
        assert!(concise.contains(&code), "{c} missing from:\n{concise}");
    }
    assert!(
        !preview.contains("hunter2"),
        "a secret leaked into the output"
    );
    assert!(out.contains("Twelve-factor scorecard"));
    assert!(
        out.contains("fixtures/apps/axum-shop/src/telemetry.rs:23:25"),
        "{out}"
    );
    assert!(!out.contains("hunter2"), "a secret leaked into the output");
}

#[test]
fn check_subcommand_is_the_default() {
    let a = tc(&["--isolated", "-f", "concise", DEMO], &repo());
    let b = tc(&["check", "--isolated", "-f", "concise", DEMO], &repo());
    assert_eq!(stdout(&a), stdout(&b));
}

#[test]
fn exit_zero_and_fail_on() {
    assert_eq!(code(&tc(&["--isolated", "--exit-zero", DEMO], &repo())), 0);
    // Only the note-level TC0402 is left when errors are ignored: below the default threshold.
    let only_note = tc(&["--isolated", "--select", "TC0402", DEMO], &repo());
    assert_eq!(code(&only_note), 0, "{}", stdout(&only_note));
    assert_eq!(
        code(&tc(
            &[
                "--isolated",
                "--select",
                "TC0402",
                "--fail-on",
                "note",
                DEMO
            ],
            &repo()
        )),
        1
    );
    assert_eq!(
        code(&tc(&["--isolated", "--fail-on", "never", DEMO], &repo())),
        0
    );
}

#[test]
fn clean_directory_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A repository: a temporary folder outside git is TC0101.
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    std::fs::write(dir.path().join("README.md"), "hello\n").expect("write");
    let o = tc(&["--isolated", "."], dir.path());
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("No twelve-factor violations found"));
}

#[test]
fn outside_git_is_tc0101_on_the_manifest() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), "hello\n").expect("write");
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}\n").expect("write");
    let o = tc(&["--isolated", "-f", "concise", "."], dir.path());
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("package.json:1:1: TC0101"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn json_output_follows_the_schema() {
    let o = tc(&["--isolated", "--format", "json", DEMO], &repo());
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "twelve-check");
    assert_eq!(v["scorecard"].as_array().map(Vec::len), Some(12));
    let findings = v["findings"].as_array().expect("findings array");
    assert_eq!(
        v["summary"]["findings"].as_u64(),
        Some(findings.len() as u64)
    );
    for f in findings {
        for key in [
            "code",
            "name",
            "factor",
            "factor_name",
            "severity",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "help",
            "url",
            "fingerprint",
        ] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
        assert!(!f["path"].as_str().unwrap_or("").contains('\\'));
    }
    assert!(!stdout(&o).contains("hunter2"));
}

#[test]
fn concise_output_is_one_line_per_finding() {
    let o = tc(&["--isolated", "--preview", "-f", "concise", DEMO], &repo());
    let re = regex::Regex::new(r"^[^:]+:\d+:\d+: TC\d{4} (error|warning|note) .+$").expect("regex");
    let out = stdout(&o);
    assert!(out.lines().count() >= 6);
    for line in out.lines() {
        assert!(re.is_match(line), "bad line: {line}");
    }
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("out.json");
    let o = tc(
        &[
            "--isolated",
            "-f",
            "json",
            "-o",
            file.to_str().expect("utf-8"),
            DEMO,
        ],
        &repo(),
    );
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).is_empty());
    let text = std::fs::read_to_string(&file).expect("output written");
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
}

#[test]
fn bad_config_exits_2_pointing_at_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("twelve-check.toml"),
        "fail-on = \"warning\"\nselekt = [\"TC03\"]\n",
    )
    .expect("write");
    let o = tc(&["."], dir.path());
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("unknown field `selekt`"), "{err}");
    assert!(err.contains("twelve-check.toml:2:1"), "{err}");
}

#[test]
fn config_in_cargo_metadata_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.twelve-check]\nignore = [\"TC0201\"]\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir");
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").expect("write");
    assert_eq!(code(&tc(&["."], dir.path())), 0);
    assert_eq!(code(&tc(&["--isolated", "."], dir.path())), 1);
}

#[test]
fn unknown_selector_exits_2() {
    let o = tc(&["--select", "TC9999", DEMO], &repo());
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown rule selector `TC9999`"));
}

#[test]
fn missing_path_exits_2() {
    let o = tc(&["--isolated", "does/not/exist"], &repo());
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("does/not/exist"));
}

#[test]
fn rules_and_explain() {
    let o = tc(&["rules"], &repo());
    assert_eq!(code(&o), 0);
    for id in twelve_check::registry::RuleId::ALL {
        assert!(stdout(&o).contains(id.code()));
    }
    let j = tc(&["rules", "--format", "json"], &repo());
    let v: serde_json::Value = serde_json::from_str(&stdout(&j)).expect("json");
    assert_eq!(
        v.as_array().map(Vec::len),
        Some(twelve_check::registry::RuleId::ALL.len())
    );

    let e = tc(&["explain", "hardcoded-secret"], &repo());
    assert_eq!(code(&e), 0);
    let page =
        std::fs::read_to_string(repo().join("rules/TC0301-hardcoded-secret.md")).expect("page");
    assert_eq!(stdout(&e), page);
    assert_eq!(code(&tc(&["explain", "TC9999"], &repo())), 2);
}

#[test]
fn select_and_ignore_by_factor_name() {
    let o = tc(
        &[
            "--isolated",
            "--preview",
            "-f",
            "concise",
            "--select",
            "config",
            DEMO,
        ],
        &repo(),
    );
    let out = stdout(&o);
    assert!(out.contains("TC0301") && !out.contains("TC1101"), "{out}");
    let o = tc(
        &["--isolated", "-f", "concise", "--ignore", "logs,TC02", DEMO],
        &repo(),
    );
    let out = stdout(&o);
    assert!(
        !out.contains("TC1101") && !out.contains("TC0201") && out.contains("TC0401"),
        "{out}"
    );
}

#[test]
fn thread_count_does_not_change_output() {
    let a = tc(&["--isolated", "-f", "json", "-j1", DEMO], &repo());
    let b = tc(&["--isolated", "-f", "json", "-j8", DEMO], &repo());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn baseline_survives_moved_lines_and_catches_changed_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).expect("app dir");
    let settings = "# settings\n[auth]\napi_key = \"sk_live_51HqLyjWDarjtT1zdp7dcXYZ\"\n";
    std::fs::write(app.join("settings.toml"), settings).expect("write");
    let base = dir.path().join("baseline.json");
    let base_s = base.to_str().expect("utf-8 path");
    let run = |extra: &[&str]| {
        let mut args = vec!["--isolated", "-f", "concise", "--select", "TC0301"];
        args.extend_from_slice(extra);
        args.push("app");
        tc(&args, dir.path())
    };
    let first = run(&[]);
    assert_eq!(code(&first), 1, "{}", stdout(&first));
    let w = run(&["--write-baseline", base_s]);
    assert_eq!(code(&w), 0, "{}", stderr(&w));
    let text = std::fs::read_to_string(&base).expect("baseline written");
    assert!(text.contains("\"code\": \"TC0301\""), "{text}");
    assert!(
        !text.contains("sk_live_51HqLyj"),
        "a secret leaked into the baseline"
    );

    // Nothing new: clean.
    let o = run(&["--baseline", base_s]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // Lines inserted above the finding: still baselined.
    let moved = format!("# a\n# b\n# c\n{settings}");
    std::fs::write(app.join("settings.toml"), &moved).expect("write");
    let o = run(&["--baseline", base_s]);
    assert_eq!(code(&o), 0, "moved finding came back:\n{}", stdout(&o));
    // The offending line changed: reported again, and the old entry is stale.
    let changed = moved.replace("XYZ", "QRS");
    std::fs::write(app.join("settings.toml"), changed).expect("write");
    let o = run(&["--baseline", base_s]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("TC0301"), "{}", stdout(&o));
    let o = tc(
        &[
            "--isolated",
            "-f",
            "json",
            "--select",
            "TC0301",
            "--baseline",
            base_s,
            "app",
        ],
        dir.path(),
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["summary"]["stale_baseline"], 1);
    // A file that is not a baseline is a usage error.
    std::fs::write(&base, "{\"nope\": 1}").expect("write");
    assert_eq!(code(&run(&["--baseline", base_s])), 2);
}

#[test]
fn per_rule_options_are_applied_and_validated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).expect("src");
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[dependencies]\naxum = \"0.7\"\n",
    )
    .expect("write");
    std::fs::write(root.join("Cargo.lock"), "version = 3\n").expect("write");
    std::fs::write(
        root.join("src/main.rs"),
        "fn main() {\n    let a = redis::Client::open(\"redis://localhost:6379\");\n    let b = redis::Client::open(\"redis://cache.internal:6379\");\n}\n",
    )
    .expect("write");
    let run = || {
        tc(
            &[
                "-f",
                "concise",
                "--select",
                "TC0401",
                "--fail-on",
                "never",
                ".",
            ],
            root,
        )
    };
    let without = stdout(&run());
    assert_eq!(without.matches("TC0401").count(), 2, "{without}");
    std::fs::write(
        root.join("twelve-check.toml"),
        "[rules.hardcoded-backing-service]\nallowed-hosts = [\"localhost\"]\n",
    )
    .expect("write");
    let with = stdout(&run());
    assert_eq!(with.matches("TC0401").count(), 1, "{with}");
    assert!(with.contains(":3:"), "{with}");
    // By code too; an unknown option or a wrong type is a configuration error with its line.
    std::fs::write(
        root.join("twelve-check.toml"),
        "[rules.TC0401]\nallowed-host = [\"localhost\"]\n",
    )
    .expect("write");
    let flat = |o: &Output| {
        stderr(o)
            .split_whitespace()
            .filter(|w| *w != "│")
            .collect::<Vec<_>>()
            .join(" ")
    };
    let o = run();
    assert_eq!(code(&o), 2);
    assert!(
        flat(&o).contains("has no option `allowed-host`"),
        "{}",
        stderr(&o)
    );
    assert!(
        flat(&o).contains("its options: allowed-hosts"),
        "{}",
        stderr(&o)
    );
    std::fs::write(
        root.join("twelve-check.toml"),
        "[rules.TC0401]\nallowed-hosts = \"localhost\"\n",
    )
    .expect("write");
    let o = run();
    assert_eq!(code(&o), 2);
    assert!(flat(&o).contains("is a list of strings"), "{}", stderr(&o));
}

#[test]
fn init_writes_a_valid_commented_config_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = tc(&["init"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("twelve-check.toml")).expect("written");
    assert!(text.contains("# [per-path-ignores]"));
    // Uncommented, every example is a valid configuration.
    let setting = regex::Regex::new(r#"^# (\[[a-z.-]+\]$|[A-Za-z0-9_"*/.-]+ = )"#).expect("regex");
    let uncommented: String = text
        .lines()
        .map(|l| if setting.is_match(l) { &l[2..] } else { l })
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        uncommented.contains("\n[rules.hardcoded-backing-service]\n"),
        "{uncommented}"
    );
    std::fs::write(dir.path().join("twelve-check.toml"), &uncommented).expect("write");
    let o = tc(&["--show-settings", "."], dir.path());
    assert_eq!(code(&o), 0, "{}\n{uncommented}", stderr(&o));
    assert!(stdout(&o).contains("TC0602 "), "{}", stdout(&o));
    assert_eq!(code(&tc(&["init"], dir.path())), 2);
    assert_eq!(code(&tc(&["init", "--force"], dir.path())), 0);
}

#[test]
fn statistics_and_completions() {
    let o = tc(&["--isolated", "--statistics", DEMO], &repo());
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("TC0401  hardcoded-backing-service"), "{out}");
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.contains("findings from")),
        "{out}"
    );
    let o = tc(&["completions", "bash"], &repo());
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("twelve-check"), "{}", stdout(&o));
}
