//! Issue 13, class 1 and the ignore-file memory of class 4: every read goes through one guarded
//! opener. One test per reproducer of `../shared/attacks/` (r01, r10, r11, r13, r16, r17, r18;
//! r15's race is tested deterministically on the opener in `src/walk.rs`), each of which failed
//! on the code before the opener: a secret printed, a hang, an unbounded read, gigabytes of
//! memory, a planted configuration used, an exit 0.

#[path = "common/child.rs"]
mod child;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// What a run gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// Peak resident memory of the child, in KiB.
    max_rss_kib: i64,
    took: Duration,
}

/// Runs `cmd` through the shared harness; a run longer than `limit` is killed and fails the
/// test as a hang, and an internal error fails it too.
fn run_cmd(cmd: Command, limit: Duration) -> Run {
    let r = child::run_cmd(cmd, limit);
    assert!(!r.stderr.contains("internal error"), "{}", r.stderr);
    Run {
        code: r.code,
        stdout: r.text(),
        stderr: r.stderr,
        max_rss_kib: r.max_rss_kib,
        took: r.took,
    }
}

const BIN: &str = env!("CARGO_BIN_EXE_twelve-check");

/// Generous for a debug build on a busy machine; the reproducers ask for well under 10 s from
/// the release build, and every run here is a fraction of a second once fixed.
const LIMIT: Duration = Duration::from_secs(30);

fn run(args: &[&str], cwd: &Path) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(cwd);
    run_cmd(cmd, LIMIT)
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {path:?}");
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

fn is_root() -> bool {
    // SAFETY: no arguments, no memory.
    unsafe { libc::geteuid() == 0 }
}

/// A temporary folder that is not inside any git work tree (`/tmp`), with `repo/` in it.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    std::fs::create_dir(&root).expect("mkdir");
    (dir, root)
}

const TOKEN: &str = "ghp_R3alS3cretT0kenValue1234567890abcd";

/// r01: `twelve-check.toml -> /proc/self/environ` printed the job's environment in the
/// configuration error. The link is refused; nothing of it is shown.
#[test]
fn r01_config_linked_to_environ_is_never_read() {
    let (_dir, root) = repo();
    write(&root, "Dockerfile", "FROM rust:1.80\n");
    symlink("/proc/self/environ", &root.join("twelve-check.toml"));
    for args in [
        &["-f", "json", "."][..],
        &["-f", "json", "--config", "twelve-check.toml", "."],
    ] {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(&root).env("GITHUB_TOKEN", TOKEN);
        let r = run_cmd(cmd, LIMIT);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains(TOKEN) && !r.stdout.contains(TOKEN),
            "{args:?}: the environment was printed:\n{}",
            r.stderr
        );
        assert!(r.stderr.contains("symbolic link"), "{args:?}: {}", r.stderr);
    }
}

/// r10: a FIFO at any path the tool reads besides the walk blocked the run forever.
#[test]
fn r10_fifos_at_every_read_path_never_block() {
    for name in [
        "twelve-check.toml",
        ".twelve-check.toml",
        "Cargo.toml",
        ".gitignore",
        ".ignore",
        "sub/.gitignore",
        ".git/info/exclude",
    ] {
        let (_dir, root) = repo();
        write(&root, "Dockerfile", "FROM rust:latest\n");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::create_dir_all(root.join(".git/info")).expect("mkdir");
        mkfifo(&root.join(name));
        let r = run(&["-f", "concise", "."], &root);
        if name.contains("twelve-check") {
            // A configuration file that cannot be read is an error, named.
            assert_eq!(r.code, 2, "{name}: {}", r.stderr);
            assert!(r.stderr.contains("FIFO"), "{name}: {}", r.stderr);
        } else {
            assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
            assert!(r.stdout.contains("TC0204"), "{name}: {}", r.stdout);
            assert!(
                r.stdout.contains(&format!("{name}:1:1: TC0002"))
                    && r.stdout.contains("named pipe (FIFO)"),
                "{name}: no note names it:\n{}",
                r.stdout
            );
        }
    }
}

