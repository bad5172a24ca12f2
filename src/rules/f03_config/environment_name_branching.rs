//! TC0304: behaviour or configuration chosen by the name of an environment.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Lit, Pat, Token};

use crate::rule::prelude::*;
use crate::rules::common::words;
use crate::source::prefilter::is_ident_byte;
use crate::source::rust::byte_range;

declare_rule! {
    /// ## What it does
    /// Flags Rust code that picks its behaviour or its configuration by the *name* of the
    /// environment it runs in:
    /// - comparing a value that names the environment with `==`/`!=`, `.eq(..)`,
    ///   `.eq_ignore_ascii_case(..)` or `.starts_with(..)` against `"production"`, `"prod"`,
    ///   `"staging"`, `"stage"`, `"development"`, `"dev"`, `"develop"`, `"test"`, `"testing"`,
    ///   `"qa"`, `"uat"`, `"local"`, `"preprod"` or `"sandbox"` (any case);
    /// - `match`, `if let` and `matches!` over such a value with those names as patterns
    ///   (reported once, at the first name);
    /// - building a configuration file path from it: `format!("config/{}.toml", env)`,
    ///   `File::with_name(&format!("config/{run_mode}"))`, `format!(".env.{}", app_env)`,
    ///   `File::with_name(&run_mode)`;
    /// - a literal path to an environment's configuration file: `"config/production.yaml"`,
    ///   `".env.staging"`, `"settings-dev.toml"`.
    ///
    /// A value names the environment when it is read from an environment variable called like
    /// one (`APP_ENV`, `RUST_ENV`, `NODE_ENV`, `ENVIRONMENT`, `ENV`, `DEPLOY_ENV`,
    /// `APP_ENVIRONMENT`, any name with an `env`/`environment` word, and `PROFILE`, `RUN_MODE`,
    /// `APP_MODE`, `MODE`, `STAGE`, `TIER`, `FLAVOR`), through `env::var`, `dotenvy::var`,
    /// `env!`/`option_env!`, followed through `let`s, `const`s, `unwrap_or(..)`, `as_deref()`,
    /// `to_lowercase()`, `match`/`if let` bindings and closure parameters
    /// (`env::var("APP_ENV").map(|v| v == "production")`); or when it is a variable, parameter,
    /// field, method or function whose name says so (`environment`, `env`, `app_env`,
    /// `run_mode`, `config.environment`, `get_env()`).
    ///
    /// Not flagged: log levels and feature flags read from the environment (`RUST_LOG`,
    /// `LOG_LEVEL`, `FEATURE_X` compared with anything), comparisons of values that do not name
    /// the environment (`mode == "dev"` where `mode` comes from a command-line flag named
    /// otherwise, `user.role == "test"`), an environment name used only as the default of the
    /// lookup (`unwrap_or("development")`), `config/local.*` and `config/default.*` overrides,
    /// enum-based switches without string names, and test code.
    ///
    /// In the repository, it also flags per-environment configuration files, once per file on
    /// its first setting: `config/production.toml`, `config/staging.json`, `config/prod.yaml`,
    /// `config/development.yml`, `settings/production.py` (Django), `appsettings.Production.json`
    /// (.NET), `application-prod.yml` and
    /// `application-staging.properties` (Spring), `src/environments/environment.prod.ts`
    /// (Angular), `config/prod.exs` (Phoenix), `config.production.json`, `settings-dev.toml`.
    /// The names are the deploy targets `production`, `prod`, `staging`, `development`, `dev`,
    /// `qa`, `uat` and `preprod`: a development file is part of the same scheme as a production
    /// one (a second set of values picked by name), whereas `config/test.*` and `config/local.*`
    /// are test fixtures and personal overrides, not deploys, and `config/default.*` is the one
    /// configuration every deploy shares.
    ///
    /// Not flagged as files: `.env.production` and other `.env.*` files (their content is judged
    /// by `TC0303`, committed-env-file); deployment configuration, which is where per-deploy
    /// values belong: Kubernetes manifests and kustomize overlays (`overlays/production/`), Helm
    /// values (`values-production.yaml`), Terraform, Capistrano `config/deploy/production.rb`,
    /// compose files, GitHub workflows; Rails `config/environments/*.rb`, which hold the
    /// framework's own behaviour per mode (eager loading, caching, log level) while Rails reads
    /// the deploy's values from the environment; templates (`config/production.example.yml`);
    /// documentation (`docs/`, `*.md`); and files under test, fixture and example folders.
    ///
    /// Other files consulted: for a per-environment file, the shared configuration next to it
    /// (`config/default.*`, `appsettings.json`, `application.yml`), which the help names as the
    /// place for defaults.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 9 findings, 6
    /// right, 0 wrong, 3 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor III: config varies between deploys and belongs in the environment, one variable
    /// per setting. Grouping settings into named environments does not scale: each new deploy
    /// (a second staging, a customer's region, a developer's laptop) needs a new name and new
    /// code paths, and behaviour that only runs "in production" is never exercised before it
    /// gets there.
    ///
    /// ## Example
    /// ```rust
    /// let env = std::env::var("APP_ENV").unwrap_or_else(|_| "development".into());
    /// let settings = config::Config::builder()
    ///     .add_source(config::File::with_name(&format!("config/{env}")))
    ///     .build()?;
    /// if env == "production" {
    ///     enable_hsts();
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let settings = config::Config::builder()
    ///     .add_source(config::File::with_name("config/default"))
    ///     .add_source(config::Environment::with_prefix("APP").separator("__"))
    ///     .build()?;
    /// if settings.get_bool("http.hsts")? {
    ///     enable_hsts();
    /// }
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/config>
    pub EnvironmentNameBranching {
        code: "TC0304", name: "environment-name-branching",
        factor: Config, severity: Warning, preview: false, since: "0.1.0",
    }
}

