//! What gets checked (issue 16): files git tracks are checked whatever `.gitignore` says.
//! Repositories are made with `git` in temporary folders (the tool itself never runs git).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

fn tc(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twelve-check"))
        .args(args)
        .current_dir(cwd)
        .env_remove("TWELVE_CHECK_FORMAT")
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// Runs git in `dir`, isolated from the machine's configuration.
fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs (the tests need git)");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// The `path:line:col: CODE` of every finding of a concise run.
fn keys(o: &Output) -> BTreeSet<String> {
    stdout(o)
        .lines()
        .filter_map(|l| {
            let (at, rest) = l.split_once(": ")?;
            Some(format!("{at}: {}", rest.split(' ').next()?))
        })
        .collect()
}

const SERVICE_TOML: &str = "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.8\"\ntokio = { version = \"1\", features = [\"full\"] }\n";

const SERVICE_MAIN: &str = "#[tokio::main]\nasync fn main() {\n    let app = axum::Router::new();\n    let listener = tokio::net::TcpListener::bind(\"0.0.0.0:8080\").await.unwrap();\n    axum::serve(listener, app).await.unwrap();\n}\n";

/// A service whose `.env` and log file were committed before `.gitignore` listed them, with an
/// ignored folder holding one tracked file and one untracked file.
fn committed_then_ignored(dir: &Path) {
    git(dir, &["init", "-q"]);
    write(
        dir,
        ".gitignore",
        "/target\n.env\n*.log\ngenerated/\nCargo.lock\npackage-lock.json\n",
    );
    write(dir, "Cargo.toml", SERVICE_TOML);
    write(dir, "src/main.rs", SERVICE_MAIN);
    write(dir, "Cargo.lock", "version = 3\n");
    write(dir, ".env", "DB_PASSWORD=Xk9mP2vLqZ7w\n");
    write(dir, "logs/server.log", "INFO started\n");
    write(
        dir,
        "generated/kept.env",
        "API_TOKEN=f3a9c2e7b1d84f60a5c3\n",
    );
    write(
        dir,
        "generated/other.env",
        "API_TOKEN=a1b2c3d4e5f60718293a\n",
    );
    write(
        dir,
        "web/package.json",
        "{\"name\": \"web\", \"dependencies\": {\"express\": \"^4.0.0\"}}\n",
    );
    write(dir, "web/package-lock.json", "{}\n");
    write(dir, "Dockerfile", "FROM rust:1.80\nCMD [\"/app\"]\n");
    git(dir, &["add", "."]);
    git(
        dir,
        &[
            "add",
            "-f",
            ".env",
            "logs/server.log",
            "generated/kept.env",
            "Cargo.lock",
        ],
    );
}

#[test]
fn tracked_files_are_checked_whatever_gitignore_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    committed_then_ignored(d);
    let o = tc(&["--isolated", "-f", "concise", "."], d);
    let out = stdout(&o);
    let k = keys(&o);
    assert!(k.contains(".env:1:1: TC0303"), "{out}");
    assert!(k.contains("logs/server.log:1:1: TC1104"), "{out}");
    assert!(k.contains("generated/kept.env:1:1: TC0303"), "{out}");
    assert!(
        !out.contains("generated/other.env"),
        "untracked and ignored:\n{out}"
    );
    // The tracked lockfile is in the repository whatever the pattern says; the untracked one is
    // kept out by line 6.
    assert!(!k.contains(".gitignore:5:1: TC0202"), "{out}");
    assert!(k.contains(".gitignore:6:1: TC0202"), "{out}");
    assert!(!out.contains("git index not read"), "{out}");
    let json = stdout(&tc(
        &["--isolated", "-f", "json", "--select", "TC0303", "."],
        d,
    ));
    assert!(
        json.contains("(`git rm --cached .env`): the pattern on line 2 of `.gitignore` does not apply to a file git already tracks"),
        "{json}"
    );
}

#[test]
fn without_a_readable_index_the_patterns_decide_and_a_note_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    committed_then_ignored(d);
    // A corrupt index: a note, the patterns alone, no panic.
    let index = d.join(".git/index");
    std::fs::write(&index, b"DIRC\0\0\0\x02\xff\xff\xff\xffgarbage").expect("write");
    let o = tc(&["--isolated", "-f", "concise", "."], d);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(!keys(&o).contains(".env:1:1: TC0303"), "{}", stdout(&o));
    let json = stdout(&tc(&["--isolated", "-f", "json", "."], d));
    assert!(
        json.contains("git index not read: it does not decode"),
        "{json}"
    );
    // An index over the limit is not read at all (its size comes from the open file).
    let f = std::fs::File::create(&index).expect("create");
    f.set_len(twelve_check::walk::INDEX_LIMIT + 1)
        .expect("sparse file");
    let json = stdout(&tc(&["--isolated", "-f", "json", "."], d));
    assert!(json.contains("byte limit"), "{json}");
    // A symbolic link is not followed.
    std::fs::remove_file(&index).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &index).expect("symlink");
    let json = stdout(&tc(&["--isolated", "-f", "json", "."], d));
    assert!(
        json.contains("git index not read: symbolic link, not followed"),
        "{json}"
    );
}

#[test]
fn a_git_file_naming_a_folder_outside_is_not_followed() {
    // The git directory outside holds an index that says `.env` is tracked: it must not be read.
    let outside = tempfile::tempdir().expect("tempdir");
    committed_then_ignored(outside.path());
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, ".gitignore", ".env\n");
    write(d, ".env", "DB_PASSWORD=Xk9mP2vLqZ7w\n");
    write(d, "Cargo.toml", SERVICE_TOML);
    write(d, "src/main.rs", SERVICE_MAIN);
    write(
        d,
        ".git",
        &format!("gitdir: {}\n", outside.path().join(".git").display()),
    );
    let o = tc(&["--isolated", "-f", "json", "."], d);
    let json = stdout(&o);
    assert!(!json.contains("\"path\": \".env\""), "{json}");
    assert!(
        json.contains("names a git directory outside the work tree")
            && json.contains("1 path skipped by them"),
        "{json}"
    );
    // Nothing to tell apart: no note.
    std::fs::remove_file(d.join(".gitignore")).expect("rm");
    std::fs::remove_file(d.join(".env")).expect("rm");
    let json = stdout(&tc(&["--isolated", "-f", "json", "."], d));
    assert!(!json.contains("git index not read"), "{json}");
}
