//! Where a setting ships, decided from the whole repository.
//!
//! The first rule that applies wins:
//!
//! 1. **Kept out by its path**: CI workflows and cargo's `.cargo/config.toml` (CI, development);
//!    templates (`.env.example`, `config.sample.toml`, anything under `examples/`); test files
//!    and folders; development files (`docker-compose.dev.yml`, `Dockerfile.dev`,
//!    `config/development.yaml`, `local.toml`, `.devcontainer/`, `_dev_utils/`).
//! 2. **Kept out by its section**: the `development:`/`test:`/`local:` sections of a
//!    configuration file (Rails `config/secrets.yml`, node-config).
//! 3. **By origin**:
//!    - compose `environment:` ships with the stack: development when the stack is one
//!      (`source::compose::development_only`: name, header comment, dev build target, source
//!      bind-mount, file watcher, cloud emulator; and here: a test overlay beside it extends
//!      it, it only runs the backing services of the app beside it, it publishes ports on
//!      loopback only, or it builds the app from the working tree next to databases of its
//!      own), otherwise deploy;
//!    - Kubernetes, Helm values and platform specs are deploy manifests; a Dockerfile `ENV` is
//!      the image's environment (deploy), an `ARG` default only exists at build time;
//!    - a Rust default is compiled into its crate: runtime when the crate is a service or one a
//!      service depends on (not a developer tool), unknown in a library no service uses;
//!    - an env file ships with the compose stack that reads it (`env_file:`, or `.env` beside
//!      the compose file, which compose reads for interpolation);
//!    - a configuration file ships in the runtime when a Rust file of the same crate (or one
//!      below the file's folder) names it (`File::with_name("config/default")`,
//!      `include_str!("../config.default.toml")`, `"./config.cfg"`), when a Dockerfile that is
//!      not for development copies it (or its folder) into an image, or when it is a Java
//!      resource packaged with the app (`src/main/resources/application.yml`); a file named
//!      for production (`config/production.yaml`) is deploy configuration.
//! 4. Otherwise **unknown**: rules still report values that look like real secrets there, but
//!    not weak defaults, which only matter where they reach a running app.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{Evidence, Origin, Related, Setting, Ships};
use crate::engine::RepoIndex;
use crate::rules::common::{development_tool_config, is_template};

/// Evidence indexed for lookups.
pub struct EvidenceIndex<'e> {
    /// `(crate dir of the Rust file, normalised name, evidence)`.
    loads: Vec<(String, String, &'e Evidence)>,
    /// `(folder of the Dockerfile, normalised source, evidence)`.
    copies: Vec<(String, String, &'e Evidence)>,
    /// `(compose folder, env files resolved, dev reason, evidence)`.
    composes: Vec<(String, Vec<String>, Option<&'static str>, &'e Evidence)>,
    /// Indexes into `loads` by normalised name.
    loads_by_name: HashMap<String, Vec<usize>>,
    /// Index into `copies` by the path copied (as written and joined to the Dockerfile's folder).
    copies_by_path: HashMap<String, usize>,
    /// Index into `composes` by compose file.
    compose_by_file: HashMap<String, usize>,
    /// Index into `composes` by env file read (the first reader).
    env_readers: HashMap<String, usize>,
    /// Where each configuration file ships, decided once per file.
    config_files: RefCell<HashMap<String, Decision>>,
}

/// Where a setting ships, why, and the place that shows it.
type Decision = (Ships, String, Option<Related>);

/// How many loads of one name are looked at: a repository cannot make every configuration file
/// cost as many checks as it has Rust files naming `config.toml`.
const MAX_LOADS_PER_NAME: usize = 256;

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Joins a relative path onto a folder, resolving `.` and `..`.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    parts.join("/")
}

const CONFIG_EXTS: &[&str] = &[
    ".toml",
    ".yaml",
    ".yml",
    ".json",
    ".json5",
    ".hjson",
    ".ini",
    ".cfg",
    ".conf",
    ".properties",
];

fn strip_ext(p: &str) -> &str {
    for e in CONFIG_EXTS {
        if let Some(s) = p.strip_suffix(e) {
            return s;
        }
    }
    p
}