/// Names of environments, compared lower-case.
const ENV_NAMES: &[&str] = &[
    "production",
    "prod",
    "staging",
    "stage",
    "development",
    "dev",
    "develop",
    "test",
    "testing",
    "qa",
    "uat",
    "local",
    "preprod",
    "pre-prod",
    "preproduction",
    "sandbox",
];

/// Environment names that are clearly deploy targets, for literal configuration file names
/// (`config/local.toml` and `config/test.toml` are overrides and fixtures as often as not).
const DEPLOY_NAMES: &[&str] = &[
    "production",
    "prod",
    "staging",
    "development",
    "dev",
    "qa",
    "uat",
    "preprod",
];

/// Environment variables that hold a mode or profile name without saying `env`.
const MODE_VARS: &[&str] = &[
    "PROFILE",
    "APP_PROFILE",
    "RUN_MODE",
    "APP_MODE",
    "MODE",
    "STAGE",
    "APP_STAGE",
    "DEPLOY_STAGE",
    "DEPLOYMENT_STAGE",
    "TIER",
    "FLAVOR",
];

/// Identifiers that name the environment without an `env` word.
const MODE_IDENTS: &[&str] = &[
    "run_mode",
    "app_mode",
    "app_profile",
    "app_stage",
    "deploy_stage",
];

/// Functions reading the environment.
const ENV_LOOKUPS: &[&str] = &["env::var", "env::var_os", "dotenvy::var", "dotenv::var"];

fn is_env_name(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    ENV_NAMES.contains(&v.as_str())
}

/// Whether an environment variable's name says it holds the environment's name.
fn is_env_name_var(name: &str) -> bool {
    let w = words(name);
    let env = w.iter().any(|x| x == "env" || x == "environment");
    let other = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "log"
                | "level"
                | "filter"
                | "feature"
                | "file"
                | "path"
                | "dir"
                | "var"
                | "vars"
                | "prefix"
                | "url"
                | "key"
        )
    });
    (env && !other) || MODE_VARS.contains(&name.to_ascii_uppercase().as_str())
}

/// Whether a variable, field or function name says it holds the environment's name.
fn is_env_name_ident(name: &str) -> bool {
    let w = words(name);
    let other = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "var" | "vars" | "file" | "path" | "dir" | "filter" | "key" | "prefix" | "map"
        )
    });
    if other {
        return false;
    }
    w.iter().any(|x| x == "environment")
        || w.last().is_some_and(|x| x == "env")
        || MODE_IDENTS.contains(&name.to_ascii_lowercase().as_str())
}

/// Whether the code has an identifier `source` could take for the environment's name: one
/// that `is_env_name_ident`, as a variable, field, method or function (`env`, `self.app_env`,
/// `config::environment()`), not a path's leading segment (`env::var`) nor a path's tail other
/// than a call's (`std::env` in a `use`).
fn has_env_ident(src: &RustText<'_>) -> bool {
    static AC: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    let Some(ac) = AC
        .get_or_init(|| {
            // Every identifier `is_env_name_ident` accepts holds one of these.
            let mut needles = vec!["env"];
            needles.extend(MODE_IDENTS);
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(needles)
                .ok()
        })
        .as_ref()
    else {
        return true;
    };
    let text = src.text;
    let b = text.as_bytes();
    let mut from = 0;
    for m in ac.find_iter(text) {
        if m.start() < from {
            continue;
        }
        let start = m.start()
            - b[..m.start()]
                .iter()
                .rev()
                .take_while(|&&c| is_ident_byte(c))
                .count();
        let end = m.end()
            + b[m.end()..]
                .iter()
                .take_while(|&&c| is_ident_byte(c))
                .count();
        from = end;
        let name = &text[start..end];
        if !is_env_name_ident(name) || !src.is_ident_token(start..end) {
            continue;
        }
        let after = text[end..].trim_start();
        if after.starts_with("::") {
            continue;
        }
        let path_tail = text[..start].trim_end().ends_with("::");
        if path_tail && !after.starts_with('(') {
            continue;
        }
        return true;
    }
    false
}

