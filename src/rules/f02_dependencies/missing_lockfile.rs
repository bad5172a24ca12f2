//! TC0201: a deployable manifest without its lockfile.

use crate::rule::prelude::*;
use crate::source::manifest::{Manifest, PyTool};

declare_rule! {
    /// ## What it does
    /// Flags a manifest of something deployable whose lockfile is not in the repository:
    ///
    /// | manifest | needs |
    /// |---|---|
    /// | `Cargo.toml` of a package with a binary (`src/main.rs`, `src/bin/`, `[[bin]]`) | `Cargo.lock` in its directory or at its workspace root |
    /// | `package.json` with `dependencies` | `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml`, `bun.lock` or `bun.lockb`, beside it or at a workspace root above |
    /// | `pyproject.toml` managed by Poetry, PDM or uv | `poetry.lock`, `pdm.lock`, `uv.lock` |
    /// | `Pipfile` | `Pipfile.lock` |
    /// | `go.mod` with `require`s | `go.sum` |
    /// | `Gemfile` | `Gemfile.lock` |
    ///
    /// Not flagged: library-only crates, and a lockfile at the workspace root. A lockfile hidden
    /// by `.gitignore` still counts as present here (that is `TC0202`).
    ///
    /// Other files consulted: every manifest and lockfile in the repository, and each crate's
    /// `src/main.rs` and `src/bin/`.
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

/// The lockfiles that satisfy a manifest, and whether they may sit in an ancestor directory.
fn needs(m: &Manifest, repo: &RepoIndex) -> Option<(&'static [&'static str], bool, String)> {
    let file = m.path.rsplit('/').next().unwrap_or(&m.path);
    match file {
        "Cargo.toml" => {
            let krate = repo.crates.iter().find(|c| c.manifest == m.path)?;
            krate.has_bin.then(|| {
                let name = m.name.as_deref().unwrap_or("this package");
                (
                    &["Cargo.lock"][..],
                    true,
                    format!("binary crate `{name}` has no Cargo.lock"),
                )
            })
        }
        "package.json" => (!m.dependencies.is_empty()).then(|| {
            (
                &[
                    "package-lock.json",
                    "npm-shrinkwrap.json",
                    "yarn.lock",
                    "pnpm-lock.yaml",
                    "bun.lock",
                    "bun.lockb",
                ][..],
                true,
                "package.json has dependencies but no lockfile".to_string(),
            )
        }),
        "pyproject.toml" => match m.py_tool? {
            PyTool::Poetry => Some((
                &["poetry.lock"][..],
                true,
                "Poetry project has no poetry.lock".into(),
            )),
            PyTool::Pdm => Some((
                &["pdm.lock"][..],
                true,
                "PDM project has no pdm.lock".into(),
            )),
            PyTool::Uv => Some((&["uv.lock"][..], true, "uv project has no uv.lock".into())),
        },
        "Pipfile" => Some((
            &["Pipfile.lock"][..],
            false,
            "Pipfile has no Pipfile.lock".into(),
        )),
        "go.mod" => (!m.dependencies.is_empty()).then(|| {
            (
                &["go.sum"][..],
                false,
                "go.mod has requirements but no go.sum".into(),
            )
        }),
        "Gemfile" => Some((
            &["Gemfile.lock"][..],
            false,
            "Gemfile has no Gemfile.lock".into(),
        )),
        _ => None,
    }
}

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
        for m in &repo.manifests {
            let Some((locks, up, message)) = needs(m, repo) else {
                continue;
            };
            let dirs = if up {
                ancestors(&m.dir)
            } else {
                vec![m.dir.as_str()]
            };
            let found = dirs
                .iter()
                .any(|d| locks.iter().any(|l| repo.exists(&join(d, l))));
            if !found {
                cx.report(
                    &m.path,
                    Violation::new(m.anchor.clone(), message)
                        .label("dependency versions are not pinned")
                        .help(format!(
                            "generate the lockfile ({}) and commit it",
                            locks[0]
                        )),
                );
            }
        }
    }
}
