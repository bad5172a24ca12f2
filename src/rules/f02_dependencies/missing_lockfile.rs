//! TC0201: a deployable manifest without its lockfile.

use std::collections::HashMap;

use crate::rule::prelude::*;
use crate::source::manifest::{Manifest, PyTool};
use crate::source::normalize_path;

declare_rule! {
    /// ## What it does
    /// Flags a manifest of something deployable whose lockfile is not in the repository:
    ///
    /// | manifest | needs |
    /// |---|---|
    /// | `Cargo.toml` of a package with a binary (`src/main.rs`, `src/bin/`, `[[bin]]`) | `Cargo.lock` at its workspace root (or beside it) |
    /// | `package.json` with `dependencies` | `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml`, `bun.lock` or `bun.lockb`, beside it or in a directory above (a workspace root) |
    /// | `pyproject.toml` managed by Poetry (`[tool.poetry]`), PDM (`[tool.pdm]`) or uv (`[tool.uv]`) | `poetry.lock`, `pdm.lock`, `uv.lock`, beside it or in a directory above |
    /// | `Pipfile` | `Pipfile.lock` beside it |
    /// | `go.mod` with `require`s | `go.sum` beside it |
    /// | `Gemfile` with `gem`s | `Gemfile.lock` beside it |
    ///
    /// A crate's workspace root is found as Cargo finds it: `package.workspace`, else the
    /// nearest `Cargo.toml` above with a `[workspace]` that does not `exclude` the crate, else the
    /// crate itself. So a binary crate nested under a plain package, or excluded from the
    /// workspace, needs its own `Cargo.lock`.
    ///
    /// Not flagged:
    /// - library-only crates, and the Gemfile of a gem library (it has `gemspec`);
    /// - crates in developer-tool folders (`tools/`, `xtask/`): run by hand, never deployed;
    /// - a lockfile at the workspace root;
    /// - a crate that inherits from a workspace (`edition.workspace = true`) whose root is not in
    ///   the checked tree, or under a `Cargo.toml` that did not parse: its lockfile cannot be seen;
    /// - `package.json` with only `devDependencies`, `go.mod` without `require`, a
    ///   `pyproject.toml` with only PEP 621 metadata or whose `[tool.pdm]` only configures the
    ///   pdm-backend build (`build`, `version`), and `requirements*.txt` (pins, not a lockfile);
    /// - manifests under test, example and fixture directories, unless `--include-tests`.
    ///
    /// A lockfile hidden by `.gitignore` still counts as present here (that is `TC0202`).
    ///
    /// Other files consulted: every manifest and lockfile in the repository, and each crate's
    /// `src/main.rs` and `src/bin/`.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 64 findings,
    /// 58 right, 2 wrong, 4 debatable; verdict precision 0.97.
    ///
    /// ## Why is this bad?
    /// Factor II: a twelve-factor app declares its dependencies completely and exactly. Without
    /// a lockfile every build resolves versions anew, so two builds of the same commit can ship
    /// different code, and a compromised or broken release is picked up silently.
    ///
    /// ## Example
    /// ```toml
    /// # Cargo.toml of a service, with no Cargo.lock committed
    /// [package]
    /// name = "shop"
    /// ```
    ///
    /// Use instead: run `cargo generate-lockfile` (or `npm install`, `poetry lock`, ...) and
    /// commit the lockfile.
    ///
    /// ## References
    /// - <https://12factor.net/dependencies>
    /// - [Cargo FAQ: why have Cargo.lock in version control?](https://doc.rust-lang.org/cargo/faq.html#why-have-cargolock-in-version-control)
    pub MissingLockfile {
        code: "TC0201", name: "missing-lockfile",
        factor: Dependencies, severity: Error, preview: false, since: "0.1.0",
    }
}

/// Where a manifest's lockfile may be, and what to say when it is in none of those places.
pub(crate) struct Need {
    /// Lockfile names, any of which satisfies the manifest.
    pub(crate) locks: &'static [&'static str],
    /// Directories (relative, `""` at the root) searched for them: for `Cargo.lock` the crate's
    /// own directory then its workspace root, otherwise nearest first.
    pub(crate) dirs: Vec<String>,
    message: String,
    /// The command that writes the lockfile.
    command: &'static str,
}

/// The deployable manifests of the repository (those that need a lockfile, as this rule
/// decides) with what they need; shared with `TC0202`.
pub(crate) fn lock_needs(repo: &RepoIndex) -> Vec<(&Manifest, Need)> {
    let cargo: CargoManifests<'_> = repo
        .manifests
        .iter()
        .filter(|m| m.path.rsplit('/').next() == Some("Cargo.toml"))
        .map(|m| (m.path.as_str(), m))
        .collect();
    repo.manifests
        .iter()
        .filter_map(|m| needs(m, repo, &cargo).map(|n| (m, n)))
        .collect()
}

const NPM_LOCKS: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
];