/// Whether a string is a path template of a configuration file: `config/{}.toml`, `.env.{}`.
fn is_config_template(t: &str) -> bool {
    if !t.contains('{') || t.contains(char::is_whitespace) {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    let exts = [
        ".toml",
        ".yaml",
        ".yml",
        ".json",
        ".json5",
        ".ini",
        ".ron",
        ".conf",
        ".env",
        ".properties",
    ];
    exts.iter().any(|e| lower.ends_with(e))
        || lower.starts_with(".env")
        || lower.contains("/.env")
        || lower.split('/').rev().skip(1).any(is_config_dir)
        || lower.starts_with("config")
        || lower.starts_with("settings")
}

fn is_config_dir(c: &str) -> bool {
    matches!(
        c,
        "config"
            | "configs"
            | "conf"
            | "configuration"
            | "settings"
            | "environments"
            | "env"
            | "envs"
    )
}

/// The environment a literal configuration file path is for: `config/production.yaml`,
/// `.env.staging`, `settings-dev.toml`.
fn env_config_path(v: &str) -> Option<&'static str> {
    if v.is_empty() || v.len() > 200 || v.contains(char::is_whitespace) || v.contains('{') {
        return None;
    }
    let lower = v.to_ascii_lowercase();
    let mut parts = lower.rsplit('/');
    let name = parts.next()?;
    let config_parent = parts.next().is_some_and(is_config_dir);
    let deploy = |s: &str| DEPLOY_NAMES.iter().find(|n| **n == s).copied();
    if let Some(rest) = name.strip_prefix(".env.") {
        return deploy(rest);
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, Some(e)),
        _ => (name, None),
    };
    let config_ext = matches!(
        ext,
        Some("toml" | "yaml" | "yml" | "ini" | "conf" | "env" | "ron" | "json5")
    );
    let known = match ext {
        None => config_parent,
        Some("json") => config_parent,
        Some(_) => config_ext,
    };
    if !known {
        return None;
    }
    if let Some(n) = deploy(stem) {
        return Some(n);
    }
    // `config.production`, `settings-dev`, `appsettings.Production`, `application-prod`.
    let pieces: Vec<&str> = stem.split(['.', '-', '_']).collect();
    let configish = pieces.iter().any(|p| {
        matches!(
            *p,
            "config" | "settings" | "appsettings" | "application" | "app" | "env"
        )
    });
    if configish || config_parent {
        return pieces.iter().find_map(|p| deploy(p));
    }
    None
}

/// Extensions of configuration files: data formats, and the code files frameworks keep their
/// settings in (Rails `.rb`, Django `.py`, node-config `.js`, Elixir `.exs`).
const CONFIG_FILE_EXTS: &[&str] = &[
    "toml",
    "yaml",
    "yml",
    "json",
    "json5",
    "jsonc",
    "hjson",
    "ini",
    "conf",
    "cfg",
    "properties",
    "ron",
    "xml",
    "rb",
    "py",
    "js",
    "cjs",
    "mjs",
    "ts",
    "exs",
    "php",
];

/// Folders holding deployment configuration (where per-deploy values belong), documentation or
/// CI: per-environment files there are not app configuration.
const DEPLOY_DIRS: &[&str] = &[
    "overlays",
    "k8s",
    "kubernetes",
    "kustomize",
    "helm",
    "charts",
    "chart",
    "deploy",
    "deployment",
    "deployments",
    "manifests",
    "terraform",
    "ansible",
    "infra",
    "infrastructure",
    "ops",
    ".github",
    ".gitlab",
    ".circleci",
    "docs",
    "doc",
    "documentation",
    "node_modules",
];

/// First words of per-environment configuration file names: `appsettings.Production.json`,
/// `application-prod.yml`, `config.production.json`, `settings-dev.toml`, Angular's
/// `environment.prod.ts`.
const CONFIG_STEMS: &[&str] = &[
    "config",
    "settings",
    "appsettings",
    "application",
    "conf",
    "environment",
];

/// A per-environment configuration file: the environment it is for and the name of the shared
/// configuration it overrides (`default`, `appsettings.json`...), as candidates for the help.
fn env_config_file(path: &str) -> Option<(&'static str, Vec<String>)> {
    let lower = path.to_ascii_lowercase();
    let comps: Vec<&str> = lower.split('/').collect();
    let (name, dirs) = comps.split_last()?;
    if dirs.iter().any(|d| DEPLOY_DIRS.contains(d))
        || crate::rules::common::is_template(path)
        || crate::rules::common::is_doc_path(path)
    {
        return None;
    }
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || !CONFIG_FILE_EXTS.contains(&ext) {
        return None;
    }
    let parent = dirs.last().copied().unwrap_or("");
    let grandparent = dirs.len().checked_sub(2).map_or("", |i| dirs[i]);
    let settings_dir = |d: &str| {
        matches!(
            d,
            "config" | "configs" | "conf" | "configuration" | "settings"
        )
    };
    // Rails `config/environments/*.rb`: framework modes, not per-deploy values.
    let config_parent = settings_dir(parent)
        || (parent == "environments" && settings_dir(grandparent) && ext != "rb");
    let deploy = |s: &str| DEPLOY_NAMES.iter().find(|n| **n == s).copied();
    if config_parent {
        if let Some(env) = deploy(stem) {
            let shared = ["default", "base", "common", "settings", "application"]
                .iter()
                .map(|b| b.to_string())
                .collect();
            return Some((env, shared));
        }
    }
    let pieces: Vec<&str> = stem.split(['.', '-', '_']).collect();
    let (first, rest) = pieces.split_first()?;
    if !CONFIG_STEMS.contains(first) {
        return None;
    }
    let env = rest.iter().find_map(|p| deploy(p))?;
    Some((env, vec![first.to_string()]))
}

