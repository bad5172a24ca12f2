//! The settings model: the configuration values a repository defines that the twelve factors
//! have something to say about, wherever they are written, and where each one ships.
//!
//! Real services rarely write a secret, a database URL or a data directory at the call that
//! uses it: the value sits in a settings file, a compose or Kubernetes `env:`, a Dockerfile
//! `ENV`, a clap `default_value`, an `env::var(..).unwrap_or(..)` fallback or an
//! `impl Default for Settings`. This module reads them all into one list, built once per run,
//! and the rules of factors III, IV and VI query it instead of each walking files themselves.
//!
//! It sits between `source/` (parsers) and `rules/`:
//!
//! 1. [`extract`] turns each parsed file into [`Setting`]s (key path, literal value and its
//!    span, [`Origin`], [`roles`](Setting::roles)) and [`Evidence`] about other files (a Rust
//!    file naming a config file it loads, a Dockerfile copying a path into an image, a compose
//!    file reading an env file). Only values with a role are kept: memory follows what matters,
//!    not the size of the configuration.
//! 2. [`ships::decide`] settles, from the whole repository's evidence, where each setting
//!    ships ([`Ships`]): the runtime image, a deploy manifest, a development stack, a template,
//!    test code, CI or a build. The module doc of [`ships`] lists the evidence and its order.
//! 3. Rules read [`SettingsModel`] from the [`RepoIndex`](crate::engine::RepoIndex) in their
//!    `check_repo`.
//!
//! Secret values are masked in every output however the rules judge them: the engine adds the
//! span of every setting with the [`SECRET`] role to the file's masks as it is extracted.

pub mod extract;
pub mod ships;

use std::ops::Range;

/// Where a setting is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A configuration file: YAML, TOML, JSON (with comments), HJSON/JSON5, INI/`.cfg`/`.conf`,
    /// `.properties`.
    ConfigFile,
    /// A `.env` file or one of its variants.
    EnvFile,
    /// A compose service's `environment:`.
    Compose,
    /// A Kubernetes container `env:` value or ConfigMap `data:`.
    Kubernetes,
    /// A Helm chart's `values*.yaml`.
    Helm,
    /// A platform spec: `fly.toml` `[env]`, `app.json` `env`, `render.yaml` `envVars`, a
    /// DigitalOcean app spec.
    Platform,
    /// A Dockerfile `ENV`.
    DockerEnv,
    /// A Dockerfile `ARG` default.
    DockerArg,
    /// Rust: the fallback of an environment lookup (`env::var("X").unwrap_or("..")`).
    EnvFallback,
    /// Rust: a command-line default (`#[arg(default_value = "..")]`).
    CliDefault,
    /// Rust: a configuration library default (`set_default("key", "..")`).
    ConfigSetDefault,
    /// Rust: a `#[serde(default = "..")]` function.
    SerdeDefault,
    /// Rust: `impl Default` of a settings type.
    ImplDefault,
}

impl Origin {
    /// Whether the value is a default in Rust code.
    pub fn is_rust(self) -> bool {
        matches!(
            self,
            Origin::EnvFallback
                | Origin::CliDefault
                | Origin::ConfigSetDefault
                | Origin::SerdeDefault
                | Origin::ImplDefault
        )
    }

    /// How messages name it: "the configuration file", "the fallback of `env::var`".
    pub fn describe(self) -> &'static str {
        match self {
            Origin::ConfigFile => "a configuration file",
            Origin::EnvFile => "an env file",
            Origin::Compose => "a compose service's environment",
            Origin::Kubernetes => "a Kubernetes manifest",
            Origin::Helm => "Helm values",
            Origin::Platform => "a platform spec",
            Origin::DockerEnv => "a Dockerfile ENV",
            Origin::DockerArg => "a Dockerfile ARG default",
            Origin::EnvFallback => "the fallback of an environment lookup",
            Origin::CliDefault => "a command-line default",
            Origin::ConfigSetDefault => "a configuration default",
            Origin::SerdeDefault => "a serde default",
            Origin::ImplDefault => "the Default impl of a settings type",
        }
    }
}

/// Where a setting ends up: what decides whether a rule reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ships {
    /// Read by the running app: a default compiled into a service, a file the service loads or
    /// an image copies in.
    Runtime,
    /// Set on the running app by a deploy manifest: a compose stack that is not for
    /// development, Kubernetes, Helm, a platform spec, an image's `ENV`.
    Deploy,
    /// Only at build time (a Dockerfile `ARG`).
    Build,
    /// A development stack or file: a dev compose file, `.cargo/config.toml`, a `development:`
    /// section, a devcontainer.
    Development,
    /// A template meant to be copied and filled in: `.env.example`, `config.sample.toml`.
    Template,
    /// Test code or test configuration.
    Test,
    /// A CI workflow.
    Ci,
    /// No evidence either way: a configuration file nothing is seen loading, a default in a
    /// library no service uses.
    Unknown,
}

impl Ships {
    /// Whether the value reaches a running deployment.
    pub fn reaches_app(self) -> bool {
        matches!(self, Ships::Runtime | Ships::Deploy)
    }

    /// Whether the value is kept away from deployments on purpose.
    pub fn kept_out(self) -> bool {
        matches!(
            self,
            Ships::Development | Ships::Template | Ships::Test | Ships::Ci
        )
    }
}