/// A loaded name without `./`, `../` and the configuration extension.
fn normalise_name(name: &str) -> String {
    let mut n = name.trim();
    loop {
        if let Some(r) = n.strip_prefix("./") {
            n = r;
        } else if let Some(r) = n.strip_prefix("../") {
            n = r;
        } else {
            break;
        }
    }
    strip_ext(n.trim_start_matches('/')).to_string()
}

impl<'e> EvidenceIndex<'e> {
    /// Indexes `evidence` (sorted and deduplicated by the caller).
    pub fn new(evidence: &'e [Evidence], index: &RepoIndex) -> Self {
        let mut ix = EvidenceIndex {
            loads: Vec::new(),
            copies: Vec::new(),
            composes: Vec::new(),
            loads_by_name: HashMap::new(),
            copies_by_path: HashMap::new(),
            compose_by_file: HashMap::new(),
            env_readers: HashMap::new(),
            config_files: RefCell::new(HashMap::new()),
        };
        for e in evidence {
            match e {
                Evidence::Loads { file, name, .. } => {
                    let n = normalise_name(name);
                    if !n.is_empty() {
                        ix.loads.push((file.clone(), n, e));
                    }
                }
                Evidence::Copies { file, src, dev, .. } => {
                    let s = src.trim_start_matches("./").trim_end_matches('/');
                    if !*dev && !s.is_empty() && s != "." && !s.contains(['*', '$']) {
                        ix.copies.push((dir_of(file).to_string(), s.to_string(), e));
                    }
                }
                Evidence::Compose {
                    file,
                    env_files,
                    dev,
                    backing_only,
                    loopback_only,
                    builds_with_backing,
                } => {
                    let d = dir_of(file);
                    let mut files: Vec<String> = env_files.iter().map(|f| join(d, f)).collect();
                    files.push(join(d, ".env"));
                    let app_beside = APP_MANIFESTS.iter().any(|m| index.exists(&join(d, m)));
                    let dev = dev.or_else(|| {
                        if test_overlay_beside(file, index) {
                            Some("a test stack's overlay beside it extends it")
                        } else if *backing_only && app_beside {
                            Some("it only runs the backing services of the app beside it")
                        } else if *loopback_only {
                            Some("it publishes its ports on loopback only, for this machine")
                        } else if *builds_with_backing {
                            // A release is built once and deployed (factor V); a stack that
                            // builds the app from the working tree at `up`, next to databases
                            // of its own, is a local build-and-run.
                            Some("it builds the app from the working tree next to its own backing services")
                        } else {
                            None
                        }
                    });
                    ix.composes.push((d.to_string(), files, dev, e));
                }
            }
        }
        for (i, (_, name, _)) in ix.loads.iter().enumerate() {
            let v = ix.loads_by_name.entry(name.clone()).or_default();
            if v.len() < MAX_LOADS_PER_NAME {
                v.push(i);
            }
        }
        for (i, (dir, src, _)) in ix.copies.iter().enumerate() {
            ix.copies_by_path.entry(join(dir, src)).or_insert(i);
            ix.copies_by_path.entry(src.clone()).or_insert(i);
        }
        for (i, (_, files, _, e)) in ix.composes.iter().enumerate() {
            if let Evidence::Compose { file, .. } = e {
                ix.compose_by_file.entry(file.clone()).or_insert(i);
            }
            for f in files {
                ix.env_readers.entry(f.clone()).or_insert(i);
            }
        }
        ix
    }
}

/// Whether a compose file is the base of a test stack: a sibling named for a test or
/// development environment with the same suffix (`docker-compose.e2e.postgres.yaml` beside
/// `docker-compose.postgres.yaml`) is laid over it.
fn test_overlay_beside(file: &str, index: &RepoIndex) -> bool {
    let Some(env) = crate::source::compose::environment_of(file) else {
        return false;
    };
    let d = dir_of(file);
    let prefix = if d.is_empty() {
        String::new()
    } else {
        format!("{d}/")
    };
    let from = index
        .files
        .partition_point(|f| f.as_str() < prefix.as_str());
    index.files[from..]
        .iter()
        .take_while(|f| f.starts_with(&prefix))
        // A folder of a hundred thousand files costs each compose file in it no more than this.
        .take(4096)
        .filter(|f| !f[prefix.len()..].contains('/') && crate::source::compose::is_compose_path(f))
        .take(64)
        .any(|f| {
            crate::source::compose::environment_of(f).is_some_and(|e| {
                e != env
                    && e.ends_with(&format!(".{env}"))
                    && e.split(['.', '-', '_'])
                        .any(|w| matches!(w, "e2e" | "test" | "tests" | "testing" | "ci" | "dev"))
            })
        })
}