/// r11: links to /dev/zero at the ignore, configuration and manifest paths were read until
/// memory ran out (2.6 GB, then an abort).
#[test]
fn r11_links_to_dev_zero_are_not_read() {
    for name in [".gitignore", ".ignore", "twelve-check.toml", "Cargo.toml"] {
        let (_dir, root) = repo();
        write(&root, "Dockerfile", "FROM rust:latest\n");
        symlink("/dev/zero", &root.join(name));
        let r = run(&["-f", "concise", "."], &root);
        assert!(r.max_rss_kib < 100_000, "{name}: {} KiB", r.max_rss_kib);
        if name == "twelve-check.toml" {
            assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        } else {
            assert_eq!(r.code, 1, "{name}: {}", r.stderr);
            assert!(r.stdout.contains("TC0204"), "{name}: {}", r.stdout);
        }
    }
}

/// r13: every folder's `.gitignore` compiled its own matcher at ~7.7 KB per pattern (250
/// folders of the same 1,000 patterns: 1.9 GB and 22 s). Identical contents now share one
/// matcher, and distinct patterns past the run's budget turn ignore files off, with a note.
#[test]
fn r13_gitignore_patterns_cost_bounded_memory() {
    let (_dir, root) = repo();
    let same: String = (0..1000).map(|j| format!("p{j}_*.tmp\n")).collect();
    for i in 0..120 {
        write(&root, &format!("d{i}/.gitignore"), &same);
        write(&root, &format!("d{i}/Dockerfile"), "FROM rust:latest\n");
        write(&root, &format!("d{i}/p1_x.tmp"), "ignored\n");
    }
    let r = run(&["--isolated", "-f", "json", "."], &root);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // 120,000 patterns at the old cost would be about 900 MB.
    assert!(r.max_rss_kib < 150_000, "peak {} KiB", r.max_rss_kib);
    assert!(r.took < Duration::from_secs(20), "took {:?}", r.took);
    assert!(
        r.stdout.contains("\"files_checked\": 240"),
        "the .tmp files are ignored"
    );

    // Distinct contents: 30 files of 1,000 different patterns each, over the run's budget.
    let (_dir2, root) = repo();
    for i in 0..30 {
        let text: String = (0..1000).map(|j| format!("p{i}_{j}_*.tmp\n")).collect();
        write(&root, &format!("d{i}/.gitignore"), &text);
        write(&root, &format!("d{i}/Dockerfile"), "FROM rust:latest\n");
    }
    let r = run(&["--isolated", "-f", "json", "."], &root);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.max_rss_kib < 250_000, "peak {} KiB", r.max_rss_kib);
    assert!(
        r.stdout.contains("ignore files not applied"),
        "no note says the budget was spent:\n{}",
        r.stdout
    );
    // And deterministically so.
    let again = run(&["--isolated", "-f", "json", "-j", "1", "."], &root);
    assert_eq!(r.stdout, again.stdout);
}

/// TC0301 is preview (corpus precision under 0.90): selected by its exact code, it runs.
const SELECT: &str = "--extend-select=TC0301";

/// r16: a configuration file and an `.ignore` planted by another user in a shared parent folder
/// were used (`exclude = ["**"]` hid a leaked token). Outside a git work tree only the root's
/// folder is searched; `--isolated` also ignores `.ignore` files in the root.
#[test]
fn r16_nothing_is_read_above_the_root_outside_a_work_tree() {
    let (dir, root) = repo();
    write(
        &root,
        "Dockerfile",
        &format!("FROM rust:latest\nENV API_TOKEN={TOKEN}\n"),
    );
    write(dir.path(), "twelve-check.toml", "exclude = [\"**\"]\n");
    write(dir.path(), ".ignore", "*\n");
    write(dir.path(), ".gitignore", "*\n");
    let r = run(&[SELECT, "-f", "concise", "."], &root);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("TC0301"),
        "the planted files hid it:\n{}",
        r.stdout
    );

    // --isolated: the root's own .ignore is not applied either.
    write(&root, ".ignore", "Dockerfile\n");
    let r = run(&[SELECT, "--isolated", "-f", "concise", "."], &root);
    assert!(
        r.stdout.contains("TC0301"),
        "--isolated applied .ignore:\n{}",
        r.stdout
    );
    let r = run(&[SELECT, "-f", "concise", "."], &root);
    assert!(
        !r.stdout.contains("TC0301"),
        "without --isolated .ignore applies"
    );

    // Inside a work tree, the files up to its top are the repository's own and do apply.
    std::fs::remove_file(root.join(".ignore")).expect("rm");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let r = run(&[SELECT, "-f", "concise", "."], &root);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// r17: a root that cannot be listed was a clean pass (exit 0). As root every folder is
