//! What gets checked (issue 16): files git tracks are checked whatever `.gitignore` says, and a
//! path inside a repository is checked as part of it. Repositories are made with `git` in
//! temporary folders (the tool itself never runs git).

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
    // TC1104 is preview (no corpus finding right yet): selected by its code.
    let o = tc(
        &[
            "--isolated",
            "--extend-select",
            "TC1104",
            "-f",
            "concise",
            ".",
        ],
        d,
    );
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

/// A workspace in git: the lockfile at the top, a service under `services/api`, a fixture app
/// under `tests/`, and an ignored `build/` folder.
fn workspace(dir: &Path, with_git: bool) {
    write(
        dir,
        "Cargo.toml",
        "[workspace]\nmembers = [\"services/*\"]\nresolver = \"2\"\n",
    );
    write(dir, "Cargo.lock", "version = 3\n");
    write(dir, "services/api/Cargo.toml", SERVICE_TOML);
    write(dir, "services/api/src/main.rs", SERVICE_MAIN);
    write(
        dir,
        "services/api/src/store.rs",
        "pub fn open() {\n    std::fs::write(\"uploads/data.bin\", b\"x\").ok();\n}\n",
    );
    write(dir, "Dockerfile", "FROM rust:1.80\nCMD [\"/app/api\"]\n");
    write(dir, ".gitignore", "/target\nbuild/\n");
    write(dir, "build/Dockerfile", "FROM debian:latest\n");
    write(dir, "tests/app/Cargo.toml", SERVICE_TOML);
    write(dir, "tests/app/src/main.rs", SERVICE_MAIN);
    if with_git {
        git(dir, &["init", "-q"]);
        git(dir, &["add", "."]);
    }
}

/// The findings of the whole repository under `prefix`.
fn under(all: &BTreeSet<String>, prefix: &str) -> BTreeSet<String> {
    all.iter()
        .filter(|k| k.starts_with(prefix))
        .cloned()
        .collect()
}

#[test]
fn part_of_a_repository_gives_the_same_findings_for_that_part() {
    for with_git in [true, false] {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        workspace(d, with_git);
        let all = keys(&tc(&["--isolated", "-f", "concise", "."], d));
        let api = under(&all, "services/api/");
        // The service rules ran: the crate is known from the folder above `src`.
        assert!(
            api.contains("services/api/src/main.rs:4:50: TC0701"),
            "{with_git}: {all:?}"
        );
        assert!(
            !api.iter().any(|k| k.contains("TC0201")),
            "the lockfile is at the workspace root: {all:?}"
        );
        for path in [
            "services/api",
            "services/api/",
            "./services/api/src",
            "services/api/src/main.rs",
        ] {
            let part = keys(&tc(&["--isolated", "-f", "concise", path], d));
            let want = under(&api, path.trim_start_matches("./").trim_end_matches('/'));
            assert_eq!(part, want, "{with_git}: {path}");
        }
        // From inside the service, paths are shown relative to where the user is.
        let inside = keys(&tc(
            &["--isolated", "-f", "concise", "."],
            &d.join("services/api"),
        ));
        let shown: BTreeSet<String> = api
            .iter()
            .map(|k| k.trim_start_matches("services/api/").to_string())
            .collect();
        assert_eq!(inside, shown, "{with_git}");
        // Several paths, overlapping and repeated: each finding once.
        let o = tc(
            &[
                "--isolated",
                "-f",
                "concise",
                "services/api/src",
                "services/api/src/main.rs",
                "services/api/src",
                "services/api",
            ],
            d,
        );
        let lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
        let unique: BTreeSet<&String> = lines.iter().collect();
        assert_eq!(lines.len(), unique.len(), "{with_git}: {lines:?}");
        assert_eq!(keys(&o), api, "{with_git}");
    }
}

#[test]
fn a_partial_check_says_so_and_scores_only_its_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    workspace(d, true);
    let o = tc(&["--isolated", "services/api/src"], d);
    let out = stdout(&o);
    assert!(
        out.contains("partial check: findings are reported under `services/api/src` only")
            && out.contains("whole repository at `.`"),
        "{out}"
    );
    let json = stdout(&tc(&["--isolated", "-f", "json", "services/api/src"], d));
    assert!(json.contains("\"files_checked\": 2"), "{json}");
    // The whole repository: no such note.
    assert!(!stdout(&tc(&["--isolated", "."], d)).contains("partial check"));
}

#[test]
fn fixtures_and_ignored_folders_are_checked_on_their_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    workspace(d, true);
    // Test material of the repository is out of its scope: given by name, it is a repository of
    // its own.
    let app = keys(&tc(&["--isolated", "-f", "concise", "tests/app"], d));
    assert!(
        app.contains("tests/app/src/main.rs:4:50: TC0701"),
        "{app:?}"
    );
    // An ignored folder the repository's walk never reaches.
    let build = keys(&tc(&["--isolated", "-f", "concise", "build"], d));
    assert!(build.contains("build/Dockerfile:1:6: TC0204"), "{build:?}");
    let whole = keys(&tc(&["--isolated", "-f", "concise", "."], d));
    assert!(!whole
        .iter()
        .any(|k| k.starts_with("build/") || k.starts_with("tests/")));
}