/// Manifests of an app's own code: a compose stack of backing services beside one is the
/// developer's.
const APP_MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "go.mod",
    "Gemfile",
    "pom.xml",
    "build.gradle",
];

/// Whether a path component or a word of the file name marks `path` as test code.
fn test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if crate::source::is_test_file(path) {
        return true;
    }
    let mut comps = lower.split('/');
    let name = comps.next_back().unwrap_or("");
    comps.any(|c| {
        matches!(c, "fixtures" | "testdata" | "test_data" | "spec")
            || c.split(['-', '_', '.'])
                .any(|w| matches!(w, "test" | "tests" | "testing" | "e2e"))
    }) || strip_ext(name)
        .split(['.', '-', '_'])
        .any(|w| matches!(w, "test" | "tests" | "testing" | "ci"))
}

/// Whether `path` is a development file by its name or folder.
fn development_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if crate::source::development_file(path) {
        return true;
    }
    let mut comps = lower.split('/');
    let name = comps.next_back().unwrap_or("");
    comps.any(|c| {
        matches!(
            c,
            "_dev_utils" | "dev_utils" | ".devcontainer" | "devcontainer"
        )
    }) || strip_ext(name).split(['.', '-', '_']).any(|w| {
        matches!(
            w,
            "dev" | "development" | "develop" | "local" | "debug" | "devel" | "sandbox"
        )
    })
}

/// Whether `path` is an example by its folder.
fn example_path(path: &str) -> bool {
    path.to_ascii_lowercase().split('/').rev().skip(1).any(|c| {
        matches!(
            c,
            "example"
                | "examples"
                | "samples"
                | "sample"
                | "templates"
                | "template"
                | "docs"
                | "doc"
        )
    })
}

/// Top-level sections of development and test environments.
const DEV_SECTIONS: &[&str] = &["development", "dev", "local"];
const TEST_SECTIONS: &[&str] = &["test", "testing"];

/// Decides where `s` ships, with the reason and the related place.
pub fn decide(s: &mut Setting, ev: &EvidenceIndex<'_>, index: &RepoIndex) {
    let (ships, why, related) = decide_inner(s, ev, index);
    s.ships = ships;
    s.why = why;
    s.related = related;
}

fn decide_inner(s: &Setting, ev: &EvidenceIndex<'_>, index: &RepoIndex) -> Decision {
    let path = s.file.as_str();
    let lower = path.to_ascii_lowercase();
    let none = |ships: Ships, why: &str| (ships, why.to_string(), None);
    if development_tool_config(path) {
        return if lower.contains(".cargo/") {
            none(
                Ships::Development,
                "cargo's own configuration (`cargo run`, `cargo test`)",
            )
        } else {
            none(Ships::Ci, "a CI workflow")
        };
    }
    if is_template(path) || example_path(path) {
        return none(Ships::Template, "a template or example");
    }
    if test_path(path) {
        return none(Ships::Test, "test configuration");
    }
    if development_path(path) {
        return none(Ships::Development, "a development file");
    }
    if matches!(s.origin, Origin::ConfigFile | Origin::Helm) {
        let first = s.key.split('.').next().unwrap_or("").to_ascii_lowercase();
        if DEV_SECTIONS.contains(&first.as_str()) {
            return none(Ships::Development, "the development section");
        }
        if TEST_SECTIONS.contains(&first.as_str()) {
            return none(Ships::Test, "the test section");
        }
    }
    match s.origin {
        Origin::Compose => {
            let c = ev.compose_by_file.get(path).map(|&i| &ev.composes[i]);
            match c.and_then(|(_, _, dev, _)| *dev) {
                Some(reason) => (
                    Ships::Development,
                    format!("a development compose stack ({reason})"),
                    None,
                ),
                None => none(Ships::Deploy, "a compose stack that is not for development"),
            }
        }
        Origin::Kubernetes | Origin::Helm | Origin::Platform => {
            none(Ships::Deploy, "a deploy manifest")
        }
        Origin::DockerEnv => none(Ships::Deploy, "the image's environment"),
        Origin::DockerArg => none(Ships::Build, "a build argument"),
        Origin::EnvFallback
        | Origin::CliDefault
        | Origin::ConfigSetDefault
        | Origin::SerdeDefault
        | Origin::ImplDefault => match index.crate_of(path) {
            Some(k) if k.in_service && !k.is_tool => (
                Ships::Runtime,
                if k.dir.is_empty() {
                    "compiled into the root crate, which a service runs".to_string()
                } else {
                    format!("compiled into `{}`, which a service runs", k.dir)
                },
                None,
            ),
            _ => none(Ships::Unknown, "a library default"),
        },
        Origin::EnvFile => {
            let reader = ev.env_readers.get(path).map(|&i| &ev.composes[i]);
            match reader {
                Some((_, _, Some(reason), e)) => (
                    Ships::Development,
                    format!("read by a development compose stack ({reason})"),
                    related(e, "reads this file"),
                ),
                Some((_, _, None, e)) => (
                    Ships::Deploy,
                    "read by a compose stack that is not for development".to_string(),
                    related(e, "reads this file"),
                ),
                None => none(Ships::Unknown, "an env file"),
            }
        }
        Origin::ConfigFile => {
            if let Some(known) = ev.config_files.borrow().get(path) {
                return known.clone();
            }
            let decided = config_file(path, ev, index);
            ev.config_files
                .borrow_mut()
                .insert(path.to_string(), decided.clone());
            decided
        }
    }
}

