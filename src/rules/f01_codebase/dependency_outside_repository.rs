//! TC0102: a dependency resolved by a path outside the repository.

use crate::rule::prelude::*;
use crate::source::manifest::{DepGroup, DepSource, DependencySpec, Manifest};

declare_rule! {
    /// ## What it does
    /// Flags a dependency taken from a local path that resolves outside the checked
    /// repository: code shared between codebases by path instead of as a versioned package.
    ///
    /// - Cargo: `path =` in any dependency table (`[dependencies]`, `[dev-dependencies]`,
    ///   `[build-dependencies]`, `[target.*]`, `[workspace.dependencies]`), `[patch.*]` and
    ///   `[replace]` entries;
    /// - npm: `file:`, `link:` and `portal:` specifiers, and bare `../x` paths;
    /// - Python: requirements `-e ../x`, `../x` and `file://` lines, Poetry/Pipfile/uv `path =`,
    ///   PEP 508 `name @ file:///...`, PDM's `file:///${PROJECT_ROOT}/../x`;
    /// - go.mod `replace x => ../x`; Gemfile `gem "x", path: "../x"`.
    ///
    /// A path is resolved from the manifest's directory; it is outside when it climbs above the
    /// checked root or is absolute (`/opt/libs/x`, `C:\libs`, `~/x`).
    ///
    /// Not flagged: paths inside the repository (workspace members, `vendor/`, `libs/`),
    /// paths built from variables other than PDM's `${PROJECT_ROOT}`, and manifests under test,
    /// example and fixture directories unless `--include-tests`.
    ///
    /// Check the repository root: when a subdirectory of a monorepo is checked, a path to a
    /// sibling directory is outside the checked tree and is reported.
    ///
    /// Other files consulted: every dependency manifest of the repository (`Cargo.toml`,
    /// `package.json`, `pyproject.toml`, `Pipfile`, `requirements*.txt`, `go.mod`, `Gemfile`).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor I: one codebase per app; code shared by several apps is factored into a library
    /// and included through the dependency manager. A path outside the repository makes the
    /// build depend on another checkout lying next to this one, at whatever revision it happens
    /// to be: a fresh clone (CI, a Docker build) does not build, and two builds of the same
    /// commit can differ.
    ///
    /// ## Example
    /// ```toml
    /// [dependencies]
    /// billing-core = { path = "../../billing/core" }
    /// ```
    ///
    /// Use instead: publish the shared code (to crates.io or a private registry) or depend on it
    /// by git at a fixed commit.
    /// ```toml
    /// [dependencies]
    /// billing-core = { git = "https://github.com/acme/billing", tag = "core-v1.4.0" }
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/codebase>
    /// - [Cargo: specifying path dependencies](https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html#specifying-path-dependencies)
    /// - [npm: local paths](https://docs.npmjs.com/cli/configuring-npm/package-json#local-paths)
    pub DependencyOutsideRepository {
        code: "TC0102", name: "dependency-outside-repository",
        factor: Codebase, severity: Warning, preview: false, since: "0.2.0",
    }
}

/// Where a local path resolves, from the manifest's directory `dir`: `None` when it stays in
/// the checked root or cannot be told (a variable), else a description of where it goes.
fn outside(dir: &str, path: &str) -> Option<&'static str> {
    let p = path.trim();
    if p.is_empty() || p.contains('$') || p.contains("{{") || p.contains('%') {
        return None;
    }
    let bytes = p.as_bytes();
    let drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && (bytes[2] == b'\\' || bytes[2] == b'/');
    if p.starts_with('/') || p.starts_with('\\') || p.starts_with('~') || drive {
        return Some("an absolute path outside the repository");
    }
    let joined = if dir.is_empty() {
        p.replace('\\', "/")
    } else {
        format!("{dir}/{}", p.replace('\\', "/"))
    };
    let mut depth: usize = 0;
    for c in joined.split('/') {
        match c {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return Some("outside the repository"),
            },
            _ => depth += 1,
        }
    }
    None
}

/// What the manifest calls the declaration, for the message.
fn what(m: &Manifest, spec: &DependencySpec) -> &'static str {
    let file = m.path.rsplit('/').next().unwrap_or(&m.path);
    match (file, spec.group) {
        ("Cargo.toml", DepGroup::Patch) => "`[patch]`/`[replace]` override",
        ("go.mod", _) => "`replace` directive for",
        (_, DepGroup::Patch) => "source override for",
        _ => "path dependency",
    }
}

impl Rule for DependencyOutsideRepository {
    fn inputs(&self) -> Inputs {
        Inputs {
            repo: true,
            ..Inputs::default()
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        for m in &repo.manifests {
            for spec in &m.specs {
                let DepSource::Path(path) = &spec.source else {
                    continue;
                };
                let Some(where_) = outside(&m.dir, path) else {
                    continue;
                };
                cx.report(
                    &m.path,
                    Violation::new(
                        spec.value_span.clone(),
                        format!(
                            "{} `{}` points to `{path}`, {where_}; a fresh clone does not build",
                            what(m, spec),
                            spec.name
                        ),
                    )
                    .label("code shared with another codebase by path")
                    .help("publish the shared code as a versioned package (a registry, or git at a fixed `rev`/`tag`) or move it into this repository"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution() {
        assert_eq!(outside("", "../x"), Some("outside the repository"));
        assert_eq!(outside("", "crates/x"), None);
        assert_eq!(outside("apps/api", "../../libs/x"), None);
        assert_eq!(
            outside("apps/api", "../../../x"),
            Some("outside the repository")
        );
        assert_eq!(
            outside("a", "./../b/../../c"),
            Some("outside the repository")
        );
        assert!(outside("", "/opt/x").is_some());
        assert!(outside("", "C:\\libs\\x").is_some());
        assert!(outside("", "~/src/x").is_some());
        assert_eq!(outside("", "${LIBS}/x"), None);
        assert_eq!(outside("", "."), None);
    }
}
