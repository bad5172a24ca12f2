//! TC1104: a log file committed to the repository.

use crate::engine::TEST_DIRS;
use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags log files in the repository: `*.log` (`app.log`,
    /// `logs/server.log`, `npm-debug.log`), rotated logs (`app.log.1`, `app.log.2.gz`,
    /// `npm-debug.log.4096`) and `nohup.out`. Each file is reported once, at line 1, whatever
    /// its size (the file's text is not read).
    ///
    /// Not flagged: files that only have `log` in their name (`CHANGELOG.md`, `ChangeLog`,
    /// `catalog.log.json`, `blog.md`, `log.rs`), other files in a `logs/` or `.log/` folder
    /// (`logs/.gitkeep`), log files that git does not track and a `.gitignore` ignores, and log
    /// files under test, fixture and example folders (`tests/`, `testdata/`, `fixtures/`,
    /// `examples/`, ...: sample input of log parsers).
    ///
    /// "In the repository" means tracked by git, whatever `.gitignore` says (a pattern added
    /// after the file was committed does not take it out; the message says so); a log file git
    /// does not track yet and no `.gitignore` excludes is flagged too. Outside a git work tree,
    /// or when its index cannot be read, a file counts as in the repository unless a
    /// `.gitignore` pattern matches it.
    ///
    /// Other files consulted: the git index and every `.gitignore` of the tree, to know whether
    /// the file is tracked or ignored; the help says whether a `.gitignore` exists to add the
    /// pattern to.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 1 findings, 0
    /// right, 1 wrong, 0 debatable; verdict precision 0.00. Below the 0.90 a default-on rule needs,
    /// so it is a preview rule until it is fixed; its false-positive shapes are in
    /// `benches/realworld/RESULTS.md`.
    ///
    /// ## Why is this bad?
    /// Factor XI: an app's logs are an event stream that the execution environment routes to
    /// its destination; they are not files of the codebase. A committed log file is output of
    /// one past run on one machine: it bloats the history, can leak data and credentials that
    /// were logged, and usually means the app writes logs to files instead of stdout.
    ///
    /// ## Example
    /// ```text
    /// $ git ls-files
    /// Cargo.toml
    /// logs/server.log
    /// src/main.rs
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// # .gitignore
    /// *.log
    /// ```
    ///
    /// and write logs to stdout.
    ///
    /// ## References
    /// - <https://12factor.net/logs>
    /// - [GitHub's gitignore templates](https://github.com/github/gitignore) (every language
    ///   template ignores `*.log`)
    pub CommittedLogFile {
        code: "TC1104", name: "committed-log-file",
        factor: Logs, severity: Note, preview: true, since: "0.2.0",
    }
}

/// Whether a file name is a log file: `*.log`, a rotated `*.log.N` or `*.log.N.gz`, or
/// `nohup.out`.
fn is_log_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "nohup.out" {
        return true;
    }
    let Some(at) = lower.rfind(".log") else {
        return false;
    };
    // A name, not just an extension: `.log` alone is a folder or a hidden file.
    if at == 0 {
        return false;
    }
    let rest = &lower[at + 4..];
    let rest = rest.strip_suffix(".gz").unwrap_or(rest);
    rest.is_empty()
        || rest
            .strip_prefix('.')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a path lies under a test, fixture or example folder, unless tests are checked (as
/// the engine decides for every other rule).
fn in_test_dir(repo: &RepoIndex, path: &str) -> bool {
    !repo.include_tests
        && path
            .split('/')
            .rev()
            .skip(1)
            .any(|c| TEST_DIRS.contains(&c))
}

impl Rule for CommittedLogFile {
    fn inputs(&self) -> Inputs {
        Inputs {
            repo: true,
            ..Inputs::default()
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let has_gitignore = !repo.gitignores.is_empty();
        let add = if has_gitignore {
            "add `*.log` to .gitignore"
        } else {
            "create a .gitignore with `*.log`"
        };
        for path in &repo.files {
            let name = path.rsplit('/').next().unwrap_or(path);
            if !is_log_file(name) || in_test_dir(repo, path) || repo.is_ignored(path) {
                continue;
            }
            let (message, help) = match (repo.tracked(path), repo.pattern_ignoring(path)) {
                // Ignored after it was added: the pattern does not take it out of git.
                (Some(true), Some((gitignore, line))) => (
                    format!("log file `{name}` is in the repository although `{gitignore}` ignores it"),
                    format!(
                        "remove it (`git rm --cached {path}`): the pattern on line {line} of `{gitignore}` does not apply to a file git already tracks; write logs to stdout"
                    ),
                ),
                (Some(false), _) => (
                    format!("log file `{name}` is not git-ignored"),
                    format!("delete it or {add}, and write logs to stdout"),
                ),
                _ => (
                    format!("log file `{name}` is in the repository and not git-ignored"),
                    format!("remove it (`git rm --cached {path}`), {add} and write logs to stdout"),
                ),
            };
            cx.report(
                path,
                Violation::new(0..0, message)
                    .label("log output of a past run")
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_names() {
        for n in [
            "app.log",
            "server.LOG",
            "npm-debug.log",
            "app.log.1",
            "app.log.2.gz",
            "npm-debug.log.4096",
            "nohup.out",
        ] {
            assert!(is_log_file(n), "{n}");
        }
        for n in [
            "CHANGELOG.md",
            "ChangeLog",
            "changelog",
            "catalog.log.json",
            "blog.md",
            "log.rs",
            ".log",
            "app.logger",
            "backlog",
            "app.log.old",
        ] {
            assert!(!is_log_file(n), "{n}");
        }
    }

    #[test]
    fn test_dirs() {
        let repo = RepoIndex::default();
        assert!(in_test_dir(&repo, "tests/data/access.log"));
        assert!(in_test_dir(&repo, "crates/parser/testdata/x.log"));
        assert!(!in_test_dir(&repo, "logs/app.log"));
        assert!(!in_test_dir(&repo, "test.log"));
        let all = RepoIndex {
            include_tests: true,
            ..RepoIndex::default()
        };
        assert!(!in_test_dir(&all, "tests/data/access.log"));
    }
}