fn related(e: &Evidence, message: &str) -> Option<Related> {
    let (path, span) = match e {
        Evidence::Loads { file, span, .. } | Evidence::Copies { file, span, .. } => {
            (file.clone(), span.clone())
        }
        Evidence::Compose { file, .. } => (file.clone(), 0..0),
    };
    Some(Related {
        path,
        span,
        message: message.to_string(),
    })
}

fn config_file(
    path: &str,
    ev: &EvidenceIndex<'_>,
    index: &RepoIndex,
) -> (Ships, String, Option<Related>) {
    let lower = path.to_ascii_lowercase();
    if lower.contains("src/main/resources/") {
        return (
            Ships::Runtime,
            "a resource packaged with the app".to_string(),
            None,
        );
    }
    let noext = strip_ext(path);
    let file_dir = dir_of(path);
    // The names that would name this file: its path with and without the extension, and every
    // tail of them after a `/`.
    let tails = |p: &'_ str| -> Vec<String> {
        let mut out = vec![p.to_string()];
        out.extend(p.match_indices('/').map(|(i, _)| p[i + 1..].to_string()));
        out
    };
    let mut candidates: Vec<usize> = tails(noext)
        .into_iter()
        .chain(tails(path))
        .filter_map(|n| ev.loads_by_name.get(&n))
        .flatten()
        .copied()
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    for (rust, _, e) in candidates.iter().map(|&i| &ev.loads[i]) {
        // The loading code's crate must sit at or below the file's folder, or hold the file.
        let krate = index.crate_of(rust).map_or("", |k| k.dir.as_str());
        let within = |inner: &str, outer: &str| {
            outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
        };
        let local = within(krate, file_dir) || within(file_dir, krate);
        let tool = index.crate_of(rust).is_some_and(|k| k.is_tool);
        if local && !tool && !test_path(rust) {
            return (
                Ships::Runtime,
                format!("loaded by {rust}"),
                related(e, "loads the file"),
            );
        }
    }
    // The file itself or a folder holding it, copied into an image.
    let ancestors = std::iter::once(path).chain(path.match_indices('/').map(|(i, _)| &path[..i]));
    for base in ancestors {
        let Some(&i) = ev.copies_by_path.get(base) else {
            continue;
        };
        let (_, _, e) = &ev.copies[i];
        {
            let Evidence::Copies { file, .. } = e else {
                continue;
            };
            return (
                Ships::Runtime,
                format!("copied into an image by {file}"),
                related(e, "copies the file into the image"),
            );
        }
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if strip_ext(&name)
        .split(['.', '-', '_'])
        .any(|w| matches!(w, "production" | "prod"))
    {
        return (Ships::Deploy, "production configuration".to_string(), None);
    }
    (Ships::Unknown, "a configuration file".to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(normalise_name("./config/default.toml"), "config/default");
        assert_eq!(normalise_name("../config.default.toml"), "config.default");
        assert_eq!(normalise_name("configuration/base"), "configuration/base");
        assert_eq!(join("a/b", "../c/.env"), "a/c/.env");
        assert_eq!(join("", "./.env"), ".env");
    }

    #[test]
    fn paths() {
        assert!(test_path("server/tests/packaged-configs/1.8.1"));
        assert!(test_path("config/test.toml"));
        assert!(development_path(
            "crates/libs/lib-core/src/_dev_utils/dev_db.rs"
        ));
        assert!(development_path("configuration/development.yml"));
        assert!(!development_path("configuration/base.yml"));
        assert!(example_path("kanidm/examples/radius.toml"));
        assert!(!example_path("examples.toml"));
    }

    fn setting(file: &str, key: &str, origin: Origin) -> Setting {
        Setting {
            file: file.into(),
            key: key.into(),
            value: "postgres".into(),
            span: 0..8,
            origin,
            roles: crate::settings::SECRET,
            ships: Ships::Unknown,
            why: String::new(),
            related: None,
            krate: None,
        }
    }

    fn index(files: &[&str]) -> RepoIndex {
        let mut ix = RepoIndex {
            files: files.iter().map(|f| f.to_string()).collect(),
            ..RepoIndex::default()
        };
        ix.files.sort();
        ix.present = ix.files.iter().cloned().collect();
        ix.crates = vec![crate::engine::CrateInfo {
            dir: "server".into(),
            manifest: "server/Cargo.toml".into(),
            has_bin: true,
            is_service: true,
            in_service: true,
            is_tool: false,
        }];
        ix
    }

    fn ships(s: Setting, evidence: &[Evidence], ix: &RepoIndex) -> (Ships, String) {
        let ev = EvidenceIndex::new(evidence, ix);
        let mut s = s;
        decide(&mut s, &ev, ix);
        (s.ships, s.why)
    }

    #[test]
    fn where_settings_ship() {
        let ix = index(&[
            "server/Cargo.toml",
            "server/src/cfg.rs",
            "server/config.default.toml",
            "server/unused.toml",
            "compose.yaml",
            "deploy.env",
            "docker-compose.postgres.yaml",
            "docker-compose.e2e.postgres.yaml",
        ]);
        let loads = Evidence::Loads {
            file: "server/src/cfg.rs".into(),
            name: "../config.default.toml".into(),
            span: 10..30,
        };
        let (where_, why) = ships(
            setting(
                "server/config.default.toml",
                "db.password",
                Origin::ConfigFile,
            ),
            std::slice::from_ref(&loads),
            &ix,
        );
        assert_eq!(where_, Ships::Runtime);
        assert_eq!(why, "loaded by server/src/cfg.rs");
        let (where_, _) = ships(
            setting("server/unused.toml", "db.password", Origin::ConfigFile),
            std::slice::from_ref(&loads),
            &ix,
        );
        assert_eq!(where_, Ships::Unknown);
        let compose = |file: &str| Evidence::Compose {
            file: file.into(),
            env_files: vec!["deploy.env".into()],
            dev: None,
            backing_only: false,
            loopback_only: false,
            builds_with_backing: false,
        };
        let (where_, _) = ships(
            setting("deploy.env", "DB_PASSWORD", Origin::EnvFile),
            &[compose("compose.yaml")],
            &ix,
        );
        assert_eq!(where_, Ships::Deploy);
        let (where_, why) = ships(
            setting(
                "docker-compose.postgres.yaml",
                "POSTGRES_PASSWORD",
                Origin::Compose,
            ),
            &[compose("docker-compose.postgres.yaml")],
            &ix,
        );
        assert_eq!(where_, Ships::Development, "{why}");
        let (where_, _) = ships(
            setting("server/src/cfg.rs", "JWT_SECRET", Origin::EnvFallback),
            &[],
            &ix,
        );
        assert_eq!(where_, Ships::Runtime);
        let (where_, _) = ships(
            setting("config/development.yaml", "db.password", Origin::ConfigFile),
            &[],
            &ix,
        );
        assert_eq!(where_, Ships::Development);
        let (where_, _) = ships(
            setting("config/app.yaml", "test.db.password", Origin::ConfigFile),
            &[],
            &ix,
        );
        assert_eq!(where_, Ships::Test);
    }
}
