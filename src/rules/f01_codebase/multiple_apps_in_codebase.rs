//! TC0103: several independent apps deployed from one codebase.

use std::collections::BTreeMap;

use crate::engine::TEST_DIRS;
use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::source::structured::Node;

declare_rule! {
    /// ## What it does
    /// Flags a repository holding deploy descriptors of several apps at different roots with
    /// no shared workspace tying them together: a `Procfile`, `fly.toml`, Heroku `app.json`,
    /// `heroku.yml` or `railway.toml`/`railway.json` in two or more directories. One finding is
    /// reported on the first descriptor of every app root after the first.
    ///
    /// An app root is the descriptor's directory; a `deploy/`, `deployment/`, `ops/`, `infra/`,
    /// `heroku/` or `fly/` folder counts as its parent, so `Procfile` and `deploy/fly.toml` are
    /// one app deployed two ways.
    ///
    /// Not flagged: one app with several process types (`web:` and `worker:` in one Procfile),
    /// several descriptors in one directory, apps under a common workspace (a Cargo
    /// `[workspace]`, npm `workspaces`, `go.work`, `pnpm-workspace.yaml`, `lerna.json`,
    /// `nx.json`, `turbo.json`, `rush.json` in a directory above all of them), an Expo or other
    /// non-Heroku `app.json`, and descriptors under test, example, fixture, docs, sample, demo
    /// and template directories (including cookiecutter `{{...}}` folders).
    ///
    /// Other files consulted: every deploy descriptor, `app.json` contents, and the workspace
    /// manifests of the repository.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor I: there is a one-to-one correlation between the codebase and the app. Several
    /// apps in one repository without a shared build are a distributed system in one codebase:
    /// they release together whether or not they changed, and their histories, access rights
    /// and CI are tangled. Each app should be its own codebase, sharing code through libraries.
    ///
    /// ## Example
    /// ```text
    /// shop/Procfile        # one app
    /// billing/fly.toml     # another app, nothing shared
    /// ```
    ///
    /// Use instead: move `billing/` into its own repository, or make both members of one
    /// workspace if they are parts of a single system built together.
    ///
    /// ## References
    /// - <https://12factor.net/codebase>
    /// - [Heroku: app.json schema](https://devcenter.heroku.com/articles/app-json-schema)
    pub MultipleAppsInCodebase {
        code: "TC0103", name: "multiple-apps-in-codebase",
        factor: Codebase, severity: Note, preview: true, since: "0.2.0",
    }
}

/// Fact kind: an `app.json` shaped like Heroku's (not Expo's).
const HEROKU_APP_JSON: &str = "heroku-app-json";

/// Descriptor names that always describe a deployed app.
const DESCRIPTORS: &[&str] = &[
    "Procfile",
    "fly.toml",
    "heroku.yml",
    "railway.toml",
    "railway.json",
];

/// Workspace files that tie several apps into one build.
const WORKSPACE_FILES: &[&str] = &[
    "go.work",
    "pnpm-workspace.yaml",
    "lerna.json",
    "nx.json",
    "turbo.json",
    "rush.json",
];

/// Folders of documentation, samples and project templates: their descriptors deploy nothing.
const SAMPLE_DIRS: &[&str] = &[
    "docs",
    "doc",
    "samples",
    "sample",
    "demo",
    "demos",
    "templates",
    "template",
    "starters",
    "boilerplates",
];

/// Folders that hold an app's deploy configuration rather than an app.
const DEPLOY_DIRS: &[&str] = &[
    "deploy",
    "deployment",
    "deployments",
    ".deploy",
    "ops",
    "infra",
    "heroku",
    "fly",
];

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The app root of a descriptor: its folder, or the parent of a deploy folder.
fn app_root(path: &str) -> &str {
    let dir = dir_of(path);
    match dir.rsplit_once('/') {
        Some((parent, last)) if DEPLOY_DIRS.contains(&last) => parent,
        None if DEPLOY_DIRS.contains(&dir) => "",
        _ => dir,
    }
}

/// Whether `dir` is `root` or above it.
fn contains(dir: &str, root: &str) -> bool {
    dir.is_empty() || root == dir || root.starts_with(&format!("{dir}/"))
}

impl Rule for MultipleAppsInCodebase {
    fn inputs(&self) -> Inputs {
        Inputs {
            structured: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        if file.source.file_name() != "app.json" {
            return;
        }
        let Some(Node::Map(kv)) = file.docs().next() else {
            return;
        };
        let has = |k: &str| kv.iter().any(|(key, _)| key.name == k);
        let heroku = [
            "buildpacks",
            "formation",
            "addons",
            "stack",
            "environments",
            "env",
        ]
        .iter()
        .any(|k| has(k));
        if heroku && !has("expo") {
            cx.fact(HEROKU_APP_JSON, 0..0, "");
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let heroku: Vec<&str> = repo
            .facts(RuleId::MultipleAppsInCodebase)
            .filter(|f| f.kind == HEROKU_APP_JSON)
            .map(|f| f.path.as_str())
            .collect();
        // App root -> its descriptors, in path order.
        let mut roots: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in &repo.files {
            let name = f.rsplit('/').next().unwrap_or(f);
            let is_descriptor =
                DESCRIPTORS.contains(&name) || (name == "app.json" && heroku.contains(&f.as_str()));
            let in_tests =
                f.split('/').rev().skip(1).any(|c| {
                    TEST_DIRS.contains(&c) || SAMPLE_DIRS.contains(&c) || c.contains("{{")
                });
            if is_descriptor && !in_tests {
                roots.entry(app_root(f)).or_default().push(f);
            }
        }
        if roots.len() < 2 {
            return;
        }
        let workspaces: Vec<&str> = repo
            .manifests
            .iter()
            .filter(|m| m.is_workspace)
            .map(|m| m.dir.as_str())
            .chain(repo.files.iter().filter_map(|f| {
                let name = f.rsplit('/').next().unwrap_or(f);
                WORKSPACE_FILES.contains(&name).then(|| dir_of(f))
            }))
            .collect();
        if workspaces
            .iter()
            .any(|w| roots.keys().all(|r| contains(w, r)))
        {
            return;
        }
        let mut iter = roots.values();
        let Some(first) = iter.next().and_then(|d| d.first()) else {
            return;
        };
        for descriptors in iter {
            let Some(path) = descriptors.first() else {
                continue;
            };
            cx.report(
                path,
                Violation::new(
                    0..0,
                    format!(
                        "`{path}` deploys a separate app from this codebase (another deploys from `{first}`) and no workspace ties them together"
                    ),
                )
                .label("second app in one repository")
                .help("give each app its own repository and share code through versioned libraries, or make them members of one workspace if they are built together"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(app_root("Procfile"), "");
        assert_eq!(app_root("deploy/fly.toml"), "");
        assert_eq!(app_root("api/Procfile"), "api");
        assert_eq!(app_root("api/deploy/fly.toml"), "api");
        assert!(contains("", "api"));
        assert!(contains("apps", "apps/api"));
        assert!(!contains("apps", "appsx/api"));
    }
}
