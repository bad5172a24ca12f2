//! TC0101: the checked root is not inside a git work tree.

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a checked directory that is not inside a git work tree: neither it nor any
    /// directory above it has a `.git` entry. One finding is reported for the whole tree, on the
    /// top-level manifest (`Cargo.toml`, `package.json`, ...), else on a file at the top (a
    /// README), else on the first file.
    ///
    /// A `.git` *file* counts as version control: linked worktrees (`git worktree add`) and
    /// submodules have one pointing at the real git directory.
    ///
    /// Other files consulted: the `.git` entries of the checked directory and its ancestors, and
    /// the list of files walked (to place the finding).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor I: a twelve-factor app is always tracked in a version control system, one
    /// codebase per app, with many deploys of it. Code that is not in version control has no
    /// history to deploy from, no way to tell which revision runs where, and no review.
    ///
    /// This also fires on a tarball export or a Docker build context without `.git`; check the
    /// repository itself, or turn the rule off in such pipelines.
    ///
    /// ## Example
    /// ```text
    /// shop/            # copied around by hand, no .git above it
    /// ├── Cargo.toml
    /// └── src/main.rs
    /// ```
    ///
    /// Use instead: `git init`, commit the code and push it to a shared remote.
    ///
    /// ## References
    /// - <https://12factor.net/codebase>
    /// - [git-worktree: the `.git` file of a linked worktree](https://git-scm.com/docs/git-worktree)
    pub NotVersionControlled {
        code: "TC0101", name: "not-version-controlled",
        factor: Codebase, severity: Warning, preview: false, since: "0.2.0",
    }
}

/// Where the single finding goes: the top-level manifest, else the first file at the top, else
/// the first file in path order.
fn anchor(repo: &RepoIndex) -> Option<(&str, std::ops::Range<usize>)> {
    let top = repo
        .manifests
        .iter()
        .filter(|m| m.dir.is_empty())
        .min_by(|a, b| a.path.cmp(&b.path));
    match top {
        Some(m) => Some((&m.path, m.anchor.clone())),
        // A file at the top (a README) says more than the first file of some sub-folder.
        None => repo
            .files
            .iter()
            .find(|f| !f.contains('/'))
            .or(repo.files.first())
            .map(|f| (f.as_str(), 0..0)),
    }
}

impl Rule for NotVersionControlled {
    fn inputs(&self) -> Inputs {
        Inputs {
            repo: true,
            ..Inputs::default()
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        if repo.in_git {
            return;
        }
        let Some((path, span)) = anchor(repo) else {
            return;
        };
        let path = path.to_string();
        cx.report(
            &path,
            Violation::new(
                span,
                "the checked directory is not inside a git work tree; the code has no version history to deploy from",
            )
            .label("no `.git` here or in any directory above")
            .help("run `git init`, commit the code and push it to a shared remote, or check the repository itself rather than an export"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::manifest::Manifest;

    #[test]
    fn anchors_on_top_level_manifest() {
        let repo = RepoIndex {
            files: vec![
                "README.md".into(),
                "api/Cargo.toml".into(),
                "package.json".into(),
            ],
            manifests: vec![
                Manifest {
                    path: "api/Cargo.toml".into(),
                    dir: "api".into(),
                    ..Manifest::default()
                },
                Manifest {
                    path: "package.json".into(),
                    anchor: 0..1,
                    ..Manifest::default()
                },
            ],
            ..RepoIndex::default()
        };
        assert_eq!(anchor(&repo), Some(("package.json", 0..1)));
        let nested = RepoIndex {
            files: vec!["a/x.json".into(), "b/y.json".into(), "z.md".into()],
            ..RepoIndex::default()
        };
        assert_eq!(anchor(&nested), Some(("z.md", 0..0)));
        let bare = RepoIndex {
            files: vec!["a.sh".into(), "b.txt".into()],
            ..RepoIndex::default()
        };
        assert_eq!(anchor(&bare), Some(("a.sh", 0..0)));
        assert_eq!(anchor(&RepoIndex::default()), None);
    }
}