/// Whether a YAML or JSON text is a Kubernetes object (a ConfigMap named `config-prod.yaml`).
fn is_k8s_object(text: &str) -> bool {
    let has = |key: &str| {
        text.lines().any(|l| {
            let l = l.trim_start_matches(['{', ' ', '"']);
            l.starts_with(key)
        })
    };
    has("apiVersion") && has("kind")
}

/// The byte range of the first setting of a configuration file: the first line that is not
/// blank, a comment, or only brackets (`{`, `---`, `[`); the start of the file when none.
fn first_setting(text: &str) -> std::ops::Range<usize> {
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let t = line.trim();
        let comment = ["#", "//", ";", "/*", "*", "<!--", "<?", "%"]
            .iter()
            .any(|c| t.starts_with(c));
        let punct = t.chars().all(|c| "{}[]()-.\"',".contains(c));
        if t.is_empty() || comment || punct {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        return start + indent..start + indent + t.len();
    }
    0..0
}

/// A finding: span, message.
type Hit = (Range<usize>, String);

struct Walker<'a, 'f> {
    file: &'f RustFile<'f>,
    consts: &'f HashMap<String, &'f Expr>,
    /// `let` bindings of the current function.
    locals: HashMap<String, &'a Expr>,
    /// Names bound to an environment-named value (closure parameters, `Ok(v)` bindings).
    tainted: HashMap<String, String>,
    hits: Vec<Hit>,
}

/// Collects every `let name = init` of a function body, closures and nested blocks included.
struct Lets<'a> {
    out: HashMap<String, &'a Expr>,
}

impl<'a> Visit<'a> for Lets<'a> {
    fn visit_local(&mut self, l: &'a syn::Local) {
        if let (Some(name), Some(init)) = (pat_ident(&l.pat), &l.init) {
            self.out.insert(name, &init.expr);
        }
        visit::visit_local(self, l);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}
}

fn pat_ident(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident(i) => Some(i.ident.to_string()),
        Pat::Type(t) => pat_ident(&t.pat),
        _ => None,
    }
}

/// Every identifier a pattern binds.
fn pat_bindings(p: &Pat, out: &mut Vec<String>) {
    match p {
        Pat::Ident(i) => {
            out.push(i.ident.to_string());
            if let Some((_, sub)) = &i.subpat {
                pat_bindings(sub, out);
            }
        }
        Pat::Type(t) => pat_bindings(&t.pat, out),
        Pat::Reference(r) => pat_bindings(&r.pat, out),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|e| pat_bindings(e, out)),
        Pat::Tuple(t) => t.elems.iter().for_each(|e| pat_bindings(e, out)),
        Pat::Or(o) => o.cases.iter().for_each(|e| pat_bindings(e, out)),
        Pat::Paren(p) => pat_bindings(&p.pat, out),
        _ => {}
    }
}

/// The first environment name among a pattern's string literals.
fn pat_env_literal(p: &Pat) -> Option<(String, Range<usize>)> {
    match p {
        Pat::Lit(l) => match &l.lit {
            Lit::Str(s) if is_env_name(&s.value()) => Some((s.value(), byte_range(s.span()))),
            _ => None,
        },
        Pat::Or(o) => o.cases.iter().find_map(pat_env_literal),
        Pat::TupleStruct(t) => t.elems.iter().find_map(pat_env_literal),
        Pat::Tuple(t) => t.elems.iter().find_map(pat_env_literal),
        Pat::Reference(r) => pat_env_literal(&r.pat),
        Pat::Paren(p) => pat_env_literal(&p.pat),
        Pat::Ident(i) => i.subpat.as_ref().and_then(|(_, s)| pat_env_literal(s)),
        _ => None,
    }
}