/// readable, so the run drops to `nobody` when it can; otherwise (not root) a mode 000 folder
/// is unreadable already.
#[test]
fn r17_unreadable_root_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let root = dir.path().join("root");
    write(&root, "Dockerfile", "FROM rust:latest\n");
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let root_s = root.to_str().expect("utf-8 temp path");
    let mut cmd = if is_root() {
        let Ok(setpriv) = which("setpriv") else {
            eprintln!("r17 not covered: running as root without setpriv");
            return;
        };
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    cmd.args(["-f", "concise", root_s]);
    let r = run_cmd(cmd, LIMIT);
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if r.stderr.contains("setpriv:") {
        eprintln!("r17 not covered: setpriv failed: {}", r.stderr);
        return;
    }
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("ermission denied"), "{}", r.stderr);
}

fn which(name: &str) -> Result<PathBuf, ()> {
    ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
        .ok_or(())
}

/// r18: `twelve-check -- -` walked standard input (0 files, exit 0). `-` is a folder.
#[test]
fn r18_a_folder_named_dash_is_a_folder() {
    let (_dir, root) = repo();
    write(&root, "-/Dockerfile", "FROM rust:latest\n");
    let r = run(&["--isolated", "-f", "json", "--", "-"], &root);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("\"files_checked\": 1"), "{}", r.stdout);
    assert!(
        r.stdout.contains("\"path\": \"-/Dockerfile\""),
        "{}",
        r.stdout
    );
    // No such folder: an error, not a pass.
    std::fs::remove_dir_all(root.join("-")).expect("rm");
    assert_eq!(run(&["--isolated", "--", "-"], &root).code, 2);
}

/// A root given as a symbolic link is resolved once and said so; a `Cargo.lock` that is a link
/// does not count as a lockfile.
#[test]
fn root_link_is_reported_and_linked_lockfile_is_absent() {
    let (dir, root) = repo();
    write(
        &root,
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(&root, "src/main.rs", "fn main() {}\n");
    write(dir.path(), "elsewhere/Cargo.lock", "version = 3\n");
    symlink(
        dir.path().join("elsewhere/Cargo.lock"),
        &root.join("Cargo.lock"),
    );
    symlink("repo", &dir.path().join("link"));
    let r = run(&["--isolated", "-f", "human", "link"], dir.path());
    assert!(
        r.stdout.contains("link is a symbolic link: checked"),
        "{}",
        r.stdout
    );
    let r = run(&["--isolated", "-f", "concise", "."], &root);
    assert!(
        r.stdout.contains("TC0201"),
        "a linked Cargo.lock counted as present:\n{}",
        r.stdout
    );
}

/// Folders nested past `PATH_MAX` end in a note, as a plain open would, and cost linear time (a
/// component-by-component open of each would be quadratic in the depth).
#[test]
fn folders_nested_past_path_max_end_in_a_note() {
    let (_dir, root) = repo();
    // One folder at a time, each relative to the last: a path this long cannot be named in
    // one call.
    use rustix::fs::{mkdirat, openat, Mode, OFlags};
    let mut dir = openat(
        rustix::fs::CWD,
        &root,
        OFlags::PATH | OFlags::DIRECTORY,
        Mode::empty(),
    )
    .expect("open root");
    for _ in 0..1500 {
        mkdirat(&dir, "abc", Mode::from_raw_mode(0o755)).expect("mkdir");
        dir = openat(&dir, "abc", OFlags::PATH | OFlags::DIRECTORY, Mode::empty()).expect("open");
    }
    let r = run(&["--isolated", "-f", "json", "."], &root);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("File name too long"), "{}", r.stdout);
    assert!(r.took < Duration::from_secs(10), "took {:?}", r.took);
}
