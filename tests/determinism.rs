//! Determinism: the same tree gives the same bytes in every output format, with one worker
//! thread or eight, run after run.

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> Vec<u8> {
    let o = Command::new(env!("CARGO_BIN_EXE_twelve-check"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env_remove("TWELVE_CHECK_FORMAT")
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs");
    assert_eq!(
        o.status.code(),
        Some(1),
        "`twelve-check {}`: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

#[test]
fn every_format_is_byte_identical_across_thread_counts_and_runs() {
    // The polyglot apps: findings in Rust, Dockerfiles, compose, Kubernetes, Procfiles, nginx,
    // TOML, JSON and .env files, plus repo-level rules.
    let tree = "fixtures/apps";
    for format in [
        "human", "concise", "json", "sarif", "github", "gitlab", "junit",
    ] {
        let first = run(&["--isolated", "-j1", "-f", format, tree]);
        assert!(first.len() > 1000, "{format}: suspiciously short output");
        for (threads, round) in [("-j8", 1), ("-j1", 2), ("-j8", 2)] {
            let again = run(&["--isolated", threads, "-f", format, tree]);
            assert!(
                first == again,
                "{format}: {threads} (round {round}) differs from -j1:\n{}",
                first_difference(&first, &again)
            );
        }
    }
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n- {x}\n+ {y}", i + 1);
        }
    }
    format!("lengths {} and {}", a.len(), b.len())
}