fn last_ident(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn block_value(b: &syn::Block) -> Option<&Expr> {
    match b.stmts.last() {
        Some(syn::Stmt::Expr(e, None)) => Some(e),
        _ => None,
    }
}

/// The placeholders of a format string that name variables: `{env}`, `{run_mode:?}`.
fn inline_args(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('{') {
            rest = stripped;
            continue;
        }
        let Some(end) = after.find('}') else {
            break;
        };
        let name = after[..end].split(':').next().unwrap_or("");
        if !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !name.chars().all(|c| c.is_ascii_digit())
        {
            out.push(name.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

impl<'a, 'f> Walker<'a, 'f> {
    fn env_lookup(&self, path: &str) -> bool {
        ENV_LOOKUPS
            .iter()
            .any(|l| path == *l || path.ends_with(&format!("::{l}")))
            || (path == "var"
                && self
                    .file
                    .aliases
                    .get("var")
                    .is_some_and(|a| a.ends_with("env::var")))
    }

    /// The string value of a literal or of a `const` holding one.
    fn str_value(&self, e: &Expr, depth: usize) -> Option<String> {
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            Expr::Path(p) if depth < 4 => self
                .consts
                .get(&last_ident(&p.path))
                .and_then(|init| self.str_value(init, depth + 1)),
            Expr::Reference(r) => self.str_value(&r.expr, depth),
            Expr::Paren(p) => self.str_value(&p.expr, depth),
            _ => None,
        }
    }

    /// The environment name an expression compares against, with the span to report.
    fn env_literal(&self, e: &Expr) -> Option<(String, Range<usize>)> {
        match e {
            Expr::Lit(_) | Expr::Path(_) => {
                let v = self.str_value(e, 0)?;
                is_env_name(&v).then(|| (v, byte_range(e.span())))
            }
            Expr::Reference(r) => self.env_literal(&r.expr),
            Expr::Paren(p) => self.env_literal(&p.expr),
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return None;
                };
                let f = last_ident(&p.path);
                if matches!(f.as_str(), "Ok" | "Some" | "from" | "new") && c.args.len() == 1 {
                    self.env_literal(&c.args[0])
                } else {
                    None
                }
            }
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && matches!(
                        m.method.to_string().as_str(),
                        "to_string" | "to_owned" | "into" | "as_str" | "to_lowercase"
                    ) =>
            {
                self.env_literal(&m.receiver)
            }
            _ => None,
        }
    }

    /// What makes an expression name the environment: the variable or identifier it comes
    /// from (`APP_ENV`, `environment`), if any.
    fn source(&self, e: &Expr, depth: usize) -> Option<String> {
        if depth > 12 {
            return None;
        }
        let d = depth + 1;
        match e {
            Expr::Call(c) => {
                if let Expr::Path(p) = &*c.func {
                    let path = self.file.resolve(&p.path);
                    if self.env_lookup(&path) {
                        let name = c.args.first().and_then(|a| self.str_value(a, 0))?;
                        return is_env_name_var(&name).then_some(name);
                    }
                    let f = last_ident(&p.path);
                    if is_env_name_ident(&f) && p.path.segments.len() <= 2 {
                        return Some(format!("{f}()"));
                    }
                }
                c.args.iter().find_map(|a| self.source(a, d))
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if m.args.is_empty() && is_env_name_ident(&name) {
                    return Some(format!("{name}()"));
                }
                self.source(&m.receiver, d)
            }
            Expr::Field(f) => match &f.member {
                syn::Member::Named(id) if is_env_name_ident(&id.to_string()) => {
                    Some(id.to_string())
                }
                _ => None,
            },
            Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                if let Some(src) = self.tainted.get(&name) {
                    return Some(src.clone());
                }
                if let Some(init) = self.locals.get(&name) {
                    // A local holding a literal does not come from the environment.
                    return self.source(init, d);
                }
                if let Some(init) = self.consts.get(&name) {
                    return self.source(init, d);
                }
                is_env_name_ident(&name).then_some(name)
            }
            Expr::Macro(m) => {
                let mac = last_ident(&m.mac.path);
                let args = m
                    .mac
                    .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                    .ok()?;
                if mac == "env" || mac == "option_env" {
                    let name = args.first().and_then(|a| self.str_value(a, 0))?;
                    return is_env_name_var(&name).then_some(name);
                }
                args.iter().find_map(|a| self.source(a, d))
            }
            Expr::Paren(x) => self.source(&x.expr, d),
            Expr::Group(x) => self.source(&x.expr, d),
            Expr::Reference(x) => self.source(&x.expr, d),
            Expr::Unary(x) => self.source(&x.expr, d),
            Expr::Try(x) => self.source(&x.expr, d),
            Expr::Await(x) => self.source(&x.base, d),
            Expr::Cast(x) => self.source(&x.expr, d),
            Expr::Match(m) => self
                .source(&m.expr, d)
                .or_else(|| m.arms.iter().find_map(|a| self.source(&a.body, d))),
            Expr::If(i) => block_value(&i.then_branch)
                .and_then(|e| self.source(e, d))
                .or_else(|| i.else_branch.as_ref().and_then(|(_, e)| self.source(e, d))),
            Expr::Block(b) => block_value(&b.block).and_then(|e| self.source(e, d)),
            _ => None,
        }
    }

    /// Whether an expression is (or is a local bound to) a `format!` call.
    fn is_formatted(&self, e: &Expr, depth: usize) -> bool {
        match e {
            Expr::Macro(m) => last_ident(&m.mac.path) == "format",
            Expr::Reference(r) => self.is_formatted(&r.expr, depth),
            Expr::Paren(p) => self.is_formatted(&p.expr, depth),
            Expr::MethodCall(m) => self.is_formatted(&m.receiver, depth),
            Expr::Path(p) if p.path.segments.len() == 1 && depth < 8 => self
                .locals
                .get(&last_ident(&p.path))
                .is_some_and(|init| self.is_formatted(init, depth + 1)),
            _ => false,
        }
    }

    fn branch(&mut self, lit: (String, Range<usize>), source: &str) {
        self.hits.push((
            lit.1,
            format!(
                "behaviour switched on the environment name \"{}\" (from `{source}`); configure each setting through its own environment variable",
                lit.0
            ),
        ));
    }

    fn config_file(&mut self, span: Range<usize>, source: &str) {
        self.hits.push((
            span,
            format!(
                "configuration file chosen by the environment name in `{source}`; configure each setting through its own environment variable"
            ),
        ));
    }

    /// Visits `f` with the names bound by `pats` marked as coming from `source`.
    fn with_taint(&mut self, names: Vec<String>, source: &str, f: impl FnOnce(&mut Self)) {
        let saved = self.tainted.clone();
        for n in names {
            self.tainted.insert(n, source.to_string());
        }
        f(self);
        self.tainted = saved;
    }

    fn function(&mut self, block: &'a syn::Block) {
        let mut lets = Lets {
            out: HashMap::new(),
        };
        lets.visit_block(block);
        let saved = std::mem::replace(&mut self.locals, lets.out);
        let saved_taint = std::mem::take(&mut self.tainted);
        visit::visit_block(self, block);
        self.locals = saved;
        self.tainted = saved_taint;
    }

    /// `format!("config/{}.toml", env)` and friends.
    fn format_macro(&mut self, args: &Punctuated<Expr, Token![,]>) {
        let Some(template) = args.first() else {
            return;
        };
        let Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) = template
        else {
            return;
        };
        let t = s.value();
        if !is_config_template(&t) {
            return;
        }
        let mut source = args.iter().skip(1).find_map(|a| match a {
            Expr::Assign(x) => self.source(&x.right, 0),
            a => self.source(a, 0),
        });
        if source.is_none() {
            source = inline_args(&t).iter().find_map(|name| {
                let p: syn::Path = syn::parse_str(name).ok()?;
                self.source(
                    &Expr::Path(syn::ExprPath {
                        attrs: vec![],
                        qself: None,
                        path: p,
                    }),
                    0,
                )
            });
        }
        if let Some(src) = source {
            self.config_file(byte_range(s.span()), &src);
        }
    }

    /// Walks a macro body parsed here: it lives shorter than the file's tree, so it gets a
    /// walker of its own that sees the same names.
    fn macro_body(&mut self, mac: &syn::Macro) {
        let name = last_ident(&mac.path);
        if name == "macro_rules" {
            return;
        }
        if name == "matches" {
            // `matches!(env.as_str(), "production" | "staging")`.
            let parser = |input: syn::parse::ParseStream| -> syn::Result<(Expr, Pat)> {
                let e: Expr = input.parse()?;
                input.parse::<Token![,]>()?;
                let p = Pat::parse_multi_with_leading_vert(input)?;
                let _: proc_macro2::TokenStream = input.parse()?;
                Ok((e, p))
            };
            if let Ok((e, p)) = mac.parse_body_with(parser) {
                let mut sub = self.sub();
                if let (Some(lit), Some(src)) = (pat_env_literal(&p), sub.source(&e, 0)) {
                    sub.branch(lit, &src);
                }
                sub.visit_expr(&e);
                self.hits.append(&mut sub.hits);
            }
            return;
        }
        if let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            let mut sub = self.sub();
            if matches!(name.as_str(), "format" | "format_args") {
                sub.format_macro(&args);
            }
            for e in &args {
                sub.visit_expr(e);
            }
            self.hits.append(&mut sub.hits);
        } else if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            let mut sub = self.sub();
            for st in &stmts {
                sub.visit_stmt(st);
            }
            self.hits.append(&mut sub.hits);
        }
    }

    /// A walker for a shorter-lived tree that sees the same names.
    fn sub<'b>(&self) -> Walker<'b, 'f>
    where
        'a: 'b,
    {
        Walker {
            file: self.file,
            consts: self.consts,
            locals: self.locals.clone(),
            tainted: self.tainted.clone(),
            hits: Vec::new(),
        }
    }
}