/// What lockfile `m` needs; `None` when it needs none or when that cannot be told from here.
fn needs(m: &Manifest, repo: &RepoIndex, cargo: &CargoManifests<'_>) -> Option<Need> {
    let file = m.path.rsplit('/').next().unwrap_or(&m.path);
    let here = || vec![m.dir.clone()];
    let up = || ancestors(&m.dir).into_iter().map(str::to_string).collect();
    let (locks, dirs, message, command): (&'static [&'static str], Vec<String>, String, _) =
        match file {
            "Cargo.toml" => {
                let krate = repo.crates.iter().find(|c| c.manifest == m.path)?;
                if !krate.has_bin || krate.is_tool {
                    return None;
                }
                let name = m.name.as_deref().unwrap_or("this package");
                (
                    &["Cargo.lock"],
                    cargo_lock_dirs(m, repo, cargo)?,
                    format!("binary crate `{name}` has no Cargo.lock"),
                    "cargo generate-lockfile",
                )
            }
            "package.json" if !m.dependencies.is_empty() => (
                NPM_LOCKS,
                up(),
                "package.json has dependencies but no lockfile".into(),
                "npm install",
            ),
            "pyproject.toml" => match m.py_tool? {
                PyTool::Poetry => (
                    &["poetry.lock"],
                    up(),
                    "Poetry project has no poetry.lock".into(),
                    "poetry lock",
                ),
                PyTool::Pdm => (
                    &["pdm.lock"],
                    up(),
                    "PDM project has no pdm.lock".into(),
                    "pdm lock",
                ),
                PyTool::Uv => (
                    &["uv.lock"],
                    up(),
                    "uv project has no uv.lock".into(),
                    "uv lock",
                ),
            },
            "Pipfile" => (
                &["Pipfile.lock"],
                here(),
                "Pipfile has no Pipfile.lock".into(),
                "pipenv lock",
            ),
            "go.mod" if !m.dependencies.is_empty() => (
                &["go.sum"],
                here(),
                "go.mod has requirements but no go.sum".into(),
                "go mod tidy",
            ),
            "Gemfile" if !m.gemspec && !m.dependencies.is_empty() => (
                &["Gemfile.lock"],
                here(),
                "Gemfile has no Gemfile.lock".into(),
                "bundle lock",
            ),
            _ => return None,
        };
    Some(Need {
        locks,
        dirs,
        message,
        command,
    })
}

/// The parsed `Cargo.toml` files by path.
type CargoManifests<'a> = HashMap<&'a str, &'a Manifest>;

/// Where Cargo keeps the lockfile of package `m`: its workspace root, found as Cargo finds it
/// (`package.workspace`, else the nearest `[workspace]` above that does not exclude it), else
/// its own directory. A member's own directory is accepted too. `None` when the workspace root
/// is out of sight: outside the checked tree, or a `Cargo.toml` above that did not parse.
fn cargo_lock_dirs(
    m: &Manifest,
    repo: &RepoIndex,
    cargo: &CargoManifests<'_>,
) -> Option<Vec<String>> {
    let mut dirs = vec![m.dir.clone()];
    if m.is_workspace {
        return Some(dirs);
    }
    if let Some(ws) = &m.workspace_path {
        dirs.push(normalize_path(&join(&m.dir, ws))?);
        return Some(dirs);
    }
    for dir in ancestors(&m.dir).into_iter().skip(1) {
        let path = join(dir, "Cargo.toml");
        let Some(root) = cargo.get(path.as_str()) else {
            if repo.exists(&path) {
                return None;
            }
            continue;
        };
        if root.is_workspace && !excluded(root, &m.dir) {
            dirs.push(dir.to_string());
            return Some(dirs);
        }
    }
    // A package inheriting from a workspace that is not in sight: its root (and lockfile) lies
    // outside the checked tree.
    (!m.inherits_workspace).then_some(dirs)
}

/// Cargo's rule: a package under an `exclude` path is not a member unless listed in `members`.
fn excluded(root: &Manifest, member_dir: &str) -> bool {
    let under = |entries: &[String]| {
        entries.iter().any(|e| {
            normalize_path(&join(&root.dir, e)).is_some_and(|p| {
                member_dir == p || p.is_empty() || member_dir.starts_with(&format!("{p}/"))
            })
        })
    };
    under(&root.workspace_exclude) && !under(&root.workspace_members)
}

/// `dir` and every directory above it, nearest first, ending with the root (`""`).
fn ancestors(dir: &str) -> Vec<&str> {
    let mut out = vec![dir];
    let mut d = dir;
    while let Some((parent, _)) = d.rsplit_once('/') {
        out.push(parent);
        d = parent;
    }
    if !dir.is_empty() {
        out.push("");
    }
    out
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

impl Rule for MissingLockfile {
    fn inputs(&self) -> Inputs {
        Inputs {
            repo: true,
            ..Inputs::default()
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        for (m, need) in lock_needs(repo) {
            let found = need
                .dirs
                .iter()
                .any(|d| need.locks.iter().any(|l| repo.exists(&join(d, l))));
            if !found {
                cx.report(
                    &m.path,
                    Violation::new(m.anchor.clone(), need.message)
                        .label("dependency versions are not pinned")
                        .help(format!(
                            "run `{}` and commit the lockfile it writes",
                            need.command
                        )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            normalize_path("apps/api/../../platform").as_deref(),
            Some("platform")
        );
        assert_eq!(normalize_path("./a//b/.").as_deref(), Some("a/b"));
        assert_eq!(normalize_path("a/../.."), None);
        assert_eq!(ancestors("a/b"), ["a/b", "a", ""]);
        assert_eq!(ancestors(""), [""]);
    }

    #[test]
    fn cargo_exclude() {
        let root = Manifest {
            path: "Cargo.toml".into(),
            is_workspace: true,
            workspace_members: vec!["crates/*".into(), "tools/keep".into()],
            workspace_exclude: vec!["tools".into()],
            ..Manifest::default()
        };
        assert!(excluded(&root, "tools/seed"));
        assert!(!excluded(&root, "tools/keep"));
        assert!(!excluded(&root, "toolsmith"));
        assert!(!excluded(&root, "crates/api"));
    }
}