/// The value is a secret: a secret-named key (`password`, `api_key`, `jwt_secret`...).
pub const SECRET: u8 = 1;
/// The value is a URL carrying a user name and password.
pub const CREDENTIAL_URL: u8 = 2;
/// The value locates a backing service (a service URL or DSN, or a host under a service key).
pub const LOCATOR: u8 = 4;
/// The value is a local data location: a path under a data-named key, or a `sqlite:` / H2 file.
pub const DATA_PATH: u8 = 8;

/// One setting with a role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The file it is written in, relative to the checked root.
    pub file: String,
    /// The key path: `database.password`, `APP_DATABASE__PASSWORD`, `--admin-password`,
    /// `Settings.jwt_secret`.
    pub key: String,
    /// The literal value (quotes removed, escapes resolved).
    pub value: String,
    /// Byte range of the literal in the file.
    pub span: Range<usize>,
    /// Where it is written.
    pub origin: Origin,
    /// Bit set of [`SECRET`], [`CREDENTIAL_URL`], [`LOCATOR`], [`DATA_PATH`].
    pub roles: u8,
    /// Where it ships; [`Ships::Unknown`] until [`ships::decide`] runs.
    pub ships: Ships,
    /// Why it ships there, for messages: "loaded by src/settings.rs", "a development compose
    /// stack".
    pub why: String,
    /// The place that proves where it ships (the loading call, the `COPY`), when there is one.
    pub related: Option<Related>,
    /// For a Rust default: the crate directory it is compiled into.
    pub krate: Option<String>,
}

impl Setting {
    /// Whether the setting has `role`.
    pub fn has(&self, role: u8) -> bool {
        self.roles & role != 0
    }

    /// The last component of the key path: what the value is.
    pub fn name(&self) -> &str {
        let k = self.key.trim_start_matches('-');
        k.rsplit(['.', ':']).next().unwrap_or(k)
    }
}

/// A location in another file that a finding points to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// The file, relative to the checked root.
    pub path: String,
    /// Byte range in it.
    pub span: Range<usize>,
    /// What is there ("loads this file").
    pub message: String,
}

/// What one file says about other files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// A Rust file names a configuration file it reads (`File::with_name("config/default")`,
    /// `include_str!("../config.default.toml")`, `"./config.cfg"`).
    Loads {
        /// The Rust file.
        file: String,
        /// The name as written.
        name: String,
        /// Where it is written.
        span: Range<usize>,
    },
    /// A Dockerfile copies a path into an image.
    Copies {
        /// The Dockerfile.
        file: String,
        /// The source path as written, relative to the build context.
        src: String,
        /// Where the instruction is.
        span: Range<usize>,
        /// Whether the Dockerfile is for development.
        dev: bool,
    },
    /// A compose file: its `env_file:` entries and whether it is a development stack.
    Compose {
        /// The compose file.
        file: String,
        /// `env_file:` paths as written, relative to the compose file.
        env_files: Vec<String>,
        /// Why it is a development stack, when it is one.
        dev: Option<&'static str>,
        /// Whether it only runs backing services and developer tools (no app of its own).
        backing_only: bool,
        /// Whether every port it publishes is bound to loopback (`127.0.0.1:5432:5432`).
        loopback_only: bool,
        /// Whether it builds an app from the working tree and runs backing services of its own.
        builds_with_backing: bool,
    },
}

impl Evidence {
    /// An order that does not depend on the order files were read in.
    fn sort_key(&self) -> (u8, &str, &str, usize) {
        match self {
            Evidence::Loads { file, name, span } => (0, file, name, span.start),
            Evidence::Copies {
                file, src, span, ..
            } => (1, file, src, span.start),
            Evidence::Compose { file, .. } => (2, file, "", 0),
        }
    }
}

/// What extraction found in one file.
#[derive(Clone, Debug, Default)]
pub struct FileSettings {
    /// The settings with a role.
    pub settings: Vec<Setting>,
    /// What the file says about others.
    pub evidence: Vec<Evidence>,
}

impl FileSettings {
    /// Nothing found.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty() && self.evidence.is_empty()
    }
}

/// Every setting of the repository, in (file, span) order, with where it ships.
#[derive(Clone, Debug, Default)]
pub struct SettingsModel {
    /// The settings.
    pub settings: Vec<Setting>,
}

impl SettingsModel {
    /// Builds the model from what each file gave, deciding where each setting ships.
    pub fn build(files: Vec<FileSettings>, index: &crate::engine::RepoIndex) -> SettingsModel {
        let mut settings = Vec::new();
        let mut evidence = Vec::new();
        for f in files {
            settings.extend(f.settings);
            evidence.extend(f.evidence);
        }
        evidence.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        evidence.dedup();
        let ev = ships::EvidenceIndex::new(&evidence, index);
        for s in &mut settings {
            ships::decide(s, &ev, index);
        }
        settings.sort_by(|a, b| {
            (&a.file, a.span.start, a.span.end, &a.key).cmp(&(
                &b.file,
                b.span.start,
                b.span.end,
                &b.key,
            ))
        });
        settings.dedup_by(|a, b| a.file == b.file && a.span == b.span);
        SettingsModel { settings }
    }

    /// The settings with `role`.
    pub fn with_role(&self, role: u8) -> impl Iterator<Item = &Setting> {
        self.settings.iter().filter(move |s| s.has(role))
    }
}