impl<'a> Visit<'a> for Walker<'a, '_> {
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        self.function(&f.block);
    }

    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        self.function(&f.block);
    }

    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        if let Some(b) = &f.default {
            self.function(b);
        }
    }

    fn visit_expr_binary(&mut self, b: &'a syn::ExprBinary) {
        if matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_)) {
            let pair = match self.env_literal(&b.right) {
                Some(l) => Some((l, &*b.left)),
                None => self.env_literal(&b.left).map(|l| (l, &*b.right)),
            };
            if let Some((lit, other)) = pair {
                if let Some(src) = self.source(other, 0) {
                    self.branch(lit, &src);
                }
            }
        }
        visit::visit_expr_binary(self, b);
    }

    fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
        let name = m.method.to_string();
        if matches!(
            name.as_str(),
            "eq" | "ne" | "eq_ignore_ascii_case" | "starts_with"
        ) && m.args.len() == 1
        {
            if let (Some(lit), Some(src)) =
                (self.env_literal(&m.args[0]), self.source(&m.receiver, 0))
            {
                self.branch(lit, &src);
            }
        }
        if matches!(name.as_str(), "with_name" | "from_filename" | "from_path")
            && m.args.len() == 1
            && !self.is_formatted(&m.args[0], 0)
        {
            if let Some(src) = self.source(&m.args[0], 0) {
                self.config_file(byte_range(m.args[0].span()), &src);
            }
        }
        // `env::var("APP_ENV").map(|v| v == "production")`: the closure's parameters carry the
        // receiver's value.
        let src = self.source(&m.receiver, 0);
        self.visit_expr(&m.receiver);
        for a in &m.args {
            match (a, &src) {
                (Expr::Closure(c), Some(src)) => {
                    let mut names = Vec::new();
                    for p in &c.inputs {
                        pat_bindings(p, &mut names);
                    }
                    let src = src.clone();
                    self.with_taint(names, &src, |s| s.visit_expr(&c.body));
                }
                _ => self.visit_expr(a),
            }
        }
    }

    fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
        // `config::File::with_name(&run_mode)`, `dotenvy::from_filename(env)`.
        if let Expr::Path(p) = &*c.func {
            let f = last_ident(&p.path);
            if matches!(f.as_str(), "with_name" | "from_filename" | "from_path")
                && c.args.len() == 1
                && !self.is_formatted(&c.args[0], 0)
            {
                if let Some(src) = self.source(&c.args[0], 0) {
                    self.config_file(byte_range(c.args[0].span()), &src);
                }
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_match(&mut self, m: &'a syn::ExprMatch) {
        let src = self.source(&m.expr, 0);
        if let Some(src) = &src {
            if let Some(lit) = m.arms.iter().find_map(|a| pat_env_literal(&a.pat)) {
                self.branch(lit, src);
            }
        }
        self.visit_expr(&m.expr);
        for arm in &m.arms {
            match &src {
                Some(src) => {
                    let mut names = Vec::new();
                    pat_bindings(&arm.pat, &mut names);
                    let src = src.clone();
                    self.with_taint(names, &src, |s| s.visit_expr(&arm.body));
                }
                None => visit::visit_arm(self, arm),
            }
        }
    }

    fn visit_expr_if(&mut self, i: &'a syn::ExprIf) {
        // `if let Ok("production") = env::var("APP_ENV").as_deref()`, `if let Ok(env) = ..`.
        if let Expr::Let(l) = &*i.cond {
            if let Some(src) = self.source(&l.expr, 0) {
                if let Some(lit) = pat_env_literal(&l.pat) {
                    self.branch(lit, &src);
                }
                let mut names = Vec::new();
                pat_bindings(&l.pat, &mut names);
                self.visit_expr(&l.expr);
                self.with_taint(names, &src, |s| s.visit_block(&i.then_branch));
                if let Some((_, e)) = &i.else_branch {
                    self.visit_expr(e);
                }
                return;
            }
        }
        visit::visit_expr_if(self, i);
    }

    fn visit_macro(&mut self, m: &'a syn::Macro) {
        self.macro_body(m);
    }
}

impl Rule for EnvironmentNameBranching {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            text: true,
            ..Inputs::default()
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if file.kind == crate::source::FileKind::Dotenv {
            return;
        }
        let Some((env, shared)) = env_config_file(&file.path) else {
            return;
        };
        // A file with no setting (empty, or comments only) chooses nothing by name.
        let first = first_setting(&file.text);
        if first.is_empty() {
            return;
        }
        let ext = file.path.rsplit_once('.').map_or("", |(_, e)| e);
        if matches!(ext, "yaml" | "yml" | "json") && is_k8s_object(&file.text) {
            return;
        }
        let dir = file.dir();
        let base = cx.repo().files.iter().find(|f| {
            let (d, n) = f.rsplit_once('/').unwrap_or(("", f));
            d == dir
                && *f != &file.path
                && n.rsplit_once('.').is_some_and(|(stem, e)| {
                    CONFIG_FILE_EXTS.contains(&e.to_ascii_lowercase().as_str())
                        && shared.iter().any(|s| stem.eq_ignore_ascii_case(s))
                })
        });
        let help = match base {
            Some(b) => format!(
                "keep the settings every deploy shares in `{b}` and read each value that differs between deploys from its own environment variable (DATABASE_URL, LOG_LEVEL, ...)"
            ),
            None => "read each value that differs between deploys from its own environment variable (DATABASE_URL, LOG_LEVEL, ...) and keep one configuration for every deploy".to_string(),
        };
        cx.report(
            Violation::new(
                first,
                format!(
                    "configuration file for the \"{env}\" environment: `{}` holds settings chosen by the environment's name",
                    file.file_name()
                ),
            )
            .label("per-environment configuration")
            .help(help),
        );
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "env", "run_mode", "app_mode", "profile", "stage", "flavor", "tier",
        ]
    }

    fn rust_wants(&self, src: &RustText<'_>) -> bool {
        // A named environment's file or a configuration path template is enough. A branch or a
        // config-loading call (`File::with_name(&run_mode)`) also needs what `source` bottoms out
        // in: an environment variable's name written as a literal (`"APP_ENV"`), or an
        // identifier naming the environment (`env`, `app_env()`, `self.environment`).
        static CALLS: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
        let lits = src.literals();
        let mut compared = false;
        for l in lits {
            let v = l.value.as_ref();
            if is_config_template(v) || env_config_path(v).is_some() {
                return true;
            }
            compared |= is_env_name(v);
        }
        let loads = || {
            CALLS
                .get_or_init(|| regex::Regex::new(r"\b(with_name|from_filename|from_path)\b").ok())
                .as_ref()
                .is_none_or(|re| re.is_match(src.text))
        };
        (compared || loads())
            && (lits.iter().any(|l| is_env_name_var(&l.value)) || has_env_ident(src))
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        let tests = &file.tests;
        let mut consts: HashMap<String, &Expr> = HashMap::new();
        collect_consts(&file.ast.items, &mut consts);
        let mut w = Walker {
            file,
            consts: &consts,
            locals: HashMap::new(),
            tainted: HashMap::new(),
            hits: Vec::new(),
        };
        w.visit_file(&file.ast);
        let mut hits = std::mem::take(&mut w.hits);
        // Literal configuration files of a named environment.
        for lit in &file.lits {
            if lit.compared {
                continue;
            }
            let call = lit.call.and_then(|i| file.calls.get(i));
            if call.is_some_and(|c| {
                matches!(
                    c.callee.rsplit("::").next().unwrap_or(""),
                    "starts_with"
                        | "ends_with"
                        | "contains"
                        | "eq"
                        | "ne"
                        | "strip_prefix"
                        | "strip_suffix"
                        | "trim_end_matches"
                        | "trim_start_matches"
                )
            }) {
                continue;
            }
            if let Some(env) = env_config_path(&lit.value) {
                hits.push((
                    lit.span.clone(),
                    format!(
                        "configuration file of the \"{env}\" environment (`{}`); configure each setting through its own environment variable",
                        lit.value
                    ),
                ));
            }
        }
        hits.sort_by_key(|(s, _)| (s.start, s.end));
        // One finding per line: `env != "development" && env != "test"` is one switch.
        let mut seen = HashSet::new();
        for (span, msg) in hits {
            if tests.contains(span.start)
                || crate::rules::common::is_doc_comment(&file.source.text, &span)
                || !seen.insert(file.line_of(span.start))
            {
                continue;
            }
            cx.report(
                Violation::new(span, msg)
                    .label("environment chosen by name")
                    .help("read each setting from its own environment variable (DATABASE_URL, LOG_LEVEL, FEATURE_X, ...) and keep one code path for every deploy"),
            );
        }
    }
}

fn collect_consts<'a>(items: &'a [syn::Item], out: &mut HashMap<String, &'a Expr>) {
    for item in items {
        match item {
            syn::Item::Const(c) => {
                out.insert(c.ident.to_string(), &c.expr);
            }
            syn::Item::Static(s) => {
                out.insert(s.ident.to_string(), &s.expr);
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect_consts(items, out);
                }
            }
            syn::Item::Impl(i) => {
                for it in &i.items {
                    if let syn::ImplItem::Const(c) = it {
                        out.insert(c.ident.to_string(), &c.expr);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names() {
        for v in [
            "APP_ENV",
            "RUST_ENV",
            "ENVIRONMENT",
            "ENV",
            "NODE_ENV",
            "RUN_MODE",
            "PROFILE",
        ] {
            assert!(is_env_name_var(v), "{v}");
        }
        for v in [
            "RUST_LOG",
            "LOG_LEVEL",
            "FEATURE_X",
            "ENV_FILE",
            "DATABASE_URL",
            "RUST_LOG_ENV_FILTER",
        ] {
            assert!(!is_env_name_var(v), "{v}");
        }
    }

    #[test]
    fn config_files() {
        let env = |p: &str| env_config_file(p).map(|(e, _)| e);
        for (p, e) in [
            ("config/production.toml", "production"),
            ("config/staging.json", "staging"),
            ("config/prod.yaml", "prod"),
            ("config/development.yml", "development"),
            ("app/settings/production.py", "production"),
            ("Api/appsettings.Production.json", "production"),
            ("src/main/resources/application-prod.yml", "prod"),
            ("application-staging.properties", "staging"),
            ("config.production.json", "production"),
            ("settings-dev.toml", "dev"),
            ("web/src/environments/environment.prod.ts", "prod"),
        ] {
            assert_eq!(env(p), Some(e), "{p}");
        }
        for p in [
            "config/default.toml",
            "config/test.toml",
            "config/local.yaml",
            "config/production.example.yml",
            "config/production.rs",
            "config/deploy/production.rb",
            "config/webpack/production.js",
            "overlays/production/config-prod.yaml",
            "k8s/production.yaml",
            "production.yaml",
            "values-production.yaml",
            "docker-compose.prod.yml",
            "webpack.config.prod.js",
            "docs/config/production.toml",
            "config/production.md",
            "environments/production.yaml",
            ".github/workflows/production.yml",
            "config/credentials/production.yml.enc",
        ] {
            assert_eq!(env(p), None, "{p}");
        }
        assert_eq!(first_setting("# c\n{\n  \"a\": 1\n}\n"), 8..14);
        assert_eq!(first_setting(""), 0..0);
        assert!(is_k8s_object("apiVersion: v1\nkind: ConfigMap\n"));
        assert!(!is_k8s_object("database:\n  pool: 5\n"));
    }

    #[test]
    fn config_paths() {
        assert_eq!(
            env_config_path("config/production.yaml"),
            Some("production")
        );
        assert_eq!(env_config_path(".env.staging"), Some("staging"));
        assert_eq!(env_config_path("settings-dev.toml"), Some("dev"));
        assert_eq!(env_config_path("config/production"), Some("production"));
        assert_eq!(env_config_path("config/local.toml"), None);
        assert_eq!(env_config_path("config/default"), None);
        assert_eq!(env_config_path("fixtures/dev.json"), None);
        assert_eq!(env_config_path("production"), None);
        assert!(is_config_template("config/{}.toml"));
        assert!(is_config_template(".env.{}"));
        assert!(!is_config_template("{}:{}"));
        assert_eq!(
            inline_args("config/{run_mode}.{ext:?}"),
            vec!["run_mode", "ext"]
        );
    }
}
